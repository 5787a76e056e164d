package dev.jrnn.layers;

import java.util.SplittableRandom;

/**
 * Keras' weight initializers, computed on the host in double precision and returned as row-major
 * float arrays (layers upload them into their {@link Param}s).
 *
 * <pre>{@code
 * float[] k = Initializers.glorotUniform(new SplittableRandom(1), 3, 16, 3 * 16);  // kernel [3, 16]
 * float[] u = Initializers.orthogonal(new SplittableRandom(2), 4, 16, 1.0);         // recurrent [4, 16]
 * }</pre>
 */
public final class Initializers {
    private Initializers() {}

    /** Keras glorot_uniform: U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)). */
    public static float[] glorotUniform(SplittableRandom rng, int fanIn, int fanOut, int n) {
        if (fanIn + fanOut <= 0) throw new IllegalArgumentException("glorotUniform: fanIn + fanOut must be positive, got " + (fanIn + fanOut));
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        return uniform(rng, -limit, limit, n);
    }

    /** U(lo, hi) for n values (Keras RandomUniform). */
    public static float[] uniform(SplittableRandom rng, double lo, double hi, int n) {
        if (!(hi > lo)) throw new IllegalArgumentException("uniform: expected lo < hi, got [" + lo + ", " + hi + ")");
        float[] r = new float[n];
        for (int i = 0; i < n; i++) r[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return r;
    }

    /** n zeros. */
    public static float[] zeros(int n) {
        return new float[n];
    }

    /**
     * Keras Orthogonal for a [rows, cols] matrix: a standard normal matrix of shape
     * [max(rows, cols), min(rows, cols)] is QR-factorised, Q is sign-corrected with diag(R) (so R has a
     * positive diagonal) and transposed when rows &lt; cols, then scaled by {@code gain}. The result
     * has orthonormal rows (rows &lt;= cols) or columns (rows &gt;= cols).
     * QR is modified Gram-Schmidt with one re-orthogonalisation pass; it yields the unique QR with a
     * positive diagonal of R, which is what the sign correction of a Householder QR produces.
     */
    public static float[] orthogonal(SplittableRandom rng, int rows, int cols, double gain) {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException("orthogonal: shape must be positive, got [" + rows + ", " + cols + "]");
        int m = Math.max(rows, cols), n = Math.min(rows, cols);
        // a[i][j] stored column-major: column j is q[j]
        double[][] q = new double[n][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) q[j][i] = rng.nextGaussian();
        }
        for (int j = 0; j < n; j++) {
            double[] v = q[j];
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < j; p++) {
                    double d = dot(q[p], v);
                    for (int i = 0; i < m; i++) v[i] -= d * q[p][i];
                }
            }
            double norm = Math.sqrt(dot(v, v));
            if (norm < 1e-12) throw new IllegalStateException("orthogonal: degenerate random matrix (column " + j + ")");
            for (int i = 0; i < m; i++) v[i] /= norm;
        }
        float[] out = new float[rows * cols];
        if (rows < cols) {
            // Q^T: [n = rows, m = cols]
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) out[r * cols + c] = (float) (gain * q[r][c]);
            }
        } else {
            // Q: [m = rows, n = cols]
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) out[r * cols + c] = (float) (gain * q[c][r]);
            }
        }
        return out;
    }

    /** LSTM bias with Keras unit_forget_bias: zeros with the forget gate block [units, 2 units) set to 1. */
    public static float[] unitForgetBias(int units) {
        float[] b = new float[4 * units];
        for (int i = units; i < 2 * units; i++) b[i] = 1f;
        return b;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
