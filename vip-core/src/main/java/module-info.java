/**
 * A VIP, the kernel's side of it, its frames and its claims ({@code dev.vip.core}); the daemon
 * ({@code dev.vip.core.daemon}). The jnr jars are automatic modules (each names itself in its manifest):
 * hence the suppressed warning. pcap4j-core 1.8.2 requires {@code slf4j.api}, the module slf4j-api 1.7.26
 * gets from its file name. pcap4j finds the decoders it reads frames with as a service: vip's own,
 * {@link dev.vip.core.PacketDecoders}.
 */
@SuppressWarnings("requires-automatic")
module dev.vip.core {
    requires transitive dev.vip.netlink;
    requires org.pcap4j.core;
    requires org.jnrproject.constants;
    requires org.jnrproject.enxio;
    requires org.jnrproject.posix;
    requires org.jnrproject.unixsocket;
    requires jdk.httpserver; // MetricsExporter

    provides org.pcap4j.packet.factory.PacketFactoryBinderProvider with dev.vip.core.PacketDecoders;

    exports dev.vip.core;
    exports dev.vip.core.daemon;
}
