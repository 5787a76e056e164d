package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.CopyQueue;
import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchMemory;
import dev.jrnn.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A data set's batches copied to the device ahead of their steps, on a backend with a {@link CopyQueue}
 * (CUDA). The loader thread assembles each batch into the queue's page-locked host memory ({@link #memory()});
 * when the training loop takes batch n, {@link #stage} queues the copy of its inputs into device slot
 * n % {@value #SLOTS} on the copy queue, where it runs while the device still computes the steps queued
 * before (the host runs ahead of the device); the step's {@link dev.jrnn.model.Batch} then makes the main
 * queue wait for that copy and copies the slot into the buffers the (captured) step reads, which frees the
 * slot for batch n + {@value #SLOTS}. Bounded: {@value #SLOTS} slots on the device; on the host, the batches
 * the data set's prefetch holds plus those whose copies are in flight (host memory is reused only after its
 * copy is done). {@link #close()} waits for the copies and frees all of it.
 */
final class DeviceFeed implements AutoCloseable {
    /** Device slots: the copy of the next batch lands in one while the current step reads from the other. */
    static final int SLOTS = 2;
    /** Free host segments kept per size class; more are freed. */
    private static final int KEEP = 8;

    private final Backend backend;
    private final CopyQueue queue;
    private final Slot[] slots = new Slot[SLOTS];
    private final HostMemory memory = new HostMemory();
    private int next;
    private long staged;

    private DeviceFeed(Backend backend, CopyQueue queue) {
        this.backend = backend;
        this.queue = queue;
    }

    /** A feed over {@code backend}'s copy queue, or null when it has none (the CPU backend: uploads are host copies). */
    static DeviceFeed open(Backend backend) {
        CopyQueue q = backend.copyQueue();
        return q == null ? null : new DeviceFeed(backend, q);
    }

    /** Where the data set assembles its batches: the copy queue's host memory, reused once its copy is done. */
    BatchMemory memory() { return memory; }

    /** Batches staged so far. */
    long stagedCount() { return staged; }

    /** One device slot: a buffer per input (grown as needed) and the markers that order its reuse. */
    private final class Slot {
        final List<Buf> bufs = new ArrayList<>();
        final CopyQueue.Marker read = queue.marker();   // recorded after the main queue copied out of the slot

        Buf buf(int k, long floats) {
            while (bufs.size() <= k) bufs.add(null);
            Buf b = bufs.get(k);
            if (b != null && b.size() >= floats) return b;
            read.await();   // no step reads it any more; a copy into it is ordered before the next copy anyway
            if (b != null) {
                bufs.set(k, null);
                b.close();
            }
            b = backend.alloc(floats);
            bufs.set(k, b);
            queue.recordMain(read);   // the copy must not start before the main queue's zero fill (and the block's last use)
            return b;
        }

        void close() { Cleanup.each(bufs, b -> { if (b != null) b.close(); }); }
    }

    /**
     * Queues the copy of {@code b}'s inputs (assembled in {@link #memory()}) into the next slot, to be read at
     * {@code shapes} (the batch's own, or a view of the same size at the model's rank).
     */
    Staged stage(Batch b, List<int[]> shapes) {
        int n = b.inputCount();
        int i = next;
        Slot slot = slots[i] != null ? slots[i] : (slots[i] = new Slot());
        next = (i + 1) % SLOTS;
        int[][] viewed = new int[n][];
        long[] floats = new long[n];
        Buf[] bufs = new Buf[n];
        for (int k = 0; k < n; k++) {
            viewed[k] = shapes.get(k).clone();
            floats[k] = Tensor.size(b.inputShape(k));
            if (Tensor.size(viewed[k]) != floats[k]) {
                throw new IllegalArgumentException("DeviceFeed.stage: input " + k + " of " + floats[k] + " values viewed as "
                        + Tensor.shapeString(viewed[k]));
            }
            bufs[k] = slot.buf(k, floats[k]);
        }
        CopyQueue.Marker copied = memory.copyMarker();
        queue.copiesWait(slot.read);   // the step of batch n - SLOTS has copied it out
        try {
            for (int k = 0; k < n; k++) {
                memory.copiedBy(b.inputSegment(k), copied);
                queue.upload(b.inputSegment(k), bufs[k], 0, floats[k]);
            }
        } finally {
            queue.recordCopies(copied);
        }
        staged++;
        return new Staged(slot, viewed, floats, bufs, copied);
    }

    /** A batch's inputs on their way to a device slot. */
    final class Staged {
        private final Slot slot;
        private final int[][] shapes;
        private final long[] floats;
        private final Buf[] bufs;
        private final CopyQueue.Marker copied;
        private boolean waited;

        private Staged(Slot slot, int[][] shapes, long[] floats, Buf[] bufs, CopyQueue.Marker copied) {
            this.slot = slot;
            this.shapes = shapes;
            this.floats = floats;
            this.bufs = bufs;
            this.copied = copied;
        }

        int inputs() { return shapes.length; }

        int rows() { return shapes[0][0]; }

        int[] shape(int k) { return shapes[k].clone(); }

        /** Copies input {@code k} into {@code dst} on the main queue, after its copy to the slot. */
        void into(int k, Buf dst) {
            if (!waited) {
                queue.mainWaits(copied);
                waited = true;
            }
            backend.copy(bufs[k], 0, dst, 0, floats[k]);
        }

        /** After every {@link #into}: the slot may take the next batch once the main queue gets here. */
        void done() { queue.recordMain(slot.read); }
    }

    /**
     * Host memory from the copy queue in power-of-two size classes. A released segment whose copy may be in
     * flight keeps the marker recorded after that copy; it is handed out again only after the marker passed.
     * Markers are reused once no segment refers to them. The loader thread allocates, the training loop
     * (and the loader, on close) releases.
     */
    private final class HostMemory implements BatchMemory {
        private final Map<Integer, ArrayDeque<MemorySegment>> free = new HashMap<>();
        /** The copy marker of each segment whose copy was queued, and how many segments refer to each marker. */
        private final Map<Long, CopyQueue.Marker> copiedBy = new HashMap<>();
        private final Map<CopyQueue.Marker, Integer> refs = new HashMap<>();
        private final ArrayDeque<CopyQueue.Marker> spare = new ArrayDeque<>();
        private boolean closed;

        private static int sizeClass(long floats) { return 64 - Long.numberOfLeadingZeros(Math.max(1, floats) - 1); }

        @Override
        public MemorySegment allocate(long floats) {
            int c = sizeClass(floats);
            MemorySegment s;
            CopyQueue.Marker m;
            synchronized (this) {
                if (closed) throw new IllegalStateException("DeviceFeed: closed");
                ArrayDeque<MemorySegment> q = free.get(c);
                s = q == null ? null : q.pollFirst();
                m = s == null ? null : copiedBy.get(s.address());
            }
            if (s == null) return queue.allocHost(1L << c);
            if (m != null) {
                m.await();   // its last copy is done: the loader may overwrite it
                synchronized (this) {
                    copiedBy.remove(s.address());
                    unref(m);
                }
            }
            return s;
        }

        @Override
        public void release(MemorySegment s) {
            CopyQueue.Marker m;
            synchronized (this) {
                if (closed) return;   // the queue freed it
                ArrayDeque<MemorySegment> q = free.computeIfAbsent(sizeClass(s.byteSize() / 4), k -> new ArrayDeque<>());
                if (q.size() < KEEP) {
                    q.addFirst(s);
                    return;
                }
                m = copiedBy.remove(s.address());
                if (m != null) unref(m);
            }
            if (m != null) m.await();
            queue.freeHost(s);
        }

        /** A marker for the next batch's copy: a spare one or a new one. */
        synchronized CopyQueue.Marker copyMarker() {
            CopyQueue.Marker m = spare.pollFirst();
            return m != null ? m : queue.marker();
        }

        /** {@code s} is read by the copy that {@code m} follows. */
        synchronized void copiedBy(MemorySegment s, CopyQueue.Marker m) {
            CopyQueue.Marker old = copiedBy.put(s.address(), m);
            if (old != null) unref(old);
            refs.merge(m, 1, Integer::sum);
        }

        private void unref(CopyQueue.Marker m) {
            if (refs.merge(m, -1, Integer::sum) <= 0) {
                refs.remove(m);
                spare.addLast(m);
            }
        }

        synchronized void close() { closed = true; }
    }

    /** Waits for the queued copies, then frees the slots, the host memory and the markers. */
    @Override
    public void close() {
        memory.close();
        List<Runnable> steps = new ArrayList<>();
        steps.add(queue::close);
        for (Slot s : slots) if (s != null) steps.add(s::close);
        Cleanup.each(steps, Runnable::run);
    }
}
