package dev.vip.cli;

import dev.vip.core.ConflictException;
import dev.vip.netlink.ErrnoException;
import dev.vip.netlink.LinkMessage;

/** A failed operation, already worded as the one line the operator sees, with its exit code. */
final class CommandFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int ENODEV = 19;

    final int exitCode;

    private CommandFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /**
     * @param what  e.g. "add 192.0.2.2/32 to eth0"
     * @param needs the capabilities the whole command needs: on EPERM, the message names those missing
     */
    static CommandFailure of(String what, Exception e, Capabilities... needs) {
        String prefix = "cannot " + what + ": ";
        if (e instanceof ConflictException) {
            return new CommandFailure(ExitCodes.FAILED, prefix + e.getMessage(), e);
        }
        if (e instanceof ErrnoException errno) {
            String kernelText = errno instanceof dev.vip.netlink.NetlinkException n && n.kernelMessage() != null
                    ? ": " + n.kernelMessage() : "";
            if (errno.errno() == EPERM || errno.errno() == EACCES) {
                // raw frames (pcap) need CAP_NET_RAW, address changes (rtnetlink) CAP_NET_ADMIN; name every
                // one the command needs and lacks, so that one fix is enough
                java.util.List<Capabilities> missing = Capabilities.missing(java.util.List.of(needs));
                String capability = missing.isEmpty()
                        ? (errno.call().startsWith("pcap") ? "CAP_NET_RAW" : "CAP_NET_ADMIN")
                        : String.join(" and ", missing.stream().map(Enum::name).toList());
                return new CommandFailure(ExitCodes.NO_PRIVILEGE, prefix + ErrnoException.describe(errno.errno())
                        + ": needs " + capability, e);
            }
            if (errno.errno() == ENODEV) {
                return new CommandFailure(ExitCodes.FAILED, prefix + "no such interface (ENODEV)" + kernelText, e);
            }
            return new CommandFailure(ExitCodes.FAILED, prefix + ErrnoException.describe(errno.errno())
                    + kernelText + " [" + errno.call() + "]", e);
        }
        return new CommandFailure(ExitCodes.FAILED, prefix + e.getMessage(), e);
    }

    /** A failure already worded for the operator (exit 3). */
    static CommandFailure failed(String message) {
        return new CommandFailure(ExitCodes.FAILED, message, null);
    }

    /** The daemon refused the request (exit 4 when for want of permission, 3 otherwise). */
    static CommandFailure refusedByDaemon(String what, java.nio.file.Path socket, dev.vip.core.Json reply) {
        int code = reply.flag("refused") ? ExitCodes.NO_PRIVILEGE
                : reply.flag("fenced") ? ExitCodes.REFUSED : ExitCodes.FAILED;
        return new CommandFailure(code, "cannot " + what + ": the daemon at " + socket + " says: "
                + reply.string("error"), null);
    }

    /** The interface exists but cannot carry the VIP (loopback, no Ethernet address). */
    static CommandFailure unsuitable(String what, LinkMessage link) {
        return new CommandFailure(ExitCodes.FAILED, "cannot " + what + ": " + link.name()
                + " is not an Ethernet interface", null);
    }
}
