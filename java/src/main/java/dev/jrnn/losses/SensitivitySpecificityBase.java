package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code SensitivitySpecificityBase}, which {@link PrecisionAtRecall}, {@link RecallAtPrecision},
 * {@link SensitivityAtSpecificity} and {@link SpecificityAtSensitivity} are: the epoch's confusion counts at
 * {@code numThresholds} thresholds (default 200: 0, 1/(n-1), ..., 1; one threshold is 0.5), then the largest value of
 * one rate among the thresholds where another reaches the value given (0 where none does). Every element of the output
 * is one data point, or only the column {@link #classId} when set. Maximised by monitor mode "auto", as Keras'.
 */
abstract class SensitivitySpecificityBase<T extends SensitivitySpecificityBase<T>> extends CountingMetric {
    /** Which rate is constrained and which maximised. */
    enum Rate { SENSITIVITY, SPECIFICITY, PRECISION }

    private final String cls, valueKey;
    private final Rate constrained, dependent;
    private final double value;
    private int numThresholds = 200;
    private Integer classId;

    /** {@code valueKey} is Keras' argument ("recall"), {@code value} its value, checked here to lie in [0, 1]. */
    SensitivitySpecificityBase(String cls, String name, String valueKey, double value, Rate constrained, Rate dependent) {
        // checked before the default name is drawn: a refused value takes no number, as Keras checks it before naming
        if (!(value >= 0 && value <= 1)) throw new IllegalArgumentException(cls + ": " + valueKey + " must be in [0, 1], got " + value);
        super(name, true);
        this.cls = cls;
        this.valueKey = valueKey;
        this.value = value;
        this.constrained = constrained;
        this.dependent = dependent;
    }

    @SuppressWarnings("unchecked")
    private T self() { return (T) this; }

    /** How many thresholds, at least 1 (Keras' {@code num_thresholds}, default 200). */
    public T numThresholds(int n) {
        if (n < 1) throw new IllegalArgumentException(cls + ".numThresholds must be an integer > 0, got " + n);
        this.numThresholds = n;
        return self();
    }

    /** Only this column of the output counts (Keras' {@code class_id}, at least 0 and below the output's columns); null: all. */
    public T classId(Integer c) {
        if (c != null && c < 0) throw new IllegalArgumentException(cls + ".classId must be null or an integer >= 0, got " + c);
        this.classId = c;
        return self();
    }

    /** The name it is logged under (Keras' default: the class name in snake case). */
    public T name(String n) {
        rename(cls + ".name", n);
        return self();
    }

    /** Keras' thresholds: 0, (i + 1) / (n - 1) for i below n - 2, 1, bucketed by arithmetic; a single one is 0.5. */
    private ConfusionCounts counts() {
        if (numThresholds == 1) return new ConfusionCounts(new float[] {0.5f}, false);
        float[] t = new float[numThresholds];
        for (int i = 1; i < numThresholds - 1; i++) t[i] = (float) (i * 1.0 / (numThresholds - 1));
        t[numThresholds - 1] = 1;
        return new ConfusionCounts(t, true);
    }

    /** A class id must name a column of the output (Keras indexes the last axis with it). */
    @Override
    public void checkOutput(String output, int[] shape) {
        ConfusionCounts.checkClassId(cls, key(), classId, output, shape);
    }

    @Override public final int stateSize(int cols) { return counts().stateSize(); }

    @Override
    public final void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        counts().add(rows, cols, classId == null ? -1 : classId, pred, target, weights, false, state);
    }

    /** Keras' _find_max_under_constraint: the max of the dependent rate where the constrained one (float32) >= the value. */
    @Override
    public final double[] result(double[] state, int cols) {
        ConfusionCounts.Counts k = counts().counts(state);
        double best = 0;
        for (int i = 0; i < k.tp().length; i++) {
            if ((float) rate(constrained, k, i) >= (float) value) best = Math.max(best, rate(dependent, k, i));
        }
        return new double[] {best};
    }

    private static double rate(Rate r, ConfusionCounts.Counts k, int i) {
        return switch (r) {
            case SENSITIVITY -> ConfusionCounts.divideNoNan(k.tp()[i], k.tp()[i] + k.fn()[i]);
            case SPECIFICITY -> ConfusionCounts.divideNoNan(k.tn()[i], k.tn()[i] + k.fp()[i]);
            case PRECISION -> ConfusionCounts.divideNoNan(k.tp()[i], k.tp()[i] + k.fp()[i]);
        };
    }

    @Override
    public final Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("class_id", classId);
        c.put("num_thresholds", numThresholds);
        c.put(valueKey, value);
        return Metric.kerasObject(cls, c);
    }

    /** The value of a Keras config's {@code key} ("recall", ...), which must be a number. */
    static double value(String cls, Map<?, ?> c, String key) {
        if (!(c.get(key) instanceof Number v)) throw new IllegalArgumentException(cls + " needs " + key + ", a number in [0, 1], got " + c.get(key));
        return v.doubleValue();
    }

    /** {@code m} with the other options of a Keras config (name, num_thresholds, class_id). */
    static <T extends SensitivitySpecificityBase<T>> T fromConfig(T m, Map<?, ?> c) {
        if (c.get("name") instanceof String s) m.name(s);
        if (c.get("num_thresholds") instanceof Number n) m.numThresholds(n.intValue());
        if (c.get("class_id") instanceof Number id) m.classId(id.intValue());
        return m;
    }
}
