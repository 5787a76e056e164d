package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.tensor.Tensor;

/**
 * One weight variable of a layer (Keras' "kernel", "recurrent_kernel", "bias", ...). Its values and
 * gradient are a span of flat buffers owned by a {@link ParamStore}: a layer's own store after build,
 * a model's single store after compile (so the optimizer runs one fused update over all parameters).
 */
public final class Param {
    private final String name;
    private final int[] shape;
    private final boolean trainable;
    private ParamStore store;
    private long offset;

    /** A weight named {@code name} ("kernel", "bias", ...) of this shape, unbound until its layer is built. */
    public Param(String name, boolean trainable, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        this.trainable = trainable;
    }

    /** Its name within its layer: "kernel", "recurrent_kernel", "bias", ... */
    public String name() { return name; }

    /** Its shape (a copy), Keras' layout. */
    public int[] shape() { return shape.clone(); }

    /** How many values: the product of the shape. */
    public long size() { return Tensor.size(shape); }

    /** Whether the optimizer updates it (false for BatchNormalization's moving statistics and the like). */
    public boolean trainable() { return trainable; }

    /** Values buffer; read at {@link #offset()}. */
    public Buf value() { return store().values(); }

    /** Gradient buffer (same offset as the value); layers accumulate into it. */
    public Buf grad() { return store().grads(); }

    /** Where its values start in {@link #value()} (and its gradient in {@link #grad()}). */
    public long offset() { return offset; }

    /** The backend its buffers live on; throws before the build. */
    public Backend backend() { return store().backend(); }

    /** Current values as a host tensor. */
    public Tensor get() {
        float[] d = new float[(int) size()];
        backend().download(value(), offset, d, 0, d.length);
        return Tensor.wrap(d, shape);
    }

    /** Current gradient as a host tensor. */
    public Tensor getGrad() {
        float[] d = new float[(int) size()];
        backend().download(grad(), offset, d, 0, d.length);
        return Tensor.wrap(d, shape);
    }

    /** Replaces the values; {@code t} must have exactly this parameter's shape. */
    public void set(Tensor t) {
        if (t == null) throw new IllegalArgumentException(name + ": value is null");
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(name + ": expected shape " + Tensor.shapeString(shape)
                    + ", got " + Tensor.shapeString(t.shape()));
        }
        backend().upload(t.data(), 0, value(), offset, t.size());
    }

    void bind(ParamStore s, long off) {
        this.store = s;
        this.offset = off;
    }

    /** Whether it has buffers yet (its layer is built). */
    public boolean isBound() { return store != null; }

    /** The store holding its buffers; throws IllegalStateException before the build. */
    public ParamStore store() {
        if (store == null) throw new IllegalStateException("parameter " + name + " is not built yet");
        return store;
    }
}
