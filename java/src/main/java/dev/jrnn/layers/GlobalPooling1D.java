package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What Keras' global 1D pooling layers share: a (batch, steps, features) input (data_format channels_last), reduced over
 * its steps to (batch, features), or (batch, 1, features) with {@code keepdims}; no weights, no output mask.
 */
public abstract class GlobalPooling1D extends WeightlessLayer {
    private boolean keepdims;

    GlobalPooling1D() {}

    /** Whether the steps axis stays, with length 1 (Keras' keepdims; default false). */
    public boolean keepdims() { return keepdims; }

    /** Keeps the steps axis with length 1: (batch, 1, features) instead of (batch, features). Before the layer is applied. */
    public GlobalPooling1D keepdims(boolean k) {
        if (k != keepdims) requireUncalled("keepdims");   // the output shape: a model holds the one it had
        this.keepdims = k;
        return this;
    }

    /** Keras' data_format: only "channels_last" (features last), the default; "channels_first" throws. */
    public GlobalPooling1D dataFormat(String format) {
        String f = format == null ? "null" : format.trim().toLowerCase(Locale.ROOT);
        if (!f.equals("channels_last")) {
            throw new IllegalArgumentException(name() + ": dataFormat must be channels_last (features last), got " + format);
        }
        return this;
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        int[] x = in.get(0);
        if (x.length != 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, steps, features), got " + Layers.withBatch(x)
                    + " (a sequence: a recurrent layer with returnSequences(true) gives one)");
        }
        return List.of(keepdims ? new int[] {1, x[1]} : new int[] {x[1]});
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        if (x.rank() != 3) {
            throw new IllegalArgumentException(name() + ": expected input (batch, steps, features), got " + Tensor.shapeString(x.shape()));
        }
        if (x.dim(1) == 0) throw new IllegalArgumentException(name() + ": expected at least one step, got " + Tensor.shapeString(x.shape()));
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        List<DTensor> owned = new ArrayList<>();
        DTensor y = keepdims ? DTensor.zeros(be, x.dim(0), 1, x.dim(2)) : DTensor.zeros(be, x.dim(0), x.dim(2));
        owned.add(y);
        return pool(be, x, mask, y, owned);
    }

    /** No mask goes on, not even with keepdims over one step (Keras 3: compute_mask gives None). */
    @Override
    public boolean passesMask() { return false; }

    /** Under TimeDistributed a mask of inner steps ends here too (a step kept where any of its inner steps is). */
    @Override
    boolean keepsInnerMask() { return false; }

    /** Writes the pooled {@code x} ([B, T, F]) into {@code y} and returns the trace; {@code owned} frees with it. */
    abstract Trace pool(Backend be, DTensor x, DTensor mask, DTensor y, List<DTensor> owned);

    @Override
    public GlobalPooling1D name(String n) { super.name(n); return this; }

    @Override
    public GlobalPooling1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public GlobalPooling1D seed(long s) { super.seed(s); return this; }

    @Override
    public GlobalPooling1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public GlobalPooling1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public GlobalPooling1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public GlobalPooling1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public GlobalPooling1D trainable(boolean t) { super.trainable(t); return this; }
}
