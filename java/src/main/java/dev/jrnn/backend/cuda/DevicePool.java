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
    private long bytesInUse, bytesCached, peakReserved;
    private long hits, misses;
    private boolean closed;

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
        peakReserved = Math.max(peakReserved, bytesInUse + bytesCached);
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
                                + free + "; this pool holds " + human(bytesInUse) + " in use after trimming its cache",
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
        bytesCached += cls;
        freeLists.computeIfAbsent(cls, c -> new ArrayDeque<>()).push(ptr);
    }

    /** Returns every cached (free) block to the driver. */
    public synchronized void trim() {
        RuntimeException first = null;
        for (ArrayDeque<Long> list : freeLists.values()) {
            for (Long p : list) {
                try {
                    raw.free(p);
                } catch (RuntimeException e) {
                    if (first == null) first = e;
                }
            }
        }
        freeLists.clear();
        bytesCached = 0;
        if (first != null) throw first;
    }

    /** Frees all memory, cached and handed out (pointers handed out become invalid). */
    public synchronized void releaseAll() {
        RuntimeException first = null;
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
        live.clear();
        bytesInUse = 0;
        if (first != null) throw first;
    }

    /** Bytes handed out (by size class). */
    public synchronized long bytesInUse() {
        return bytesInUse;
    }

    /** Bytes held from the driver: in use plus cached. */
    public synchronized long bytesReserved() {
        return bytesInUse + bytesCached;
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
