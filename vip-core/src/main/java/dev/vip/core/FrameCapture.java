package dev.vip.core;

import java.io.Closeable;
import java.io.IOException;
import java.util.function.Consumer;

/** A running capture of incoming frames on one interface: {@link PcapLink}, or a test's fake. */
interface FrameCapture extends Closeable {
    /**
     * Hands each frame to {@code frames} until {@link #stop()} (then returns normally) or until the
     * interface fails (then throws).
     */
    void receive(Consumer<byte[]> frames) throws IOException;

    /** Ends a {@link #receive} running in another thread (or in the callback). */
    void stop();

    @Override
    void close();
}
