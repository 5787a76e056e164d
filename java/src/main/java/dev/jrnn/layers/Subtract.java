package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras Subtract: {@code inputs[0] - inputs[1]} for exactly two inputs of one shape; no weights; masks merged as
 * {@link Merge} (the values ignore them, as Keras').
 *
 * <pre>{@code
 * Input a = Input.shape(4), b = Input.shape(4);
 * Node d = new Subtract().apply(a, b);   // (None, 4), a - b
 * }</pre>
 */
public class Subtract extends Merge {
    /** Keras' {@code Subtract()}: apply it to exactly two inputs, the first minus the second. */
    public Subtract() {}

    @Override
    public String kerasClass() { return "Subtract"; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        checkCount(in);
        Merge.requireTwo(this, in.size());
        return super.computeOutputShapes(in);
    }

    @Override
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> owned) {
        DTensor y = copyOf(be, xs.get(0), owned);
        be.axpy(y.size(), -1f, xs.get(1).buf(), 0, y.buf(), 0);
        return y;
    }

    @Override
    void mergeBackward(Backend be, List<DTensor> xs, DTensor dy, List<DTensor> dx) {
        be.copy(dy.buf(), 0, dx.get(0).buf(), 0, dy.size());
        be.axpy(dy.size(), -1f, dy.buf(), 0, dx.get(1).buf(), 0);
    }

    @Override
    public Subtract name(String n) { super.name(n); return this; }

    @Override
    public Subtract dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Subtract seed(long s) { super.seed(s); return this; }

    @Override
    public Subtract trainable(boolean t) { super.trainable(t); return this; }
}
