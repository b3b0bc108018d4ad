package dev.vip.core;

import dev.vip.core.daemon.DaemonClient;
import dev.vip.netlink.ErrnoException;
import dev.vip.netlink.NetlinkException;
import java.util.List;
import jnr.constants.platform.Errno;

/**
 * A failed operation as the operator sees it: one line and the documented exit code. The one mapping
 * from what failed (an errno from a system call, netlink or libpcap; a conflicting address; anything
 * else) to exit codes, for every command and the hook.
 *
 * @param exitCode 3 (the operation failed), 4 (missing privilege) or 5 (refused by fencing)
 * @param message  "cannot WHAT: why", naming the capability when one is missing
 */
public record Failure(int exitCode, String message) {
    /** The operation failed: kernel or link error, or a conflicting address. */
    public static final int FAILED = 3;
    /** Missing privilege: CAP_NET_ADMIN or CAP_NET_RAW (or a daemon's permission). */
    public static final int NO_PRIVILEGE = 4;
    /** Refused by fencing: PostgreSQL says this node is not the rightful primary. */
    public static final int REFUSED = 5;

    private static final int EPERM = Errno.EPERM.intValue();
    private static final int EACCES = Errno.EACCES.intValue();
    private static final int ENODEV = Errno.ENODEV.intValue();

    /** Whether the errno says "not allowed" (EPERM, EACCES). */
    public static boolean notPermitted(ErrnoException e) {
        return e.errno() == EPERM || e.errno() == EACCES;
    }

    /**
     * @param what  e.g. "add 192.0.2.2/32 to eth0"
     * @param needs the capabilities the whole operation needs: when not permitted, the message names
     *              every one of them this process lacks, so that one fix is enough
     */
    public static Failure of(String what, Exception e, Capability... needs) {
        String prefix = "cannot " + what + ": ";
        if (e instanceof ConflictException) {
            return new Failure(FAILED, prefix + e.getMessage());
        }
        if (e instanceof DaemonClient.Refused r) {
            return new Failure(r.permission() ? NO_PRIVILEGE : r.fenced() ? REFUSED : FAILED, prefix + e.getMessage());
        }
        if (e instanceof ErrnoException errno) {
            String kernelText = errno instanceof NetlinkException n && n.kernelMessage() != null
                    ? ": " + n.kernelMessage() : "";
            if (notPermitted(errno)) {
                // raw frames (pcap) need CAP_NET_RAW, address changes (rtnetlink) CAP_NET_ADMIN
                List<Capability> missing = Capability.missing(List.of(needs));
                String capability = missing.isEmpty()
                        ? (errno.call().startsWith("pcap") ? "CAP_NET_RAW" : "CAP_NET_ADMIN")
                        : String.join(" and ", missing.stream().map(Enum::name).toList());
                return new Failure(NO_PRIVILEGE, prefix + ErrnoException.describe(errno.errno()) + ": needs " + capability);
            }
            if (errno.errno() == ENODEV) {
                return new Failure(FAILED, prefix + "no such interface (ENODEV)" + kernelText);
            }
            return new Failure(FAILED, prefix + ErrnoException.describe(errno.errno()) + kernelText
                    + " [" + errno.call() + "]");
        }
        return new Failure(FAILED, prefix + e.getMessage());
    }
}
