package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A run builds only its own command; what it knows of the others comes from the index made at build time. */
class CommandIndexTest {
    private static final CommandLine FULL = new CommandLine(new AllCommands());

    @Test
    void theIndexInTheJarIsTheFullTrees() {
        assertEquals(CommandIndex.of(FULL).lines(), CommandIndex.load().lines());
        assertEquals(List.copyOf(FULL.getSubcommands().keySet()), List.copyOf(CommandIndex.load().commands().keySet()));
    }

    @Test
    void aRunBuildsOnlyTheCommandItNames() {
        for (String[] args : List.of(new String[] {"status"}, new String[] {"--config", "/etc/x", "status", "-v"},
                new String[] {"--config=/etc/x", "status"})) {
            Map<String, CommandLine> built = Main.tree(CommandIndex.load(), args).getSubcommands();
            assertEquals(List.of("status"), List.copyOf(built.keySet()));
            assertSame(StatusCommand.class, built.get("status").getCommand().getClass());
        }
    }

    @Test
    void withoutACommandEveryOneIsListedByItsSummaryAlone() {
        for (String[] args : List.of(new String[] {"--help"}, new String[0], new String[] {"nosuch"},
                new String[] {"--", "add"})) {
            Map<String, CommandLine> built = Main.tree(CommandIndex.load(), args).getSubcommands();
            assertEquals(List.copyOf(FULL.getSubcommands().keySet()), List.copyOf(built.keySet()));
            for (Map.Entry<String, CommandLine> e : built.entrySet()) {
                assertNull(e.getValue().getCommandSpec().userObject(), e.getKey() + " was built");
                assertEquals(FULL.getSubcommands().get(e.getKey()).getCommandSpec().usageMessage().description()[0],
                        e.getValue().getCommandSpec().usageMessage().description()[0]);
            }
        }
    }

    @Test
    void theCommandIsTheFirstArgumentThatIsNeitherAnOptionNorTheConfigFile() {
        assertEquals("add", Main.commandName(new String[] {"-v", "add", "-i", "eth0"}));
        assertEquals("add", Main.commandName(new String[] {"--config", "add.conf", "add"}));
        assertNull(Main.commandName(new String[] {"--config", "x"}));
        assertNull(Main.commandName(new String[] {"--", "add"}));
    }
}
