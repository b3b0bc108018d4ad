package dev.vip.core.daemon;

/** Who asked the daemon for something: the control socket's peer (SO_PEERCRED), the FIFO, or itself. */
public record Requester(String source, int uid, int pid) {
    public static final Requester START = new Requester("start-up", -1, -1);
    /** The daemon's own periodic check (and --refresh). */
    public static final Requester CHECK = new Requester("periodic check", -1, -1);

    public static Requester kernel(String what) {
        return new Requester("kernel: " + what, -1, -1);
    }

    /** Another host's announcement of the VIP, from {@code mac}. */
    public static Requester announcement(String mac) {
        return new Requester("announcement from " + mac, -1, -1);
    }

    public static Requester healthCheck(String why) {
        return new Requester("health check: " + why, -1, -1);
    }

    public static Requester fifo(String event) {
        return new Requester("repmgr " + event, -1, -1);
    }

    @Override
    public String toString() {
        return uid < 0 ? source : source + " uid " + uid + " pid " + pid;
    }
}
