package dev.vip.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads a classic pcap file as tcpdump -w writes it: a 24-byte header, then 16-byte record headers. */
final class Pcap {
    record Frame(long micros, byte[] data) {
        String hex() {
            return HexFormat.of().formatHex(data);
        }
    }

    private Pcap() {
    }

    static List<Frame> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Frame> frames = new ArrayList<>();
        if (in.remaining() < 24) {
            return frames;
        }
        int magic = in.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4) {
            in.order(ByteOrder.BIG_ENDIAN);
            if (in.getInt(0) != 0xa1b2c3d4) {
                throw new IOException("not a microsecond pcap file: " + file);
            }
        }
        in.position(24);
        while (in.remaining() >= 16) {
            long seconds = Integer.toUnsignedLong(in.getInt());
            long micros = Integer.toUnsignedLong(in.getInt());
            int captured = in.getInt();
            in.getInt(); // original length
            if (captured > in.remaining()) {
                break; // the last record was cut off by the writer being stopped
            }
            byte[] data = new byte[captured];
            in.get(data);
            frames.add(new Frame(seconds * 1_000_000 + micros, data));
        }
        return frames;
    }
}
