package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/**
 * What Keras' MaxPooling1D and AveragePooling1D share: windows of {@code poolSize} steps every {@code strides} steps
 * (default: poolSize) over (batch, steps, channels) input (channels_last), padding "valid" or "same" (output length
 * ceil(T / strides), pad steps left out of every window). No weights. As in Keras 3, a mask arriving here is not
 * passed on.
 */
public abstract class Pooling1D extends WeightlessLayer {
    private final int poolSize;
    private int strides;
    private String padding = "valid";

    Pooling1D(String kind, int poolSize) {
        if (poolSize <= 0) throw new IllegalArgumentException(kind + ": poolSize must be positive, got " + poolSize);
        this.poolSize = poolSize;
        this.strides = poolSize;
    }

    /** Keras' {@code pool_size}: the steps one window covers. */
    public int poolSize() { return poolSize; }

    /** Keras' {@code strides}; default the pool size. */
    public int strides() { return strides; }

    /** The step between windows (Keras strides; default poolSize). */
    public Pooling1D strides(int s) {
        requireUncalled("strides");
        if (s <= 0) throw new IllegalArgumentException(name() + ": strides must be positive, got " + s);
        this.strides = s;
        return this;
    }

    /** Keras' {@code padding}: "valid" (default) or "same", lower case. */
    public String padding() { return padding; }

    /** "valid" (default) or "same" (case-insensitive, as Keras). */
    public Pooling1D padding(String p) {
        requireUncalled("padding");
        String v = p == null ? null : p.toLowerCase(Locale.ROOT);
        if (!"valid".equals(v) && !"same".equals(v)) {
            throw new IllegalArgumentException(name() + ": padding must be \"valid\" or \"same\", got " + (p == null ? "null" : "\"" + p + "\""));
        }
        this.padding = v;
        return this;
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        int[] x = in.get(0);
        if (x.length != 2) throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, channels), got " + Layers.withBatch(x));
        int t = x[0] > 0 ? Windows1D.outLength(x[0], poolSize, strides, padding) : x[0];
        if (x[0] > 0 && t <= 0) throw tooShort(x[0]);
        return List.of(new int[] {t, x[1]});
    }

    private IllegalArgumentException tooShort(int t) {
        return new IllegalArgumentException(name() + ": " + t + " timesteps are fewer than poolSize " + poolSize + " with padding \"valid\"");
    }

    @Override
    public final Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        if (x.rank() != 3) throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, channels), got " + Tensor.shapeString(x.shape()));
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        if (Windows1D.outLength(x.dim(1), poolSize, strides, padding) <= 0) throw tooShort(x.dim(1));
        return pool(be, x, new Windows1D(name(), x.dim(0), x.dim(1), x.dim(2), poolSize, strides, padding));
    }

    /** Keras 3's pooling does not support masking: a mask ends here even where strides 1 and "same" keep the steps. */
    @Override
    public boolean passesMask() { return false; }

    /** Under TimeDistributed a mask of inner steps ends here too (a step kept where any of its inner steps is). */
    @Override
    boolean keepsInnerMask() { return false; }

    @Override
    public Pooling1D name(String n) { super.name(n); return this; }

    @Override
    public Pooling1D dtype(String policy) { super.dtype(policy); return this; }

    /** The pooled output of {@code x} over the windows {@code g}, and its backward. */
    abstract Trace pool(Backend be, DTensor x, Windows1D g);
}
