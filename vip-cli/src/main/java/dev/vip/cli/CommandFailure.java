package dev.vip.cli;

import dev.vip.core.Capability;
import dev.vip.core.Failure;

/** A failed operation, already worded as the one line the operator sees, with its exit code. */
final class CommandFailure extends Exception {
    private static final long serialVersionUID = 1L;

    final int exitCode;

    private CommandFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** @see Failure#of */
    static CommandFailure of(String what, Exception e, Capability... needs) {
        Failure f = Failure.of(what, e, needs);
        return new CommandFailure(f.exitCode(), f.message(), e);
    }

    /** A failure already worded for the operator (exit 3). */
    static CommandFailure failed(String message) {
        return new CommandFailure(ExitCodes.FAILED, message, null);
    }
}
