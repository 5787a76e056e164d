package dev.jrnn.layers;

import dev.jrnn.tensor.Tensor;

import java.util.Arrays;

/**
 * Keras' {@code Normalization} axes resolved for one per-sample input shape, as its {@code build}: the kept axes
 * (sorted, the batch axis never among them), the statistics' shape (the kept dimensions; (1) for none, Keras' scalar),
 * and where each input value finds its statistic. When the kept axes are the trailing ones the statistics are one row
 * vector of {@link #cols} values applied to every row of the input; otherwise they are spread over a block of
 * {@link #cols} values (from the first kept axis to the last axis) by {@link #keptIndex(int[], int)}.
 */
final class NormalizationAxes {
    /** Kept axes as per-sample indices (Keras' axis minus one), sorted. */
    final int[] keep;
    /** The statistics' shape: the kept dimensions, or {1} when none is kept. */
    final int[] statShape;
    /** How many statistics: the product of {@link #statShape}. */
    final int stats;
    /** Whether the kept axes are the last ones (none kept counts too): the statistics are then a row vector. */
    final boolean trailing;
    /** The values one row vector (or block) covers: {@link #stats} when trailing, else the dimensions from the first kept axis on. */
    final int cols;

    private NormalizationAxes(int[] keep, int[] sample) {
        this.keep = keep;
        int[] dims = new int[keep.length];
        for (int i = 0; i < keep.length; i++) dims[i] = sample[keep[i]];
        this.statShape = keep.length == 0 ? new int[] {1} : dims;
        this.stats = (int) Tensor.size(statShape);
        boolean t = true;
        for (int i = 0; i < keep.length; i++) t &= keep[i] == sample.length - keep.length + i;
        this.trailing = t;
        int c = 1;
        if (!t) for (int d = keep[0]; d < sample.length; d++) c = Math.multiplyExact(c, sample[d]);
        this.cols = t ? stats : c;
    }

    /**
     * Resolves Keras' {@code axis} (counted with the batch axis, negative from the end; empty for {@code None}) for inputs
     * of per-sample shape {@code sample}, with Keras' checks: each axis in [-ndim, ndim), not the batch axis (its size is
     * unknown), each once, the kept dimensions known.
     */
    static NormalizationAxes resolve(String layer, int[] axis, int[] sample) {
        int ndim = sample.length + 1;
        int[] keep = new int[axis.length];
        for (int i = 0; i < axis.length; i++) {
            int a = axis[i];
            if (a < -ndim || a >= ndim) {
                throw new IllegalArgumentException(layer + ": axis values must be in [-ndim, ndim), got axis " + Arrays.toString(axis)
                        + " for input " + Layers.withBatch(sample) + " (ndim " + ndim + ")");
            }
            int d = a < 0 ? a + ndim : a;
            if (d == 0) {
                throw new IllegalArgumentException(layer + ": axis " + Arrays.toString(axis) + " keeps the batch axis of input "
                        + Layers.withBatch(sample) + ", whose size is unknown; keep the axes after it");
            }
            keep[i] = d - 1;
        }
        Arrays.sort(keep);
        for (int i = 0; i < keep.length; i++) {
            if (i > 0 && keep[i] == keep[i - 1]) {
                throw new IllegalArgumentException(layer + ": axis " + Arrays.toString(axis) + " names axis " + (keep[i] + 1)
                        + " twice for input " + Layers.withBatch(sample));
            }
            if (sample[keep[i]] <= 0) {
                throw new IllegalArgumentException(layer + ": the kept axes must have a known size, got axis " + Arrays.toString(axis)
                        + " with input " + Layers.withBatch(sample) + ", unknown at axis " + (keep[i] + 1));
            }
        }
        NormalizationAxes ax = new NormalizationAxes(keep, sample);
        long statistics = 1;
        for (int k : keep) statistics *= sample[k];
        if (!ax.trailing && statistics > 1 << 24) {   // their ids reach gatherRows as floats, exact below 2^24
            throw new IllegalArgumentException(layer + ": axis " + Arrays.toString(axis) + " keeps " + statistics + " statistics of input "
                    + Layers.withBatch(sample) + " that are not the trailing axes, more than the 2^24 (16777216) jrnn indexes exactly");
        }
        return ax;
    }

    /** Keras' default axis -1 alone: each feature of the last axis. */
    boolean lastOnly() { return keep.length == 1 && trailing; }

    /**
     * For each value of {@code dims} (a per-sample shape, or its part from axis {@code first} on), the flat index of its
     * statistic: the row-major index over the kept axes ({@code keep} shifted by {@code first}).
     */
    int[] keptIndex(int[] dims, int first) {
        int n = (int) Tensor.size(dims);
        int[] out = new int[n];
        int[] stride = new int[dims.length];   // each axis' step in the statistics' index, 0 for a reduced axis
        int s = 1;
        for (int i = keep.length - 1; i >= 0; i--) {
            stride[keep[i] - first] = s;
            s *= dims[keep[i] - first];
        }
        int[] at = new int[dims.length];
        for (int p = 0; p < n; p++) {
            int k = 0;
            for (int d = 0; d < dims.length; d++) k += at[d] * stride[d];
            out[p] = k;
            for (int d = dims.length - 1; d >= 0 && ++at[d] == dims[d]; d--) at[d] = 0;
        }
        return out;
    }

    /** The per-sample dimensions from the first kept axis on (the block {@link #cols} counts). */
    int[] block(int[] sample) { return Arrays.copyOfRange(sample, keep[0], sample.length); }

    /**
     * Keras' broadcast of a constant {@code mean} / {@code variance} of shape {@code shape} (empty: a scalar) to the
     * statistics' shape: its axes lined up with the kept axes from the right, each of size 1 or the kept size.
     */
    float[] broadcast(String layer, String what, float[] values, int[] shape) {
        if (shape.length > keep.length) {
            throw new IllegalArgumentException(layer + ": the rank of " + what + " must be at most the number of kept axes ("
                    + keep.length + "), got shape " + Tensor.shapeString(shape));
        }
        int[] full = new int[Math.max(keep.length, 1)];
        Arrays.fill(full, 1);
        for (int i = 1; i <= shape.length; i++) {
            int want = statShape[statShape.length - i];
            if (shape[shape.length - i] != 1 && shape[shape.length - i] != want) {
                throw new IllegalArgumentException(layer + ": " + what + " of shape " + Tensor.shapeString(shape) + " cannot be broadcast "
                        + "to the kept axes' shape " + Tensor.shapeString(statShape));
            }
            full[full.length - i] = shape[shape.length - i];
        }
        float[] out = new float[stats];
        int[] at = new int[statShape.length];
        for (int p = 0; p < stats; p++) {
            int src = 0;
            for (int d = 0; d < full.length; d++) src = src * full[d] + (full[d] == 1 ? 0 : at[d]);
            out[p] = values[src];
            for (int d = statShape.length - 1; d >= 0 && ++at[d] == statShape[d]; d--) at[d] = 0;
        }
        return out;
    }
}
