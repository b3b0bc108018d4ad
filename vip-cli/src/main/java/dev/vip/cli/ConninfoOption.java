package dev.vip.cli;

import dev.vip.hook.Conninfo;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The --conninfo option of daemon, hook and pgprobe: parsed once, and no password on a command line. */
final class ConninfoOption {
    private ConninfoOption() {
    }

    /**
     * The parsed conninfo (null for null). A password given on the command line is refused: every local
     * user can read a process's arguments (ps, /proc/PID/cmdline).
     */
    static Conninfo parse(CommandSpec spec, String text) {
        if (text == null) {
            return null;
        }
        Conninfo c;
        try {
            c = Conninfo.parse(text);
            c.jdbcUrl();
        } catch (IllegalArgumentException e) {
            // named after the option, so that a value from a settings file is traced to its file and line
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        if (c.hasPassword() && spec.commandLine().getParseResult().hasMatchedOption("--conninfo")) {
            throw new ParameterException(spec.commandLine(), "--conninfo: a password on the command line can be read "
                    + "by every local user (ps): put it in a pgpass file (passfile=PATH in the conninfo, $PGPASSFILE "
                    + "or ~/.pgpass), or in a settings file only root and vip can read");
        }
        return c;
    }
}
