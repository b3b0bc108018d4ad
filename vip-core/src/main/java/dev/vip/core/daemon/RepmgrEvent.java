package dev.vip.core.daemon;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One repmgr event as the documented one-liner writes it: {@code %n %e %s}, e.g.
 * {@code 2 standby_promote 1}. Anything else is rejected: the line comes from a FIFO that only the
 * postgres group may write, but it is still input.
 *
 * @param nodeId  repmgr's node id (%n)
 * @param event   the event name (%e)
 * @param success %s
 */
public record RepmgrEvent(int nodeId, String event, boolean success) {
    /** Longer lines are rejected unread: a real one is under 50 bytes. */
    public static final int MAX_LINE = 128;
    private static final Pattern LINE = Pattern.compile("([0-9]{1,9}) ([a-z_]{1,48}) ([01])");

    public enum Decision { CLAIM, RELEASE, IGNORE }

    /** The event, or empty when the line is not exactly {@code NODE EVENT SUCCESS}. */
    public static Optional<RepmgrEvent> parse(String line) {
        if (line.length() > MAX_LINE) {
            return Optional.empty();
        }
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new RepmgrEvent(Integer.parseInt(m.group(1)), m.group(2), m.group(3).equals("1")));
    }

    /**
     * Claim on a successful promotion (repmgr fires both {@code standby_promote} and
     * {@code repmgrd_failover_promote}: the caller de-duplicates), never on a failed one; release when
     * this node follows a new primary or rejoins as a standby; ignore everything else.
     */
    public Decision decision() {
        return switch (event) {
            case "standby_promote", "repmgrd_failover_promote" -> success ? Decision.CLAIM : Decision.IGNORE;
            case "standby_follow", "repmgrd_failover_follow", "node_rejoin" -> Decision.RELEASE;
            default -> Decision.IGNORE;
        };
    }
}
