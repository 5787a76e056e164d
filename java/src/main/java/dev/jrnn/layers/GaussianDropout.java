package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Float32;

import java.util.List;

/**
 * Keras GaussianDropout: at training time multiplies every value by Gaussian noise of mean 1 and standard deviation
 * {@code sqrt(rate / (1 - rate))}; at inference the identity. Input of any rank; the mask is passed on. The noise is
 * {@link dev.jrnn.backend.Backend#normalNoise}'s, so CPU and CUDA draw the same values to within a float rounding or two.
 *
 * <pre>{@code
 * Sequential m = new Sequential(new LSTM(8).inputShape(20, 4), new GaussianDropout(0.2), new Dense(1));
 * }</pre>
 */
public class GaussianDropout extends Noise {
    private final double rate;
    private final float stddev32;

    /**
     * {@code rate}: the drop probability it stands for, in [0, 1]; 0 and 1 leave the input as it is, as in tf.keras 2
     * (Keras 3.15.1 takes 1 and then fails its training call dividing by 1 - rate).
     */
    public GaussianDropout(double rate) {
        Float32.check("GaussianDropout: rate", rate, r -> r >= 0 && r <= 1, "in [0, 1]");
        this.rate = rate;
        this.stddev32 = rate < 1 ? (float) Math.sqrt(rate / (1 - rate)) : 0f;
    }

    @Override
    public String kerasClass() { return "GaussianDropout"; }

    /** Keras' {@code rate}. */
    public double rate() { return rate; }

    @Override
    boolean active() { return rate > 0 && rate < 1; }   // Keras: only 0 < rate < 1 adds noise

    @Override
    boolean additive() { return false; }

    @Override
    DTensor draw(Backend be, DTensor x, List<DTensor> owned) {
        return normal(be, x, 1f, stddev32, owned);
    }

    @Override
    public GaussianDropout name(String n) { super.name(n); return this; }

    @Override
    public GaussianDropout dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public GaussianDropout seed(long s) { super.seed(s); return this; }

    @Override
    public GaussianDropout inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public GaussianDropout batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public GaussianDropout inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public GaussianDropout inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public GaussianDropout trainable(boolean t) { super.trainable(t); return this; }
}
