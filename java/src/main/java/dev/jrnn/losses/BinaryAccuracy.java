package dev.jrnn.losses;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code BinaryAccuracy} with its threshold: per row the mean of {@code y == (p > threshold)} over the last axis,
 * averaged over the epoch. The name "binary_accuracy" gives {@link Metric#BINARY_ACCURACY}, which is this at threshold 0.5.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new BinaryAccuracy().threshold(0.7));
 * }</pre>
 */
public final class BinaryAccuracy extends RowMeanMetric {
    private double threshold = 0.5;

    /** Keras' defaults: threshold 0.5, name "binary_accuracy". */
    public BinaryAccuracy() { super("binary_accuracy"); }

    /** A prediction above it is a 1 (Keras takes any number; 0 for logits). */
    public BinaryAccuracy threshold(double t) {
        if (!Double.isFinite(t)) throw new IllegalArgumentException("BinaryAccuracy.threshold must be a finite number, got " + t);
        this.threshold = t;
        return this;
    }

    /** The name it is logged under. */
    public BinaryAccuracy name(String n) {
        rename("BinaryAccuracy.name", n);
        return this;
    }

    @Override public boolean sparse() { return false; }

    @Override
    double row(int r, int cols, float[] pred, float[] target) {
        float t = (float) threshold;   // Keras compares in the predictions' float32
        int o = r * cols, hits = 0;
        for (int c = 0; c < cols; c++) if (target[o + c] == (pred[o + c] > t ? 1f : 0f)) hits++;
        return (double) hits / cols;
    }

    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("threshold", threshold);
        return Metric.kerasObject("BinaryAccuracy", c);
    }

    static BinaryAccuracy fromConfig(Map<?, ?> c) {
        BinaryAccuracy m = new BinaryAccuracy();
        if (c.get("name") instanceof String s) m.name(s);
        Object t = c.get("threshold");
        if (t != null && !(t instanceof Number)) throw new IllegalArgumentException("BinaryAccuracy threshold must be a number, got " + t);
        if (t instanceof Number n) m.threshold(n.doubleValue());
        return m;
    }
}
