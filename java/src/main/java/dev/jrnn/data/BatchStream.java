package dev.jrnn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The batches of one epoch, assembled ahead on a background thread while the consumer computes:
 * at most {@code depth} finished batches wait in a bounded queue (plus the one being filled), so
 * memory stays bounded however large the data set. A failure on that thread (a bad file, a bad
 * value) is thrown from the consumer's next {@link #next()}: an {@link UncheckedIOException} for
 * file problems, a {@link DataException} for values, both naming the file and sample.
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
    }

    private static final Object END = new Object();

    private record Failure(Throwable error) {}

    private final Producer producer;
    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private volatile boolean stop;
    private Object pending;
    private boolean done;

    BatchStream(Producer producer, int depth, String name) {
        this.producer = producer;
        if (depth <= 0) {
            queue = null;
            thread = null;
        } else {
            queue = new ArrayBlockingQueue<>(depth);
            thread = Thread.ofPlatform().daemon().name(name).unstarted(this::produce);
            thread.start();
        }
    }

    private void produce() {
        Object last = END;
        try {
            while (!stop) {
                Batch b = producer.next();
                if (b == null) break;
                if (!offer(b)) {   // not queued: ours to release; a queued one is close()'s to drain
                    b.close();
                    return;
                }
                if (stop && queue.remove(b)) b.close();   // queued after an interrupted close() stopped draining (remove and poll are atomic)
            }
        } catch (Throwable t) {
            last = new Failure(t);
        }
        if (!stop) offer(last);
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

    @Override
    public boolean hasNext() {
        if (done) return false;
        if (pending == null) pending = take();
        if (pending == END) {
            done = true;
            return false;
        }
        return true;
    }

    /** The next batch; rethrows a failure of the background thread here. */
    @Override
    public Batch next() {
        if (!hasNext()) throw new NoSuchElementException("BatchStream: the epoch has no more batches");
        Object o = pending;
        pending = null;
        if (o instanceof Failure f) {
            done = true;
            close();
            throw rethrow(f.error);
        }
        return (Batch) o;
    }

    private Object take() {
        if (stop) throw new IllegalStateException("BatchStream: closed");
        if (queue == null) {
            try {
                Batch b = producer.next();
                return b == null ? END : b;
            } catch (Throwable t) {
                return new Failure(t);
            }
        }
        try {
            return queue.take();
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

    /** Stops the background thread and hands back the memory of batches not consumed. */
    @Override
    public void close() {
        if (stop) return;
        stop = true;
        if (thread != null) {
            thread.interrupt();
            // drain while waiting: a generator that cleared the interrupt would otherwise block in a full queue's put forever.
            // An interrupt of the closer ends the wait (a generator stuck in I/O must not hang close); the daemon thread is left.
            boolean interrupted = false;
            do {
                for (Object o; (o = queue.poll()) != null; ) if (o instanceof Batch b) b.close();
                try {
                    thread.join(10);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            } while (thread.isAlive() && !interrupted);
            for (Object o; (o = queue.poll()) != null; ) if (o instanceof Batch b) b.close();
            if (interrupted) Thread.currentThread().interrupt();
        }
        if (pending instanceof Batch b) b.close();
        pending = null;
        done = true;
    }
}
