package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checked host data of a fit/evaluate/predict call: one tensor per input, one target per output (null
 * for an output without one; {@code ys} null when predicting), optional sequence lengths, and the sample
 * rows in use (a validation split shares the tensors).
 */
record Data(List<Tensor> xs, List<Tensor> ys, int[] lengths, int[] rows, List<Tensor> weights) {
    Data(List<Tensor> xs, List<Tensor> ys, int[] lengths, int[] rows) {
        this(xs, ys, lengths, rows, null);
    }

    int n() { return rows.length; }

    /** Rows {@code [from, to)} of the rows in use. */
    Data subset(int from, int to) { return new Data(xs, ys, lengths, Arrays.copyOfRange(rows, from, to), weights); }

    /**
     * The same samples with Keras' sample weights {@code w}: per output (null: unweighted) a tensor (n) or (n, T) over the
     * samples of the tensors, by their index ({@link SampleWeights#resolve}); null: none.
     */
    Data withWeights(List<Tensor> w) { return new Data(xs, ys, lengths, rows, w); }

    /**
     * Keras' {@code validation_split}: the last {@code fraction} of the samples (before shuffling) for validation,
     * the rest for training; {@code [this, null]} when the fraction is 0.
     */
    Data[] split(double fraction, String model) {
        if (fraction <= 0) return new Data[] {this, null};
        int at = (int) Math.floor(n() * (1.0 - fraction));
        if (at <= 0 || at >= n()) {
            throw new IllegalArgumentException(model + ".fit: validationSplit " + fraction + " of " + n()
                    + " samples leaves " + at + " for training and " + (n() - at) + " for validation; both need at least one");
        }
        return new Data[] {subset(0, at), subset(at, n())};
    }

    /** Which outputs have a target. */
    boolean[] targets() {
        boolean[] t = new boolean[ys == null ? 0 : ys.size()];
        for (int k = 0; k < t.length; k++) t[k] = ys.get(k) != null;
        return t;
    }

    /** Samples {@code order[from, to)} as one host batch (targets null where there are none). */
    HostBatch batch(int[] order, int from, int to, int outputs) {
        List<Tensor> bx = new ArrayList<>(xs.size());
        for (Tensor x : xs) bx.add(gatherRows(x, order, from, to));
        List<Tensor> by = new ArrayList<>(outputs);
        for (int k = 0; k < outputs; k++) by.add(ys == null || ys.get(k) == null ? null : gatherRows(ys.get(k), order, from, to));
        List<Tensor> bw = null;
        if (weights != null) {
            bw = new ArrayList<>(outputs);
            for (int k = 0; k < outputs; k++) {
                Tensor w = weights.get(k);
                // a weight shared by every output is gathered once
                bw.add(w == null ? null : k > 0 && w == weights.get(k - 1) ? bw.get(k - 1) : gatherRows(w, order, from, to));
            }
        }
        return new HostBatch(bx, lengthMask(order, from, to), by, null, bw);
    }

    /** Rows {@code order[from, to)} of {@code t} (samples first), one after another. */
    private static Tensor gatherRows(Tensor t, int[] order, int from, int to) {
        int row = t.size() / t.dim(0);
        int b = to - from;
        float[] buf = new float[b * row];
        float[] src = t.data();
        for (int i = 0; i < b; i++) System.arraycopy(src, order[from + i] * row, buf, i * row, row);
        int[] shape = t.shape();
        shape[0] = b;
        return Tensor.wrap(buf, shape);
    }

    /** The [b, T] 1/0 mask of post-padded sequences with per-sample lengths, or null without lengths. */
    private Tensor lengthMask(int[] order, int from, int to) {
        if (lengths == null) return null;
        int[] l = new int[to - from];
        for (int i = 0; i < l.length; i++) l[i] = lengths[order[from + i]];
        return lengthMask(l, xs.get(0).dim(1));
    }

    /** The [b, t] 1/0 mask of post-padded sequences whose valid lengths are {@code lengths} (b of them). */
    static Tensor lengthMask(int[] lengths, int t) {
        int b = lengths.length;
        float[] m = new float[b * t];
        for (int i = 0; i < b; i++) Arrays.fill(m, i * t, i * t + lengths[i], 1f);
        return Tensor.wrap(m, b, t);
    }
}
