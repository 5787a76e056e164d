package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras Multiply: the elementwise product of a list of inputs of one shape; no weights; masks merged as
 * {@link Merge}.
 *
 * <pre>{@code
 * Input a = Input.shape(4), b = Input.shape(4);
 * Node y = new Multiply().apply(a, b);   // (None, 4), a * b
 * }</pre>
 */
public class Multiply extends Merge {
    @Override
    public String kerasClass() { return "Multiply"; }

    @Override
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> owned) {
        DTensor y = copyOf(be, xs.get(0), owned);
        for (int i = 1; i < xs.size(); i++) be.mul(y.size(), y.buf(), 0, xs.get(i).buf(), 0, y.buf(), 0);
        return y;
    }

    /** dx_i = dy times the product of the other inputs (no division, so zeros in the inputs are fine). */
    @Override
    void mergeBackward(Backend be, List<DTensor> xs, DTensor dy, List<DTensor> dx) {
        long n = dy.size();
        for (int i = 0; i < xs.size(); i++) {
            DTensor d = dx.get(i);
            be.copy(dy.buf(), 0, d.buf(), 0, n);
            for (int j = 0; j < xs.size(); j++) if (j != i) be.mul(n, d.buf(), 0, xs.get(j).buf(), 0, d.buf(), 0);
        }
    }

    @Override
    public Multiply name(String n) { super.name(n); return this; }
}
