package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

/**
 * A float32 buffer in device memory, taken from its backend's {@link DevicePool}. Closing it gives the
 * memory back to the pool (work already queued on the backend's stream still completes first, since
 * the next user of the memory is ordered after it on the same stream); closing twice is harmless.
 * A buffer made by {@link DevicePointers#wrap} views memory allocated elsewhere: closing it frees nothing.
 */
public final class CudaBuf implements Buf {
    private final CudaBackend backend;
    private final long size;
    private final boolean owned;  // false: memory of another allocator, never given to the pool
    private long ptr;  // 0 once closed

    CudaBuf(CudaBackend backend, long ptr, long size) {
        this(backend, ptr, size, true);
    }

    CudaBuf(CudaBackend backend, long ptr, long size, boolean owned) {
        this.backend = backend;
        this.ptr = ptr;
        this.size = size;
        this.owned = owned;
    }

    /** Whether closing gives the memory back to the pool (false for wrapped external memory). */
    boolean owned() { return owned; }

    @Override
    public long size() { return size; }

    @Override
    public Backend backend() { return backend; }

    /** The device address of element 0; throws if the buffer was closed. */
    long ptr() {
        long p = ptr;
        if (p == 0) throw new dev.jrnn.backend.BufferClosedException("CudaBuf of " + size + " floats used after close()");
        return p;
    }

    boolean isClosed() { return ptr == 0; }

    @Override
    public void close() {
        long p;
        synchronized (this) {
            p = ptr;
            ptr = 0;
        }
        if (p != 0 && owned) backend.release(p);
    }

    @Override
    public String toString() {
        return "CudaBuf[" + size + " floats" + (owned ? "" : ", external") + (ptr == 0 ? ", closed]" : "]");
    }
}
