package dev.jrnn.losses;

import java.util.Map;

/**
 * Keras' {@code SparseTopKCategoricalAccuracy} with its k: whether the target class index is among the k highest
 * predictions (ties count in), averaged over the epoch; for a sparse loss's class-index targets. Keras' docstring: k 1 on
 * [2, 1] against [[0.1, 0.9, 0.8], [0.05, 0.95, 0]] gives 0.5. The name "sparse_top_k_categorical_accuracy" gives the
 * k-5 {@link Metric#SPARSE_TOP_K_CATEGORICAL_ACCURACY}; Keras' {@code from_sorted_ids} is not supported.
 *
 * <pre>{@code
 * model.compile("adam", "sparse_categorical_crossentropy", new SparseTopKCategoricalAccuracy().k(3));
 * }</pre>
 */
public final class SparseTopKCategoricalAccuracy extends TopKAccuracy<SparseTopKCategoricalAccuracy> {
    /** Keras' defaults: k 5, name "sparse_top_k_categorical_accuracy". */
    public SparseTopKCategoricalAccuracy() { super("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy"); }

    @Override public boolean sparse() { return true; }

    @Override
    double row(int r, int cols, float[] pred, float[] target) {
        return inTopK(pred, r * cols, cols, (int) Math.round(target[r]), k) ? 1 : 0;
    }

    static SparseTopKCategoricalAccuracy fromConfig(Map<?, ?> c) {
        if (Boolean.TRUE.equals(c.get("from_sorted_ids"))) {
            throw new IllegalArgumentException("metric SparseTopKCategoricalAccuracy with from_sorted_ids true is not supported");
        }
        return fromConfig(new SparseTopKCategoricalAccuracy(), c);
    }
}
