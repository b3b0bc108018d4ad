package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Golden datagrams from src/test/resources/golden, and hex helpers. */
final class Golden {
    static final int PORT = 0x0abe;

    private Golden() {
    }

    static ByteBuffer load(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name + ".hex")) {
            return hex(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hex with any whitespace and "|" separators (used to mark fields in tests). */
    static ByteBuffer hex(String text) {
        byte[] raw = HexFormat.of().parseHex(text.replaceAll("[\\s|]", ""));
        return ByteBuffer.wrap(raw).order(Netlink.order());
    }

    static String hex(ByteBuffer buffer) {
        byte[] raw = new byte[buffer.remaining()];
        buffer.duplicate().get(raw);
        return HexFormat.of().formatHex(raw);
    }
}
