package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

/** A metric's value over one pass of predictions, as an epoch of one batch gives it: for the tests' references. */
public final class EpochValues {
    private EpochValues() {}

    /** {@code m} over {@code rows} rows of {@code cols} predictions {@code p} and targets {@code y}, rows weighted by {@code w} (nullable). */
    public static double[] of(EpochMetric m, int rows, int cols, float[] p, float[] y, float[] w) {
        double[] s = new double[m.stateSize(cols)];
        m.update(Loss.BINARY_CROSSENTROPY, rows, cols, p, y, w, s);
        return m.result(s, cols);
    }

    /** The first (for most metrics, the only) value of {@link #of}. */
    public static double first(EpochMetric m, int rows, int cols, float[] p, float[] y, float[] w) {
        return of(m, rows, cols, p, y, w)[0];
    }
}
