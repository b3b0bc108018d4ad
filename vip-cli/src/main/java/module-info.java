/**
 * The {@code vip} command; it exports nothing. bin/vip runs it on the classpath, where picocli reflects
 * on the command classes freely; on the module path they would need {@code opens dev.vip.cli to info.picocli}.
 * jnr-posix, jnr-ffi and jnr-constants are automatic modules (each names itself in its manifest): hence the
 * suppressed warning.
 */
@SuppressWarnings("requires-automatic")
module dev.vip.cli {
    requires dev.vip.core;
    requires dev.vip.hook;
    requires info.picocli;
    requires org.jnrproject.posix;
    requires org.jnrproject.ffi; // signal(2), for the daemon's signals
    requires org.jnrproject.constants;
    requires jdk.unsupported; // sun.misc.Signal
}
