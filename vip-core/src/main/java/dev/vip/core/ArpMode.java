package dev.vip.core;

/**
 * Which gratuitous ARP forms to send. Linux peers honour both; some switches and routers honour only
 * one (../shared/FIELD-NOTES.md), hence both by default.
 */
public enum ArpMode {
    /** REQUEST with sender IP = target IP and target MAC 00:00:00:00:00:00 (RFC 5227 §2.3 announcement). */
    REQUEST,
    /** REPLY with sender IP = target IP and target MAC = sender MAC (as {@code arping -A}, RFC 5944 §4.6). */
    REPLY,
    BOTH;

    public boolean sendsRequest() {
        return this != REPLY;
    }

    public boolean sendsReply() {
        return this != REQUEST;
    }
}
