package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Float32;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras Masking: a timestep whose features all equal {@code maskValue} is padding. The output mask
 * ([batch, timesteps]) is 0 there and 1 elsewhere; the output is the input with padded timesteps
 * set to 0 (as Keras, which multiplies by the mask). The mask is computed by the backend
 * ({@link Backend#maskFromValues}), without a copy to the host.
 *
 * <pre>{@code
 * Masking m = new Masking(0.0);
 * // then an LSTM after it skips the all-zero timesteps
 * }</pre>
 */
public class Masking extends WeightlessLayer {
    private final float maskValue;

    /** Masks timesteps whose features are all {@code maskValue}. */
    public Masking(double maskValue) {
        this.maskValue = Float32.check("Masking: maskValue", maskValue, Double::isFinite, "finite (in float32 range)");
    }

    /** Keras default: mask_value = 0.0. */
    public Masking() {
        this(0.0);
    }

    @Override
    public String kerasClass() { return "Masking"; }

    /** Keras' {@code mask_value}; default 0. */
    public double maskValue() { return maskValue; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        int[] x = in.get(0);
        if (x.length < 1) throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, features), got (batch,)");
        return List.of(x.clone());
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        if (x.rank() < 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, features), got " + Tensor.shapeString(x.shape()));
        }
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        int f = x.dim(-1);
        int rows = f == 0 ? 0 : (int) (x.size() / f);
        List<DTensor> owned = new ArrayList<>();
        DTensor outMask, y;
        try {
            outMask = DTensor.zeros(be, Arrays.copyOf(x.shape(), x.rank() - 1));
            owned.add(outMask);
            y = DTensor.zeros(be, x.shape());
            owned.add(y);
            be.maskFromValues(rows, f, x.buf(), 0, maskValue, outMask.buf(), 0);
            be.mulRows(rows, f, x.buf(), 0, outMask.buf(), 0, y.buf(), 0);
        } catch (RuntimeException | Error e) {
            Cleanup.each(owned, DTensor::close);
            throw e;
        }
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return List.of(y); }

            @Override
            public DTensor outputMask() { return outMask; }

            @Override
            public List<DTensor> backward(List<DTensor> dOut) {
                DTensor dy = Layers.gradient(Masking.this, dOut, List.of(y));
                DTensor dx = DTensor.zeros(be, x.shape());
                owned.add(dx);
                if (dy != null) be.mulRows(rows, f, dy.buf(), 0, outMask.buf(), 0, dx.buf(), 0);
                return List.of(dx);
            }

            @Override
            public void close() {
                for (DTensor d : owned) d.close();
                owned.clear();
            }
        };
    }

    @Override
    public Masking name(String n) { super.name(n); return this; }

    @Override
    public Masking dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Masking seed(long s) { super.seed(s); return this; }

    @Override
    public Masking inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Masking batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Masking inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Masking inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Masking trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
