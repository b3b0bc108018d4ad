package dev.vip.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Asking every node at once: answers in the nodes' order, a silent or failing node never counted as an answer. */
class AskAllTest {
    private final ExecutorService askers = Executors.newFixedThreadPool(8);
    private final CountDownLatch never = new CountDownLatch(1);
    private final CountDownLatch cancelled = new CountDownLatch(2);

    @AfterEach
    void end() {
        never.countDown();
        askers.shutdownNow();
    }

    private String question(String node) {
        switch (node) {
            case "silent" -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    cancelled.countDown(); // the asking is cancelled, not left running
                }
                return "answered late";
            }
            case "broken" -> throw new IllegalStateException("connection refused");
            default -> {
                return node + " is primary";
            }
        }
    }

    @Test
    void theAnswersComeInTheNodesOrderAndTheSilentOnesStandAsLate() throws Exception {
        List<String> got = AskAll.ask(askers, List.of("n1", "silent", "broken", "n4", "silent"), this::question,
                Duration.ofMillis(100), n -> n + ": no answer in time");
        assertEquals(List.of("n1 is primary", "silent: no answer in time", "broken: no answer in time",
                "n4 is primary", "silent: no answer in time"), got);
        assertTrue(cancelled.await(10, TimeUnit.SECONDS), "both silent askings were cancelled");
    }

    @Test
    void nobodyToAskIsNoAnswers() {
        assertEquals(List.of(), AskAll.ask(askers, List.<String>of(), this::question, Duration.ofMillis(1),
                n -> "late"));
    }

    @Test
    void anInterruptedWaitCountsTheRestAsLateAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            List<String> got = AskAll.ask(askers, List.of("silent", "n2"), this::question, Duration.ofSeconds(5),
                    n -> n + " late");
            assertEquals(List.of("silent late", "n2 late"), got);
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
