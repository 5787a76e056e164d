package dev.jrnn.losses;

/**
 * Keras' {@code FalseNegatives}: the weighted number of false negatives (a positive target predicted at or below the
 * threshold) over the epoch, every element of the output one data point; Keras' docstring: {@code m.update_state([0, 1,
 * 1, 1], [0, 1, 0, 0]) gives 2}. Thresholds default to 0.5; several give one value each, logged as {@code
 * false_negatives_0}, {@code false_negatives_1}, ... Logged as "false_negatives" by default.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new FalseNegatives(), new FalseNegatives().thresholds(0.3, 0.7).name("fn_at"));
 * }</pre>
 */
public final class FalseNegatives extends ConditionCount<FalseNegatives> {
    /** Keras' defaults: threshold 0.5, name "false_negatives" (the next object made "false_negatives_1", ..., as Keras 3 numbers them). */
    public FalseNegatives() { super("FalseNegatives", "false_negatives", ConfusionCounts.Counts::fn, false); }
}
