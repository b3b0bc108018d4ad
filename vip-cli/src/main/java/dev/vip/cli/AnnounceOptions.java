package dev.vip.cli;

import dev.vip.core.ArpMode;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How the VIP is announced: gratuitous ARP forms (IPv4) or unsolicited NAs (IPv6), how often. */
final class AnnounceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--arp-mode", paramLabel = "MODE", defaultValue = "both",
            converter = ArpModeConverter.class,
            description = "IPv4 announcement form: request, reply or both (default: ${DEFAULT-VALUE}).")
    ArpMode arpMode;

    @Option(names = "--count", paramLabel = "N", defaultValue = "3",
            description = "Announcement rounds (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "Time between rounds, e.g. 1s or 500ms (default: ${DEFAULT-VALUE}).")
    Duration interval;

    void validate() {
        if (count < 1 || count > 100) {
            throw new ParameterException(spec.commandLine(), "--count must be 1-100, not " + count);
        }
        if (interval.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ParameterException(spec.commandLine(), "--interval must be at most 10m");
        }
    }

    static final class ArpModeConverter implements picocli.CommandLine.ITypeConverter<ArpMode> {
        @Override
        public ArpMode convert(String value) {
            return switch (value) {
                case "request" -> ArpMode.REQUEST;
                case "reply" -> ArpMode.REPLY;
                case "both" -> ArpMode.BOTH;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not an ARP mode: request, reply or both");
            };
        }
    }
}
