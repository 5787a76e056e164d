package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras SpatialDropout1D (a Dropout, as in Keras): at training time drops whole channels, each (sample, feature) with
 * probability {@code rate} over all its steps (Keras' noise shape (batch, 1, features)), the kept ones scaled by
 * 1 / (1 - rate); at inference
 * the identity. Input (batch, steps, features); the mask is passed on. The keep mask is {@link
 * dev.jrnn.backend.Backend#dropoutMask}'s, so CPU and CUDA draw the same one.
 *
 * <pre>{@code
 * Sequential m = new Sequential(new Conv1D(16, 3).inputShape(20, 4), new SpatialDropout1D(0.2), new LSTM(8));
 * }</pre>
 */
public class SpatialDropout1D extends Dropout {
    /** {@code rate}: fraction of channels to drop, in [0, 1] (1: zeros in training, as {@link Dropout}). */
    public SpatialDropout1D(double rate) {
        super("SpatialDropout1D", rate);
    }

    @Override
    public String kerasClass() { return "SpatialDropout1D"; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] s = Layers.singleShape(this, in);
        if (s.length != 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, steps, features), got " + Layers.withBatch(s));
        }
        return List.of(s.clone());
    }

    /** One keep value per (sample, feature) at step 0, then copied to the other steps by doubling strided copies. */
    @Override
    DTensor draw(Backend be, DTensor x, List<DTensor> owned) {
        int b = x.dim(0), t = x.dim(1), f = x.dim(2);
        DTensor packed = DTensor.zeros(be, b, f), keep = DTensor.zeros(be, x.shape());
        owned.add(packed);
        owned.add(keep);
        masks.draw(be, (long) b * f, rate32(), packed.buf(), 0);
        be.copy2d(b, f, packed.buf(), 0, f, keep.buf(), 0, t * f);
        for (int have = 1; have < t; have *= 2) {
            int n = Math.min(have, t - have);
            be.copy2d(b, n * f, keep.buf(), 0, t * f, keep.buf(), (long) have * f, t * f);
        }
        return keep;
    }

    @Override
    public SpatialDropout1D name(String n) { super.name(n); return this; }

    @Override
    public SpatialDropout1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public SpatialDropout1D seed(long s) { super.seed(s); return this; }

    @Override
    public SpatialDropout1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public SpatialDropout1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public SpatialDropout1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public SpatialDropout1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public SpatialDropout1D trainable(boolean t) { super.trainable(t); return this; }

    @Override
    public SpatialDropout1D maskStream(long seed, long drawn) { super.maskStream(seed, drawn); return this; }
}
