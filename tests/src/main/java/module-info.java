/**
 * The benchmarks' and the namespace tests' helper programs ({@code dev.vip.bench}, {@code dev.vip.tools}),
 * run with {@code java -cp}; it exports nothing. The tests themselves (src/test) are compiled and run on
 * the classpath.
 */
module dev.vip.tests {
    requires dev.vip.netlink;
    requires org.pcap4j.core;
}
