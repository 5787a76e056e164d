package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Keras' {@code _ConfusionMatrixConditionCount}, which {@link TruePositives}, {@link FalsePositives}, {@link TrueNegatives}
 * and {@link FalseNegatives} are: one count per threshold (default 0.5), weighted by the rows' weights, over every element
 * of the output. One threshold logs one value, several one per threshold ({@code true_positives_0}, ...; Keras logs an
 * array).
 */
abstract class ConditionCount<T extends ConditionCount<T>> extends ThresholdedMetric<T> {
    private final Function<ConfusionCounts.Counts, double[]> condition;
    private final boolean up;

    ConditionCount(String cls, String name, Function<ConfusionCounts.Counts, double[]> condition, boolean up) {
        super(cls, name);
        this.condition = condition;
        this.up = up;
    }

    /** True positives and negatives go up; but monitor mode "auto" refuses them all, as Keras 3 (they have no direction there). */
    @Override public final boolean higherIsBetter() { return up; }

    @Override public final boolean hasDirection() { return false; }

    private ConfusionCounts counts() { return counts(0.5); }

    @Override public final int stateSize(int cols) { return counts().stateSize(); }

    @Override
    public final void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        counts().add(rows, cols, -1, pred, target, weights, false, state);
    }

    @Override
    public final double[] result(double[] state, int cols) { return condition.apply(counts().counts(state)); }

    @Override
    public final Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("thresholds", Thresholds.serialized(given));
        return Metric.kerasObject(cls, c);
    }

    /** {@code m} with the options of a Keras config: thresholds a number, a list or null. */
    static <T extends ConditionCount<T>> T fromConfig(T m, Map<?, ?> c) {
        if (c.get("name") instanceof String s) m.name(s);
        double[] t = Thresholds.read(m.cls, c.get("thresholds"));
        if (t != null) m.thresholds(t);
        return m;
    }
}
