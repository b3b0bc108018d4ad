package dev.vip.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.intptr_t;
import sun.misc.Signal;

/**
 * The daemon's signals, caught from before it starts: TERM and INT stop it, HUP reloads its settings.
 * One that comes while it is still starting is held and acted on once it runs, rather than taking the
 * JVM's default (exit at once; for HUP, death). HUP or TERM ignored when the daemon was started (nohup
 * ignores HUP) is taken back first: the JVM installs no handler for a signal it finds ignored, so a
 * daemon started under nohup would otherwise never reload, and say nothing. INT ignored (a background
 * job of a script) stays ignored, as the shell meant.
 */
final class DaemonSignals {
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;

    private Runnable stop;
    private Runnable reload;
    private boolean stopAsked;
    private boolean reloadAsked;

    /** Not catching anything yet: {@link #install} does (the tests ask by hand). */
    DaemonSignals() {
    }

    /** signal(2), the one libc call this needs. */
    public interface Disposition {
        /** @return the previous handler: SIG_DFL 0, SIG_IGN 1, SIG_ERR -1 */
        @intptr_t long signal(int number, @intptr_t long handler);
    }

    /** Catches TERM, INT and HUP from now on; logs each signal it took back from ignored. */
    static DaemonSignals install(Consumer<String> log) {
        List<String> reclaimed = reclaimIgnored(LibraryLoader.create(Disposition.class).load("c"),
                jnr.constants.platform.Signal.SIGHUP, jnr.constants.platform.Signal.SIGTERM);
        if (!reclaimed.isEmpty()) {
            log.accept("started with " + String.join(" and ", reclaimed)
                    + " ignored (nohup?): caught all the same (HUP reloads, TERM stops)");
        }
        DaemonSignals signals = new DaemonSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> signals.stopAsked());
        }
        Signal.handle(new Signal("HUP"), signal -> signals.reloadAsked());
        return signals;
    }

    /**
     * Sets each ignored signal back to its default, so that the JVM will catch it; leaves the others as
     * they are. Probing with SIG_IGN, not SIG_DFL: a signal in that instant is lost, not fatal.
     * @return the names of those that were ignored
     */
    static List<String> reclaimIgnored(Disposition libc, jnr.constants.platform.Signal... signals) {
        List<String> reclaimed = new ArrayList<>();
        for (jnr.constants.platform.Signal signal : signals) {
            long old = libc.signal(signal.intValue(), SIG_IGN);
            if (old == SIG_IGN) {
                libc.signal(signal.intValue(), SIG_DFL);
                reclaimed.add(signal.name());
            } else if (old != -1) {
                libc.signal(signal.intValue(), old); // the JVM's own; Signal.handle installs ours next
            }
        }
        return reclaimed;
    }

    /** From now on TERM and INT run stop, HUP runs reload, each in a thread of its own; held ones run now. */
    synchronized void running(Runnable stop, Runnable reload) {
        this.stop = stop;
        this.reload = reload;
        if (stopAsked) {
            new Thread(stop, "vip-stop").start();
        } else if (reloadAsked) {
            new Thread(reload, "vip-reload").start();
        }
    }

    /** TERM or INT came. */
    synchronized void stopAsked() {
        stopAsked = true;
        if (stop != null) {
            new Thread(stop, "vip-stop").start();
        }
    }

    /** HUP came. */
    synchronized void reloadAsked() {
        reloadAsked = true;
        if (reload != null && !stopAsked) {
            new Thread(reload, "vip-reload").start();
        }
    }
}
