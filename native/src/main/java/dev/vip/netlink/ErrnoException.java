package dev.vip.netlink;

import java.io.IOException;
import jnr.constants.platform.Errno;

/** A system call or kernel request failed with an errno. */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public ErrnoException(String call, int errno) {
        this(call, errno, call + ": " + describe(errno));
    }

    protected ErrnoException(String call, int errno, String message) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    /** The system call or netlink operation that failed, e.g. {@code recv} or {@code RTM_NEWADDR}. */
    public String call() {
        return call;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /** The symbolic name, e.g. {@code EPERM}, or {@code errno 12345} when unknown. */
    public String errnoName() {
        return name(errno);
    }

    /** "operation not permitted (EPERM)". */
    public static String describe(int errno) {
        Errno e = Errno.valueOf(errno);
        if (e == null || e == Errno.__UNKNOWN_CONSTANT__) {
            return "errno " + errno;
        }
        String text = e.description();
        return Character.toLowerCase(text.charAt(0)) + text.substring(1) + " (" + e.name() + ")";
    }

    public static String name(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
    }
}
