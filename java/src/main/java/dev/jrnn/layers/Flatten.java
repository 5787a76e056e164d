package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras Flatten: reshapes (batch, d1, d2, ...) to (batch, d1 * d2 * ...), and (batch,) to (batch, 1). No weights;
 * the output has no time axis, so no mask is passed on (as Keras 3; tf.keras 2 refuses a masked input).
 *
 * <pre>{@code
 * Flatten f = new Flatten();
 * Tensor y = f.call(Tensor.zeros(2, 3, 4));   // (2, 12)
 * }</pre>
 */
public class Flatten extends WeightlessLayer {
    /** Keras' {@code Flatten()}. */
    public Flatten() {}

    @Override
    public String kerasClass() { return "Flatten"; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        long n = 1;
        for (int d : in.get(0)) {
            if (d < 0) return List.of(new int[] {-1});   // Keras: (None, None) when a dimension is unknown
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name() + ": flattening " + Layers.withBatch(in.get(0)) + " gives " + n
                    + " features, more than " + Integer.MAX_VALUE);
        }
        return List.of(new int[] {(int) n});
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.singleBuilt(this, inputs, 1);
        Backend be = backend();
        int b = x.dim(0);
        int f = computeOutputShapes(Layers.perSample(inputs)).get(0)[0];
        List<DTensor> owned = new ArrayList<>();
        DTensor y = DTensor.zeros(be, b, f);
        owned.add(y);
        be.copy(x.buf(), 0, y.buf(), 0, x.size());   // row-major: the same values in the same order
        return Layers.trace(this, y, null, owned, dy -> {
            DTensor dx = DTensor.zeros(be, x.shape());
            owned.add(dx);
            if (dy != null) be.copy(dy.buf(), 0, dx.buf(), 0, dy.size());
            return List.of(dx);
        });
    }

    @Override
    public Flatten name(String n) { super.name(n); return this; }

    @Override
    public Flatten dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Flatten seed(long s) { super.seed(s); return this; }

    @Override
    public Flatten inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Flatten batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Flatten trainable(boolean t) { super.trainable(t); return this; }
}
