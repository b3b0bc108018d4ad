/**
 * PostgreSQL's truth for the daemon and the hook ({@code dev.vip.hook}); {@code vip pgprobe}
 * ({@code dev.vip.probe}). pgjdbc is reached only through java.sql's DriverManager, so it is not required
 * here: on the classpath the driver registers itself.
 */
module dev.vip.hook {
    requires transitive dev.vip.core;
    requires transitive java.sql;

    exports dev.vip.hook;
    exports dev.vip.probe;
}
