package dev.jrnn.losses;

/**
 * Keras' {@code TrueNegatives}: the weighted number of true negatives (a zero target predicted at or below the
 * threshold) over the epoch, every element of the output one data point; Keras' docstring: {@code m.update_state([0, 1,
 * 0, 0], [1, 1, 0, 0]) gives 2}. Thresholds default to 0.5; several give one value each, logged as {@code
 * true_negatives_0}, {@code true_negatives_1}, ... Logged as "true_negatives" by default.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new TrueNegatives(), new TrueNegatives().thresholds(0.3, 0.7).name("tn_at"));
 * }</pre>
 */
public final class TrueNegatives extends ConditionCount<TrueNegatives> {
    /** Keras' defaults: threshold 0.5, name "true_negatives" (the next object made "true_negatives_1", ..., as Keras 3 numbers them). */
    public TrueNegatives() { super("TrueNegatives", "true_negatives", ConfusionCounts.Counts::tn, true); }
}
