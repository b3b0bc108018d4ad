package dev.vip.hook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Asks every node at once and waits for them all until one deadline: the daemon's look at its peers
 * ({@link ClusterTruth}) and {@code vip status --cluster} ({@link ClusterSurvey}). A node that has not
 * answered by then (or whose asking failed) is cancelled and stands as {@code late} says: never as an
 * answer it did not give.
 */
final class AskAll {
    private AskAll() {
    }

    static <T, R> List<R> ask(ExecutorService askers, List<T> nodes, Function<T, R> question, Duration within,
                              Function<T, R> late) {
        List<Future<R>> answers = new ArrayList<>();
        for (T n : nodes) {
            answers.add(askers.submit(() -> question.apply(n)));
        }
        long deadline = System.nanoTime() + within.toNanos();
        List<R> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Future<R> f = answers.get(i);
            try {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException | ExecutionException e) {
                f.cancel(true);
                out.add(late.apply(nodes.get(i)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answers.forEach(a -> a.cancel(true));
                for (int j = i; j < nodes.size(); j++) {
                    out.add(late.apply(nodes.get(j)));
                }
                return out;
            }
        }
        return out;
    }
}
