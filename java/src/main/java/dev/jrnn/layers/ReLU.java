package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras' ReLU layer: {@code x > threshold ? min(x, maxValue) : negativeSlope * (x - threshold)}, elementwise, as Keras 3's
 * {@code activations.relu} (Keras' defaults: no max, slope 0, threshold 0; each refused when negative, as Keras does).
 * No weights; the input mask is passed on.
 *
 * <pre>{@code
 * ReLU r = new ReLU().maxValue(10.0).negativeSlope(0.5);
 * Tensor y = r.call(Tensor.of(new float[] {-10, -5, 0, 5, 10}, 1, 5));   // [[-5, -2.5, 0, 5, 10]]
 * }</pre>
 */
public class ReLU extends ElementwiseLayer {
    private Double maxValue;
    private double negativeSlope, threshold;

    /** Keras' {@code ReLU()} at its defaults: no max value, slope 0, threshold 0. */
    public ReLU() {}

    @Override
    public String kerasClass() { return "ReLU"; }

    /** Keras' {@code max_value}: the largest output, at least 0; null (the default) for none. */
    public ReLU maxValue(Double max) {
        if (max != null && !(max >= 0)) {
            throw new IllegalArgumentException(name() + ": max_value of a ReLU layer must be null or a number >= 0, got " + max);
        }
        this.maxValue = max;
        return this;
    }

    /** Keras' {@code negative_slope} (default 0): the slope below the threshold, at least 0. */
    public ReLU negativeSlope(double slope) {
        if (!(slope >= 0) || Double.isInfinite(slope)) {
            throw new IllegalArgumentException(name() + ": negative_slope of a ReLU layer must be a finite number >= 0, got " + slope);
        }
        this.negativeSlope = slope;
        return this;
    }

    /** Keras' {@code threshold} (default 0): below it the output is the slope's line, at least 0. */
    public ReLU threshold(double t) {
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException(name() + ": threshold of a ReLU layer must be a finite number >= 0, got " + t);
        }
        this.threshold = t;
        return this;
    }

    /** Keras' {@code max_value}; null (the default): none. */
    public Double maxValue() { return maxValue; }

    /** Keras' {@code negative_slope}; default 0. */
    public double negativeSlope() { return negativeSlope; }

    /** Keras' {@code threshold}; default 0. */
    public double threshold() { return threshold; }

    @Override
    void apply(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        ReluOps.relu(be, x, negativeSlope, maxValue, threshold, y, owned);
    }

    @Override
    void applyBackward(Backend be, DTensor x, DTensor y, DTensor dy, DTensor dx, List<DTensor> owned) {
        ReluOps.reluBackward(be, x, negativeSlope, maxValue, threshold, dy, dx, owned);
    }

    @Override
    public ReLU name(String n) { super.name(n); return this; }

    @Override
    public ReLU dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public ReLU seed(long s) { super.seed(s); return this; }

    @Override
    public ReLU inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public ReLU batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public ReLU inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public ReLU inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public ReLU trainable(boolean t) { super.trainable(t); return this; }
}
