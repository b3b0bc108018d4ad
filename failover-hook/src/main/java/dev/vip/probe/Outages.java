package dev.vip.probe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The probe's bookkeeping, without PostgreSQL: each write attempt has a sequence number; an outage starts
 * at the first failed attempt after a good one and ends at the next good one. Which sequence numbers were
 * acknowledged is kept, so that rows acknowledged but missing on the server can be found afterwards.
 */
public final class Outages {
    /** A write attempt that succeeded: when it was acknowledged, and the server that took it. */
    public record Good(Instant at, long seq, String server) {
    }

    /** One window without a good write. {@code missing} is filled by {@link #missing}. */
    public record Window(Good lastGood, Instant firstFailed, String firstError, Good goodAgain, int failedAttempts) {
        public Duration length() {
            return Duration.between(lastGood.at(), goodAgain.at());
        }
    }

    private final BitSet acknowledged = new BitSet();
    private final List<Window> windows = new ArrayList<>();
    private Good lastGood;
    private Instant firstFailed;
    private String firstError;
    private int failedAttempts;
    private long attempts;
    private long goodWrites;

    /** No attempt yet. */
    public Outages() {
    }

    /** Records a good write; returns the outage it ends, if any. */
    public Optional<Window> good(Instant at, long seq, String server) {
        attempts++;
        goodWrites++;
        acknowledged.set(Math.toIntExact(seq));
        Good g = new Good(at, seq, server);
        Optional<Window> ended = Optional.empty();
        if (firstFailed != null && lastGood != null) {
            Window w = new Window(lastGood, firstFailed, firstError, g, failedAttempts);
            windows.add(w);
            ended = Optional.of(w);
        }
        lastGood = g;
        firstFailed = null;
        firstError = null;
        failedAttempts = 0;
        return ended;
    }

    /** Records a failed attempt (failures before the first good write are not an outage: nothing worked yet). */
    public void failed(Instant at, String error) {
        attempts++;
        if (firstFailed == null) {
            firstFailed = at;
            firstError = error;
        }
        failedAttempts++;
    }

    /**
     * The acknowledged sequence numbers up to {@code through} that are not in {@code present} (the
     * sequence numbers the server has for this run).
     */
    public List<Long> missing(BitSet present, long through) {
        return missing(present, 0, through);
    }

    /** The same, from {@code from} on: rows an earlier window already judged are not counted again. */
    public List<Long> missing(BitSet present, long from, long through) {
        List<Long> out = new ArrayList<>();
        for (int i = acknowledged.nextSetBit(Math.toIntExact(from)); i >= 0 && i <= through;
             i = acknowledged.nextSetBit(i + 1)) {
            if (!present.get(i)) {
                out.add((long) i);
            }
        }
        return out;
    }

    /** Sequence numbers up to {@code through} the server has although their write was not acknowledged. */
    public int unacknowledgedPresent(BitSet present, long through) {
        BitSet extra = (BitSet) present.clone();
        extra.andNot(acknowledged);
        return extra.get(0, Math.toIntExact(through) + 1).cardinality();
    }

    /** The outage going on now, if the last attempt failed after a good one. */
    public Optional<Instant> ongoingSince() {
        return lastGood != null ? Optional.ofNullable(firstFailed) : Optional.empty();
    }

    public Optional<Good> lastGood() {
        return Optional.ofNullable(lastGood);
    }

    public List<Window> windows() {
        return List.copyOf(windows);
    }

    public long attempts() {
        return attempts;
    }

    public long goodWrites() {
        return goodWrites;
    }
}
