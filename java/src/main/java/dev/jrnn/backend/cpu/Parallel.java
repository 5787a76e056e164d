package dev.jrnn.backend.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A small fixed pool of daemon threads (one per core, less the caller's) shared by all CPU backends.
 * The calling thread runs parts itself, so a 2-core machine uses one pool thread.
 *
 * <p>Threads busy-wait a while before they park, the pool's for work ({@link #SPIN_NANOS}) and the caller for
 * the last part ({@link #CALLER_SPIN_NANOS}): a train step hands work to the pool ~18 times, and waking a parked
 * thread costs ~50 us on a virtual machine (measured in benchmarks/NOTES.md), as much as a small part.
 */
final class Parallel {
    private Parallel() {}

    /**
     * Threads used for large operations: the cores this JVM may use, or {@code -Djrnn.cpu.threads=N}. The pool
     * is shared by every CPU backend of the process, so it takes the process's settings.
     */
    static final int THREADS = dev.jrnn.backend.Settings.current().cpuThreads();

    /** How long an idle pool thread busy-waits for work before it parks (covers ~90% of a train step's gaps). */
    static final long SPIN_NANOS = 200_000L;
    /**
     * How long the caller busy-waits for parts still running elsewhere before it parks: shorter, because on a
     * loaded machine the part it waits for may be on a core's run queue, and only an idle core pulls it over.
     */
    static final long CALLER_SPIN_NANOS = 50_000L;

    /** One call of {@link #run}: parts are claimed from {@code next} by the caller and any idle worker. */
    private static final class Job {
        final IntConsumer body;
        final int parts;
        final Thread owner = Thread.currentThread();
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(IntConsumer body, int parts) {
            this.body = body;
            this.parts = parts;
        }

        /** Claims and runs parts until none is left; false when there was none to claim. */
        boolean work() {
            boolean any = false;
            for (int i; (i = next.getAndIncrement()) < parts; ) {
                any = true;
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (done.incrementAndGet() == parts) LockSupport.unpark(owner);
                }
            }
            return any;
        }
    }

    private static final class Worker extends Thread {
        volatile boolean parked;
        final int index;

        Worker(int index) {
            super("jrnn-cpu");
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                Job j = JOBS.peek();
                if (j != null) {
                    if (!j.work()) JOBS.remove(j);   // every part claimed: the next job, if any
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;   // then look again: a job queued before this write is seen here
                    if (JOBS.isEmpty()) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }

    private static final ConcurrentLinkedQueue<Job> JOBS = new ConcurrentLinkedQueue<>();
    private static final Worker[] WORKERS = startWorkers();

    private static Worker[] startWorkers() {
        if (THREADS == 1) return null;
        Worker[] ws = new Worker[THREADS - 1];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = new Worker(i);
            ws[i].start();
        }
        return ws;
    }

    /** The calling pool thread's index in [0, THREADS - 1), or -1 for any other thread ({@link GemmScratch}'s slot). */
    static int workerIndex() {
        return Thread.currentThread() instanceof Worker w ? w.index : -1;
    }

    /** Runs {@code body.accept(i)} for i in [0, parts), in parallel; returns when all are done. */
    static void run(int parts, IntConsumer body) {
        // Nested calls from a worker run inline: waiting on the pool from inside it could deadlock.
        if (parts <= 1 || WORKERS == null || Thread.currentThread() instanceof Worker) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        Job job = new Job(body, parts);
        JOBS.add(job);
        for (Worker w : WORKERS) if (w.parked) LockSupport.unpark(w);
        job.work();
        JOBS.remove(job);
        // Every part is waited for, also after an Error in one: the caller frees the buffers the parts work on as
        // soon as this returns.
        boolean interrupted = false;
        long spinSince = System.nanoTime();
        while (job.done.get() < parts) {
            if (System.nanoTime() - spinSince < CALLER_SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(job);
                if (Thread.interrupted()) interrupted = true;   // keep waiting; the flag is set again below
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable failure = job.failure.get();
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /**
     * How many parts to split {@code n} elementwise floats into: one per core from 32K on (parts of at least 16K
     * floats, ~10 us of work: a hand-off to a spinning worker costs ~1 us, and the caller claims the parts a
     * parked one has not started), else 1.
     */
    static int partsFor(long n) {
        return n >= (1 << 15) ? (int) Math.min(THREADS, n >> 14) : 1;
    }
}
