package dev.jrnn.losses;

/**
 * Keras' {@code TruePositives}: the weighted number of true positives (a positive target predicted above the threshold)
 * over the epoch, every element of the output one data point; Keras' docstring: {@code m.update_state([0, 1, 1, 1], [1,
 * 0, 1, 1]) gives 2}. Thresholds default to 0.5; several give one value each, logged as {@code true_positives_0},
 * {@code true_positives_1}, ... Logged as "true_positives" by default.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new TruePositives(), new TruePositives().thresholds(0.3, 0.7).name("tp_at"));
 * }</pre>
 */
public final class TruePositives extends ConditionCount<TruePositives> {
    /** Keras' defaults: threshold 0.5, name "true_positives" (the next object made "true_positives_1", ..., as Keras 3 numbers them). */
    public TruePositives() { super("TruePositives", "true_positives", ConfusionCounts.Counts::tp, true); }
}
