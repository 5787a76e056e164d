package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Float32;

import java.util.List;

/**
 * Keras Dropout: at training time each value is dropped with probability {@code rate} and the kept
 * ones are scaled by 1 / (1 - rate) (rate 1: zeros, as Keras 3); at inference it is the identity. The mask is drawn by the
 * backend ({@link Backend#dropoutMask}): a counter-based hash of the layer's seed ({@link Layer#seed} or
 * {@link dev.jrnn.Jrnn#setSeed}), the call count and the element index, so CPU and CUDA draw the same
 * masks, nothing is copied from the host, and a captured CUDA graph draws a new mask at every replay
 * (the call count lives in the backend's memory). The input mask is passed on.
 *
 * <pre>{@code
 * Dropout d = new Dropout(0.2);
 * }</pre>
 */
public class Dropout extends Noise {
    private final double rate;
    private final float rate32;   // what the mask kernel uses, checked as such

    /**
     * {@code rate}: fraction of values to drop, in [0, 1]. Rate 1 (as Keras 3 takes it) zeroes the whole input in
     * training, its gradient too; a rate that float32 rounds to 1 (0.99999999) does the same, where Keras would keep each
     * value with a probability under 6e-8.
     */
    public Dropout(double rate) {
        this("Dropout", rate);
    }

    /** For a subclass: {@code who} names it when the rate is refused. */
    Dropout(String who, double rate) {
        this.rate32 = Float32.check(who + ": rate", rate, r -> r >= 0 && r <= 1, "in [0, 1]");
        this.rate = rate;
    }

    /** The rate as the mask kernel takes it. */
    final float rate32() { return rate32; }

    @Override
    public String kerasClass() { return "Dropout"; }

    /** Keras' {@code rate}: the fraction of inputs dropped in training. */
    public double rate() { return rate; }

    @Override
    public Dropout maskStream(long seed, long drawn) {
        super.maskStream(seed, drawn);
        return this;
    }

    @Override
    boolean active() { return rate > 0; }

    @Override
    boolean dropsAll() { return rate32 == 1f; }   // Keras: zeros_like, no mask drawn (the kernel takes rates below 1)

    @Override
    boolean additive() { return false; }

    @Override
    DTensor draw(Backend be, DTensor x, List<DTensor> owned) {
        DTensor keep = DTensor.zeros(be, x.shape());
        owned.add(keep);
        masks.draw(be, x.size(), rate32, keep.buf(), 0);
        return keep;
    }

    @Override
    public Dropout name(String n) { super.name(n); return this; }

    @Override
    public Dropout dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Dropout seed(long s) { super.seed(s); return this; }

    @Override
    public Dropout inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Dropout batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Dropout inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Dropout inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Dropout trainable(boolean t) { super.trainable(t); return this; }
}
