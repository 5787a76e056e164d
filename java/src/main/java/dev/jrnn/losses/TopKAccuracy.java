package dev.jrnn.losses;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Keras' {@code TopKCategoricalAccuracy} and {@code SparseTopKCategoricalAccuracy} share: k (default 5), the name
 * it is logged under, the Keras config ({@code name}, {@code dtype}, {@code k}).
 */
abstract class TopKAccuracy<T extends TopKAccuracy<T>> extends RowMeanMetric {
    final String cls;
    int k = Metric.TOP_K;

    TopKAccuracy(String cls, String name) {
        super(name);
        this.cls = cls;
    }

    @SuppressWarnings("unchecked")
    private T self() { return (T) this; }

    /** How many of the highest predictions are looked at. */
    public T k(int k) {
        if (k < 1) throw new IllegalArgumentException(cls + ".k must be >= 1, got " + k);
        this.k = k;
        return self();
    }

    /** The name it is logged under. */
    public T name(String n) {
        rename(cls + ".name", n);
        return self();
    }

    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("k", k);
        return Metric.kerasObject(cls, c);
    }

    /** {@code m} with a Keras config's name and k. */
    static <T extends TopKAccuracy<T>> T fromConfig(T m, Map<?, ?> c) {
        if (c.get("name") instanceof String s) m.name(s);
        return m.k(whole(m.cls, "k", c.get("k"), Metric.TOP_K));
    }
}
