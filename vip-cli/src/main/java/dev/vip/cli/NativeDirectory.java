package dev.vip.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where JNA and jffi unpack the native code they then load. Whoever can write to that directory can
 * swap the code between the write and the load (jffi writes its stub world-readable and loads it by
 * name), so it must be a directory nobody else can write: one this process creates for itself under
 * $TMPDIR (a fresh random name, mode 0700, removed at exit), or one named by VIP_NATIVE_DIR or the
 * unit's RuntimeDirectory that passes {@link #check}: no symbolic link on its path, owned by this user
 * or root, writable by its owner only. Anything else is refused before any library loads.
 */
final class NativeDirectory {
    private NativeDirectory() {
    }

    /** Thrown when the directory named cannot be trusted; the message is the whole story. */
    static final class Untrusted extends Exception {
        Untrusted(String message) {
            super(message);
        }
    }

    /** Chooses the directory, makes it if needed, and points JNA and jffi at it. */
    static void configure() throws Untrusted {
        if (System.getProperty("jna.tmpdir") != null) {
            return; // set by whoever started the JVM, on purpose
        }
        String named = System.getenv("VIP_NATIVE_DIR");
        String why = "VIP_NATIVE_DIR";
        if (named == null || named.isEmpty()) {
            String runtime = System.getenv("RUNTIME_DIRECTORY");
            named = runtime == null || runtime.isEmpty() ? null : runtime.split(":")[0];
            why = "RUNTIME_DIRECTORY";
        }
        Path dir;
        if (named != null) {
            dir = Path.of(named);
            check(dir, why, uid());
        } else {
            dir = ownTemporary(Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp")));
        }
        System.setProperty("jna.tmpdir", dir.toString());
        System.setProperty("jffi.extract.dir", dir.toString());
    }

    /** A new directory of this process's own, removed with what is in it when the JVM exits. */
    static Path ownTemporary(Path parent) throws Untrusted {
        try {
            Path dir = Files.createTempDirectory(parent, "vip-native-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> removeQuietly(dir), "vip-native-cleanup"));
            return dir;
        } catch (IOException | UnsupportedOperationException e) {
            throw new Untrusted("cannot make a private directory for native code in " + parent + ": " + e.getMessage()
                    + " (set TMPDIR to a writable directory)");
        }
    }

    /**
     * Refuses a directory that another user could write to or swap: it must exist, be a directory with
     * no symbolic link on its real path, be owned by {@code uid} or root, and be writable by nobody else.
     */
    static void check(Path dir, String why, int uid) throws Untrusted {
        String what = why + "=" + dir + ": ";
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new Untrusted(what + "not a directory (native code is unpacked there)");
            }
            Path real = dir.toRealPath();
            if (!real.equals(dir.toAbsolutePath().normalize())) {
                throw new Untrusted(what + "its path goes through a symbolic link (to " + real
                        + "): refused, native code is loaded from it");
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid && owner != 0) {
                throw new Untrusted(what + "owned by uid " + owner + ", not by this user (" + uid
                        + ") or root: refused, native code is loaded from it");
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new Untrusted(what + "writable by others (" + PosixFilePermissions.toString(mode)
                        + "): refused, native code is loaded from it; chmod go-w it");
            }
        } catch (IOException e) {
            throw new Untrusted(what + e.getMessage());
        }
    }

    /** This process's effective uid, from /proc (no native call: nothing native may load before this). */
    static int uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: trust nobody but root
        }
        return 0;
    }

    private static void removeQuietly(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the system's temporary-file cleaning
                }
            });
        } catch (IOException e) {
            // idem
        }
    }
}
