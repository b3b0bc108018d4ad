package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every command answers --help with exit 0 and lists the exit codes; no kernel is touched. */
class HelpTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "add", "del", "has", "announce", "probe", "daemon", "status", "hook", "pgprobe"})
    void helpListsTheExitCodes(String command) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        String[] args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
        assertEquals(0, cl.execute(args));
        String text = out.toString();
        assertTrue(text.startsWith("Usage: vip" + (command.isEmpty() ? "" : " " + command)), text);
        for (String code : new String[] {"0   done", "1   vip has", "2   usage error", "3   the operation failed",
            "4   missing privilege"}) {
            assertTrue(text.contains(code), () -> command + " --help lacks '" + code + "':\n" + text);
        }
    }
}
