package dev.jrnn.tensor;

import java.util.function.DoublePredicate;

/**
 * Checks a user's double setting on the float32 value jrnn actually stores and computes with, so a
 * value that passes as a double but rounds out of range (0.999999999 to 1.0f, 1e-50 to 0f, 1e39 to
 * Infinity) is refused up front instead of failing, or silently stopping training, later.
 *
 * <pre>{@code
 * float beta2 = Float32.check("Adam: beta2", 0.999, b -> b >= 0 && b < 1, "in [0, 1)");
 * }</pre>
 */
public final class Float32 {
    private Float32() {}

    /**
     * {@code v} rounded to float32 when both {@code v} and the rounded value satisfy {@code ok};
     * otherwise an IllegalArgumentException "{@code what} must be {@code expected}, got v" that says
     * what the float32 became when rounding changed it.
     */
    public static float check(String what, double v, DoublePredicate ok, String expected) {
        float f = (float) v;
        if (!ok.test(v) || !ok.test(f)) {
            String stored = !ok.test(v) || f == v ? "" : " (float32, which jrnn computes with, rounds it to " + f + ")";
            throw new IllegalArgumentException(what + " must be " + expected + ", got " + v + stored);
        }
        return f;
    }
}
