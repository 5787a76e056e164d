package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

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
public class LeakyReLU extends ElementwiseLayer {
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

    /** Keras' {@code negative_slope}; default 0.3. */
    public double negativeSlope() { return negativeSlope; }

    @Override
    void apply(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        ReluOps.relu(be, x, negativeSlope, null, 0, y, owned);
    }

    @Override
    void applyBackward(Backend be, DTensor x, DTensor y, DTensor dy, DTensor dx, List<DTensor> owned) {
        ReluOps.reluBackward(be, x, negativeSlope, null, 0, dy, dx, owned);
    }

    @Override
    public LeakyReLU name(String n) { super.name(n); return this; }

    @Override
    public LeakyReLU dtype(String policy) { super.dtype(policy); return this; }

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
