package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras Average: the elementwise mean of a list of inputs of one shape; no weights; masks merged as {@link Merge}.
 *
 * <pre>{@code
 * Input a = Input.shape(4), b = Input.shape(4);
 * Node y = new Average().apply(a, b);   // (None, 4), (a + b) / 2
 * }</pre>
 */
public class Average extends Merge {
    /** Keras' {@code Average()}: apply it to a list of inputs of one shape (or shapes that broadcast). */
    public Average() {}

    @Override
    public String kerasClass() { return "Average"; }

    @Override
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> owned) {
        DTensor y = sum(be, xs, owned);
        be.scale(y.size(), 1f / xs.size(), y.buf(), 0);
        return y;
    }

    @Override
    void mergeBackward(Backend be, List<DTensor> xs, DTensor dy, List<DTensor> dx) {
        for (DTensor d : dx) be.axpy(dy.size(), 1f / xs.size(), dy.buf(), 0, d.buf(), 0);
    }

    @Override
    public Average name(String n) { super.name(n); return this; }

    @Override
    public Average dtype(String policy) { super.dtype(policy); return this; }
}
