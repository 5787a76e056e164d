package dev.jrnn.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator of device memory on top of {@code cuMemAlloc_v2}/{@code cuMemFree_v2}.
 *
 * <p>Requests are rounded up to a size class (powers of two from 512 B to 1 MiB, then multiples of 2 MiB);
 * freed blocks go to that class's free list and are handed out again without a driver call (and without
 * the device synchronization cuMemFree implies). Reuse is safe when all work is ordered on one stream, as
 * in the CUDA backend: a block freed after queuing a kernel that reads it is only rewritten by work queued
 * later on the same stream.
 *
 * <p>Out of memory: the cache is trimmed (all free blocks returned to the driver) and the allocation retried
 * once; if it still fails, a {@link CudaException} ({@code CUDA_ERROR_OUT_OF_MEMORY}) names the requested
 * bytes, the device's free memory and the pool's own use. {@link #close()} frees everything, including
 * blocks still handed out. Thread-safe.
 *
 * <p>CUDA graphs: between {@link #beginCapture()} and {@link #endCapture()} the pool notes every block it
 * hands out or gets back. {@code endCapture} pins those blocks and every block in use at that moment (the
 * graph may use any of them at replay): a pinned block is never handed out again or given back to the
 * driver; when its owner frees it, it is held for the graph. {@link #unpin} (when the graph is destroyed)
 * releases the pins, and held blocks return to the cache. The free lists are LIFO stacks per size class.
 *
 * <p>Two streams: while work runs on a second stream ({@code CudaBackend.fork}), a block freed by
 * work on one stream could be handed to work on the other while a kernel of the first still reads it.
 * Between {@link #beginDeferredFrees()} and {@link #endDeferredFrees()} freed blocks are therefore set aside,
 * and enter the cache only at the end, when the caller has joined the streams again.
 *
 * <pre>{@code
 * try (DevicePool pool = new DevicePool(CudaDriver.get())) {
 *     long p = pool.allocate(4L * n);
 *     ...
 *     pool.free(p);
 * }
 * }</pre>
 */
public final class DevicePool implements AutoCloseable {
    /** The raw allocator under the pool (the driver; a fake in tests). */
    interface Allocator {
        long malloc(long bytes);

        void free(long ptr);

        /** Free device memory in bytes (for messages). */
        long freeMemory();

        /** Device memory in bytes (for messages). */
        long totalMemory();
    }

    static final long MIN_CLASS = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final long LARGE_STEP = 2L << 20;

    private final Allocator raw;
    private final Map<Long, ArrayDeque<Long>> freeLists = new HashMap<>();
    private final Map<Long, Long> live = new HashMap<>();   // pointer -> class size
    private long bytesInUse, bytesCached, bytesHeld, peakReserved;
    /** While capturing: every block handed out or freed since beginCapture, with its size class. */
    private Map<Long, Long> captureTouched;
    /** Pointer -> number of live graphs that may use it. */
    private final Map<Long, Integer> pins = new HashMap<>();
    /** Pinned blocks that nobody owns any more (freed, or free at the end of a capture): pointer -> class. */
    private final Map<Long, Long> held = new HashMap<>();
    private long hits, misses;
    private boolean closed;
    /** Nesting depth of beginDeferredFrees; blocks freed meanwhile (pointer -> class), in free order. */
    private int deferDepth;
    private final Map<Long, Long> deferred = new java.util.LinkedHashMap<>();
    private long bytesDeferred;

    /** A pool over {@code driver}'s device memory. */
    public DevicePool(CudaDriver driver) {
        this(new Allocator() {
            @Override
            public long malloc(long bytes) {
                return driver.malloc(bytes);
            }

            @Override
            public void free(long ptr) {
                driver.free(ptr);
            }

            @Override
            public long freeMemory() {
                return driver.memGetInfoFree();
            }

            @Override
            public long totalMemory() {
                return driver.totalMemory();
            }
        });
    }

    DevicePool(Allocator raw) {
        this.raw = raw;
    }

    /** The size class a request of {@code bytes} is served from. */
    static long sizeClass(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("DevicePool: bytes must be >= 0, got " + bytes);
        if (bytes <= MIN_CLASS) return MIN_CLASS;
        if (bytes <= SMALL_LIMIT) return Long.highestOneBit(bytes - 1) << 1;
        if (bytes > Long.MAX_VALUE - LARGE_STEP) {
            throw new IllegalArgumentException("DevicePool: request of " + bytes + " bytes is too large");
        }
        return (bytes + LARGE_STEP - 1) / LARGE_STEP * LARGE_STEP;
    }

    /**
     * A device pointer to at least {@code bytes} bytes (256-byte aligned, contents undefined).
     *
     * @throws CudaException CUDA_ERROR_OUT_OF_MEMORY after trimming the cache and retrying once
     */
    public synchronized long allocate(long bytes) {
        if (closed) throw new IllegalStateException("DevicePool is closed");
        long cls = sizeClass(bytes);
        ArrayDeque<Long> list = freeLists.get(cls);
        long p;
        if (list != null && !list.isEmpty()) {
            p = list.pop();
            bytesCached -= cls;
            hits++;
        } else {
            p = rawAllocate(bytes, cls);
            misses++;
        }
        live.put(p, cls);
        bytesInUse += cls;
        if (captureTouched != null) captureTouched.put(p, cls);
        peakReserved = Math.max(peakReserved, bytesInUse + bytesCached + bytesHeld + bytesDeferred);
        return p;
    }

    /** Same as {@link #allocate(long)}. */
    public long alloc(long bytes) {
        return allocate(bytes);
    }

    private long rawAllocate(long bytes, long cls) {
        try {
            return raw.malloc(cls);
        } catch (CudaException e) {
            if (!e.isOutOfMemory()) throw e;
            trim();
            try {
                return raw.malloc(cls);
            } catch (CudaException e2) {
                if (!e2.isOutOfMemory()) throw e2;
                String free;
                try {
                    free = human(raw.freeMemory()) + " free of " + human(raw.totalMemory());
                } catch (RuntimeException ignored) {
                    free = "free memory unknown";
                }
                throw new CudaException("DevicePool.allocate", e2.code(), e2.errorName(),
                        "out of device memory: requested " + bytes + " bytes (" + human(cls) + " size class); device has "
                                + free + "; this pool holds " + human(bytesInUse) + " in use" + (bytesHeld > 0 ? " and "
                                + human(bytesHeld) + " kept for CUDA graphs" : "") + " after trimming its cache",
                        e2);
            }
        }
    }

    /** Returns {@code ptr} (from {@link #allocate}) to the cache; 0 is ignored, and so is anything after close. */
    public synchronized void free(long ptr) {
        if (ptr == 0 || closed) return;
        Long cls = live.remove(ptr);
        if (cls == null) {
            throw new IllegalArgumentException("DevicePool.free: 0x" + Long.toHexString(ptr)
                    + " was not allocated by this pool or was already freed");
        }
        bytesInUse -= cls;
        if (captureTouched != null) captureTouched.put(ptr, cls);
        if (deferDepth > 0) {   // another stream may still be running work that reads it
            deferred.put(ptr, cls);
            bytesDeferred += cls;
            return;
        }
        recycle(ptr, cls);
    }

    private void recycle(long ptr, long cls) {
        if (pins.containsKey(ptr)) {   // a graph may still use it: keep it out of circulation
            held.put(ptr, cls);
            bytesHeld += cls;
            return;
        }
        bytesCached += cls;
        freeLists.computeIfAbsent(cls, c -> new ArrayDeque<>()).push(ptr);
    }

    /**
     * From now until the matching {@link #endDeferredFrees()}, freed blocks are not handed out again (calls
     * nest). For work split over two streams: call before the second stream starts, end after it has joined.
     */
    public synchronized void beginDeferredFrees() {
        if (closed) throw new IllegalStateException("DevicePool is closed");
        deferDepth++;
    }

    /** Ends one {@link #beginDeferredFrees()}; at the outermost, the blocks freed meanwhile enter the cache. */
    public synchronized void endDeferredFrees() {
        if (deferDepth == 0) throw new IllegalStateException("DevicePool: endDeferredFrees without beginDeferredFrees");
        if (--deferDepth > 0 || closed) return;
        for (Map.Entry<Long, Long> e : deferred.entrySet()) recycle(e.getKey(), e.getValue());
        deferred.clear();
        bytesDeferred = 0;
    }

    /** Bytes freed while frees are deferred, not yet back in the cache. */
    public synchronized long bytesDeferred() {
        return bytesDeferred;
    }

    /** Starts noting the blocks a CUDA graph capture hands out and frees. */
    public synchronized void beginCapture() {
        if (closed) throw new IllegalStateException("DevicePool is closed");
        if (captureTouched != null) throw new IllegalStateException("DevicePool: a capture is already in progress");
        captureTouched = new HashMap<>();
    }

    /** Ends a capture that produced no graph: nothing is pinned. */
    public synchronized void abortCapture() {
        captureTouched = null;
    }

    /**
     * Ends a capture whose graph was instantiated: pins every block in use now and every block handed out
     * or freed during the capture (those now free are taken out of the cache and held). Returns the pinned
     * pointers, for {@link #unpin} when the graph is destroyed.
     */
    public synchronized long[] endCapture() {
        if (captureTouched == null) throw new IllegalStateException("DevicePool: endCapture without beginCapture");
        Map<Long, Long> touched = captureTouched;
        captureTouched = null;
        java.util.Set<Long> all = new java.util.HashSet<>(live.keySet());
        for (Map.Entry<Long, Long> e : touched.entrySet()) {
            long p = e.getKey(), cls = e.getValue();
            all.add(p);
            if (!live.containsKey(p) && !held.containsKey(p)) {
                ArrayDeque<Long> list = freeLists.get(cls);
                if (list != null && list.remove(p)) {
                    bytesCached -= cls;
                    held.put(p, cls);
                    bytesHeld += cls;
                }
            }
        }
        long[] token = new long[all.size()];
        int i = 0;
        for (long p : all) {
            pins.merge(p, 1, Integer::sum);
            token[i++] = p;
        }
        return token;
    }

    /** Releases the pins of one destroyed graph ({@link #endCapture}'s result); held blocks go back to the cache. */
    public synchronized void unpin(long[] token) {
        if (token == null || closed) return;
        for (long p : token) {
            Integer c = pins.get(p);
            if (c == null) continue;
            if (c > 1) {
                pins.put(p, c - 1);
                continue;
            }
            pins.remove(p);
            Long cls = held.remove(p);
            if (cls != null) {
                bytesHeld -= cls;
                bytesCached += cls;
                freeLists.computeIfAbsent(cls, k -> new ArrayDeque<>()).push(p);
            }
        }
    }

    /** Bytes kept for live CUDA graphs (freed by their owners or idle, but still used by a graph). */
    public synchronized long bytesHeldForGraphs() {
        return bytesHeld;
    }

    /** Number of blocks pinned by live graphs. */
    public synchronized int pinnedBlocks() {
        return pins.size();
    }

    /**
     * Returns every cached (free) block to the driver, except, during a capture, blocks the capture has
     * touched (the graph being recorded uses them).
     */
    public synchronized void trim() {
        RuntimeException first = null;
        Map<Long, ArrayDeque<Long>> keep = new HashMap<>();
        for (Map.Entry<Long, ArrayDeque<Long>> e : freeLists.entrySet()) {
            for (Long p : e.getValue()) {
                if (captureTouched != null && captureTouched.containsKey(p)) {
                    keep.computeIfAbsent(e.getKey(), c -> new ArrayDeque<>()).addLast(p);
                    continue;
                }
                try {
                    raw.free(p);
                } catch (RuntimeException ex) {
                    if (first == null) first = ex;
                }
            }
        }
        freeLists.clear();
        freeLists.putAll(keep);
        long cached = 0;
        for (Map.Entry<Long, ArrayDeque<Long>> e : keep.entrySet()) cached += e.getKey() * e.getValue().size();
        bytesCached = cached;
        if (first != null) throw first;
    }

    /** Frees all memory, cached and handed out (pointers handed out become invalid). */
    public synchronized void releaseAll() {
        RuntimeException first = null;
        captureTouched = null;
        try {
            trim();
        } catch (RuntimeException e) {
            first = e;
        }
        for (Long p : live.keySet()) {
            try {
                raw.free(p);
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        for (Long p : held.keySet()) {
            try {
                raw.free(p);
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        for (Long p : deferred.keySet()) {
            if (held.containsKey(p)) continue;
            try {
                raw.free(p);
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        live.clear();
        held.clear();
        deferred.clear();
        bytesDeferred = 0;
        pins.clear();
        bytesInUse = 0;
        bytesHeld = 0;
        if (first != null) throw first;
    }

    /** Bytes handed out (by size class). */
    public synchronized long bytesInUse() {
        return bytesInUse;
    }

    /** Bytes held from the driver: in use plus cached plus held for graphs. */
    public synchronized long bytesReserved() {
        return bytesInUse + bytesCached + bytesHeld + bytesDeferred;
    }

    /** Highest {@link #bytesReserved()} seen. */
    public synchronized long peakBytesReserved() {
        return peakReserved;
    }

    /** Number of blocks handed out. */
    public synchronized int liveBlocks() {
        return live.size();
    }

    /** Allocations served from the cache. */
    public synchronized long cacheHits() {
        return hits;
    }

    /** Allocations that called the driver. */
    public synchronized long cacheMisses() {
        return misses;
    }

    /** Frees everything ({@link #releaseAll()}); later {@link #free} calls are ignored, {@link #allocate} throws. */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            releaseAll();
        } finally {
            closed = true;
        }
    }

    @Override
    public synchronized String toString() {
        return "DevicePool[in use " + human(bytesInUse) + ", cached " + human(bytesCached) + ", blocks " + live.size()
                + ", hits " + hits + ", misses " + misses + "]";
    }

    static String human(long b) {
        if (b >= 1L << 30) return String.format("%.2f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format("%.1f MiB", b / (double) (1L << 20));
        if (b >= 1L << 10) return String.format("%.1f KiB", b / 1024.0);
        return b + " B";
    }
}
