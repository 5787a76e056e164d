package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras 3's Identity layer: its output is its input (a copy); no weights, the input mask is passed on.
 *
 * <pre>{@code
 * Node y = new Identity().apply(x);   // a placeholder where a model may later hold another layer
 * }</pre>
 */
public class Identity extends WeightlessLayer {
    @Override
    public String kerasClass() { return "Identity"; }

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
        List<DTensor> owned = new ArrayList<>();
        try {   // a failure frees what was made
            DTensor y = Layers.tensor(be, owned, x.shape());
            be.copy(x.buf(), 0, y.buf(), 0, x.size());
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = Layers.tensor(be, owned, x.shape());
                if (dy != null) be.copy(dy.buf(), 0, dx.buf(), 0, x.size());
                return List.of(dx);
            });
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    @Override
    public Identity name(String n) { super.name(n); return this; }

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
