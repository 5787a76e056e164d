package dev.jrnn.losses;

/**
 * Keras' {@code SpecificityAtSensitivity}: the best specificity among the thresholds where the sensitivity (recall) is
 * at least the one given, over the epoch's confusion counts at Keras' 200 thresholds ({@link #numThresholds(int)}); 0 when
 * no threshold reaches the sensitivity. Keras' docstring: {@code SpecificityAtSensitivity(0.5) on [0, 0, 0, 1, 1], [0,
 * 0.3, 0.8, 0.3, 0.8] gives 0.6666667}. Logged as "specificity_at_sensitivity" by default; {@link #classId(Integer)} keeps one
 * column of the output.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new SpecificityAtSensitivity(0.8), new SpecificityAtSensitivity(0.5).classId(1));
 * }</pre>
 */
public final class SpecificityAtSensitivity extends SensitivitySpecificityBase<SpecificityAtSensitivity> {
    /**
     * At sensitivity {@code sensitivity} (in [0, 1]), with Keras' defaults: 200 thresholds, every column, name
     * "specificity_at_sensitivity" (the next object made "specificity_at_sensitivity_1", ..., as Keras 3 numbers them).
     */
    public SpecificityAtSensitivity(double sensitivity) {
        super("SpecificityAtSensitivity", "specificity_at_sensitivity", "sensitivity", sensitivity, Rate.SENSITIVITY, Rate.SPECIFICITY);
    }
}
