package dev.jrnn.losses;

/**
 * Keras' {@code PrecisionAtRecall}: the best precision among the thresholds where the recall is at least the one given,
 * over the epoch's confusion counts at Keras' 200 thresholds ({@link #numThresholds(int)}); 0 when no threshold reaches the
 * recall. Keras' docstring: {@code PrecisionAtRecall(0.5) on [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8] gives 0.5}.
 * Logged as "precision_at_recall" by default; {@link #classId(Integer)} keeps one column of the output.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new PrecisionAtRecall(0.8), new PrecisionAtRecall(0.5).classId(1));
 * }</pre>
 */
public final class PrecisionAtRecall extends SensitivitySpecificityBase<PrecisionAtRecall> {
    /**
     * At recall {@code recall} (in [0, 1]), with Keras' defaults: 200 thresholds, every column, name
     * "precision_at_recall" (the next object made "precision_at_recall_1", ..., as Keras 3 numbers them).
     */
    public PrecisionAtRecall(double recall) {
        super("PrecisionAtRecall", "precision_at_recall", "recall", recall, Rate.SENSITIVITY, Rate.PRECISION);
    }
}
