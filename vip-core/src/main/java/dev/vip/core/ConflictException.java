package dev.vip.core;

/** The address is on the interface already, but not as asked (another prefix or label). Nothing changed. */
public final class ConflictException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
