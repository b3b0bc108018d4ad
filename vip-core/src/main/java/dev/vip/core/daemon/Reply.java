package dev.vip.core.daemon;

import dev.vip.core.Json;

/**
 * The daemon's reply to a claim, release, pause or resume, as a client reads it: the one place its keys
 * are named, for the daemon that writes them ({@link #error}, {@link #refused}, {@link #unmanaged} and
 * the constants) and the client that reads them ({@link #of}). A status reply is the daemon's whole
 * state, which {@code vip status} passes on as it is.
 *
 * @param changed   the kernel changed (added, deleted; paused or resumed)
 * @param announced frames sent at once for a claim, when it said
 * @param refused   no for want of permission
 * @param fenced    no because PostgreSQL says this node is not the rightful primary
 * @param unmanaged the daemon manages another VIP: the caller acts on the kernel directly
 * @param paused    the daemon is paused (a claim or release it did not do; or the state after pause/resume)
 */
public record Reply(boolean ok, boolean changed, Integer announced, String error, boolean refused, boolean fenced,
                    boolean unmanaged, boolean paused) {
    static final String OK = "ok";
    static final String CHANGED = "changed";
    static final String ANNOUNCED = "announced";
    static final String ERROR = "error";
    static final String REFUSED = "refused";
    static final String FENCED = "fenced";
    static final String UNMANAGED = "unmanaged";
    static final String PAUSED = "paused";

    public static Reply of(Json j) {
        Object announced = j.get(ANNOUNCED);
        return new Reply(j.flag(OK), j.flag(CHANGED), announced instanceof Number n ? n.intValue() : null,
                j.string(ERROR), j.flag(REFUSED), j.flag(FENCED), j.flag(UNMANAGED), j.flag(PAUSED));
    }

    static Json error(String message) {
        return new Json().put(OK, false).put(ERROR, message);
    }

    static Json refused(String message) {
        return error(message).put(REFUSED, true);
    }

    static Json unmanaged(String message) {
        return error(message).put(UNMANAGED, true);
    }
}
