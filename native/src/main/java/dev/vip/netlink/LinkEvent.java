package dev.vip.netlink;

/** An interface appeared, changed (up, down, carrier) or went away (RTMGRP_LINK). */
public record LinkEvent(boolean removed, LinkMessage link) implements KernelEvent {
}
