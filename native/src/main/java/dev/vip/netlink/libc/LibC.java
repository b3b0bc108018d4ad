package dev.vip.netlink.libc;

import java.nio.ByteBuffer;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the netlink socket needs. Buffers are direct and in native byte order; errno is
 * saved by jnr-ffi right after each call and read with {@link #errno()}.
 */
@SaveError
public interface LibC {
    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_ROUTE = 0;
    int SOL_NETLINK = 270;
    int NETLINK_CAP_ACK = 10;
    int NETLINK_EXT_ACK = 11;
    int MSG_TRUNC = 0x20;
    int MSG_DONTWAIT = 0x40;
    short POLLIN = 0x1;

    int EINTR = Errno.EINTR.intValue();
    int EAGAIN = Errno.EAGAIN.intValue();

    int socket(int domain, int type, int protocol);

    int bind(int fd, @In ByteBuffer address, int addressLength);

    int getsockname(int fd, @Out ByteBuffer address, IntByReference addressLength);

    int setsockopt(int fd, int level, int option, @In ByteBuffer value, int valueLength);

    @ssize_t long sendto(int fd, @In ByteBuffer buffer, @size_t long length, int flags,
                         @In ByteBuffer address, int addressLength);

    @ssize_t long recv(int fd, @Out ByteBuffer buffer, @size_t long length, int flags);

    int poll(ByteBuffer fds, long count, int timeoutMillis);

    int close(int fd);

    /** Loaded once; the JVM keeps it for its lifetime. */
    static LibC get() {
        return Holder.INSTANCE;
    }

    /** The errno saved by the last call on this thread. */
    static int errno() {
        return Runtime.getRuntime(get()).getLastError();
    }

    final class Holder {
        private static final LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

        private Holder() {
        }
    }
}
