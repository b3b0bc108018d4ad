package dev.vip.core.daemon;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Serves {@link Metrics} the two ways Prometheus takes them, both opt-in: an HTTP listener (the JDK's own
 * server, one thread, {@code GET /metrics} only) and node-exporter's textfile collector (the file written
 * whole, then renamed over the old one, so that the collector never reads half of it).
 */
public final class MetricsExporter implements AutoCloseable {
    private final Supplier<String> text;
    private final Consumer<String> log;
    private HttpServer server;
    private ScheduledExecutorService writer;

    public MetricsExporter(Supplier<String> text, Consumer<String> log) {
        this.text = text;
        this.log = log;
    }

    /** Listens on {@code address}; throws when it cannot bind (in use, not this host's). */
    public void listen(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 8);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean metrics = exchange.getRequestURI().getPath().equals("/metrics");
                if (!exchange.getRequestMethod().equals("GET") || !metrics) {
                    exchange.sendResponseHeaders(metrics ? 405 : 404, -1);
                    return;
                }
                byte[] body = text.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vip-metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Writes the file now (so that a bad path fails at start), then every {@code everyMillis}. */
    public void writeFile(Path file, long everyMillis) throws IOException {
        write(file);
        writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vip-metrics-file");
            t.setDaemon(true);
            return t;
        });
        writer.scheduleWithFixedDelay(() -> {
            try {
                write(file);
            } catch (IOException | RuntimeException e) {
                log.accept("cannot write the metrics file " + file + ": " + e.getMessage());
            }
        }, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    private void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try {
            Files.writeString(tmp, text.get());
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--")); // whatever the umask
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (writer != null) {
            writer.shutdownNow();
        }
    }
}
