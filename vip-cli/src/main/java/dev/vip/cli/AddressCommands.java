package dev.vip.cli;

import dev.vip.core.AddOptions;
import dev.vip.core.Address;
import dev.vip.core.AddressManager;
import dev.vip.core.ArpMode;
import dev.vip.core.Claims;
import dev.vip.core.Capability;
import dev.vip.core.ConflictException;
import dev.vip.core.Json;
import dev.vip.core.Prober;
import dev.vip.core.Vip;
import dev.vip.core.daemon.Reply;
import dev.vip.core.daemon.Request;
import dev.vip.netlink.MacAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vip add}, {@code del}, {@code has}, {@code announce} and {@code probe}. */
final class AddressCommands {
    private AddressCommands() {
    }

    static final Capability[] ADMIN = {Capability.CAP_NET_ADMIN};
    static final Capability[] ADMIN_AND_RAW = {Capability.CAP_NET_ADMIN, Capability.CAP_NET_RAW};

    /** What every address command shares: options and output. */
    abstract static class Base implements Callable<Integer>, Main.Reporting {
        @Spec
        CommandSpec spec;

        @Mixin
        VipOptions target;

        @Mixin
        OutputOptions output;

        @Override
        public OutputOptions output() {
            return output;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void print(Json json, String human) {
            if (output.json) {
                out().println(json);
            } else if (!output.quiet) {
                out().println(human);
            }
            out().flush();
        }

        /** A diagnostic line on stderr, unless --quiet. */
        void log(String line) {
            if (!output.quiet) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("vip: " + line);
                err.flush();
            }
        }

        /** {@link DaemonOptions#act}, its failures as the command's. */
        static Optional<Reply> viaDaemon(DaemonOptions daemon, Request.Change change, String what)
                throws CommandFailure {
            try {
                return daemon.act(change);
            } catch (IOException e) {
                throw CommandFailure.of(what, e);
            }
        }

        static Json result(String action, Vip vip) {
            return new Json().put("action", action).put("interface", vip.interfaceName())
                    .put("address", vip.prefix().toString());
        }
    }

    @Command(name = "add", description = {"Add the VIP to the interface (idempotent) and announce it with "
            + "gratuitous ARP (IPv4) or unsolicited neighbour advertisements (IPv6), also when it was "
            + "already there."})
    static final class Add extends Base {
        @Mixin
        AddressOptions address;

        @Option(names = "--no-announce", description = "Do not announce the VIP.")
        boolean noAnnounce;

        @Option(names = "--probe", description = "First probe the segment (RFC 5227 / DAD); when another host "
                + "answers for the address, change nothing and exit 1.")
        boolean probe;

        @Option(names = "--probe-timeout", paramLabel = "DURATION", defaultValue = "1s",
                converter = DurationConverter.class, description = "How long --probe listens (default: ${DEFAULT-VALUE}).")
        Duration probeTimeout;

        @Mixin
        AnnounceOptions announce;

        @Mixin
        DaemonOptions daemon;

        @Override
        public Integer call() throws Exception {
            Vip vip = target.vip(address.label);
            if (!probe) {
                Optional<Reply> reply = viaDaemon(daemon, new Request.Claim(vip), "add " + vip.prefix() + " to "
                        + vip.interfaceName());
                if (reply.isPresent()) {
                    print(result("add", vip).put("changed", reply.get().changed())
                                    .put("announced", reply.get().announced()).put("daemon", true),
                            (reply.get().changed() ? "added " + vip.prefix() + " to " : vip.prefix()
                                    + " was already on ") + vip.interfaceName() + " (through the daemon, which "
                                    + "announces it)");
                    return ExitCodes.OK;
                }
            }
            AddOptions options = address.addOptions();
            announce.validate();
            String what = "add " + vip.prefix() + " to " + vip.interfaceName();
            // the announcing handle is opened before the address is added (Claims), and before the probe
            try (Claims claims = Claims.open(vip, options, announce.arpMode, !noAnnounce)) {
                if (probe && claims.atOpen().address().isEmpty()) {
                    Optional<MacAddress> owner = Prober.probe(vip.interfaceName(), claims.atOpen().ethernetMac(),
                            claims.addresses().localMacs(), vip.prefix().address(), probeTimeout, 3);
                    if (owner.isPresent()) {
                        print(result("add", vip).put("changed", false).put("in_use", true)
                                        .put("owner", owner.get().toString()),
                                vip.prefix().addressText() + " is in use by " + owner.get() + ": not added");
                        return ExitCodes.NOT_PRESENT;
                    }
                }
                Claims.Claimed claimed = claims.claim(Claims.IfPresent.ANNOUNCE, Claims.THROW);
                int sent = claimed.sent() + (noAnnounce ? 0 : claims.rounds(announce.count - 1, announce.interval,
                        announce.interval, Claims.THROW));
                String shownLabel = claimed.presence().address().map(Address::label).orElse(null);
                print(result("add", vip).put("label", shownLabel).put("changed", claimed.added())
                                .put("announced", sent),
                        (claimed.added() ? "added " + vip.prefix() + " to " : vip.prefix() + " was already on ")
                                + vip.interfaceName() + (shownLabel == null ? "" : " as " + shownLabel)
                                + (sent > 0 ? "; announced it (" + sent + " frames)" : ""));
            } catch (IOException | ConflictException e) {
                throw CommandFailure.of(what, e, noAnnounce && !probe ? ADMIN : ADMIN_AND_RAW);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "del", description = {"Delete the VIP from the interface (idempotent).",
        "With --watch: keep running, and delete the VIP from this host whenever another host announces it."})
    static final class Del extends Base {
        @Option(names = "--watch", description = "Watch the interface for another host announcing the VIP "
                + "and delete it from this host then; runs until SIGTERM or SIGINT (exit 0).")
        boolean watch;

        @Option(names = "--force", description = "Through a daemon that asks PostgreSQL: release the VIP even when "
                + "this node is the rightful primary, and keep the daemon from claiming it again on its own until "
                + "the next claim (root only).")
        boolean force;

        @Mixin
        DaemonOptions daemon;

        @Override
        public Integer call() throws Exception {
            Vip vip = target.vip(null);
            if (watch) {
                return new WatchCommand(this, vip).run();
            }
            Optional<Reply> reply = viaDaemon(daemon, new Request.Release(vip, force), "delete "
                    + vip.prefix() + " from " + vip.interfaceName());
            if (reply.isPresent()) {
                print(result("del", vip).put("changed", reply.get().changed()).put("daemon", true),
                        (reply.get().changed() ? "deleted " + vip.prefix() + " from " : vip.prefix()
                                + " was not on ") + vip.interfaceName() + " (through the daemon)");
                return ExitCodes.OK;
            }
            String what = "delete " + vip.prefix() + " from " + vip.interfaceName();
            AddressManager.Outcome outcome;
            try (Claims claims = Claims.open(vip, AddOptions.DEFAULT, ArpMode.BOTH, false)) {
                outcome = claims.delete();
            } catch (IOException | ConflictException e) {
                throw CommandFailure.of(what, e, ADMIN);
            }
            print(result("del", vip).put("changed", outcome.changed()),
                    (outcome.changed() ? "deleted " + vip.prefix() + " from " : vip.prefix() + " was not on ")
                            + vip.interfaceName());
            return ExitCodes.OK;
        }
    }

    @Command(name = "has", description = "Exit 0 when the VIP is on the interface with this prefix, 1 when not.")
    static final class Has extends Base {
        @Override
        public Integer call() throws Exception {
            Vip vip = target.vip(null);
            AddressManager.Presence presence;
            try (AddressManager manager = AddressManager.open()) {
                presence = manager.find(vip);
            } catch (IOException e) {
                throw CommandFailure.of("check " + vip.prefix() + " on " + vip.interfaceName(), e);
            }
            boolean present = presence.matchesPrefix(vip);
            String there = presence.address().map(a -> AddressManager.describe(vip, a)).orElse(null);
            print(result("has", vip).put("present", present).put("found", there),
                    present ? vip.prefix() + " is on " + vip.interfaceName()
                            : there != null ? vip.prefix() + " is not on " + vip.interfaceName() + " (it has " + there
                                    + ")" : vip.prefix() + " is not on " + vip.interfaceName());
            return present ? ExitCodes.OK : ExitCodes.NOT_PRESENT;
        }
    }

    @Command(name = "announce", description = "Announce the VIP at this interface's MAC, without touching "
            + "addresses.")
    static final class Announce extends Base {
        @Mixin
        AnnounceOptions announce;

        @Option(names = "--start-after", paramLabel = "DURATION", converter = DurationConverter.class, hidden = true,
                description = "Wait this long first (vip hook's background repeats).")
        Duration startAfter;

        @Override
        public Integer call() throws Exception {
            Vip vip = target.vip(null);
            announce.validate();
            String what = "announce " + vip.prefix().addressText() + " on " + vip.interfaceName();
            int sent;
            try (Claims claims = Claims.open(vip, AddOptions.DEFAULT, announce.arpMode, true)) {
                sent = claims.rounds(announce.count, startAfter == null ? Duration.ZERO : startAfter,
                        announce.interval, Claims.THROW);
            } catch (IOException e) {
                throw CommandFailure.of(what, e, Capability.CAP_NET_RAW);
            }
            print(result("announce", vip).put("announced", sent),
                    "announced " + vip.prefix().addressText() + " on " + vip.interfaceName() + " (" + sent + " frames)");
            return ExitCodes.OK;
        }
    }

    @Command(name = "probe", description = {"Is the address in use on the segment? An RFC 5227 ARP probe "
            + "(sender IP 0.0.0.0) or, for IPv6, a neighbour solicitation from the unspecified address.",
        "Exit 0 when nobody answers, 1 when another host does (its MAC is printed)."})
    static final class Probe extends Base {
        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
                description = "How long to listen for an answer (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            Vip vip = target.vip(null);
            if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new ParameterException(spec.commandLine(), "--timeout must be between 1ms and 1m");
            }
            String what = "probe " + vip.prefix().addressText() + " on " + vip.interfaceName();
            Optional<MacAddress> owner;
            try (AddressManager manager = AddressManager.open()) {
                MacAddress ours = manager.find(vip).ethernetMac();
                owner = Prober.probe(vip.interfaceName(), ours, manager.localMacs(), vip.prefix().address(), timeout, 3);
            } catch (IOException e) {
                throw CommandFailure.of(what, e, Capability.CAP_NET_RAW);
            }
            String address = vip.prefix().addressText();
            print(result("probe", vip).put("in_use", owner.isPresent()).put("owner", owner.map(Object::toString)
                            .orElse(null)),
                    owner.map(m -> address + " is in use by " + m).orElse(address + " is free on " + vip.interfaceName()));
            return owner.isPresent() ? ExitCodes.NOT_PRESENT : ExitCodes.OK;
        }
    }
}
