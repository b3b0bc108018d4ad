package dev.vip.core.daemon;

import dev.vip.core.Json;
import dev.vip.core.Vip;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What the daemon answers to one request line from one peer, without the socket: who may do what
 * ({@link Authorizer}, root alone for a forced release), which VIP this daemon manages, and the
 * rate-limited log of refusals. {@link ControlServer} reads lines and writes these answers back.
 */
final class Answers {
    static final long REFUSAL_LOG_MS = 10_000;

    /** The peer's credentials (SO_PEERCRED). */
    record Peer(int uid, int gid, int pid) {
    }

    /** What the answers act on: the daemon. */
    interface Daemon {
        Vip vip();

        Json status();

        boolean pause(Requester who);

        boolean resume(Requester who);

        Json claim(Requester who);

        Json release(Requester who, boolean force);

        /** Counts a request for the metrics, refused or not (status requests are not counted). */
        void countRequest(boolean refused);
    }

    private final Authorizer authorizer;
    private final Daemon daemon;
    private final Consumer<String> log;
    private final LongSupplier clockMillis;

    // refusals, for the rate-limited log line; guarded by this
    private long refusalsSinceLog;
    private long lastRefusalLog = Long.MIN_VALUE / 2;
    private String lastRefusal;

    Answers(Authorizer authorizer, Daemon daemon, Consumer<String> log, LongSupplier clockMillis) {
        this.authorizer = authorizer;
        this.daemon = daemon;
        this.log = log;
        this.clockMillis = clockMillis;
    }

    /**
     * The reply to {@code line} (null: the request could not be read whole: too long, not UTF-8 or no
     * newline) from {@code peer}.
     */
    Json answer(String line, Peer peer) {
        Requester requester = new Requester("socket", peer.uid(), peer.pid());
        if (line == null) {
            return refuse("an unreadable request (too long, not UTF-8 or no newline)", requester,
                    Reply.error("a request is one line: claim|release IF CIDR, pause, resume or status"));
        }
        Request request;
        try {
            request = Request.parse(line);
        } catch (Request.Malformed e) {
            return refuse("'" + ControlServer.printable(line) + "' (malformed)", requester, Reply.error(e.getMessage()));
        }
        if (request instanceof Request.Status) {
            return daemon.status(); // read-only: open to anyone, and not counted
        }
        if (request instanceof Request.Pause p) {
            String verb = p.line();
            if (!authorizer.mayChange(peer.uid(), peer.gid())) {
                return refuse(verb + " (uid " + peer.uid() + " is not an allowed user or group member)", requester,
                        Reply.refused("permission denied: uid " + peer.uid() + " may not " + verb
                                + " the daemon (allowed: root and the daemon's --allow-user/--allow-group)"));
            }
            daemon.countRequest(false);
            boolean changed = p.pause() ? daemon.pause(requester) : daemon.resume(requester);
            return new Json().put(Reply.OK, true).put("action", verb).put(Reply.CHANGED, changed)
                    .put(Reply.PAUSED, p.pause());
        }
        Request.Change change = (Request.Change) request;
        String verb = change.verb();
        Vip vip = daemon.vip();
        if (!change.concerns(vip)) {
            return refuse(verb + " " + ControlServer.printable(change.interfaceName()) + " "
                            + ControlServer.printable(change.prefix()) + " (this daemon manages " + vip.prefix() + " on "
                            + vip.interfaceName() + ")", requester,
                    Reply.unmanaged("this daemon manages " + vip.prefix() + " on " + vip.interfaceName()));
        }
        if (!authorizer.mayChange(peer.uid(), peer.gid())) {
            return refuse(verb + " (uid " + peer.uid() + " is not an allowed user or group member)", requester,
                    Reply.refused("permission denied: uid " + peer.uid() + " may not " + verb
                            + " the VIP (allowed: root and the daemon's --allow-user/--allow-group)"));
        }
        boolean force = change instanceof Request.Release r && r.force();
        if (force && peer.uid() != 0) {
            return refuse("release force (root only)", requester,
                    Reply.refused("permission denied: only root may force a release"));
        }
        daemon.countRequest(false);
        log.accept("request from " + requester + ": " + verb + (force ? " (forced)" : ""));
        return change instanceof Request.Claim ? daemon.claim(requester) : daemon.release(requester, force);
    }

    private Json refuse(String what, Requester who, Json reply) {
        daemon.countRequest(true);
        refused(what, who);
        return reply;
    }

    /**
     * Logs a refusal: the first at once, then one line per {@link #REFUSAL_LOG_MS} with how many came,
     * so that a flood of bad requests does not drown the journal.
     */
    synchronized void refused(String what, Requester who) {
        long now = clockMillis.getAsLong();
        lastRefusal = what + (who == null ? "" : " from " + who);
        refusalsSinceLog++;
        if (now - lastRefusalLog >= REFUSAL_LOG_MS) {
            log.accept("refused " + (refusalsSinceLog == 1 ? "" : refusalsSinceLog + " requests since the last such line; "
                    + "the last: ") + lastRefusal);
            refusalsSinceLog = 0;
            lastRefusalLog = now;
        }
    }

}
