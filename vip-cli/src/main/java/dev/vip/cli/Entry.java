package dev.vip.cli;

/**
 * The jar's entry point. {@code vip --version} and {@code vip --help} are answered here, before any
 * command tree is built and before any library jar is opened: starting picocli costs a JVM-started
 * command about 0.1 s of class loading and reflection (BENCHMARKS.md, "start-up"). The help is the text
 * picocli renders for {@code vip --help}, written at build time ({@link CommandIndex#write}); it depends
 * on no setting. This class refers to no library type, so that verifying it loads none.
 */
public final class Entry {
    private Entry() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(version());
            return;
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")) && printUsage()) {
            return;
        }
        Main.main(args);
    }

    /** The resource {@link #printUsage} prints. */
    static final String USAGE = "usage.txt";

    /** Prints {@code vip --help}'s text as the build rendered it; false when the jar has none (picocli renders it then). */
    private static boolean printUsage() {
        try (java.io.InputStream in = Entry.class.getResourceAsStream(USAGE)) {
            if (in == null) {
                return false;
            }
            System.out.write(in.readAllBytes());
            System.out.flush();
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static String version() {
        String v = Entry.class.getPackage().getImplementationVersion();
        return "vip " + (v == null ? "(development build)" : v);
    }
}
