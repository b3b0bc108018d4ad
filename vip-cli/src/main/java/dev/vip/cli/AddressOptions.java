package dev.vip.cli;

import dev.vip.core.AddOptions;
import dev.vip.core.InvalidInputException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How the VIP's address is added: label and flags, shared by {@code vip add} and {@code vip daemon}. */
final class AddressOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

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

    /** The flags, or a usage error (exit 2). */
    AddOptions addOptions() {
        try {
            return new AddOptions(noDad, noPrefixRoute, preferredLifetime);
        } catch (InvalidInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
