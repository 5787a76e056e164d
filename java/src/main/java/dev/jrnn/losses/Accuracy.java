package dev.jrnn.losses;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code keras.metrics.Accuracy} class: per row the mean of {@code y == p} over the last axis (exact equality, no
 * threshold, no argmax), averaged over the epoch. Not the name "accuracy", which compile resolves from the loss to binary,
 * categorical or sparse categorical accuracy ({@link Metric#ACCURACY}), as Keras resolves its string; a Keras file that
 * holds the class compiles to this.
 *
 * <pre>{@code
 * model.compile("adam", "mse", new Accuracy());   // keras.metrics.Accuracy(): predictions that equal their targets
 * }</pre>
 */
public final class Accuracy extends RowMeanMetric {
    /** Keras' default name "accuracy". */
    public Accuracy() { super("accuracy"); }

    /** The name it is logged under. */
    public Accuracy name(String n) {
        rename("Accuracy.name", n);
        return this;
    }

    @Override public boolean sparse() { return false; }

    @Override
    double row(int r, int cols, float[] pred, float[] target) {
        int o = r * cols, hits = 0;
        for (int c = 0; c < cols; c++) if (target[o + c] == pred[o + c]) hits++;
        return (double) hits / cols;
    }

    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        return Metric.kerasObject("Accuracy", c);
    }

    static Accuracy fromConfig(Map<?, ?> c) {
        Accuracy m = new Accuracy();
        if (c.get("name") instanceof String s && !s.isBlank()) m.name(s.trim());
        return m;
    }
}
