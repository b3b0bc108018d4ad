package dev.vip.core;

import dev.vip.netlink.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Is an address in use on the segment? IPv4: RFC 5227 ARP probes (sender IP 0.0.0.0); IPv6: duplicate
 * address detection solicitations from the unspecified address. Any answer from a MAC not ours means
 * the address is taken.
 */
public final class Prober {
    private Prober() {
    }

    /**
     * Sends {@code probes} probes spread over the first half of {@code timeout} and listens until the
     * timeout. Returns the MAC of the host that answered, if any.
     */
    public static Optional<MacAddress> probe(String interfaceName, MacAddress ours, Set<MacAddress> own,
                                             InetAddress address, Duration timeout, int probes) throws IOException {
        return listen(interfaceName, ours, own, address, timeout, probes, true).stream().findFirst();
    }

    /**
     * As {@link #probe}, but listens the whole timeout and returns every MAC not ours that answered, in
     * the order they answered: two of them are two hosts answering for one address.
     */
    public static Set<MacAddress> answerers(String interfaceName, MacAddress ours, Set<MacAddress> own,
                                            InetAddress address, Duration timeout, int probes) throws IOException {
        return listen(interfaceName, ours, own, address, timeout, probes, false);
    }

    private static Set<MacAddress> listen(String interfaceName, MacAddress ours, Set<MacAddress> own,
                                          InetAddress address, Duration timeout, int probes, boolean firstOnly)
            throws IOException {
        byte[] frame = address instanceof Inet4Address v4 ? Frames.arpProbe(ours, v4)
                : Frames.neighborSolicitationProbe(ours, (Inet6Address) address);
        Set<MacAddress> owners = Collections.synchronizedSet(new LinkedHashSet<>());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vip-probe");
            t.setDaemon(true);
            return t;
        });
        try (PcapLink link = PcapLink.open(interfaceName, CaptureFilters.probeAnswers(address))) {
            long spacing = Math.max(1, timeout.toMillis() / 2 / Math.max(1, probes));
            for (int i = 0; i < probes; i++) {
                timer.schedule(() -> {
                    try {
                        link.send(frame);
                    } catch (IOException e) {
                        link.stop();
                    }
                }, i * spacing, TimeUnit.MILLISECONDS);
            }
            timer.schedule(link::stop, timeout.toMillis(), TimeUnit.MILLISECONDS);
            link.receive(received -> {
                Sighting s;
                try {
                    s = FrameDecoder.decode(received);
                } catch (RuntimeException e) {
                    return; // a decoder bug (the watcher reports it): not an answer
                }
                if (s != null && s.kind() != Sighting.Kind.ARP_PROBE && s.address().equals(address)
                        && !own.contains(s.mac()) && owners.add(s.mac()) && firstOnly) {
                    link.stop();
                }
            });
        } finally {
            timer.shutdownNow();
        }
        synchronized (owners) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(owners));
        }
    }
}
