package dev.vip.netlink;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkError;
import dev.vip.netlink.codec.NetlinkMessage;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Any input either decodes or is rejected with a {@link NetlinkProtocolException}: random bytes and
 * mutations (bit flips, cuts, length fields) of the kernel's own datagrams. Seeds are fixed so that a
 * failure reproduces; keep every crasher as a named case below.
 */
class DecoderFuzzTest {

    private static void decodeAll(ByteBuffer datagram) {
        try {
            List<NetlinkMessage> messages = Netlink.split(datagram);
            for (NetlinkMessage m : messages) {
                switch (m.header().type()) {
                    case Netlink.NLMSG_ERROR -> NetlinkError.decode(m);
                    case Netlink.RTM_NEWLINK -> LinkMessage.decode(m);
                    default -> AddressMessage.decode(m);
                }
            }
        } catch (NetlinkProtocolException expected) {
            // rejected with a typed exception: fine
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"getaddr-dump", "getlink-reply", "error-eexist", "error-erange", "getlink-ack"})
    void mutationsOfKernelBytes(String golden) {
        byte[] original = Golden.load(golden).array();
        Random random = new Random(golden.hashCode());
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = original.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(4) == 0 ? random.nextInt(mutated.length + 1) : mutated.length;
            ByteBuffer in = ByteBuffer.wrap(mutated, 0, length).slice().order(Netlink.order());
            assertDoesNotThrow(() -> decodeAll(in), () -> "crasher: " + Golden.hex(in));
        }
    }

    @Test
    void randomBytes() {
        Random random = new Random(5227);
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[random.nextInt(96)];
            random.nextBytes(raw);
            if (raw.length >= 4 && random.nextBoolean()) {
                ByteBuffer.wrap(raw).order(Netlink.order()).putInt(0, raw.length); // plausible length
            }
            ByteBuffer in = ByteBuffer.wrap(raw).order(Netlink.order());
            assertDoesNotThrow(() -> decodeAll(in), () -> "crasher: " + Golden.hex(in));
        }
    }

    @Test
    void knownNastyInputs() {
        for (String hex : new String[] {
            "ffffffff 1400 0000 00000000 00000000",                 // length beyond the datagram
            "10000000 0200 0000 00000000 00000000",                 // NLMSG_ERROR with no body
            "1c000000 1400 0000 00000000 00000000 02200000 03000000 0300 0100", // attribute shorter than its header
            "20000000 0200 0002 00000000 00000000 00000000 ffffff7f 00000000 00000000", // error with huge request
        }) {
            assertDoesNotThrow(() -> decodeAll(Golden.hex(hex)));
        }
    }
}
