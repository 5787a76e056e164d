package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Float32;

import java.util.List;

/**
 * Keras GaussianNoise: at training time adds zero-mean Gaussian noise of standard deviation {@code stddev} to every
 * value; at inference the identity. Input of any rank; the mask is passed on. The noise is {@link
 * dev.jrnn.backend.Backend#normalNoise}'s, so CPU and CUDA draw the same values to within a float rounding or two.
 *
 * <pre>{@code
 * Sequential m = new Sequential(new GaussianNoise(0.1).inputShape(20, 4), new LSTM(8), new Dense(1));
 * }</pre>
 */
public class GaussianNoise extends Noise {
    private final double stddev;
    private final float stddev32;

    /** {@code stddev}: the noise's standard deviation, in [0, 1] (Keras' range). */
    public GaussianNoise(double stddev) {
        this.stddev32 = Float32.check("GaussianNoise: stddev", stddev, v -> v >= 0 && v <= 1, "in [0, 1] (as Keras)");
        this.stddev = stddev;
    }

    @Override
    public String kerasClass() { return "GaussianNoise"; }

    /** Keras' {@code stddev} of the noise added in training. */
    public double stddev() { return stddev; }

    @Override
    boolean active() { return stddev > 0; }

    @Override
    boolean additive() { return true; }

    @Override
    DTensor draw(Backend be, DTensor x, List<DTensor> owned) {
        return normal(be, x, 0f, stddev32, owned);
    }

    @Override
    public GaussianNoise name(String n) { super.name(n); return this; }

    @Override
    public GaussianNoise dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public GaussianNoise seed(long s) { super.seed(s); return this; }

    @Override
    public GaussianNoise inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public GaussianNoise batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public GaussianNoise inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public GaussianNoise inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public GaussianNoise trainable(boolean t) { super.trainable(t); return this; }
}
