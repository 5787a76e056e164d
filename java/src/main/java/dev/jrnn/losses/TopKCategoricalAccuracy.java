package dev.jrnn.losses;

import java.util.Map;

/**
 * Keras' {@code TopKCategoricalAccuracy} with its k: whether the target class (argmax of the one-hot row) is among the k
 * highest predictions (ties count in), averaged over the epoch. Keras' docstring: k 1 on [[0, 0, 1], [0, 1, 0]] against
 * [[0.1, 0.9, 0.8], [0.05, 0.95, 0]] gives 0.5. The name "top_k_categorical_accuracy" gives the k-5
 * {@link Metric#TOP_K_CATEGORICAL_ACCURACY}.
 *
 * <pre>{@code
 * model.compile("adam", "categorical_crossentropy", new TopKCategoricalAccuracy().k(3).name("top3"));
 * }</pre>
 */
public final class TopKCategoricalAccuracy extends TopKAccuracy<TopKCategoricalAccuracy> {
    /** Keras' defaults: k 5, name "top_k_categorical_accuracy". */
    public TopKCategoricalAccuracy() { super("TopKCategoricalAccuracy", "top_k_categorical_accuracy"); }

    @Override public boolean sparse() { return false; }

    @Override
    double row(int r, int cols, float[] pred, float[] target) {
        int o = r * cols, best = 0;
        for (int i = 1; i < cols; i++) if (target[o + i] > target[o + best]) best = i;
        return inTopK(pred, o, cols, best, k) ? 1 : 0;
    }

    static TopKCategoricalAccuracy fromConfig(Map<?, ?> c) {
        return fromConfig(new TopKCategoricalAccuracy(), c);
    }
}
