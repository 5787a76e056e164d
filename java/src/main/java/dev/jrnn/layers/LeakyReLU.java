package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras' LeakyReLU layer: {@code x > 0 ? x : negativeSlope * x}, elementwise (Keras' default slope 0.3; Keras 2 and
 * tf.keras files call it {@code alpha}). No weights; the input mask is passed on.
 *
 * <pre>{@code
 * LeakyReLU l = new LeakyReLU(0.5);
 * Tensor y = l.call(Tensor.of(new float[] {-10, -5, 0, 5, 10}, 1, 5));   // [[-5, -2.5, 0, 5, 10]]
 * }</pre>
 */
public class LeakyReLU extends WeightlessLayer {
    private final double negativeSlope;

    /** Keras' default {@code negative_slope}, 0.3. */
    public LeakyReLU() { this(0.3); }

    /** {@code negativeSlope}: Keras' {@code negative_slope}, a finite number >= 0 (Keras refuses a negative one). */
    public LeakyReLU(double negativeSlope) {
        if (!(negativeSlope >= 0) || Double.isInfinite(negativeSlope)) {
            throw new IllegalArgumentException(name() + ": negative_slope of a LeakyReLU layer must be a finite number >= 0, got "
                    + negativeSlope);
        }
        this.negativeSlope = negativeSlope;
    }

    @Override
    public String kerasClass() { return "LeakyReLU"; }

    public double negativeSlope() { return negativeSlope; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        return List.of(Layers.singleShape(this, in).clone());
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        List<DTensor> owned = new ArrayList<>();
        try {   // a failure frees what was made
            DTensor y = Layers.tensor(be, owned, x.shape());
            ReluOps.relu(be, x, negativeSlope, null, 0, y, owned);
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = Layers.tensor(be, owned, x.shape());
                if (dy != null) ReluOps.reluBackward(be, x, negativeSlope, null, 0, dy, dx, owned);
                return List.of(dx);
            });
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    @Override
    public LeakyReLU name(String n) { super.name(n); return this; }

    @Override
    public LeakyReLU seed(long s) { super.seed(s); return this; }

    @Override
    public LeakyReLU inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public LeakyReLU batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public LeakyReLU inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public LeakyReLU inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public LeakyReLU trainable(boolean t) { super.trainable(t); return this; }
}
