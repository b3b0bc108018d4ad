package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vip.cli.Main.Preload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which native bindings a command's start loads beside picocli's: only those the command will use. */
class PreloadTest {
    private static Preload of(String... args) {
        return Main.preloadFor(Main.commandName(args), List.of(args));
    }

    @Test
    void framesOnlyForCommandsThatSendOrCaptureThem() {
        assertEquals(Preload.NETLINK_AND_PCAP, of("add", "-i", "eth0", "-a", "198.51.100.10/32"));
        assertEquals(Preload.NETLINK, of("add", "-i", "eth0", "-a", "198.51.100.10/32", "--no-announce"));
        assertEquals(Preload.NETLINK_AND_PCAP, of("add", "--no-announce", "--probe", "-i", "eth0", "-a", "x"));
        assertEquals(Preload.NETLINK, of("del", "-i", "eth0", "-a", "198.51.100.10/32"));
        assertEquals(Preload.NETLINK_AND_PCAP, of("del", "--watch", "-i", "eth0", "-a", "198.51.100.10/32"));
        assertEquals(Preload.NETLINK, of("--config", "/etc/vip/vip.conf", "has", "-i", "eth0", "-a", "x"));
        assertEquals(Preload.NETLINK_AND_PCAP, of("hook", "1", "standby_promote", "1"));
        assertEquals(Preload.NETLINK_AND_PCAP, of("announce", "-i", "eth0", "-a", "x"));
        assertEquals(Preload.NETLINK_AND_PCAP, of("probe", "-i", "eth0", "-a", "x"));
    }

    @Test
    void nothingForHelpTheDaemonAndTheCommandsWithoutEither() {
        for (String command : List.of("daemon", "status", "pause", "resume", "pgprobe", "nonsense")) {
            assertEquals(Preload.NOTHING, of(command), command);
        }
        assertEquals(Preload.NOTHING, of("add", "--help"));
        assertEquals(Preload.NOTHING, of("hook", "-h"));
        assertEquals(Preload.NOTHING, of());
        assertEquals(Preload.NOTHING, of("--version"));
    }
}
