package dev.jrnn.regularizers;

import dev.jrnn.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A projection applied to a weight after each optimizer update, as Keras 3's {@code keras.constraints}: {@code MaxNorm},
 * {@code NonNeg}, {@code UnitNorm} and {@code MinMaxNorm}, with Keras' formulas (norms over {@link #axis()}, divided by
 * {@code 1e-7 + norm}, Keras' epsilon). Make one with {@link Constraints}:
 *
 * <pre>{@code
 * new Dense(8).kernelConstraint(Constraints.maxNorm(3)).biasConstraint(Constraints.nonNeg());
 * }</pre>
 *
 * <p>The projection runs on the host (the weight is read back and written again), so a fit with constraints runs its
 * steps eagerly on CUDA instead of replaying a captured CUDA graph.
 */
public final class Constraint {
    private static final double EPSILON = 1e-7;

    private final String kerasClass;
    private final double minValue, maxValue, rate;
    /** The axes the norms run over: null for NonNeg, none (length 0) for Keras' axis=None, one norm over the whole weight. */
    private final int[] axis;

    Constraint(String kerasClass, double minValue, double maxValue, double rate, int[] axis) {
        this.kerasClass = kerasClass;
        this.minValue = minValue;
        this.maxValue = maxValue;
        this.rate = rate;
        this.axis = axis == null ? null : axis.clone();
    }

    /** Keras' class name: "MaxNorm", "NonNeg", "UnitNorm" or "MinMaxNorm". */
    public String kerasClass() { return kerasClass; }

    /** The axes the norms run over (null for NonNeg; empty after {@link #allAxes()}: every axis). */
    public int[] axis() { return axis == null ? null : axis.clone(); }

    /**
     * This norm constraint with Keras' {@code axis=None}: one norm over the whole weight instead of one per slice,
     * {@code Constraints.maxNorm(3).allAxes()} as Keras' {@code MaxNorm(3, axis=None)}. NonNeg has no axis and refuses.
     */
    public Constraint allAxes() {
        if (axis == null) throw new IllegalStateException(this + ".allAxes: NonNeg has no axis, expected MaxNorm, UnitNorm or MinMaxNorm");
        return new Constraint(kerasClass, minValue, maxValue, rate, new int[0]);
    }

    /** Keras' {@code get_config()}: {@code {"max_value": 2.0, "axis": 0}} for a MaxNorm, {} for a NonNeg. */
    public Map<String, Object> kerasConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (kerasClass) {
            case "MaxNorm" -> m.put("max_value", maxValue);
            case "MinMaxNorm" -> {
                m.put("min_value", minValue);
                m.put("max_value", maxValue);
                m.put("rate", rate);
            }
            default -> { }
        }
        if (axis != null) m.put("axis", axis.length == 0 ? null : axis.length == 1 ? (Object) axis[0] : Arrays.stream(axis).boxed().toList());
        return m;
    }

    /**
     * Checks that this constraint fits a weight of {@code shape}: every axis in [-rank, rank), as Keras' sum over
     * {@code axis} needs; {@code what} names the weight in the message.
     */
    public void check(String what, int[] shape) {
        if (axis == null) return;
        for (int a : axis) {
            if (a < -shape.length || a >= shape.length) {
                throw new IllegalArgumentException(what + ": " + this + " needs an axis in [" + -shape.length + ", " + shape.length
                        + ") for a weight of shape " + Tensor.shapeString(shape) + ", got axis " + a);
            }
        }
    }

    /** The projection of {@code w} (row-major, of {@code shape}) by Keras' formula, in place. */
    public void apply(float[] w, int[] shape) {
        if (axis == null) {   // NonNeg: max(w, 0)
            for (int i = 0; i < w.length; i++) if (w[i] < 0) w[i] = 0;
            return;
        }
        boolean[] reduced = new boolean[shape.length];
        if (axis.length == 0) Arrays.fill(reduced, true);   // axis=None: one norm over every value
        for (int a : axis) reduced[a < 0 ? a + shape.length : a] = true;
        int[] group = new int[w.length];   // which norm each value belongs to: its index with the reduced axes dropped
        double[] sq = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            int rest = i, g = 0, mul = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                int c = rest % shape[d];
                rest /= shape[d];
                if (!reduced[d]) {
                    g += c * mul;
                    mul *= shape[d];
                }
            }
            group[i] = g;
            sq[g] += (double) w[i] * w[i];
        }
        for (int i = 0; i < w.length; i++) w[i] = (float) (w[i] * factor(Math.sqrt(sq[group[i]])));
    }

    /** What multiplies a weight whose group has norm {@code norm}. */
    private double factor(double norm) {
        double desired = switch (kerasClass) {
            case "MaxNorm" -> Math.min(Math.max(norm, 0), maxValue);
            case "UnitNorm" -> 1;
            default -> rate * Math.min(Math.max(norm, minValue), maxValue) + (1 - rate) * norm;
        };
        return desired / (EPSILON + norm);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Constraint c && c.kerasClass.equals(kerasClass) && c.minValue == minValue && c.maxValue == maxValue
                && c.rate == rate && Arrays.equals(c.axis, axis);
    }

    @Override
    public int hashCode() { return List.of(kerasClass, minValue, maxValue, rate, Arrays.hashCode(axis)).hashCode(); }

    @Override
    public String toString() {
        String ax = axis == null ? "" : "axis=" + (axis.length == 0 ? "None" : axis.length == 1 ? String.valueOf(axis[0]) : Arrays.toString(axis));
        return switch (kerasClass) {
            case "MaxNorm" -> "MaxNorm(max_value=" + maxValue + ", " + ax + ")";
            case "MinMaxNorm" -> "MinMaxNorm(min_value=" + minValue + ", max_value=" + maxValue + ", rate=" + rate + ", " + ax + ")";
            case "UnitNorm" -> "UnitNorm(" + ax + ")";
            default -> "NonNeg()";
        };
    }
}
