package dev.jrnn.initializers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sample mean and variance of drawn values, checked against a distribution's within a few standard errors. */
public record Stats(double mean, double variance, double min, double max, int n) {
    public static Stats of(float[] v) {
        double s = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            s += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = s / v.length, ss = 0;
        for (float x : v) ss += (x - mean) * (x - mean);
        return new Stats(mean, ss / (v.length - 1), min, max, v.length);
    }

    /**
     * Mean within 5 standard errors of {@code mean} (sd / sqrt(n)) and variance within 5 of {@code sd²}: the variance's
     * standard error is sd² sqrt((kurtosis - 1) / n), kurtosis 1.8 for a uniform, 3 for a normal, about 2.4 for one cut at 2 sd.
     */
    public Stats near(double wantMean, double wantSd, double kurtosis, String what) {
        double seMean = wantSd / Math.sqrt(n), seVar = wantSd * wantSd * Math.sqrt((kurtosis - 1) / n);
        assertEquals(wantMean, mean, 5 * seMean, what + ": mean");
        assertEquals(wantSd * wantSd, variance, 5 * seVar, what + ": variance");
        return this;
    }

    /** Every value within [lo, hi]. */
    public Stats within(double lo, double hi, String what) {
        assertTrue(min >= lo - 1e-6 && max <= hi + 1e-6, what + ": values in [" + min + ", " + max + "], expected within [" + lo + ", " + hi + "]");
        return this;
    }

    /** The values reach close to the bounds (a uniform over the whole range, a normal cut at them). */
    public Stats reaches(double lo, double hi, double slack, String what) {
        assertTrue(min < lo + slack && max > hi - slack, what + ": values in [" + min + ", " + max + "] do not reach [" + lo + ", " + hi + "]");
        return this;
    }

    /** Q·Qᵀ = gain² I over the shorter side of the [rows, cols] matrix {@code q}. */
    public static void assertOrthonormal(float[] q, int rows, int cols, double gain) {
        boolean byRows = rows <= cols;
        int k = byRows ? rows : cols, len = byRows ? cols : rows;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double d = 0;
                for (int i = 0; i < len; i++) d += (byRows ? q[a * cols + i] * q[b * cols + i] : q[i * cols + a] * q[i * cols + b]);
                assertEquals(a == b ? gain * gain : 0, d, 1e-5 * gain * gain, "QQᵀ[" + a + ", " + b + "]");
            }
        }
    }
}
