package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
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
public class Activation extends WeightlessLayer {
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
    public List<int[]> computeOutputShapes(List<int[]> in) {
        return List.of(Layers.singleShape(this, in).clone());
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        int cols = x.rank() == 0 ? 1 : Math.max(1, x.dim(-1));
        List<DTensor> owned = new ArrayList<>();
        DTensor y = DTensor.zeros(be, x.shape());
        owned.add(y);
        be.activate(activation, x.size(), cols, x.buf(), 0, y.buf(), 0);
        return Layers.trace(this, y, mask, owned, dy -> {
            DTensor dx = DTensor.zeros(be, x.shape());
            owned.add(dx);
            // gelu, swish, mish... take their derivative from the input
            DTensor saved = activation.needsInput() ? x : y;
            if (dy != null) be.activateBackward(activation, x.size(), cols, saved.buf(), 0, dy.buf(), 0, dx.buf(), 0);
            return List.of(dx);
        });
    }

    @Override
    public Activation name(String n) { super.name(n); return this; }

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
