/**
 * The {@code vip} command; it exports nothing. bin/vip runs it on the classpath, where picocli reflects
 * on the command classes freely; on the module path they would need {@code opens dev.vip.cli to info.picocli}.
 * jnr-posix is an automatic module (it names itself in its manifest): hence the suppressed warning.
 */
@SuppressWarnings("requires-automatic")
module dev.vip.cli {
    requires dev.vip.core;
    requires dev.vip.hook;
    requires info.picocli;
    requires org.jnrproject.posix;
    requires jdk.unsupported; // sun.misc.Signal
}
