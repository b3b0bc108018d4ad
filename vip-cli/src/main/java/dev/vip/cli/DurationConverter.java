package dev.vip.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** "250ms", "1s", "1.5s", "2m"; a bare number is seconds. */
final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("([0-9]{1,9})(?:\\.([0-9]{1,3}))?(ms|s|m)?");

    @Override
    public Duration convert(String value) {
        Matcher m = FORM.matcher(value.strip());
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 250ms, 1s, 1.5s, 2m)");
        }
        long whole = Long.parseLong(m.group(1));
        String fraction = m.group(2) == null ? "" : m.group(2);
        String unit = m.group(3) == null ? "s" : m.group(3);
        long millisPerUnit = switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            default -> 1000;
        };
        if (unit.equals("ms") && !fraction.isEmpty()) {
            throw new TypeConversionException("'" + value + "': milliseconds are whole numbers");
        }
        long fractionMillis = fraction.isEmpty() ? 0
                : Long.parseLong((fraction + "00").substring(0, 3)) * millisPerUnit / 1000;
        return Duration.ofMillis(whole * millisPerUnit + fractionMillis);
    }
}
