package dev.vip.cli;

/**
 * The jar's entry point. {@code vip --version} is answered here, before the command tree is built and
 * before any library jar is opened: picocli's model of every command costs a few hundred milliseconds of
 * class loading and reflection (BENCHMARKS.md, "start-up"). This class refers to no library type, so
 * that verifying it loads none.
 */
public final class Entry {
    private Entry() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(version());
            return;
        }
        Main.main(args);
    }

    static String version() {
        String v = Entry.class.getPackage().getImplementationVersion();
        return "vip " + (v == null ? "(development build)" : v);
    }
}
