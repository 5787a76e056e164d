package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras Multiply: the elementwise product of a list of inputs of one shape; no weights; masks merged as
 * {@link Merge}. As Keras 3.4 and later, an input's masked steps count as 1 in the product, and when every input
 * has a mask the steps that none keeps are 0.
 *
 * <pre>{@code
 * Input a = Input.shape(4), b = Input.shape(4);
 * Node y = new Multiply().apply(a, b);   // (None, 4), a * b
 * }</pre>
 */
public class Multiply extends Merge {
    /** Keras' {@code Multiply()}: apply it to a list of inputs of one shape (or shapes that broadcast). */
    public Multiply() {}

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
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) {
        DTensor y = merge(be, maskedAsOne(be, xs, masks, owned), owned);
        DTensor keep = outputMask(be, xs, masks, owned);
        if (keep != null) mulSteps(be, y, keep, y);
        return y;
    }

    /** The product rule over the inputs as the forward multiplied them; no gradient reaches a masked step's value. */
    @Override
    void mergeBackward(Backend be, List<DTensor> xs, List<DTensor> masks, DTensor dy, List<DTensor> dx) {
        List<DTensor> tmp = new ArrayList<>();
        try {
            DTensor keep = outputMask(be, xs, masks, tmp), g = dy;
            if (keep != null) {
                g = copyOf(be, dy, tmp);
                mulSteps(be, g, keep, g);
            }
            mergeBackward(be, maskedAsOne(be, xs, masks, tmp), g, dx);
            for (int i = 0; i < xs.size(); i++) if (masks.get(i) != null) mulSteps(be, dx.get(i), masks.get(i), dx.get(i));
        } finally {
            for (DTensor d : tmp) d.close();
        }
    }

    /** The inputs with each masked step's values replaced by 1, Keras' {@code where(m, x, 1)} (new tensors to {@code owned}). */
    private List<DTensor> maskedAsOne(Backend be, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) {
        List<DTensor> out = new ArrayList<>();
        DTensor ones = null;
        for (int i = 0; i < xs.size(); i++) {
            DTensor x = xs.get(i), m = masks.get(i);
            if (m == null) {
                out.add(x);
                continue;
            }
            if (ones == null) {
                ones = DTensor.zeros(be, x.shape());
                owned.add(ones);
                be.fill(ones.buf(), 0, ones.size(), 1f);
            }
            // where(m, x, 1) exactly: x or 0, plus 1 where masked ((x - 1) * m + 1 rounds a small x to 0 in float32)
            DTensor d = DTensor.zeros(be, x.shape()), one = DTensor.zeros(be, x.shape());
            owned.add(d);
            owned.add(one);
            mulSteps(be, x, m, d);
            mulSteps(be, ones, Extremum.complement(be, m, owned), one);
            be.axpy(d.size(), 1f, one.buf(), 0, d.buf(), 0);
            out.add(d);
        }
        return out;
    }

    /**
     * {@code y = m ? x : 0} with the [B, T] mask m spread over each step's features (a NaN at a masked step stays out,
     * as Keras' where).
     */
    private void mulSteps(Backend be, DTensor x, DTensor m, DTensor y) {
        // the leading dims must match, not only the sizes divide: a (3, 2) mask on a (2, 3, 4) input would mask the wrong steps
        boolean fits = m.size() > 0 && m.rank() >= 1 && m.rank() <= x.rank();
        for (int d = 0; fits && d < m.rank(); d++) fits = m.dim(d) == x.dim(d);
        if (!fits) {
            int[] want = java.util.Arrays.copyOf(x.shape(), Math.min(2, x.rank()));
            throw new IllegalArgumentException(name() + ": expected a mask of shape " + dev.jrnn.tensor.Tensor.shapeString(want)
                    + " (batch, timesteps) for an input of shape " + dev.jrnn.tensor.Tensor.shapeString(x.shape()) + ", got "
                    + dev.jrnn.tensor.Tensor.shapeString(m.shape()));
        }
        be.maskedMulRows((int) m.size(), (int) (x.size() / m.size()), x.buf(), 0, m.buf(), 0, y.buf(), 0);
    }

    @Override
    public Multiply name(String n) { super.name(n); return this; }

    @Override
    public Multiply dtype(String policy) { super.dtype(policy); return this; }
}
