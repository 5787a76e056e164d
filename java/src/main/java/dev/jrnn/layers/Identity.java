package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras 3's Identity layer: its output is its input (a copy); no weights, the input mask is passed on.
 *
 * <pre>{@code
 * Node y = new Identity().apply(x);   // a placeholder where a model may later hold another layer
 * }</pre>
 */
public class Identity extends ElementwiseLayer {
    /** Keras 3's {@code Identity()}. */
    public Identity() {}

    @Override
    public String kerasClass() { return "Identity"; }

    @Override
    void apply(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        be.copy(x.buf(), 0, y.buf(), 0, x.size());
    }

    @Override
    void applyBackward(Backend be, DTensor x, DTensor y, DTensor dy, DTensor dx, List<DTensor> owned) {
        be.copy(dy.buf(), 0, dx.buf(), 0, x.size());
    }

    @Override
    public Identity name(String n) { super.name(n); return this; }

    @Override
    public Identity dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Identity seed(long s) { super.seed(s); return this; }

    @Override
    public Identity inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Identity batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Identity inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Identity inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Identity trainable(boolean t) { super.trainable(t); return this; }
}
