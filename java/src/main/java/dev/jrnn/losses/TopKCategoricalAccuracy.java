package dev.jrnn.losses;

import java.util.LinkedHashMap;
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
public final class TopKCategoricalAccuracy extends RowMeanMetric {
    private int k = Metric.TOP_K;

    /** Keras' defaults: k 5, name "top_k_categorical_accuracy". */
    public TopKCategoricalAccuracy() { super("top_k_categorical_accuracy"); }

    /** How many of the highest predictions are looked at. */
    public TopKCategoricalAccuracy k(int k) {
        if (k < 1) throw new IllegalArgumentException("TopKCategoricalAccuracy.k must be >= 1, got " + k);
        this.k = k;
        return this;
    }

    /** The name it is logged under. */
    public TopKCategoricalAccuracy name(String n) {
        rename("TopKCategoricalAccuracy.name", n);
        return this;
    }

    @Override public boolean sparse() { return false; }

    @Override
    double row(int r, int cols, float[] pred, float[] target) {
        int o = r * cols, best = 0;
        for (int i = 1; i < cols; i++) if (target[o + i] > target[o + best]) best = i;
        return inTopK(pred, o, cols, best, k) ? 1 : 0;
    }

    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("k", k);
        return Metric.kerasObject("TopKCategoricalAccuracy", c);
    }

    static TopKCategoricalAccuracy fromConfig(Map<?, ?> c) {
        TopKCategoricalAccuracy m = new TopKCategoricalAccuracy();
        if (c.get("name") instanceof String s) m.name(s);
        return m.k(whole("TopKCategoricalAccuracy", "k", c.get("k"), Metric.TOP_K));
    }
}
