package dev.vip.cli;

import dev.vip.core.InvalidInputException;
import dev.vip.core.IpPrefix;
import dev.vip.core.Vip;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code -i IF -a CIDR}: which address on which interface, as in the seed's usage. */
final class VipOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"-i", "--interface"}, required = true, paramLabel = "IF",
            description = "The interface, e.g. eth0.")
    String interfaceName;

    @Option(names = {"-a", "--address"}, required = true, paramLabel = "CIDR",
            description = "The virtual IP with its prefix length, e.g. 192.0.2.2/32 or 2001:db8::2/64.")
    String address;

    /** The VIP, or a usage error (exit 2) before anything touches the kernel. */
    Vip vip(String label) {
        try {
            return new Vip(interfaceName, IpPrefix.parse(address), label);
        } catch (InvalidInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
