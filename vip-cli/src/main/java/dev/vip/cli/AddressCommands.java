package dev.vip.cli;

import dev.vip.core.AddOptions;
import dev.vip.core.AddressManager;
import dev.vip.core.ConflictException;
import dev.vip.core.InvalidInputException;
import dev.vip.core.Vip;
import dev.vip.netlink.AddressMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vip add}, {@code vip del} and {@code vip has}: the VIP on this host, through rtnetlink. */
final class AddressCommands {
    private AddressCommands() {
    }

    /** What every address command shares: options, output and the one address manager. */
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

        static Json result(String action, Vip vip) {
            return new Json().put("action", action).put("interface", vip.interfaceName())
                    .put("address", vip.prefix().toString());
        }
    }

    @Command(name = "add", description = "Add the VIP to the interface (idempotent).")
    static final class Add extends Base {
        @Option(names = {"-l", "--label"}, paramLabel = "LABEL",
                description = "IPv4 label: the interface name or IF:SUFFIX, at most 15 bytes (e.g. eth0:0).")
        String label;

        @Option(names = "--nodad", description = "Skip IPv6 duplicate address detection: usable at once.")
        boolean noDad;

        @Option(names = "--noprefixroute", description = "Add no route for the address's prefix.")
        boolean noPrefixRoute;

        @Option(names = "--preferred-lft", paramLabel = "SECONDS",
                description = "Preferred lifetime; 0 marks the address deprecated, so it is never chosen as a "
                        + "source address. Default: forever.")
        Long preferredLifetime;

        @Override
        public Integer call() throws Exception {
            Vip vip = target.vip(label);
            AddOptions options;
            try {
                options = new AddOptions(noDad, noPrefixRoute, preferredLifetime);
            } catch (InvalidInputException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            String what = "add " + vip.prefix() + " to " + vip.interfaceName();
            AddressManager.Outcome outcome;
            try (AddressManager manager = AddressManager.open()) {
                outcome = manager.add(vip, options);
            } catch (IOException | ConflictException e) {
                throw CommandFailure.of(what, "CAP_NET_ADMIN", e);
            }
            String shownLabel = outcome.presence().address().map(AddressMessage::label).orElse(null);
            print(result("add", vip).put("label", shownLabel).put("changed", outcome.changed()),
                    (outcome.changed() ? "added " + vip.prefix() + " to " : vip.prefix() + " was already on ")
                            + vip.interfaceName() + (shownLabel == null ? "" : " as " + shownLabel));
            return ExitCodes.OK;
        }
    }

    @Command(name = "del", description = "Delete the VIP from the interface (idempotent).")
    static final class Del extends Base {
        @Override
        public Integer call() throws Exception {
            Vip vip = target.vip(null);
            String what = "delete " + vip.prefix() + " from " + vip.interfaceName();
            AddressManager.Outcome outcome;
            try (AddressManager manager = AddressManager.open()) {
                outcome = manager.delete(vip);
            } catch (IOException | ConflictException e) {
                throw CommandFailure.of(what, "CAP_NET_ADMIN", e);
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
                throw CommandFailure.of("check " + vip.prefix() + " on " + vip.interfaceName(), "CAP_NET_ADMIN", e);
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
}
