package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Fork;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The CPU backend's forks ({@link CpuBackend#create(boolean)} with forks on): tasks run in order on one daemon
 * thread shared by all CPU backends, as the CUDA backend runs them on its second stream.
 */
final class CpuForks {
    private CpuForks() {}

    private static final class ForkThread extends Thread {
        ForkThread(Runnable r) {
            super(r, "jrnn-cpu-fork");
            setDaemon(true);
        }
    }

    private static final ExecutorService FORKS = Executors.newSingleThreadExecutor(ForkThread::new);

    /** Whether the caller is the fork thread (where some operations are refused, as on CUDA's second stream). */
    static boolean onForkThread() { return Thread.currentThread() instanceof ForkThread; }

    /** Runs {@code task} now: forks off, or a fork from inside a fork (in order, on the fork thread). */
    static Fork inline(Runnable task) {
        task.run();
        return Fork.DONE;
    }

    /** Queues {@code task} on the fork thread; from the fork thread itself, runs it now. */
    static Fork submit(Runnable task) {
        if (onForkThread()) return inline(task);
        Future<?> f = FORKS.submit(task);
        return new Fork() {
            private boolean joined;

            @Override
            public void join() {
                if (joined) return;
                joined = true;
                boolean interrupted = false;
                try {
                    while (true) {   // to the end, also when interrupted: the caller frees the task's buffers next
                        try {
                            f.get();
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException r) throw r;
                    if (c instanceof Error er) throw er;
                    throw new IllegalStateException("forked task failed: " + c, c);
                } finally {
                    if (interrupted) Thread.currentThread().interrupt();
                }
            }
        };
    }
}
