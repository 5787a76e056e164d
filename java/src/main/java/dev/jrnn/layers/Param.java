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

    public Param(String name, boolean trainable, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        this.trainable = trainable;
    }

    public String name() { return name; }
    public int[] shape() { return shape.clone(); }
    public long size() { return Tensor.size(shape); }
    public boolean trainable() { return trainable; }

    /** Values buffer; read at {@link #offset()}. */
    public Buf value() { return store().values(); }
    /** Gradient buffer (same offset as the value); layers accumulate into it. */
    public Buf grad() { return store().grads(); }
    public long offset() { return offset; }
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

    public boolean isBound() { return store != null; }

    public ParamStore store() {
        if (store == null) throw new IllegalStateException("parameter " + name + " is not built yet");
        return store;
    }
}
