package dev.jrnn.initializers;

import java.util.SplittableRandom;

/**
 * The random draws behind Keras' initializers, on the host in double precision, returned as float arrays in row-major
 * order. Keras' own bits cannot be matched (its RNG is the backend's); the same stream gives the same values here.
 *
 * <pre>{@code
 * float[] u = Draws.uniform(new SplittableRandom(1), -0.05, 0.05, 10);
 * float[] q = Draws.orthogonal(new SplittableRandom(2), 4, 16, 1.0);   // orthonormal rows
 * }</pre>
 */
public final class Draws {
    private Draws() {}

    /** Keras' truncated normal keeps draws within 2 standard deviations of the mean (others are drawn again). */
    public static final double TRUNCATION = 2.0;

    /** U(lo, hi) for n values (Keras RandomUniform; lo == hi gives lo). */
    public static float[] uniform(SplittableRandom rng, double lo, double hi, int n) {
        if (!(hi >= lo)) throw new IllegalArgumentException("uniform: expected lo <= hi, got [" + lo + ", " + hi + ")");
        float[] r = new float[n];
        for (int i = 0; i < n; i++) r[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return r;
    }

    /** N(mean, stddev²) for n values (Keras RandomNormal). */
    public static float[] normal(SplittableRandom rng, double mean, double stddev, int n) {
        float[] r = new float[n];
        for (int i = 0; i < n; i++) r[i] = (float) (mean + stddev * rng.nextGaussian());
        return r;
    }

    /**
     * N(mean, stddev²) cut at {@link #TRUNCATION} standard deviations (Keras TruncatedNormal): a draw further out is
     * drawn again, so the values' standard deviation is about 0.88 stddev.
     */
    public static float[] truncatedNormal(SplittableRandom rng, double mean, double stddev, int n) {
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            double z;
            do {
                z = rng.nextGaussian();
            } while (Math.abs(z) > TRUNCATION);
            r[i] = (float) (mean + stddev * z);
        }
        return r;
    }

    /**
     * Keras Orthogonal for a [rows, cols] matrix: a standard normal matrix of shape
     * [max(rows, cols), min(rows, cols)] is QR-factorised, Q is sign-corrected with diag(R) (so R has a
     * positive diagonal) and transposed when rows &lt; cols, then scaled by {@code gain}. The result
     * has orthonormal rows (rows &lt;= cols) or columns (rows &gt;= cols), times gain.
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

    /** The stream a draw takes: its own seed's, else the layer's. */
    static SplittableRandom stream(Long seed, SplittableRandom rng) {
        return seed != null ? new SplittableRandom(seed) : rng;
    }

    /** The number of values of {@code shape}. */
    static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("shape has a negative dimension: " + java.util.Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds too many values");
        }
        return (int) n;
    }

    /** An argument finite in float32 (what the weights hold), or a refusal naming it. */
    static double finite(String cls, String what, double v) {
        dev.jrnn.tensor.Float32.check(cls + ": " + what, v, Double::isFinite, "finite (in float32)");
        return v;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
