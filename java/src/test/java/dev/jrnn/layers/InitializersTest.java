package dev.jrnn.layers;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InitializersTest {

    /** rows x cols product M M^T (rows <= cols) or M^T M (rows > cols) must be the identity. */
    private static void assertOrthonormal(float[] m, int rows, int cols, double gain) {
        int n = Math.min(rows, cols);
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double s = 0;
                if (rows <= cols) {
                    for (int k = 0; k < cols; k++) s += (double) m[a * cols + k] * m[b * cols + k];
                } else {
                    for (int k = 0; k < rows; k++) s += (double) m[k * cols + a] * m[k * cols + b];
                }
                assertEquals(a == b ? gain * gain : 0, s, 1e-5, "entry (" + a + ", " + b + ") of the Gram matrix");
            }
        }
    }

    @Test
    void orthogonalRecurrentKernels() {
        SplittableRandom rng = new SplittableRandom(1);
        assertOrthonormal(Initializers.orthogonal(rng, 4, 16, 1), 4, 16, 1);    // LSTM [H, 4H]
        assertOrthonormal(Initializers.orthogonal(rng, 5, 15, 1), 5, 15, 1);    // GRU [H, 3H]
        assertOrthonormal(Initializers.orthogonal(rng, 7, 7, 1), 7, 7, 1);      // SimpleRNN [H, H]
        assertOrthonormal(Initializers.orthogonal(rng, 64, 256, 1), 64, 256, 1);
        assertOrthonormal(Initializers.orthogonal(rng, 9, 3, 2), 9, 3, 2);      // tall, with gain
    }

    @Test
    void orthogonalIsSeededAndNotTrivial() {
        float[] a = Initializers.orthogonal(new SplittableRandom(5), 3, 12, 1);
        float[] b = Initializers.orthogonal(new SplittableRandom(5), 3, 12, 1);
        float[] c = Initializers.orthogonal(new SplittableRandom(6), 3, 12, 1);
        assertArrayEquals(a, b);
        assertNotEquals(a[0], c[0]);
        int nonzero = 0;
        for (float v : a) if (Math.abs(v) > 1e-3) nonzero++;
        assertTrue(nonzero > 30, "a dense matrix, got " + nonzero + " non-zeros of 36");
    }

    @Test
    void orthogonalMatchesQrOfTheSameNormalMatrix() {
        // Keras: a = normal [G, H]; Q R = a with diag(R) > 0; result Q^T. So a = result^T R with R upper triangular:
        // row i of result . column j of a = R[i][j], zero below the diagonal and positive on it.
        int h = 3, g = 6;
        SplittableRandom r1 = new SplittableRandom(42);
        double[][] a = new double[g][h];
        for (int i = 0; i < g; i++) for (int j = 0; j < h; j++) a[i][j] = r1.nextGaussian();
        float[] q = Initializers.orthogonal(new SplittableRandom(42), h, g, 1);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < h; j++) {
                double rij = 0;
                for (int k = 0; k < g; k++) rij += q[i * g + k] * a[k][j];
                if (i > j) assertEquals(0, rij, 1e-5, "R[" + i + "][" + j + "] below the diagonal");
                if (i == j) assertTrue(rij > 0, "R[" + i + "][" + i + "] positive (sign-corrected), got " + rij);
            }
        }
    }

    @Test
    void glorotUniformLimitsAndSpread() {
        float[] k = Initializers.glorotUniform(new SplittableRandom(3), 10, 40, 4000);
        double limit = Math.sqrt(6.0 / 50), mean = 0, var = 0;
        for (float v : k) {
            assertTrue(Math.abs(v) <= limit);
            mean += v;
        }
        mean /= k.length;
        for (float v : k) var += (v - mean) * (v - mean);
        var /= k.length;
        assertEquals(0, mean, 0.01);
        assertEquals(limit * limit / 3, var, 0.1 * limit * limit / 3, "variance of U(-l, l) is l^2 / 3");
    }

    @Test
    void uniformZerosAndForgetBias() {
        for (float v : Initializers.uniform(new SplittableRandom(1), -0.05, 0.05, 1000)) assertTrue(v >= -0.05f && v <= 0.05f);
        assertArrayEquals(new float[4], Initializers.zeros(4));
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 0}, Initializers.unitForgetBias(2));
        assertThrows(IllegalArgumentException.class, () -> Initializers.orthogonal(new SplittableRandom(1), 0, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> Initializers.uniform(new SplittableRandom(1), 1, 1, 3));
    }
}
