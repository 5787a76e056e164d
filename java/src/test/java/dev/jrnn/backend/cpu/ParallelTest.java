package dev.jrnn.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Parallel}'s pool: every part runs once, also with more parts than threads, callers on several threads at
 * once and parts that call it again; a failing part's exception comes back only after every other part is done;
 * the caller's interrupt flag survives the wait.
 */
class ParallelTest {

    @Test
    void everyPartRunsOnceFromConcurrentCallers() throws InterruptedException {
        int callers = 3, calls = 200, parts = 2 * Parallel.THREADS + 3;
        AtomicIntegerArray runs = new AtomicIntegerArray(callers * calls * parts);
        Thread[] ts = new Thread[callers];
        for (int t = 0; t < callers; t++) {
            int caller = t;
            ts[t] = new Thread(() -> {
                for (int c = 0; c < calls; c++) {
                    int base = (caller * calls + c) * parts;
                    Parallel.run(parts, i -> runs.incrementAndGet(base + i));
                    for (int i = 0; i < parts; i++) assertEquals(1, runs.get(base + i), "done when run returns");
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        for (int i = 0; i < runs.length(); i++) assertEquals(1, runs.get(i), "part " + i);
    }

    @Test
    void nestedCallsFinish() {
        AtomicInteger n = new AtomicInteger();
        Parallel.run(4, i -> Parallel.run(3, j -> n.incrementAndGet()));
        assertEquals(12, n.get());
    }

    @Test
    void failureComesBackAfterEveryOtherPart() {
        int parts = Math.max(2, Parallel.THREADS) + 2;
        AtomicInteger finished = new AtomicInteger();
        IllegalArgumentException boom = new IllegalArgumentException("part 1");
        IllegalArgumentException got = assertThrows(IllegalArgumentException.class, () -> Parallel.run(parts, i -> {
            if (i == 1) throw boom;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            finished.incrementAndGet();
        }));
        assertSame(boom, got);
        assertEquals(parts - 1, finished.get());
        AssertionError err = new AssertionError("an Error");
        assertSame(err, assertThrows(AssertionError.class, () -> Parallel.run(parts, i -> {
            if (i == parts - 1) throw err;
        })));
    }

    @Test
    void interruptFlagSurvivesTheWait() {
        Thread.currentThread().interrupt();
        try {
            AtomicInteger n = new AtomicInteger();
            Parallel.run(3, i -> n.incrementAndGet());
            assertEquals(3, n.get());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
