package dev.jrnn.losses;

/**
 * What Keras' metrics with a {@code thresholds} list share ({@link ConditionCount}: the true/false positive/negative
 * counts; {@link PrecisionRecall}): the Keras class name for messages and the config, the thresholds as given, the name
 * it is logged under, and the confusion counts at the thresholds.
 */
abstract class ThresholdedMetric<T extends ThresholdedMetric<T>> extends CountingMetric {
    final String cls;
    /** The thresholds as given (null: the metric's default). */
    double[] given;

    ThresholdedMetric(String cls, String name) {
        super(name, true);
        this.cls = cls;
    }

    @SuppressWarnings("unchecked")
    final T self() { return (T) this; }

    /** Thresholds in [0, 1]: a prediction above one is a predicted positive; one value is logged per threshold, in this order. */
    public T thresholds(double... t) {
        this.given = Thresholds.check(cls, t);
        return self();
    }

    /** The name it is logged under (Keras' default: the class name in snake case, "true_positives", "precision"). */
    public T name(String n) {
        rename(cls + ".name", n);
        return self();
    }

    /** The counts at the given thresholds, or at {@code dflt} alone. */
    final ConfusionCounts counts(double dflt) { return Thresholds.counts(given, dflt); }
}
