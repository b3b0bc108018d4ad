package dev.vip.cli;

/** The exit codes of every vip command, listed in {@code vip --help}. */
public final class ExitCodes {
    public static final int OK = 0;
    /** {@code vip has}: the address is not on the interface. */
    public static final int NOT_PRESENT = 1;
    public static final int USAGE = 2;
    public static final int FAILED = dev.vip.core.Failure.FAILED;
    public static final int NO_PRIVILEGE = dev.vip.core.Failure.NO_PRIVILEGE;
    /** {@code vip hook}: fencing refused the claim. */
    public static final int REFUSED = dev.vip.hook.Hook.REFUSED;

    private ExitCodes() {
    }
}
