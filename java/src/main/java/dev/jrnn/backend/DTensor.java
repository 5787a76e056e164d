package dev.jrnn.backend;

import dev.jrnn.tensor.Tensor;

import java.util.Arrays;

/**
 * A tensor living in a backend's memory: a {@link Buf} plus a shape (batch first, as Keras).
 * Layers pass these between each other; users see {@link Tensor}s. Owns its buffer: close it when done.
 */
public final class DTensor implements AutoCloseable {
    private final Backend backend;
    private final Buf buf;
    private final int[] shape;

    public DTensor(Backend backend, Buf buf, int... shape) {
        this.backend = backend;
        this.buf = buf;
        this.shape = shape.clone();
        if (Tensor.size(shape) > buf.size()) {
            throw new IllegalArgumentException("DTensor: shape " + Tensor.shapeString(shape) + " needs "
                    + Tensor.size(shape) + " floats, buffer holds " + buf.size());
        }
    }

    /** A zero-filled tensor. */
    public static DTensor zeros(Backend be, int... shape) {
        return new DTensor(be, be.alloc(Tensor.size(shape)), shape);
    }

    /** Uploads a host tensor. */
    public static DTensor from(Backend be, Tensor t) {
        Buf b = be.alloc(t.size());
        be.upload(t.data(), 0, b, 0, t.size());
        return new DTensor(be, b, t.shape());
    }

    /** Downloads into a new host tensor. */
    public Tensor toTensor() {
        float[] d = new float[(int) size()];
        backend.download(buf, 0, d, 0, d.length);
        return Tensor.wrap(d, shape);
    }

    public Backend backend() { return backend; }
    public Buf buf() { return buf; }
    public int[] shape() { return shape.clone(); }
    public int dim(int axis) { return shape[axis < 0 ? shape.length + axis : axis]; }
    public int rank() { return shape.length; }
    public long size() { return Tensor.size(shape); }

    @Override
    public void close() { buf.close(); }

    @Override
    public String toString() { return "DTensor" + Tensor.shapeString(shape) + "@" + backend.name(); }

    @Override
    public boolean equals(Object o) { return this == o; }

    @Override
    public int hashCode() { return System.identityHashCode(this) ^ Arrays.hashCode(shape); }
}
