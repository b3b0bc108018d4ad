/**
 * rtnetlink for the modules above: the client ({@code RtnetlinkClient} over a {@code NetlinkSocket},
 * speaking {@code AddressMessage}, {@code LinkMessage} and {@code MacAddress}), the events
 * ({@code KernelEvents}) and the errors ({@code ErrnoException}, {@code NetlinkException},
 * {@code NetlinkProtocolException}). The framing ({@code dev.vip.netlink.codec}) and the system calls
 * ({@code dev.vip.netlink.libc}) stay inside. jnr-ffi and jnr-constants are automatic modules (each jar
 * names itself in its manifest): hence the suppressed warning.
 */
@SuppressWarnings("requires-automatic")
module dev.vip.netlink {
    requires org.jnrproject.ffi;
    requires org.jnrproject.constants;

    exports dev.vip.netlink;
}
