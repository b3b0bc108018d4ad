package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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

    /**
     * vip --help is answered without picocli, from the text the build rendered: it is what picocli prints
     * for the same arguments now (a stale or hand-edited text fails here), and it lists every command.
     */
    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void theEntryPrintsWhatPicocliWould(String flag) throws Exception {
        CommandIndex index = CommandIndex.load();
        CommandLine cl = Main.configure(Main.tree(index, new String[] {flag}),
                new ConfigDefaults(ConfigFile.empty(), new String[] {flag}));
        StringWriter rendered = new StringWriter();
        cl.setOut(new PrintWriter(rendered));
        assertEquals(0, cl.execute(flag));

        PrintStream saved = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            Entry.main(new String[] {flag});
        } finally {
            System.setOut(saved);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertEquals(rendered.toString(), text);
        for (String command : index.commands().keySet()) {
            assertTrue(text.contains("\n  " + command + " "), () -> "vip --help lacks " + command + ":\n" + text);
        }
    }
}
