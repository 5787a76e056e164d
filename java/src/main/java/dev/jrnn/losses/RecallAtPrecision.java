package dev.jrnn.losses;

/**
 * Keras' {@code RecallAtPrecision}: the best recall among the thresholds where the precision is at least the one given,
 * over the epoch's confusion counts at Keras' 200 thresholds ({@link #numThresholds(int)}); 0 when no threshold reaches the
 * precision. Keras' docstring: {@code RecallAtPrecision(0.8) on [0, 0, 1, 1], [0, 0.5, 0.3, 0.9] gives 0.5}. Logged as
 * "recall_at_precision" by default; {@link #classId(Integer)} keeps one column of the output.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new RecallAtPrecision(0.8), new RecallAtPrecision(0.5).classId(1));
 * }</pre>
 */
public final class RecallAtPrecision extends SensitivitySpecificityBase<RecallAtPrecision> {
    /**
     * At precision {@code precision} (in [0, 1]), with Keras' defaults: 200 thresholds, every column, name
     * "recall_at_precision" (the next object made "recall_at_precision_1", ..., as Keras 3 numbers them).
     */
    public RecallAtPrecision(double precision) {
        super("RecallAtPrecision", "recall_at_precision", "precision", precision, Rate.PRECISION, Rate.SENSITIVITY);
    }
}
