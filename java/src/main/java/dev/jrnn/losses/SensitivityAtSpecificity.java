package dev.jrnn.losses;

/**
 * Keras' {@code SensitivityAtSpecificity}: the best sensitivity (recall) among the thresholds where the specificity is
 * at least the one given, over the epoch's confusion counts at Keras' 200 thresholds ({@link #numThresholds(int)}); 0 when
 * no threshold reaches the specificity. Keras' docstring: {@code SensitivityAtSpecificity(0.5) on [0, 0, 0, 1, 1], [0,
 * 0.3, 0.8, 0.3, 0.8] gives 0.5}. Logged as "sensitivity_at_specificity" by default; {@link #classId(Integer)} keeps one column
 * of the output.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new SensitivityAtSpecificity(0.8), new SensitivityAtSpecificity(0.5).classId(1));
 * }</pre>
 */
public final class SensitivityAtSpecificity extends SensitivitySpecificityBase<SensitivityAtSpecificity> {
    /**
     * At specificity {@code specificity} (in [0, 1]), with Keras' defaults: 200 thresholds, every column, name
     * "sensitivity_at_specificity" (the next object made "sensitivity_at_specificity_1", ..., as Keras 3 numbers them).
     */
    public SensitivityAtSpecificity(double specificity) {
        super("SensitivityAtSpecificity", "sensitivity_at_specificity", "specificity", specificity, Rate.SPECIFICITY, Rate.SENSITIVITY);
    }
}
