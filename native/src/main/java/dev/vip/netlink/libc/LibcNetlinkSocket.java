package dev.vip.netlink.libc;

import dev.vip.netlink.ErrnoException;
import dev.vip.netlink.NetlinkProtocolException;
import dev.vip.netlink.NetlinkSocket;
import dev.vip.netlink.codec.Netlink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import jnr.ffi.byref.IntByReference;

/**
 * An AF_NETLINK/NETLINK_ROUTE socket through libc. The only class here that makes system calls.
 * Each receive waits in poll(2) for at most its timeout; EINTR is retried with the time left.
 */
public final class LibcNetlinkSocket implements NetlinkSocket {
    private static final int SOCKADDR_NL_LENGTH = 12;
    private static final int RECEIVE_BUFFER = 64 * 1024;

    private final LibC libc = LibC.get();
    private final int fd;
    private final int portId;
    private final ByteBuffer kernelAddress = sockaddr(0);
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER).order(Netlink.order());
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(8192).order(Netlink.order());
    private final ByteBuffer pollFd = ByteBuffer.allocateDirect(8).order(Netlink.order());
    private boolean closed;

    /**
     * Opens a socket, asks for the kernel's error text (NETLINK_EXT_ACK) and short acks (NETLINK_CAP_ACK),
     * and binds it to the given multicast groups (0 for none).
     */
    public static LibcNetlinkSocket open(int groups) throws ErrnoException {
        return new LibcNetlinkSocket(groups);
    }

    /** Binds libc now (jnr-ffi's stubs), so that a later {@link #open} pays nothing for it. */
    public static void prepare() {
        LibC.get();
    }

    private LibcNetlinkSocket(int groups) throws ErrnoException {
        fd = libc.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        if (fd < 0) {
            throw new ErrnoException("socket(AF_NETLINK)", LibC.errno());
        }
        try {
            // Older kernels lack these options; the socket still works, only with less detail.
            setInt(LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1);
            setInt(LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1);
            ByteBuffer local = sockaddr(groups);
            if (libc.bind(fd, local, SOCKADDR_NL_LENGTH) < 0) {
                throw new ErrnoException("bind(AF_NETLINK)", LibC.errno());
            }
            IntByReference length = new IntByReference(SOCKADDR_NL_LENGTH);
            if (libc.getsockname(fd, local, length) < 0) {
                throw new ErrnoException("getsockname", LibC.errno());
            }
            portId = local.getInt(4);
        } catch (ErrnoException e) {
            libc.close(fd);
            throw e;
        }
    }

    private static ByteBuffer sockaddr(int groups) {
        ByteBuffer b = ByteBuffer.allocateDirect(SOCKADDR_NL_LENGTH).order(Netlink.order());
        b.putShort(0, (short) LibC.AF_NETLINK).putInt(4, 0).putInt(8, groups);
        return b;
    }

    private void setInt(int level, int option, int value) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(Netlink.order()).putInt(0, value);
        libc.setsockopt(fd, level, option, v, 4);
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public synchronized void send(ByteBuffer message) throws IOException {
        ensureOpen();
        sendBuffer.clear();
        sendBuffer.put(message.duplicate()).flip();
        while (true) {
            long sent = libc.sendto(fd, sendBuffer, sendBuffer.remaining(), 0, kernelAddress, SOCKADDR_NL_LENGTH);
            if (sent >= 0) {
                return;
            }
            int errno = LibC.errno();
            if (errno != LibC.EINTR) {
                throw new ErrnoException("sendto(AF_NETLINK)", errno);
            }
        }
    }

    @Override
    public synchronized ByteBuffer receive(Duration timeout) throws IOException {
        ensureOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            pollFd.putInt(0, fd).putShort(4, LibC.POLLIN).putShort(6, (short) 0);
            int ready = libc.poll(pollFd, 1, (int) Math.max(1, (left + 999_999) / 1_000_000));
            if (ready < 0) {
                int errno = LibC.errno();
                if (errno == LibC.EINTR) {
                    continue;
                }
                throw new ErrnoException("poll", errno);
            }
            if (ready == 0) {
                continue; // the loop re-checks the deadline
            }
            receiveBuffer.clear();
            long length = libc.recv(fd, receiveBuffer, RECEIVE_BUFFER, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC);
            if (length < 0) {
                int errno = LibC.errno();
                if (errno == LibC.EINTR || errno == LibC.EAGAIN) {
                    continue;
                }
                throw new ErrnoException("recv(AF_NETLINK)", errno);
            }
            if (length > RECEIVE_BUFFER) {
                throw new NetlinkProtocolException("netlink datagram of " + length + " bytes exceeds the "
                        + RECEIVE_BUFFER + "-byte buffer");
            }
            ByteBuffer copy = ByteBuffer.allocate((int) length).order(Netlink.order());
            copy.put(receiveBuffer.limit((int) length)).flip();
            return copy;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("netlink socket is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }
}
