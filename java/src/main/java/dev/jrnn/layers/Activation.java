package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras Activation layer: applies an activation elementwise (softmax over the last axis); no weights,
 * the input mask is passed on.
 *
 * <pre>{@code
 * Activation a = new Activation("relu");
 * Tensor y = a.call(Tensor.of(new float[] {-1, 2}, 1, 2));   // [[0, 2]]
 * }</pre>
 */
public class Activation extends ElementwiseLayer {
    private final dev.jrnn.backend.Activation activation;

    /** {@code activation}: a Keras name ("relu", "tanh", "softmax", ...). */
    public Activation(String activation) {
        this.activation = dev.jrnn.backend.Activation.of(activation);
    }

    @Override
    public String kerasClass() { return "Activation"; }

    /** Keras name of the activation applied. */
    public String activation() { return activation.kerasName(); }

    @Override
    void apply(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        be.activate(activation, x.size(), cols(x), x.buf(), 0, y.buf(), 0);
    }

    @Override
    void applyBackward(Backend be, DTensor x, DTensor y, DTensor dy, DTensor dx, List<DTensor> owned) {
        // gelu, swish, mish... take their derivative from the input
        DTensor saved = activation.needsInput() ? x : y;
        be.activateBackward(activation, x.size(), cols(x), saved.buf(), 0, dy.buf(), 0, dx.buf(), 0);
    }

    @Override
    public Activation name(String n) { super.name(n); return this; }

    @Override
    public Activation dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Activation seed(long s) { super.seed(s); return this; }

    @Override
    public Activation inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Activation batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Activation inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Activation inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Activation trainable(boolean t) { super.trainable(t); return this; }
}
