package dev.jrnn.regularizers;

/**
 * Keras 3's weight constraints ({@code keras.constraints}) with Keras' defaults, and by Keras name. Norms run over
 * {@code axis} (Keras' default 0: for a Dense kernel [inputs, units], each unit's incoming weights).
 *
 * <pre>{@code
 * new Dense(8).kernelConstraint(Constraints.maxNorm(3));
 * new LSTM(8).recurrentConstraint(Constraints.unitNorm()).biasConstraint(Constraints.nonNeg());
 * }</pre>
 */
public final class Constraints {
    private Constraints() {}

    /** Keras' {@code MaxNorm(max_value, axis=0)}: each norm clipped to at most {@code maxValue}. */
    public static Constraint maxNorm(double maxValue) { return maxNorm(maxValue, 0); }

    /** Keras' {@code MaxNorm(max_value, axis)}; several axes as Keras' list (a Conv kernel's [0, 1, 2]). */
    public static Constraint maxNorm(double maxValue, int... axis) {
        return new Constraint("MaxNorm", 0, nonNegative("Constraints.maxNorm", "maxValue", maxValue), 1, axes("Constraints.maxNorm", axis));
    }

    /** Keras' {@code MaxNorm()}: max_value 2, axis 0. */
    public static Constraint maxNorm() { return maxNorm(2); }

    /** Keras' {@code NonNeg()}: {@code max(w, 0)}. */
    public static Constraint nonNeg() { return new Constraint("NonNeg", 0, 0, 1, null); }

    /** Keras' {@code UnitNorm(axis=0)}. */
    public static Constraint unitNorm() { return unitNorm(0); }

    /** Keras' {@code UnitNorm(axis)}: each norm scaled to 1. */
    public static Constraint unitNorm(int... axis) { return new Constraint("UnitNorm", 0, 1, 1, axes("Constraints.unitNorm", axis)); }

    /** Keras' {@code MinMaxNorm(min_value, max_value)} with rate 1 and axis 0. */
    public static Constraint minMaxNorm(double minValue, double maxValue) { return minMaxNorm(minValue, maxValue, 1, 0); }

    /** Keras' {@code MinMaxNorm()}: min 0, max 1, rate 1, axis 0. */
    public static Constraint minMaxNorm() { return minMaxNorm(0, 1); }

    /**
     * Keras' {@code MinMaxNorm(min_value, max_value, rate, axis)}: each norm moved to
     * {@code rate * clip(norm, min, max) + (1 - rate) * norm}; {@code 0 <= minValue <= maxValue}, rate in [0, 1].
     */
    public static Constraint minMaxNorm(double minValue, double maxValue, double rate, int... axis) {
        String op = "Constraints.minMaxNorm";
        nonNegative(op, "minValue", minValue);
        nonNegative(op, "maxValue", maxValue);
        if (maxValue < minValue) {
            throw new IllegalArgumentException(op + ": maxValue must be >= minValue (" + minValue + "), got " + maxValue);
        }
        if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException(op + ": rate must be in [0, 1], got " + rate);
        return new Constraint("MinMaxNorm", minValue, maxValue, rate, axes(op, axis));
    }

    /** By Keras name with Keras' defaults: "max_norm"/"MaxNorm", "non_neg"/"NonNeg", "unit_norm"/"UnitNorm", "min_max_norm"/"MinMaxNorm". */
    public static Constraint of(String name) {
        if (name == null) throw new IllegalArgumentException("Constraints.of: name must be a Keras constraint name, got null");
        return switch (name) {
            case "max_norm", "MaxNorm" -> maxNorm();
            case "non_neg", "NonNeg" -> nonNeg();
            case "unit_norm", "UnitNorm" -> unitNorm();
            case "min_max_norm", "MinMaxNorm" -> minMaxNorm();
            default -> throw new IllegalArgumentException("Constraints.of: name must be one of max_norm, non_neg, unit_norm,"
                    + " min_max_norm (or MaxNorm, NonNeg, UnitNorm, MinMaxNorm), got '" + name + "'");
        };
    }

    private static double nonNegative(String op, String name, double v) {
        if (!(Double.isFinite(v) && v >= 0)) throw new IllegalArgumentException(op + ": " + name + " must be a finite number >= 0, got " + v);
        return v;
    }

    private static int[] axes(String op, int[] axis) {
        if (axis == null || axis.length == 0) throw new IllegalArgumentException(op + ": axis must name at least one axis, got "
                + (axis == null ? "null" : "none"));
        for (int i = 0; i < axis.length; i++) {
            for (int j = 0; j < i; j++) {
                if (axis[i] == axis[j]) throw new IllegalArgumentException(op + ": axis must not repeat, got " + java.util.Arrays.toString(axis));
            }
        }
        return axis.clone();
    }
}
