package dev.vip.core.daemon;

import dev.vip.core.Vip;

/**
 * One request on the control socket, the one place its line is written ({@link #line()}, by the client)
 * and read ({@link #parse}, by the daemon): {@code claim IF CIDR}, {@code release IF CIDR [force]},
 * {@code pause}, {@code resume}, {@code status}.
 */
public sealed interface Request {
    /** What a request must look like, as the daemon tells a client that sent something else. */
    String GRAMMAR = "claim IF CIDR, release IF CIDR [force], pause, resume or status";

    String line();

    /** A request about one VIP: claim or release. */
    sealed interface Change extends Request {
        String interfaceName();

        String prefix();

        String verb();

        default boolean concerns(Vip vip) {
            return interfaceName().equals(vip.interfaceName()) && prefix().equals(vip.prefix().toString());
        }
    }

    record Claim(String interfaceName, String prefix) implements Change {
        public Claim(Vip vip) {
            this(vip.interfaceName(), vip.prefix().toString());
        }

        @Override
        public String verb() {
            return "claim";
        }

        @Override
        public String line() {
            return "claim " + interfaceName + " " + prefix;
        }
    }

    /** @param force root only: let go even when PostgreSQL says this node is the rightful primary */
    record Release(String interfaceName, String prefix, boolean force) implements Change {
        public Release(Vip vip, boolean force) {
            this(vip.interfaceName(), vip.prefix().toString(), force);
        }

        @Override
        public String verb() {
            return "release";
        }

        @Override
        public String line() {
            return "release " + interfaceName + " " + prefix + (force ? " force" : "");
        }
    }

    /** pause or resume: the daemon's own decisions stopped or started again. */
    record Pause(boolean pause) implements Request {
        @Override
        public String line() {
            return pause ? "pause" : "resume";
        }
    }

    record Status() implements Request {
        @Override
        public String line() {
            return "status";
        }
    }

    /** A line that is no request. */
    final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** Reads one request line (without its newline; surrounding white space ignored). */
    static Request parse(String line) {
        String[] w = line.strip().split(" ");
        switch (w[0]) {
            case "status", "pause", "resume" -> {
                if (w.length == 1) {
                    return w[0].equals("status") ? new Status() : new Pause(w[0].equals("pause"));
                }
            }
            case "claim" -> {
                if (w.length == 3) {
                    return new Claim(w[1], w[2]);
                }
            }
            case "release" -> {
                if (w.length == 3 || (w.length == 4 && w[3].equals("force"))) {
                    return new Release(w[1], w[2], w.length == 4);
                }
            }
            default -> {
                // below
            }
        }
        throw new Malformed("unknown request '" + ControlServer.printable(line) + "': " + GRAMMAR);
    }
}
