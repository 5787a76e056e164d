package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

/**
 * What Keras' MeanMetricWrapper metric objects with options share ({@link BinaryAccuracy}, {@link TopKCategoricalAccuracy},
 * {@link SparseTopKCategoricalAccuracy}): one value per row, their weighted mean over the epoch (a sum and a weight sum,
 * 0 with no weight), the mask read as the weights (Keras passes it to its MeanMetricWrapper metrics), a larger value better.
 */
abstract class RowMeanMetric extends NamedMetric {
    RowMeanMetric(String name) { super(name); }

    /** Row {@code r}'s value: its {@code cols} predictions from {@code r * cols}, its targets likewise (one class index at r if sparse). */
    abstract double row(int r, int cols, float[] pred, float[] target);

    @Override public boolean higherIsBetter() { return true; }
    @Override public final boolean usesMask() { return true; }
    @Override public final boolean suits(Loss loss) { return sparse() == loss.sparse(); }
    @Override public final int stateSize(int cols) { return 2; }

    @Override
    public final void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        for (int r = 0; r < rows; r++) {
            double w = weights == null ? 1 : weights[r];
            state[0] += w * row(r, cols, pred, target);   // every row, as Keras' Mean (its values compare, so never NaN)
            state[1] += w;
        }
    }

    @Override
    public final double[] result(double[] state, int cols) { return new double[] {state[1] > 0 ? state[0] / state[1] : 0.0}; }

    /** Keras' in_top_k: the target's prediction is at least the k-th highest (fewer than k are strictly higher; ties count in). */
    static boolean inTopK(float[] p, int off, int n, int target, int k) {
        if (target < 0 || target >= n) return false;
        float t = p[off + target];
        if (Float.isNaN(t)) return false;   // no value is above a NaN, yet it is in no top k (Keras on JAX: NaN as -inf)
        int higher = 0;
        for (int i = 0; i < n; i++) if (p[off + i] > t) higher++;
        return higher < k;
    }

    /** A whole number of a Keras config, or {@code dflt} when absent. */
    static int whole(String cls, String key, Object v, int dflt) {
        if (v == null) return dflt;
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.intValue();
        throw new IllegalArgumentException(cls + " " + key + " must be a whole number, got " + v);
    }
}
