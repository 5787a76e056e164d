package dev.jrnn.data;

import dev.jrnn.io.FileFaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The batches of one epoch, assembled ahead on a background thread while the consumer computes:
 * at most {@code depth} finished batches wait in a bounded queue (plus the one being filled), so
 * memory stays bounded however large the data set. A failure on that thread (a bad file, a bad
 * value) is thrown from the consumer's next {@link #next()}: an {@link UncheckedIOException} for
 * file problems, a {@link DataException} for values, both naming the file and sample; an {@link Error} as itself. An
 * interrupt aimed at that thread (not close()'s) ends the epoch with an {@link IllegalStateException} naming it and the
 * batch, where it stopped the thread's work; a failure of its own met while the thread's flag is set comes as itself, a
 * note naming the thread and the batch suppressed in it; an interrupt landing after the epoch's last batch was queued
 * ends the epoch normally (its end is handed over all the same).
 *
 * <pre>{@code
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     try (BatchStream s = ds.epoch(epoch)) {
 *         while (s.hasNext()) try (Batch b = s.next()) { step(b.input(0), b.target(0)); }
 *     }
 * }
 * }</pre>
 */
public final class BatchStream implements Iterator<Batch>, AutoCloseable {
    /** Makes the epoch's batches in order; null at the end. */
    @FunctionalInterface
    interface Producer {
        Batch next() throws IOException;

        /** Closes what the batches were read from (a generator's iterator), once, at the end or on close. */
        default void close() {}
    }

    private static final Object END = new Object();
    /** What {@code pending} holds once closed: whoever swaps a batch out of it owns (and closes) that batch. */
    private static final Object CLOSED = new Object();
    /** How often a consumer waiting for a batch looks whether another thread closed the stream. */
    private static final long POLL_MS = 50;
    /** Stops the prefetch thread of a stream dropped without close(), as a tf.data iterator ends when collected. */
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("jrnn-batchstream-cleaner").factory());

    private record Failure(Throwable error) {}

    /** What the prefetch thread and the cleaner share: never the stream itself, so an abandoned stream can be collected. */
    private static final class State implements Runnable {
        final Producer producer;
        final BlockingQueue<Object> queue;
        Thread thread;
        volatile boolean stop;
        /** The batch (or END, a Failure) hasNext() found and next() hands out; swapped atomically, as close() may run on another thread. */
        final AtomicReference<Object> pending = new AtomicReference<>();
        /** The consumer is inside producer.next() (prefetch 0): a close() on another thread leaves the producer to it. */
        volatile boolean producing;
        private final AtomicBoolean producerClosed = new AtomicBoolean();
        private final AtomicBoolean shut = new AtomicBoolean();

        State(Producer producer, int depth) {
            this.producer = producer;
            this.queue = depth > 0 ? new LinkedBlockingQueue<>(depth) : null;   // a bound, not a preallocated array: prefetch(1 << 30) is fine
        }

        @Override
        public void run() {
            Object last = END;
            int batch = 1;   // the one being made, from 1: named when an interrupt aimed at this thread ends the epoch
            try {
                try {
                    for (; !stop; batch++) {
                        Batch b = producer.next();
                        if (b == null) break;
                        if (!offer(b)) {   // not queued: ours to release; a queued one is close()'s to drain
                            b.close();
                            if (!stop) throw new InterruptedException("interrupted while queueing the batch");
                            closeProducer(null);
                            return;
                        }
                        if (stop && queue.remove(b)) b.close();   // queued after close() stopped draining (remove and poll are atomic)
                    }
                } catch (Throwable t) {
                    last = new Failure(t);   // first: the consumer gets t itself should naming the interrupt fail
                    if (!stop) last = new Failure(workerInterrupted(t, batch));
                }
                last = closeProducer(last);
            } finally {
                handOver(last);   // whatever escaped above (closeProducer catches the producer's failures): the consumer must not wait forever
            }
        }

        /**
         * {@code t} as the consumer gets it: itself (an Error always); where an interrupt of this thread (not close()'s)
         * caused it, a failure naming the thread and the batch, the interrupt behind an ExecutionException (another thread's
         * failure: a caller telling its own cancellation by the causes does not take this for one); a failure the interrupt
         * did not cause, met while this thread's flag was set (a map's own bad value after a library set it), itself with a
         * note naming the thread and the batch suppressed in it. Never throws: a failure whose message throws is {@code t}.
         */
        private static Throwable workerInterrupted(Throwable t, int batch) {
            if (t instanceof Error) return t;
            try {
                boolean kind = FileFaults.interruptCaused(t, x -> false);
                if (!kind && !Thread.currentThread().isInterrupted()) return t;
                String thread = "BatchStream: the prefetch thread " + Thread.currentThread().getName();
                if (!kind) {
                    // once: a failure instance a data set throws again every epoch keeps the first note, not one per epoch
                    if (Arrays.stream(t.getSuppressed()).noneMatch(FlagNote.class::isInstance)) {
                        t.addSuppressed(new FlagNote(thread + "'s interrupt flag was set (a Thread.interrupt aimed at it, not at "
                                + "the thread reading the batches) while making batch " + batch + " of the epoch, when this failure came"));
                    }
                    return t;
                }
                return new IllegalStateException(thread + " was interrupted (a Thread.interrupt aimed at it, not at the thread reading "
                        + "the batches) while making batch " + batch + " of the epoch; the epoch ends here: " + t, new ExecutionException(t));
            } catch (RuntimeException | StackOverflowError e) {
                return t;
            }
        }

        /** The note {@link #workerInterrupted} suppresses in a failure met while this thread's flag was set; its class tells it is there. */
        private static final class FlagNote extends IllegalStateException {
            private static final long serialVersionUID = 1L;

            FlagNote(String message) { super(message); }
        }


        /**
         * Queues the epoch's end or failure unless the stream was closed: also when this thread's flag is set (a map
         * function interrupted it), as the consumer polls until it comes.
         */
        private void handOver(Object last) {
            while (!stop) {
                try {
                    queue.put(last);
                    return;
                } catch (InterruptedException e) {
                    // cleared by the throw: the next put waits for room, or close() sets stop and interrupts it again
                }
            }
        }

        /**
         * Closes the producer once; {@code last} (END, a Failure, or null after a close) is what the consumer gets next: a
         * failure to close becomes it after END, is suppressed by an earlier failure, and is dropped after a close.
         */
        Object closeProducer(Object last) {
            if (producerClosed.getAndSet(true)) return last;
            try {
                producer.close();
            } catch (Throwable t) {
                if (last == END) return new Failure(t);
                if (last instanceof Failure f && f.error != t && !Arrays.asList(f.error.getSuppressed()).contains(t)) f.error.addSuppressed(t);
            }
            return last;
        }

        /** Whether {@code o} went into the queue. */
        private boolean offer(Object o) {
            try {
                queue.put(o);
                return true;
            } catch (InterruptedException e) {
                return false;
            }
        }

        /**
         * Stops the thread and hands back the batches not consumed; with {@code join}, waits until the thread ended (draining
         * while it waits, as a generator that cleared the interrupt may block in a full queue's put). An interrupt of the caller
         * ends the wait: a generator stuck in I/O must not hang close; the daemon thread is left.
         */
        void shutdown(boolean join) {
            if (shut.getAndSet(true)) return;   // close() then its cleanable: once
            stop = true;
            if (thread != null) {
                thread.interrupt();
                drain();   // after this the producer's next put finds room, sees stop and takes its batch back
                boolean interrupted = false;
                while (join && thread.isAlive() && !interrupted) {
                    try {
                        thread.join(10);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                    drain();
                }
                if (interrupted) Thread.currentThread().interrupt();
            } else if (!producing) {
                closeProducer(null);   // no thread: the producer runs on the consumer's, which closes it itself if it is inside next()
            }
            // a consumer waiting in take() sees stop within POLL_MS; the pending batch is closed by whoever swaps it out
            if (pending.getAndSet(CLOSED) instanceof Batch b) b.close();
        }

        private void drain() {
            for (Object o; (o = queue.poll()) != null; ) if (o instanceof Batch b) b.close();
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;
    private boolean done;

    BatchStream(Producer producer, int depth, String name) {
        state = new State(producer, depth);
        if (depth > 0) {
            state.thread = Thread.ofPlatform().daemon().name(name).unstarted(state);
            state.thread.start();
        }
        State st = state;
        cleanable = CLEANER.register(this, () -> st.shutdown(false));
    }

    @Override
    public boolean hasNext() {
        if (done) return false;
        Object p;
        try {
            p = state.pending.get();
            if (p == null) {
                p = take();
                if (!state.pending.compareAndSet(null, p)) {   // closed meanwhile: what take() got is ours to release
                    if (p instanceof Batch b) b.close();
                    p = CLOSED;
                }
            }
        } finally {
            Reference.reachabilityFence(this);   // not collected (and its thread stopped) while waiting in take()
        }
        if (p == END) {
            done = true;
            return false;
        }
        if (p == CLOSED) throw closed();
        return true;
    }

    /** The next batch; rethrows a failure of the background thread here. */
    @Override
    public Batch next() {
        try {
            if (!hasNext()) throw new NoSuchElementException("BatchStream: the epoch has no more batches");
            Object o = state.pending.getAndSet(null);
            if (o instanceof Failure f) {
                done = true;
                close();
                throw rethrow(f.error);
            }
            if (o instanceof Batch b && !state.stop) return b;
            if (o instanceof Batch b) b.close();   // swapped out while another thread closes the stream: not handed out
            throw closed();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private IllegalStateException closed() {
        done = true;
        return new IllegalStateException("BatchStream: closed by another thread while waiting for the next batch");
    }

    /** The next batch, END, a Failure, or CLOSED once the stream was closed (by this thread or another). */
    private Object take() {
        if (state.queue == null) {
            state.producing = true;   // written before stop is read: shutdown() sees it or this sees stop
            try {
                if (state.stop) return CLOSED;
                Batch b = state.producer.next();
                return b != null ? b : state.closeProducer(END);
            } catch (Throwable t) {
                return state.closeProducer(new Failure(t));
            } finally {
                state.producing = false;
                if (state.stop) state.closeProducer(null);   // a close() that came while we were inside next() left it to us
            }
        }
        try {
            while (!state.stop) {
                Object o = state.queue.poll(POLL_MS, TimeUnit.MILLISECONDS);   // not take(): a producer stuck in I/O must not hang us
                if (o != null) return o;
            }
            return CLOSED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("BatchStream: interrupted while waiting for the next batch", e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        if (t instanceof IOException io) return new UncheckedIOException(io.getMessage(), io);
        return new IllegalStateException(t.toString(), t);
    }

    /**
     * Stops the background thread and hands back the memory of batches not consumed; a consumer waiting for a batch on
     * another thread gets an IllegalStateException. A stream dropped without close() is stopped when the collector finds
     * it, but close it: until then its thread holds batches.
     */
    @Override
    public void close() {
        if (state.stop) return;
        state.shutdown(true);
        cleanable.clean();   // unregisters; the shutdown it runs again returns at once
        done = true;
    }
}
