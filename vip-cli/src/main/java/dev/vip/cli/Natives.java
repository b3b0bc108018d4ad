package dev.vip.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Build and install time ({@code prepare-start}): unpacks jffi's and JNA's native stubs for this machine
 * from their jars into one directory, once, so that a run loads them from there (the launcher names it)
 * instead of writing them to a private temporary directory at every start. The directory sits beside
 * the jars and is trusted as they are. An architecture neither library ships is left out: runs then
 * unpack as before.
 */
public final class Natives {
    private Natives() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        String cpu = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (cpu == null || !System.getProperty("os.name").equals("Linux")) {
            System.err.println("prepare-start: no native stubs unpacked for " + System.getProperty("os.arch"));
            return;
        }
        String jna = cpu.equals("x86_64") ? "linux-x86-64" : "linux-aarch64";
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        unpack("jni/" + cpu + "-Linux/libjffi-1.2.so", dir.resolve("libjffi-1.2.so"));
        unpack("com/sun/jna/" + jna + "/libjnidispatch.so", dir.resolve("libjnidispatch.so"));
    }

    private static void unpack(String resource, Path to) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path");
            }
            Path tmp = Files.createTempFile(to.getParent(), ".unpack", ".so");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
