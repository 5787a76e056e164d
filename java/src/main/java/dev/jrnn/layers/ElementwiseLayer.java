package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A weightless layer that maps every value on its own (Activation, ReLU, LeakyReLU, ELU, Identity): the output has
 * the input's shape and mask. A subclass gives the values and their gradient as backend operations; this class builds,
 * keeps what backward needs and frees what a failed forward made.
 */
abstract class ElementwiseLayer extends WeightlessLayer {
    /** {@code y = f(x)}, of x's shape; scratch tensors go into {@code owned}. */
    abstract void apply(Backend be, DTensor x, DTensor y, List<DTensor> owned);

    /** {@code dx = f'(x) * dy}, given the forward's {@code x} and {@code y}; scratch tensors go into {@code owned}. */
    abstract void applyBackward(Backend be, DTensor x, DTensor y, DTensor dy, DTensor dx, List<DTensor> owned);

    /** The rows' width handed to the backend's activations (elementwise ones ignore it; softmax reads rows). */
    static int cols(DTensor x) { return x.rank() == 0 ? 1 : Math.max(1, x.dim(-1)); }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        return List.of(Layers.singleShape(this, in).clone());
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.singleBuilt(this, inputs, 0);
        Backend be = backend();
        List<DTensor> owned = new ArrayList<>();
        try {   // a failure frees what was made
            DTensor y = Layers.tensor(be, owned, x.shape());
            apply(be, x, y, owned);
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = Layers.tensor(be, owned, x.shape());
                if (dy != null) applyBackward(be, x, y, dy, dx, owned);
                return List.of(dx);
            });
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
