package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The settings file: its format, its checks against the commands, and flags winning over it. */
class ConfigTest {
    private static final List<String> SAMPLE = List.of(
            "# the seed's setup",
            "interface = eth0",
            "address = 192.0.2.2/32",
            "label = 'eth0:0'",
            "count = 3",
            "",
            "[add]",
            "count = 5",
            "[daemon]",
            "allow-group = postgres, dba",
            "[hook]",
            "conninfo = \"host=127.0.0.1 user=repmgr dbname=repmgr connect_timeout=2\"");

    private static ConfigFile sample() throws Exception {
        return ConfigFile.parse("vip.conf", SAMPLE);
    }

    private static CommandLine parsed(ConfigFile file, String... args) {
        CommandLine cl = Main.configure(new CommandLine(new AllCommands()), new ConfigDefaults(file, args));
        cl.parseArgs(args);
        return cl;
    }

    @Test
    void sectionsWinOverTheTopAndQuotesAreRemoved() throws Exception {
        ConfigFile f = sample();
        assertEquals("5", f.lookup("add", "count").orElseThrow().value());
        assertEquals("3", f.lookup("announce", "count").orElseThrow().value());
        assertEquals("eth0:0", f.lookup("add", "label").orElseThrow().value());
        assertEquals("host=127.0.0.1 user=repmgr dbname=repmgr connect_timeout=2",
                f.lookup("hook", "conninfo").orElseThrow().value());
        assertTrue(f.lookup("pgprobe", "conninfo").isEmpty(), "a section's key is for that command only");
        assertEquals(12, f.lookup("hook", "conninfo").orElseThrow().line());
    }

    @Test
    void aCommentRunsFromAHashAfterWhiteSpaceToTheEndOfTheLineOutsideQuotes() throws Exception {
        ConfigFile f = ConfigFile.parse("vip.conf", List.of(
                "interface = eth0   # the VIP's interface",
                "label = eth0#1",
                "[daemon]              # keys for vip daemon only",
                "node-id = 1 # 2 on db2",
                "allow-group = postgres # members may claim",
                "conninfo = host=192.0.2.11 user=repmgr password='a #b' # this node's own PostgreSQL",
                "[hook]",
                "conninfo = \"host=127.0.0.1 # not a comment\"  # a comment"));
        assertEquals("eth0", f.lookup("add", "interface").orElseThrow().value());
        assertEquals("eth0#1", f.lookup("add", "label").orElseThrow().value(), "a # inside a word is kept");
        assertEquals("1", f.lookup("daemon", "node-id").orElseThrow().value());
        assertEquals("postgres", f.lookup("daemon", "allow-group").orElseThrow().value());
        assertEquals("host=192.0.2.11 user=repmgr password='a #b'", f.lookup("daemon", "conninfo").orElseThrow().value());
        assertEquals("host=127.0.0.1 # not a comment", f.lookup("hook", "conninfo").orElseThrow().value());
    }

    @Test
    void aKeySetTwiceNamesBothLinesAndTheSection() {
        var e = assertThrows(ConfigFile.ConfigException.class, () -> ConfigFile.parse("vip.conf", List.of(
                "[daemon]", "events-group = postgres", "", "events-group = postgres")));
        assertEquals("vip.conf:4: key 'events-group' is set twice in [daemon] (lines 2 and 4): keep one line (a "
                + "repeatable option takes a comma-separated list)", e.getMessage());
    }

    @Test
    void theFileSuppliesWhatTheCommandLineLeavesOut() throws Exception {
        CommandLine cl = parsed(sample(), "add");
        AddressCommands.Add add = cl.getSubcommands().get("add").getCommand();
        assertEquals("eth0", add.target.interfaceName);
        assertEquals("192.0.2.2/32", add.target.address);
        assertEquals(5, add.announce.count);
        assertEquals(Duration.ofSeconds(1), add.announce.interval, "the built-in default when the file is silent");

        CommandLine daemon = parsed(sample(), "daemon").getSubcommands().get("daemon");
        assertEquals(List.of("postgres", "dba"), ((DaemonCommand) daemon.getCommand()).allowGroups.stream()
                .map(String::strip).toList());
    }

    @Test
    void statusReadsTheClusterAsTheDaemonDoes() throws Exception {
        ConfigFile f = ConfigFile.parse("vip.conf", List.of("interface = eth0", "address = 192.0.2.2/32", "[daemon]",
                "conninfo = host=192.0.2.11 user=repmgr dbname=repmgr", "standby-address = 192.0.2.3/32",
                "vip = standby:2001:db8::3/64", "node-id = 1"));
        StatusCommand status = parsed(f, "status", "--cluster").getSubcommands().get("status").getCommand();
        assertEquals("host=192.0.2.11 user=repmgr dbname=repmgr", status.conninfo, "from [daemon]");
        assertEquals("192.0.2.3/32", status.standbyAddress);
        assertEquals(List.of("standby:2001:db8::3/64"), status.extraVips);
        assertEquals("eth0", status.interfaceName);
    }

    @Test
    void theCommandLineWins() throws Exception {
        CommandLine cl = parsed(sample(), "add", "-i", "eth1", "--count", "2");
        AddressCommands.Add add = cl.getSubcommands().get("add").getCommand();
        assertEquals("eth1", add.target.interfaceName);
        assertEquals(2, add.announce.count);
        assertEquals("192.0.2.2/32", add.target.address);
    }

    @Test
    void malformedLinesNameTheFileAndTheLine() {
        assertEquals("f:2: expected 'key = value' or '[command]', not 'interface eth0'", assertThrows(
                ConfigFile.ConfigException.class, () -> ConfigFile.parse("f", List.of("# x", "interface eth0")))
                .getMessage());
        assertEquals("f:3: key 'count' is set twice in the top of the file (lines 1 and 3): keep one line (a repeatable option takes a comma-separated list)",
                assertThrows(ConfigFile.ConfigException.class,
                        () -> ConfigFile.parse("f", List.of("count = 1", "", "count = 2"))).getMessage());
        assertEquals("f:1: key 'label': unterminated quote", assertThrows(ConfigFile.ConfigException.class,
                () -> ConfigFile.parse("f", List.of("label = 'eth0:0"))).getMessage());
    }

    @Test
    void unknownKeysAndSectionsAreRefused() throws Exception {
        CommandIndex cl = CommandIndex.of(new CommandLine(new AllCommands()));
        assertEquals("f:1: unknown key 'intrface': no vip command has --intrface", assertThrows(
                ConfigFile.ConfigException.class,
                () -> ConfigDefaults.validate(ConfigFile.parse("f", List.of("intrface = eth0")), cl)).getMessage());
        assertTrue(assertThrows(ConfigFile.ConfigException.class, () -> ConfigDefaults.validate(
                ConfigFile.parse("f", List.of("[deamon]", "node-id = 1")), cl)).getMessage()
                .startsWith("f:2: unknown section [deamon] (sections are command names: add, announce, daemon,"));
        assertEquals("f:2: unknown key 'every' in [hook]: vip hook has no option --every", assertThrows(
                ConfigFile.ConfigException.class, () -> ConfigDefaults.validate(
                        ConfigFile.parse("f", List.of("[hook]", "every = 1s")), cl)).getMessage());
        assertEquals("f:1: 'help' is not a setting", assertThrows(ConfigFile.ConfigException.class,
                () -> ConfigDefaults.validate(ConfigFile.parse("f", List.of("help = true")), cl)).getMessage());
        ConfigDefaults.validate(sample(), cl); // the sample is fine
    }

    @Test
    void aBadValueFromTheFileIsReportedWithItsLine() throws Exception {
        ConfigFile f = ConfigFile.parse("/etc/vip/vip.conf", List.of("interface = eth0", "address = 192.0.2.2/32",
                "interval = soon"));
        StringWriter err = new StringWriter();
        CommandLine cl = Main.configure(new CommandLine(new AllCommands()), new ConfigDefaults(f, new String[] {"add"}));
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("add"));
        assertTrue(err.toString().startsWith("vip add: /etc/vip/vip.conf:3: interval = soon: "), err.toString());
        assertTrue(err.toString().contains("'soon' is not a duration"), err.toString());
    }

    @Test
    void aValueRefusedAfterParsingIsStillTracedToItsLine() throws Exception {
        ConfigFile f = ConfigFile.parse("/etc/vip/vip.conf", List.of("interface = eth0", "address = 192.0.2.2/99"));
        StringWriter err = new StringWriter();
        CommandLine cl = Main.configure(new CommandLine(new AllCommands()), new ConfigDefaults(f, new String[] {"add"}));
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("add"));
        assertTrue(err.toString().startsWith("vip add: /etc/vip/vip.conf:2: address = 192.0.2.2/99: "), err.toString());
    }

    @Test
    void aBadValueOnTheCommandLineIsNotBlamedOnTheFile() throws Exception {
        ConfigFile f = ConfigFile.parse("/etc/vip/vip.conf", List.of("interface = eth0", "address = 192.0.2.2/32",
                "interval = soon"));
        StringWriter err = new StringWriter();
        CommandLine cl = Main.configure(new CommandLine(new AllCommands()),
                new ConfigDefaults(f, new String[] {"add", "--count", "0", "--interval", "1s"}));
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("add", "--count", "0", "--interval", "1s"));
        assertTrue(err.toString().startsWith("vip add: --count must be 1-100, not 0"), err.toString());
    }
}
