package dev.vip.cli;

import dev.vip.core.Json;
import dev.vip.hook.Conninfo;
import dev.vip.probe.Outages;
import dev.vip.probe.WriteProbe;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code vip pgprobe}: a client that writes through the VIP and measures each outage it sees. */
@Command(name = "pgprobe", description = {"Write a row through the VIP every --every with pgjdbc (short timeouts, "
        + "reconnecting after any error: a new connection attempt each --every while none answers, several under way at "
        + "once, so that a SYN sent while the VIP moved does not wait for TCP's 1 s retransmission) and report each outage as it ends: the last good write, the first failed "
        + "attempt, the first good write again and the rows acknowledged before it that the server does not have.",
    "With --read it reads instead, as the standby VIP's clients do: an outage is a window without an answer, and "
        + "answers from a primary (the VIP on the wrong node) are counted.",
    "Runs until --for has passed, or SIGINT/SIGTERM; then prints a summary. Creates the table if needed.",
    "An error no failover explains (authentication, permission, no such database, table or role) is printed once "
        + "on stderr with its SQLSTATE; a run in which no write was acknowledged measured nothing and exits 3."})
final class PgProbeCommand implements Callable<Integer>, Main.Reporting {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--conninfo", required = true, paramLabel = "CONNINFO",
            description = "Where to write, libpq key=value form, e.g. 'host=192.0.2.2 user=app dbname=app'.")
    String conninfo;

    @Option(names = "--every", paramLabel = "DURATION", defaultValue = "100ms", converter = DurationConverter.class,
            description = "One write attempt this often (default: ${DEFAULT-VALUE}); the resolution of the windows.")
    Duration every;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "Network timeout of a write (default: ${DEFAULT-VALUE}); connecting is given the same, "
                    + "rounded up to whole seconds (pgjdbc).")
    Duration timeout;

    @Option(names = "--for", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long (default: run until SIGINT or SIGTERM).")
    Duration duration;

    @Option(names = "--table", paramLabel = "NAME", defaultValue = "vip_probe",
            description = "The table written to (default: ${DEFAULT-VALUE}).")
    String table;

    @Option(names = "--run", paramLabel = "NAME", description = "This run's name in the table (default: random).")
    String run;

    @Option(names = "--read", description = "Read instead of writing (SELECT, nothing written): for a standby VIP.")
    boolean read;

    @Override
    public OutputOptions output() {
        return output;
    }

    @Override
    public Integer call() {
        if (every.isZero() || every.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ParameterException(spec.commandLine(), "--every must be 1ms-1m");
        }
        if (timeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be more than 0");
        }
        WriteProbe.Settings settings;
        try {
            settings = new WriteProbe.Settings(ConninfoOption.parse(spec, conninfo), every, timeout, table,
                    run != null ? run : HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()), duration,
                    read);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        WriteProbe probe = new WriteProbe(settings, new Report(out));
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> probe.stop()); // a summary, then exit 0
        }
        WriteProbe.Summary summary = probe.run();
        if (summary.goodWrites() == 0) {
            return ExitCodes.FAILED; // it measured nothing: no write was ever acknowledged
        }
        return summary.missing() > 0 ? ExitCodes.NOT_PRESENT : ExitCodes.OK;
    }

    private final class Report implements WriteProbe.Listener {
        private final PrintWriter out;

        Report(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void started(String url, String runName) {
            if (output.json) {
                print(new Json().put("event", "started").put("url", url).put("run", runName).put("table", table)
                        .put("every_ms", every.toMillis()).put("mode", read ? "read" : "write"));
            } else if (!output.quiet) {
                print(read ? "reading from " + url + " every " + every.toMillis() + " ms"
                        : "writing to " + url + " every " + every.toMillis() + " ms (table " + table + ", run " + runName
                        + ")");
            }
        }

        @Override
        public void failing(String sqlState, String message) {
            // on stderr whatever --quiet or --json say: the measurement is worthless until it is fixed
            PrintWriter err = spec.commandLine().getErr();
            err.println("vip pgprobe: every write fails: SQLSTATE " + sqlState + ": " + message);
            err.flush();
            if (output.json) {
                print(new Json().put("event", "error").put("sqlstate", sqlState).put("error", message));
            }
        }

        @Override
        public void outage(Outages.Window w, List<Long> missing, int unacknowledgedPresent) {
            if (output.json) {
                print(new Json().put("event", "outage")
                        .put("last_good", w.lastGood().at().toString()).put("last_good_seq", w.lastGood().seq())
                        .put("last_good_server", w.lastGood().server())
                        .put("first_failed", w.firstFailed().toString()).put("first_error", w.firstError())
                        .put("good_again", w.goodAgain().at().toString()).put("good_again_seq", w.goodAgain().seq())
                        .put("good_again_server", w.goodAgain().server())
                        .put("outage_ms", millis(w.length())).put("failed_attempts", w.failedAttempts())
                        .put("missing", missing.size())
                        .put("missing_seqs", missing.stream().map(String::valueOf).collect(Collectors.joining(",")))
                        .put("unacknowledged_present", unacknowledgedPresent));
            } else if (!output.quiet) {
                print(String.format("outage: last good %s (%s), first failed %s, good again %s (%s): %.3f s without "
                                + "%s, %d failed attempts, %d acknowledged rows missing%s", clock(w.lastGood().at()),
                        w.lastGood().server(), clock(w.firstFailed()), clock(w.goodAgain().at()), w.goodAgain().server(),
                        millis(w.length()) / 1000, read ? "an answer" : "a write", w.failedAttempts(), missing.size(),
                        missing.isEmpty() ? "" : " " + missing));
                print("  first error: " + w.firstError());
            }
        }

        @Override
        public void finished(WriteProbe.Summary s) {
            if (output.json) {
                print(new Json().put("event", "summary").put("run", s.run()).put("attempts", s.attempts())
                        .put("good", s.goodWrites()).put("outages", s.windows().size())
                        .put("longest_ms", millis(s.longest())).put("missing", s.missing())
                        .put("outage_at_end", s.outageAtEnd()).put("primary_answers", s.primaryAnswers()));
            } else if (!output.quiet) {
                print(String.format("summary: %d attempts, %d acknowledged, %d outage(s), longest %.3f s, %s%s%s",
                        s.attempts(), s.goodWrites(), s.windows().size(), millis(s.longest()) / 1000,
                        read ? s.primaryAnswers() + " answered by a primary"
                                : s.missing() < 0 ? "missing rows not checked (no connection at the end)"
                                : s.missing() + " acknowledged rows missing",
                        s.outageAtEnd() ? "; the last attempts failed" : "",
                        s.goodWrites() == 0 ? "; no write was acknowledged: nothing was measured (exit 3)" : ""));
            }
        }

        private void print(Object line) {
            out.println(line);
            out.flush();
        }
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }

    private static String clock(Instant at) {
        return CLOCK.format(at);
    }
}
