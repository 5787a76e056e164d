package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras' ELU layer: {@code x > 0 ? x : alpha * (exp(x) - 1)}, elementwise (Keras' default alpha 1; any finite alpha, as
 * Keras takes). No weights; the input mask is passed on.
 *
 * <pre>{@code
 * ELU e = new ELU(0.5);
 * Tensor y = e.call(Tensor.of(new float[] {-1, 2}, 1, 2));   // [[0.5 * (exp(-1) - 1), 2]]
 * }</pre>
 */
public class ELU extends ElementwiseLayer {
    private final double alpha;

    /** Keras' default alpha, 1. */
    public ELU() { this(1.0); }

    /** {@code alpha}: the scale of the negative part, finite. */
    public ELU(double alpha) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException(name() + ": alpha of an ELU layer must be a finite number, got " + alpha);
        this.alpha = alpha;
    }

    @Override
    public String kerasClass() { return "ELU"; }

    /** Keras' {@code alpha}; default 1. */
    public double alpha() { return alpha; }

    @Override
    void apply(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        ReluOps.elu(be, x, alpha, y, owned);
    }

    @Override
    void applyBackward(Backend be, DTensor x, DTensor y, DTensor dy, DTensor dx, List<DTensor> owned) {
        ReluOps.eluBackward(be, x, alpha, dy, dx, owned);
    }

    @Override
    public ELU name(String n) { super.name(n); return this; }

    @Override
    public ELU dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public ELU seed(long s) { super.seed(s); return this; }

    @Override
    public ELU inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public ELU batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public ELU inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public ELU inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public ELU trainable(boolean t) { super.trainable(t); return this; }
}
