package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras Concatenate: joins a list of inputs along {@code axis} (counted with the batch as axis 0, as Keras;
 * default -1, the features). The other dimensions must match. No weights. Masks: concatenated along the time
 * axis when {@code axis} is 1 of a sequence (all ones for an input without one), else the OR of the input masks as
 * {@link Merge} (Keras 3.4 and later take an input without a mask as all ones there, so the OR keeps every step:
 * no mask), as Keras' {@code Concatenate.compute_mask}.
 *
 * <pre>{@code
 * Input a = Input.shape(5, 3), b = Input.shape(5, 2);
 * Node y = new Concatenate().apply(a, b);        // (None, 5, 5)
 * Node t = new Concatenate(1).apply(a, a);       // (None, 10, 3)
 * }</pre>
 */
public class Concatenate extends Merge {
    private final int axis;

    /** Concatenates along the last axis, as Keras' default {@code axis=-1}. */
    public Concatenate() { this(-1); }

    /** {@code axis}: Keras' axis, batch included (1 = time for sequences, -1 = last); not the batch axis. */
    public Concatenate(int axis) {
        if (axis == 0) throw new IllegalArgumentException("Concatenate: axis 0 is the batch axis; expected an axis >= 1 or < 0");
        this.axis = axis;
    }

    @Override
    public String kerasClass() { return "Concatenate"; }

    @Override
    boolean broadcasts() { return false; }

    /** The axis as given (Keras counting, batch = 0). */
    public int axis() { return axis; }

    /** The concatenation axis within a per-sample shape of {@code rank} dimensions. */
    private int sampleAxis(int rank) {
        int a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 1 || a > rank) {
            throw new IllegalArgumentException(name() + ": axis " + axis + " is out of range for inputs of rank " + (rank + 1)
                    + " (batch included)");
        }
        return a - 1;
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        checkCount(in);
        int[] out = in.get(0).clone();
        int pa = sampleAxis(out.length);
        for (int i = 1; i < in.size(); i++) {
            int[] s = in.get(i);
            boolean fits = s.length == out.length;
            for (int d = 0; fits && d < s.length; d++) {
                if (d == pa) out[d] = out[d] < 0 || s[d] < 0 ? -1 : out[d] + s[d];
                else if (out[d] == -1) out[d] = s[d];
                else fits = s[d] == -1 || s[d] == out[d];
            }
            if (!fits) {
                throw new IllegalArgumentException(name() + ": Concatenate needs inputs with matching shapes except for the concat axis "
                        + axis + ", got " + Layers.withBatch(in.get(0)) + " and " + Layers.withBatch(s) + " (input " + i + ")");
            }
        }
        return List.of(out);
    }

    /** Rows before the axis (batch included) times the size from the axis on, for each input: a [rows, width] view. */
    private static int width(DTensor x, int from) {
        int w = 1;
        for (int d = from; d < x.rank(); d++) w *= x.dim(d);
        return w;
    }

    @Override
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> owned) {
        int[] shape = xs.get(0).shape();
        int a = sampleAxis(shape.length - 1) + 1;
        shape[a] = 0;
        for (DTensor x : xs) shape[a] += x.dim(a);
        DTensor y = DTensor.zeros(be, shape);
        owned.add(y);
        int total = width(y, a), rows = (int) (y.size() / Math.max(1, total)), off = 0;
        for (DTensor x : xs) {
            int w = width(x, a);
            be.copy2d(rows, w, x.buf(), 0, w, y.buf(), off, total);
            off += w;
        }
        return y;
    }

    @Override
    void mergeBackward(Backend be, List<DTensor> xs, DTensor dy, List<DTensor> dx) {
        int a = sampleAxis(dy.rank() - 1) + 1;
        int total = width(dy, a), rows = (int) (dy.size() / Math.max(1, total)), off = 0;
        for (int i = 0; i < xs.size(); i++) {
            int w = width(xs.get(i), a);
            be.copy2d(rows, w, dy.buf(), off, total, dx.get(i).buf(), 0, w);
            off += w;
        }
    }

    @Override
    DTensor outputMask(Backend be, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) {
        int rank = xs.get(0).rank();
        if (rank < 3 || sampleAxis(rank - 1) != 0) return super.outputMask(be, xs, masks, owned);
        boolean any = false;
        for (DTensor m : masks) any |= m != null;
        if (!any) return null;
        // along time: the masks side by side, all ones for an input without a mask
        int b = xs.get(0).dim(0), steps = 0;
        for (DTensor x : xs) steps += x.dim(1);
        DTensor out = DTensor.zeros(be, b, steps);
        owned.add(out);
        be.fill(out.buf(), 0, out.size(), 1f);
        int off = 0;
        for (int i = 0; i < xs.size(); i++) {
            int t = xs.get(i).dim(1);
            DTensor m = masks.get(i);
            if (m != null) {
                if (m.rank() != 2 || m.dim(0) != b || m.dim(1) != t) {
                    throw new IllegalArgumentException(name() + ": mask of input " + i + " expected shape (" + b + ", " + t + "), got "
                            + dev.jrnn.tensor.Tensor.shapeString(m.shape()));
                }
                be.copy2d(b, t, m.buf(), 0, t, out.buf(), off, steps);
            }
            off += t;
        }
        return out;
    }

    @Override
    public Concatenate name(String n) { super.name(n); return this; }

    @Override
    public Concatenate dtype(String policy) { super.dtype(policy); return this; }
}
