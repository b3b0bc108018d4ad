package dev.vip.cli;

import dev.vip.core.AddressManager;
import dev.vip.core.Capability;
import dev.vip.core.Json;
import dev.vip.core.Prober;
import dev.vip.core.Vip;
import dev.vip.hook.ClusterSurvey;
import dev.vip.hook.Conninfo;
import dev.vip.netlink.MacAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code vip status --cluster}: every repmgr node as it answers (role, timeline, lag, repmgrd), and who
 * answers for each VIP on the segment right now: this host when the address is on its interface, the
 * others by an ARP probe (IPv6: a duplicate address detection solicitation) from here, their MACs put
 * to names by probing each node's own address the same way. Disagreements are listed; it only reads.
 */
final class ClusterStatus {
    private static final Duration PG_TIMEOUT = Duration.ofSeconds(2);

    private ClusterStatus() {
    }

    /** A VIP to ask about, with the role it should follow. */
    record Target(String role, Vip vip) {
    }

    /** The report (ok: nothing is wrong). */
    static Json survey(Conninfo conninfo, String interfaceName, List<Target> targets, Duration listen)
            throws CommandFailure {
        List<ClusterSurvey.Node> nodes;
        try {
            nodes = ClusterSurvey.nodes(conninfo, PG_TIMEOUT);
        } catch (SQLException e) {
            throw CommandFailure.failed("cannot list the nodes (repmgr.nodes) on " + conninfo.target() + ": "
                    + dev.vip.hook.Fence.firstLine(e.getMessage()));
        }
        String what = "ask who answers for the VIPs on " + interfaceName;
        List<ClusterSurvey.VipAnswer> answers = new ArrayList<>();
        String self = null;
        ExecutorService probes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vip-status-probe");
            t.setDaemon(true);
            return t;
        });
        try (AddressManager manager = AddressManager.open()) {
            AddressManager.Presence link = manager.find(targets.get(0).vip());
            MacAddress ours = link.ethernetMac();
            Set<MacAddress> own = manager.localMacs();
            // each node's own address: this host's, or a MAC from the segment (asked all at once)
            Map<String, Future<Set<MacAddress>>> nodeMacs = new LinkedHashMap<>();
            for (ClusterSurvey.Node n : nodes) {
                InetAddress host = resolve(n.host());
                if (host == null) {
                    continue;
                }
                if (local(host)) {
                    self = n.name();
                } else {
                    nodeMacs.put(n.name(), probes.submit(() -> Prober.answerers(interfaceName, ours, own, host, listen, 2)));
                }
            }
            Map<Future<Set<MacAddress>>, Target> vipMacs = new LinkedHashMap<>();
            for (Target t : targets) {
                vipMacs.put(probes.submit(() -> Prober.answerers(interfaceName, ours, own, t.vip().prefix().address(),
                        listen, 2)), t);
            }
            Map<MacAddress, String> names = new HashMap<>();
            for (Map.Entry<String, Future<Set<MacAddress>>> e : nodeMacs.entrySet()) {
                for (MacAddress mac : e.getValue().get()) {
                    names.merge(mac, e.getKey(), (a, b) -> a + "/" + b);
                }
            }
            for (Map.Entry<Future<Set<MacAddress>>, Target> e : vipMacs.entrySet()) {
                List<String> holders = new ArrayList<>();
                if (manager.find(e.getValue().vip()).matchesPrefix(e.getValue().vip())) {
                    holders.add(self != null ? self : "this host");
                }
                for (MacAddress mac : e.getKey().get()) {
                    holders.add(names.getOrDefault(mac, "an unknown host (" + mac + ")"));
                }
                answers.add(new ClusterSurvey.VipAnswer(e.getValue().vip().prefix().toString(), e.getValue().role(),
                        holders));
            }
        } catch (IOException e) {
            throw CommandFailure.of(what, e, Capability.CAP_NET_RAW);
        } catch (java.util.concurrent.ExecutionException e) {
            throw CommandFailure.of(what, e.getCause() instanceof Exception x ? x : e, Capability.CAP_NET_RAW);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CommandFailure.failed(what + ": interrupted");
        } finally {
            probes.shutdownNow();
        }
        List<String> problems = ClusterSurvey.problems(nodes, answers);
        List<Json> nodeJson = new ArrayList<>();
        for (ClusterSurvey.Node n : nodes) {
            nodeJson.add(new Json().put("id", n.id()).put("name", n.name()).put("type", n.repmgrType())
                    .put("role", n.role()).put("timeline", n.timeline()).put("lag_bytes", n.lagBytes())
                    .put("upstream", n.upstream()).put("repmgrd", n.repmgrd()).put("host", n.host()).put("why", n.why()));
        }
        List<Json> vipJson = new ArrayList<>();
        for (ClusterSurvey.VipAnswer a : answers) {
            vipJson.add(new Json().put("address", a.address()).put("role", a.role()).put("holders", a.holders()));
        }
        return new Json().put("ok", problems.isEmpty()).put("action", "status-cluster").put("interface", interfaceName)
                .put("asked_from", self).put("nodes", nodeJson).put("vips", vipJson).put("problems", problems);
    }

    /** The report as a table for a terminal. */
    static void print(Json report, PrintWriter out) {
        out.printf("%-4s %-12s %-11s %-8s %-12s %-9s %-8s %s%n", "id", "node", "role", "timeline", "lag", "upstream",
                "repmgrd", "host");
        for (Object o : (List<?>) report.get("nodes")) {
            Json n = (Json) o;
            out.printf("%-4s %-12s %-11s %-8s %-12s %-9s %-8s %s%n", n.get("id"), n.get("name"), n.get("role"),
                    dash(n.get("timeline")), n.get("lag_bytes") == null ? "-" : n.get("lag_bytes") + " bytes",
                    dash(n.get("upstream")), n.get("repmgrd") == null ? "-" : (Boolean) n.get("repmgrd") ? "running" : "stopped",
                    dash(n.get("host")));
        }
        out.println();
        for (Object o : (List<?>) report.get("vips")) {
            Json v = (Json) o;
            List<?> holders = (List<?>) v.get("holders");
            out.printf("%s VIP %s: %s%n", v.get("role"), v.get("address"),
                    holders.isEmpty() ? "nobody answers" : String.join(", ", holders.stream().map(Object::toString).toList()));
        }
        List<?> problems = (List<?>) report.get("problems");
        out.println();
        if (problems.isEmpty()) {
            out.println("no problem seen (asked from " + dash(report.get("asked_from")) + ")");
        }
        for (Object p : problems) {
            out.println("PROBLEM: " + p);
        }
    }

    private static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }

    private static InetAddress resolve(String host) {
        if (host == null || host.startsWith("/")) {
            return null; // no host, or a Unix socket directory
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean local(InetAddress address) {
        try {
            return address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
