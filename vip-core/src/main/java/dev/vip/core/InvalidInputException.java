package dev.vip.core;

/** Input that can never be right (a malformed address, a foreign label); nothing was touched. */
public final class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }
}
