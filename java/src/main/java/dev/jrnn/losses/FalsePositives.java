package dev.jrnn.losses;

/**
 * Keras' {@code FalsePositives}: the weighted number of false positives (a zero target predicted above the threshold)
 * over the epoch, every element of the output one data point; Keras' docstring: {@code m.update_state([0, 1, 0, 0], [0,
 * 0, 1, 1]) gives 2}. Thresholds default to 0.5; several give one value each, logged as {@code false_positives_0},
 * {@code false_positives_1}, ... Logged as "false_positives" by default.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new FalsePositives(), new FalsePositives().thresholds(0.3, 0.7).name("fp_at"));
 * }</pre>
 */
public final class FalsePositives extends ConditionCount<FalsePositives> {
    /** Keras' defaults: threshold 0.5, name "false_positives" (the next object made "false_positives_1", ..., as Keras 3 numbers them). */
    public FalsePositives() { super("FalsePositives", "false_positives", ConfusionCounts.Counts::fp, false); }
}
