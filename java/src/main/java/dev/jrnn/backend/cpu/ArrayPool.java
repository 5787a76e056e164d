package dev.jrnn.backend.cpu;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The arrays of a CPU backend's closed buffers, kept by length for its next buffers of that length. A train step
 * allocates the same activations and gradients every step (~10 MB at LSTM B=32, T=50, H=128); new arrays that
 * big cost the JVM's zeroing on the calling core, while both cores wait at the next parallel part, and G1's
 * humongous-region collections. A reused array is zeroed over the cores, or handed back as it was left to a
 * buffer its caller writes in full first ({@link CpuBackend#empty}). Small arrays (below {@link #MIN_FLOATS})
 * come from the JVM: its thread-local allocation is cheaper than a lookup here. Kept arrays are softly referenced:
 * under memory pressure the collector takes them back (a backend that is never closed pins nothing).
 *
 * <pre>{@code
 * ArrayPool pool = new ArrayPool(1 << 26);
 * float[] a = pool.take(1 << 20);   // zero-filled
 * pool.give(a);                     // a must not be used any more
 * }</pre>
 */
final class ArrayPool {
    /** Arrays shorter than this are not kept. */
    static final int MIN_FLOATS = 1 << 16;

    private final long maxFloats;
    private final Map<Integer, ArrayDeque<SoftReference<float[]>>> free = new HashMap<>();
    private long held;

    /** A pool that holds at most {@code maxFloats} floats (beyond, it starts over empty). */
    ArrayPool(long maxFloats) {
        this.maxFloats = maxFloats;
    }

    /** A zero-filled array of {@code n} floats: a kept one, zeroed again, or a new one. */
    float[] take(int n) {
        return take(n, true);
    }

    /** An array of {@code n} floats: a kept one (zeroed again when {@code zero}, else as it was left), or a new one. */
    float[] take(int n, boolean zero) {
        float[] a = null;
        if (n >= MIN_FLOATS) {
            synchronized (free) {
                ArrayDeque<SoftReference<float[]>> q = free.get(n);
                for (SoftReference<float[]> r; a == null && q != null && (r = q.poll()) != null; ) {
                    held -= n;
                    a = r.get();   // null: collected under memory pressure
                }
            }
        }
        if (a == null) return new float[n];
        if (!zero) return a;
        float[] z = a;
        CpuBackend.split(n, (i0, i1) -> Arrays.fill(z, i0, i1, 0f));
        return z;
    }

    /** Keeps {@code a} for a later {@link #take} of its length; the caller gives up every reference to it. */
    void give(float[] a) {
        if (a.length < MIN_FLOATS || a.length > maxFloats) return;
        synchronized (free) {
            if (held + a.length > maxFloats) {   // other lengths than the ones in use now: drop them all
                free.clear();
                held = 0;
            }
            free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(new SoftReference<>(a));
            held += a.length;
        }
    }

    /** Drops every kept array. */
    void clear() {
        synchronized (free) {
            free.clear();
            held = 0;
        }
    }

    /** Floats kept now (an upper bound: the collector may have taken some back). */
    long held() {
        synchronized (free) {
            return held;
        }
    }
}
