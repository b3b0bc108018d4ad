package dev.vip.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A process a test leaves running (a watcher, tcpdump); its stdout and stderr lines are kept. */
public final class Background implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();

    Background(String name, List<String> command) throws IOException {
        this.name = name;
        System.err.println("+ (background) " + String.join(" ", command));
        this.process = new ProcessBuilder(command).start();
        pump(process.getInputStream(), stdout, "");
        pump(process.getErrorStream(), stderr, "    [" + name + "] ");
    }

    private void pump(InputStream in, List<String> lines, String echoPrefix) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!echoPrefix.isEmpty()) {
                        System.err.println(echoPrefix + line);
                    }
                    synchronized (this) {
                        lines.add(line);
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name + "-pump");
        t.setDaemon(true);
        t.start();
    }

    public synchronized List<String> stdout() {
        return List.copyOf(stdout);
    }

    public synchronized List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** Waits until a line of stdout (or of stderr) matches; returns it, or null after the timeout. */
    public synchronized String await(boolean fromStdout, Predicate<String> match, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = fromStdout ? stdout : stderr;
        int seen = 0;
        while (true) {
            for (; seen < lines.size(); seen++) {
                if (match.test(lines.get(seen))) {
                    return lines.get(seen);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Sends a signal (e.g. "TERM", "INT") with kill(1). */
    public void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Waits for the process to end; returns its exit code, or -1 after the timeout. */
    public int waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
