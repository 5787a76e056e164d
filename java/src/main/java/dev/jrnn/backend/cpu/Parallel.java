package dev.jrnn.backend.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.function.IntConsumer;

/**
 * A small fixed pool of daemon threads (one per core, less the caller's) shared by all CPU backends.
 * The calling thread runs one part itself, so a 2-core machine uses one pool thread.
 */
final class Parallel {
    private Parallel() {}

    /**
     * Threads used for large operations: the cores this JVM may use, or {@code -Djrnn.cpu.threads=N}. The pool
     * is shared by every CPU backend of the process, so it takes the process's settings.
     */
    static final int THREADS = dev.jrnn.backend.Settings.current().cpuThreads();

    private static final class Worker extends Thread {
        Worker(Runnable r) {
            super(r, "jrnn-cpu");
            setDaemon(true);
        }
    }

    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, Worker::new);

    /** Runs {@code body.accept(i)} for i in [0, parts), in parallel; returns when all are done. */
    static void run(int parts, IntConsumer body) {
        // Nested calls from a worker run inline: waiting on the pool from inside it could deadlock.
        if (parts <= 1 || POOL == null || Thread.currentThread() instanceof Worker) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        Future<?>[] fs = new Future<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            int part = i;
            fs[i - 1] = POOL.submit(() -> body.accept(part));
        }
        // Every part is waited for, also after an Error (OutOfMemoryError, StackOverflowError) in this one:
        // the caller frees the buffers the parts still work on as soon as this returns.
        Throwable failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (failure == null) failure = c instanceof RuntimeException || c instanceof Error ? c : new IllegalStateException(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = new IllegalStateException("interrupted while waiting for CPU workers", e);
            }
        }
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
    }

    /** How many parts to split {@code n} elementwise floats into: one per core above ~256K, else 1. */
    static int partsFor(long n) {
        return n >= (1 << 18) ? (int) Math.min(THREADS, n >> 16) : 1;
    }
}
