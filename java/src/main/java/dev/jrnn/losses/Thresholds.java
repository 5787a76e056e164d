package dev.jrnn.losses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The thresholds Keras' confusion metrics take ({@link ConditionCount}: the true/false positive/negative counts;
 * {@link PrecisionRecall}): checked, turned into {@link ConfusionCounts}, written and read as Keras' config holds them (a
 * number for one, a list for several, None for the default).
 */
final class Thresholds {
    private Thresholds() {}

    /** {@code t} checked: at least one, each in [0, 1]; a copy. */
    static double[] check(String cls, double... t) {
        if (t == null || t.length == 0) {
            throw new IllegalArgumentException(cls + ".thresholds must be at least one number in [0, 1], got " + (t == null ? "null" : "none"));
        }
        for (double x : t) {
            if (!(x >= 0 && x <= 1)) throw new IllegalArgumentException(cls + ".thresholds must be in [0, 1], got " + Arrays.toString(t));
        }
        return t.clone();
    }

    /** The counts at {@code given} (null: the one threshold {@code dflt}). */
    static ConfusionCounts counts(double[] given, double dflt) {
        double[] v = given != null ? given : new double[] {dflt};
        float[] t = new float[v.length];
        for (int i = 0; i < t.length; i++) t[i] = (float) v[i];
        return new ConfusionCounts(t, ConfusionCounts.evenlySpaced(v));
    }

    /** As Keras' config holds them: null for the default, a number for one, a list for several. */
    static Object serialized(double[] given) {
        if (given == null) return null;
        if (given.length == 1) return given[0];
        List<Double> l = new ArrayList<>();
        for (double x : given) l.add(x);
        return l;
    }

    /** A Keras config's thresholds (a number, a list of numbers or null), unchecked; null for the default. */
    static double[] read(String cls, Object t) {
        if (t == null) return null;
        if (t instanceof Number x) return new double[] {x.doubleValue()};
        if (t instanceof List<?> l) {
            double[] v = new double[l.size()];
            for (int i = 0; i < v.length; i++) {
                if (!(l.get(i) instanceof Number x)) throw new IllegalArgumentException(cls + " thresholds must be numbers in [0, 1], got " + l);
                v[i] = x.doubleValue();
            }
            return v;
        }
        throw new IllegalArgumentException(cls + " thresholds must be a number, a list of numbers in [0, 1] or null, got " + t);
    }
}
