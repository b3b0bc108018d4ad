package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Native code is unpacked only where nobody else can write. */
class NativeDirectoryTest {
    @TempDir
    Path tmp;

    private Path dir(String name, String mode) throws Exception {
        Path d = Files.createDirectory(tmp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    @Test
    void aPrivateDirectoryOfOursIsAccepted() throws Exception {
        NativeDirectory.check(dir("ok", "rwx------"), "VIP_NATIVE_DIR", NativeDirectory.uid());
        NativeDirectory.check(dir("ok2", "rwxr-xr-x"), "VIP_NATIVE_DIR", NativeDirectory.uid());
    }

    @Test
    void aDirectoryOthersMayWriteIsRefused() throws Exception {
        var e = assertThrows(NativeDirectory.Untrusted.class,
                () -> NativeDirectory.check(dir("open", "rwxrwxrwx"), "VIP_NATIVE_DIR", NativeDirectory.uid()));
        assertTrue(e.getMessage().contains("writable by others"), e.getMessage());
        assertThrows(NativeDirectory.Untrusted.class,
                () -> NativeDirectory.check(dir("group", "rwxrwx---"), "VIP_NATIVE_DIR", NativeDirectory.uid()));
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        Path d = dir("theirs", "rwx------");
        int me = NativeDirectory.uid();
        int asker = me;
        if (me == 0) {
            // as root: hand it to nobody, as a hostile local user would have made it
            UserPrincipalLookupService users = tmp.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(d, users.lookupPrincipalByName("nobody"));
        } else {
            asker = me + 1; // seen from another (non-root) user, our directory is someone else's
        }
        int checkAs = asker;
        var e = assertThrows(NativeDirectory.Untrusted.class, () -> NativeDirectory.check(d, "VIP_NATIVE_DIR", checkAs));
        assertTrue(e.getMessage().contains("owned by uid"), e.getMessage());
    }

    @Test
    void aPathThroughASymbolicLinkIsRefused() throws Exception {
        Path real = dir("real", "rwx------");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        var e = assertThrows(NativeDirectory.Untrusted.class,
                () -> NativeDirectory.check(link, "VIP_NATIVE_DIR", NativeDirectory.uid()));
        assertTrue(e.getMessage().contains("not a directory") || e.getMessage().contains("symbolic link"),
                e.getMessage());
        Path inside = Files.createDirectory(real.resolve("sub"));
        Files.setPosixFilePermissions(inside, PosixFilePermissions.fromString("rwx------"));
        var e2 = assertThrows(NativeDirectory.Untrusted.class,
                () -> NativeDirectory.check(link.resolve("sub"), "VIP_NATIVE_DIR", NativeDirectory.uid()));
        assertTrue(e2.getMessage().contains("symbolic link"), e2.getMessage());
    }

    @Test
    void aMissingDirectoryIsRefused() {
        assertThrows(NativeDirectory.Untrusted.class,
                () -> NativeDirectory.check(tmp.resolve("nope"), "VIP_NATIVE_DIR", NativeDirectory.uid()));
    }

    @Test
    void ourOwnTemporaryDirectoryIsNewPrivateAndUnique() throws Exception {
        Path a = NativeDirectory.ownTemporary(tmp);
        Path b = NativeDirectory.ownTemporary(tmp);
        assertNotEquals(a, b);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
        NativeDirectory.check(a, "TMPDIR", NativeDirectory.uid());
    }
}
