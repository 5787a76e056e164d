package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

/**
 * A {@link Buf} of the CPU backend: a Java {@code float[]} on the heap, so at most
 * {@link #MAX_FLOATS} floats (the largest array the JVM allocates reliably).
 *
 * <pre>{@code
 * try (Backend be = CpuBackend.create(); Buf b = be.alloc(16)) {
 *     be.fill(b, 0, 16, 1f);
 * }
 * }</pre>
 */
public final class CpuBuf implements Buf {
    /** Largest capacity in floats: 2^31 - 9. */
    public static final long MAX_FLOATS = Integer.MAX_VALUE - 8L;

    private final CpuBackend owner;
    private final long size;
    private volatile float[] data;   // volatile: array() on another thread sees a close (the array may be reused)

    /** A buffer of n floats, zero-filled when {@code zero}, else an array of the pool as it was left. */
    CpuBuf(CpuBackend owner, long n, boolean zero) {
        String op = zero ? "cpu alloc" : "cpu empty";
        if (n < 0) throw new IllegalArgumentException(op + ": size must be >= 0, got " + n);
        if (n > MAX_FLOATS) {
            throw new dev.jrnn.backend.BufferTooLargeException(op, n, MAX_FLOATS);
        }
        this.owner = owner;
        this.size = n;
        this.data = owner.pool.take((int) n, zero);
    }

    /** The backing array (live, not a copy); throws once the buffer is closed. */
    public float[] array() {
        float[] d = data;
        if (d == null) throw new dev.jrnn.backend.BufferClosedException("cpu buffer of " + size + " floats used after close()");
        return d;
    }

    @Override
    public long size() { return size; }

    @Override
    public Backend backend() { return owner; }

    /** Hands the array back to the backend (for its next buffer of this size); closing twice is harmless. */
    @Override
    public void close() {
        float[] d;
        synchronized (this) {
            if (data == null) return;
            d = data;
            data = null;
        }
        owner.released(size, d);
    }

    @Override
    public String toString() { return "CpuBuf[" + size + (data == null ? ", closed]" : "]"); }
}
