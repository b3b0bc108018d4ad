package dev.vip.core;

import java.io.Closeable;
import java.io.IOException;

/** Where announcements leave on one interface: {@link PcapLink}, or a test's recording fake. */
interface FrameSink extends Closeable {
    void send(byte[] frame) throws IOException;

    @Override
    void close();
}
