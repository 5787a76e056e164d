package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Base of {@link Maximum} and {@link Minimum}: the inputs side by side as a [n, k] matrix (k inputs, n values each,
 * the minimum's negated) whose row maxima {@link Backend#maxOverSteps} takes. As Keras' {@code
 * _apply_merge_op_and_or_mask}, an input's masked steps take no part (they enter as -Float.MAX_VALUE), and a step no
 * input keeps (every input masked) takes the first input's value. The gradient goes to the input that gave the
 * value; inputs tied for it share it as the left fold {@code max(max(x0, x1), x2)} with each tie halved (what Keras
 * on JAX and PyTorch give: 1/2 each for two inputs, 1/4, 1/4, 1/2 for three; Keras on TensorFlow gives all of it to
 * the first).
 */
abstract class Extremum extends Merge {
    /** +1 for the maximum, -1 for the minimum (taken as minus the maximum of the negated inputs). */
    abstract float sign();

    /** The stacked, signed inputs and their row maxima; tensors to {@code owned}. */
    private record Stack(DTensor st, DTensor ymax, DTensor keep) {}

    private Stack stack(Backend be, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) {
        int k = xs.size();
        int n = (int) xs.get(0).size();
        DTensor st = DTensor.zeros(be, n, k);
        owned.add(st);
        for (int j = 0; j < k; j++) {
            DTensor x = xs.get(j), m = masks.get(j);
            if (m != null) {
                // (x * m) - MAX * (1 - m): a masked step never wins
                DTensor v = DTensor.zeros(be, x.shape()), pen = DTensor.zeros(be, x.shape());
                owned.add(v);
                owned.add(pen);
                int rows = steps(x, m);
                be.maskedMulRows(rows, (int) (n / rows), x.buf(), 0, m.buf(), 0, v.buf(), 0);
                be.fill(pen.buf(), 0, n, -Float.MAX_VALUE);
                be.maskedMulRows(rows, (int) (n / rows), pen.buf(), 0, complement(be, m, owned).buf(), 0, pen.buf(), 0);
                be.axpy(n, sign(), v.buf(), 0, pen.buf(), 0);
                x = pen;
            } else if (sign() < 0) {
                x = copyOf(be, x, owned);
                be.scale(n, -1f, x.buf(), 0);
            }
            be.copy2d(n, 1, x.buf(), 0, 1, st.buf(), j, k);
        }
        DTensor ymax = DTensor.zeros(be, xs.get(0).shape());
        owned.add(ymax);
        be.maxOverSteps(n, k, 1, st.buf(), 0, ymax.buf(), 0);
        return new Stack(st, ymax, outputMask(be, xs, masks, owned));
    }

    /** Without masks: the masked path with none. */
    @Override
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> owned) {
        return merge(be, xs, noMasks(xs), owned);
    }

    @Override
    void mergeBackward(Backend be, List<DTensor> xs, DTensor dy, List<DTensor> dx) {
        mergeBackward(be, xs, noMasks(xs), dy, dx);
    }

    private static List<DTensor> noMasks(List<DTensor> xs) {
        return java.util.Arrays.asList(new DTensor[xs.size()]);
    }

    @Override
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) {
        Stack s = stack(be, xs, masks, owned);
        DTensor y = copyOf(be, s.ymax, owned);
        be.scale(y.size(), sign(), y.buf(), 0);
        if (s.keep != null) {
            // a step no input keeps: the first input's value
            int rows = steps(y, s.keep);
            be.maskedMulRows(rows, (int) (y.size() / rows), y.buf(), 0, s.keep.buf(), 0, y.buf(), 0);
            DTensor first = copyOf(be, xs.get(0), owned);
            be.maskedMulRows(rows, (int) (y.size() / rows), first.buf(), 0, complement(be, s.keep, owned).buf(), 0, first.buf(), 0);
            be.axpy(y.size(), 1f, first.buf(), 0, y.buf(), 0);
        }
        return y;
    }

    @Override
    void mergeBackward(Backend be, List<DTensor> xs, List<DTensor> masks, DTensor dy, List<DTensor> dx) {
        List<DTensor> tmp = new ArrayList<>();
        try {
            Stack s = stack(be, xs, masks, tmp);
            int n = (int) dy.size(), k = xs.size();
            DTensor g = copyOf(be, dy, tmp);
            be.scale(n, sign(), g.buf(), 0);
            int rows = s.keep == null ? 0 : steps(g, s.keep);
            if (s.keep != null) be.maskedMulRows(rows, n / rows, g.buf(), 0, s.keep.buf(), 0, g.buf(), 0);
            DTensor dst = foldBackward(be, s, n, k, g, tmp);
            for (int j = 0; j < k; j++) {
                DTensor d = dx.get(j);
                be.copy2d(n, 1, dst.buf(), j, k, d.buf(), 0, 1);
                be.scale(n, sign(), d.buf(), 0);
                DTensor m = masks.get(j);
                if (m != null) be.maskedMulRows((int) m.size(), (int) (n / m.size()), d.buf(), 0, m.buf(), 0, d.buf(), 0);
            }
            if (s.keep != null) {
                DTensor rest = copyOf(be, dy, tmp);
                be.maskedMulRows(rows, n / rows, rest.buf(), 0, complement(be, s.keep, tmp).buf(), 0, rest.buf(), 0);
                be.axpy(n, 1f, rest.buf(), 0, dx.get(0).buf(), 0);
            }
        } finally {
            for (DTensor d : tmp) d.close();
        }
    }

    /**
     * The gradient of the left fold {@code max(max(max(x0, x1), x2), ...)} that Keras on JAX and PyTorch compute, as a
     * [n, k] matrix: walking back from the last input, an input above the running maximum of those before it takes all
     * of what remains, one below it none, one equal to it half (the pair's tie), passing the rest on; the first input
     * takes what is left. Three tied inputs get 1/4, 1/4, 1/2 (not 1/3 each). Each pair goes through
     * {@link Backend#maxOverStepsBackward} with two steps, so every backend computes it with the kernels it has.
     */
    private static DTensor foldBackward(Backend be, Stack s, int n, int k, DTensor g, List<DTensor> tmp) {
        DTensor dst = owned(DTensor.zeros(be, n, k), tmp), prefix = owned(DTensor.zeros(be, n, k), tmp);
        DTensor pair = owned(DTensor.zeros(be, n, 2), tmp), dpair = owned(DTensor.zeros(be, n, 2), tmp);
        DTensor out = owned(DTensor.zeros(be, n), tmp), rest = copyOf(be, g, tmp);
        // prefix column j: the maximum of inputs 0 .. j-1 (column 0 unused); the last fold's result is ymax
        if (k > 1) be.copy2d(n, 1, s.st.buf(), 0, k, prefix.buf(), 1, k);
        for (int j = 1; j < k - 1; j++) {
            pair(be, s, n, k, prefix, j, pair);
            be.maxOverSteps(n, 2, 1, pair.buf(), 0, out.buf(), 0);
            be.copy2d(n, 1, out.buf(), 0, 1, prefix.buf(), j + 1, k);
        }
        for (int j = k - 1; j >= 1; j--) {
            pair(be, s, n, k, prefix, j, pair);
            if (j == k - 1) be.copy2d(n, 1, s.ymax.buf(), 0, 1, out.buf(), 0, 1);
            else be.copy2d(n, 1, prefix.buf(), j + 1, k, out.buf(), 0, 1);
            be.maxOverStepsBackward(n, 2, 1, pair.buf(), 0, out.buf(), 0, rest.buf(), 0, dpair.buf(), 0);
            be.copy2d(n, 1, dpair.buf(), 1, 2, dst.buf(), j, k);
            be.copy2d(n, 1, dpair.buf(), 0, 2, rest.buf(), 0, 1);
        }
        be.copy2d(n, 1, rest.buf(), 0, 1, dst.buf(), 0, k);
        return dst;
    }

    /** The fold's pair at input {@code j}: the maximum of the inputs before it, then input j. */
    private static void pair(Backend be, Stack s, int n, int k, DTensor prefix, int j, DTensor pair) {
        be.copy2d(n, 1, prefix.buf(), j, k, pair.buf(), 0, 2);
        be.copy2d(n, 1, s.st.buf(), j, k, pair.buf(), 1, 2);
    }

    private static DTensor owned(DTensor t, List<DTensor> tmp) {
        tmp.add(t);
        return t;
    }

    /** {@code 1 - m}, a new tensor to {@code owned}. */
    static DTensor complement(Backend be, DTensor m, List<DTensor> owned) {
        DTensor c = DTensor.zeros(be, m.shape());
        owned.add(c);
        be.fill(c.buf(), 0, c.size(), 1f);
        be.axpy(c.size(), -1f, m.buf(), 0, c.buf(), 0);
        return c;
    }

    /** The mask's step count (its size) after checking that it leads x's shape, as {@code (batch, timesteps)}. */
    private int steps(DTensor x, DTensor m) {
        boolean fits = m.size() > 0 && m.rank() >= 1 && m.rank() <= x.rank();
        for (int d = 0; fits && d < m.rank(); d++) fits = m.dim(d) == x.dim(d);
        if (!fits) {
            throw new IllegalArgumentException(name() + ": expected a mask of shape (batch, timesteps) leading the input's "
                    + dev.jrnn.tensor.Tensor.shapeString(x.shape()) + ", got " + dev.jrnn.tensor.Tensor.shapeString(m.shape()));
        }
        return (int) m.size();
    }
}
