package dev.jrnn.backend;

/**
 * A flat float32 buffer owned by a {@link Backend}: a Java array on the CPU, device memory on CUDA.
 * Offsets and lengths in the backend API are counted in floats. Close it to give the memory back;
 * closing twice is harmless.
 */
public interface Buf extends AutoCloseable {
    /** Capacity in floats. */
    long size();

    /** The backend that owns it; buffers of one backend must not be passed to another. */
    Backend backend();

    @Override
    void close();
}
