package dev.jrnn.regularizers;

import dev.jrnn.tensor.Float32;

/**
 * Keras 3's regularizers ({@code keras.regularizers.L1}, {@code L2}, {@code L1L2}) with Keras' defaults, and by Keras
 * name. Every factor must be a finite number &gt;= 0 (Keras' {@code validate_float_arg}).
 *
 * <pre>{@code
 * new Dense(16).kernelRegularizer(Regularizers.l2(1e-4)).biasRegularizer(Regularizers.l1l2(1e-5, 1e-4));
 * new LSTM(8).recurrentRegularizer(Regularizers.of("l2"));   // L2(0.01)
 * }</pre>
 */
public final class Regularizers {
    private Regularizers() {}

    /** Keras' {@code L1(l1)}: {@code l1 * sum(|x|)}. */
    public static Regularizer l1(double l1) { return new Regularizer("L1", factor("Regularizers.l1", "l1", l1), 0); }

    /** Keras' {@code L1()} and "l1": {@code L1(0.01)}. */
    public static Regularizer l1() { return l1(0.01); }

    /** Keras' {@code L2(l2)}: {@code l2 * sum(x^2)}. */
    public static Regularizer l2(double l2) { return new Regularizer("L2", 0, factor("Regularizers.l2", "l2", l2)); }

    /** Keras' {@code L2()} and "l2": {@code L2(0.01)}. */
    public static Regularizer l2() { return l2(0.01); }

    /** Keras' {@code L1L2(l1, l2)}: {@code l1 * sum(|x|) + l2 * sum(x^2)} (Keras' defaults are 0 and 0). */
    public static Regularizer l1l2(double l1, double l2) {
        return new Regularizer("L1L2", factor("Regularizers.l1l2", "l1", l1), factor("Regularizers.l1l2", "l2", l2));
    }

    /**
     * By the names Keras 3's {@code keras.regularizers.get} takes, with Keras' defaults: "l1" / "L1" (0.01), "l2" / "L2"
     * (0.01), "l1l2" / "L1L2" (0 and 0). Keras 3 refuses "l1_l2" (its Python alias {@code l1_l2} is the L1L2 class, not a
     * name {@code get} knows), and so does this: use {@link #l1l2(double, double)}.
     */
    public static Regularizer of(String name) {
        if (name == null) throw new IllegalArgumentException("Regularizers.of: name must be a Keras regularizer name, got null");
        return switch (name) {
            case "l1", "L1" -> l1();
            case "l2", "L2" -> l2();
            case "l1l2", "L1L2" -> l1l2(0, 0);
            default -> throw new IllegalArgumentException("Regularizers.of: name must be one of l1, l2, l1l2, L1, L2, L1L2"
                    + " (Keras 3's names; jrnn has no OrthogonalRegularizer; for L1L2 with factors: Regularizers.l1l2(l1, l2)),"
                    + " got '" + name + "'");
        };
    }

    /** A penalty factor: finite, &gt;= 0, and representable in float32 (which jrnn computes with). */
    static double factor(String op, String name, double v) {
        Float32.check(op + ": " + name, v, x -> Double.isFinite(x) && x >= 0, "a finite number >= 0");
        return v;
    }
}
