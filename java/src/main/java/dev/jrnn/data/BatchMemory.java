package dev.jrnn.data;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Where batches are assembled: the prefetch thread asks for one float32 segment per input and
 * target of each batch and fills it; {@link Batch#close()} hands the segments back. The default
 * gives heap arrays, so {@link Batch#input} is a Tensor over the same memory (no copy); a CUDA
 * trainer supplies pinned host memory here, to copy from on a second stream.
 *
 * <pre>{@code
 * Dataset ds = Dataset.fromNpy(x, y).batch(64).memory(BatchMemory.recycling(4));
 * }</pre>
 */
public interface BatchMemory {
    /** A segment of at least {@code floats} float32 values (all of them are written before use). */
    MemorySegment allocate(long floats);

    /** Takes back a segment of a closed batch; the default lets the collector have it. */
    default void release(MemorySegment segment) {}

    /** Fresh heap arrays for every batch. */
    static BatchMemory heap() {
        return floats -> MemorySegment.ofArray(new float[heapSize(floats)]);
    }

    /** {@code floats} as a Java array length, or an exception saying the batch is too big for one. */
    private static int heapSize(long floats) {
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("BatchMemory: a batch input or target of " + floats + " float32 values does not fit a "
                    + "Java array (at most 2^31 - 9); use a smaller batch");
        }
        return (int) floats;
    }

    /**
     * Heap arrays reused across batches: up to {@code keep} released arrays of each size are kept.
     * A closed batch's tensors must not be used any more.
     */
    static BatchMemory recycling(int keep) {
        if (keep < 1) throw new IllegalArgumentException("BatchMemory.recycling: keep must be >= 1, got " + keep);
        Map<Long, ConcurrentLinkedDeque<MemorySegment>> free = new ConcurrentHashMap<>();
        return new BatchMemory() {
            public MemorySegment allocate(long floats) {
                ConcurrentLinkedDeque<MemorySegment> q = free.get(floats);
                MemorySegment s = q == null ? null : q.pollFirst();
                return s != null ? s : MemorySegment.ofArray(new float[heapSize(floats)]);
            }

            public void release(MemorySegment s) {
                ConcurrentLinkedDeque<MemorySegment> q = free.computeIfAbsent(s.byteSize() / 4, k -> new ConcurrentLinkedDeque<>());
                if (q.size() < keep) q.addFirst(s);
            }
        };
    }
}
