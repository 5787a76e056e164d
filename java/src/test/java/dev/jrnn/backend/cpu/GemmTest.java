package dev.jrnn.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Gemm} on plain arrays against a float64 product: every transpose, each of its three paths (the
 * direct loops below {@link Gemm#SMALL_MACS}, the packed register-blocked kernel, and that kernel split over
 * rows or columns above {@link Gemm#PARALLEL_FLOPS}), with offsets, padded leading dimensions, alpha and beta;
 * and BLAS' rule that beta = 0 overwrites C (NaN included) while the padding between rows stays untouched.
 */
class GemmTest {
    private static final float PAD = -777f;

    /** C = alpha op(A) op(B) + beta C on row-major arrays with offsets and leading dimensions padded by 3. */
    private static void check(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
        int lda = ac + 3, ldb = bc + 3, ldc = n + 3, ao = 5, bo = 7, co = 2;
        float[] a = fill(r, ao + ar * lda), b = fill(r, bo + br * ldb), c = fill(r, co + m * ldc);
        for (int i = 0; i < m; i++) for (int j = n; j < ldc && co + i * ldc + j < c.length; j++) c[co + i * ldc + j] = PAD;
        double[] want = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
                    double bv = tb ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                    s += av * bv;
                }
                want[i * n + j] = alpha * s + (beta == 0f ? 0 : beta * (double) c[co + i * ldc + j]);
            }
        }
        Gemm.gemm(ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
        String what = (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                // float32 sums of k products of values in [-1, 1]: error grows at most like k * eps
                assertEquals(want[i * n + j], c[co + i * ldc + j], 1e-6 * (k + 1) * 4, what + " at " + i + "," + j);
            }
            for (int j = n; j < ldc && co + i * ldc + j < c.length; j++) assertEquals(PAD, c[co + i * ldc + j], what + " padding");
        }
    }

    /** n uniform floats in [-1, 1). */
    static float[] fill(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-1, 1);
        return x;
    }

    @Test
    void smallProductsTakeTheDirectLoops() {
        assertTrue(5L * 7 * 3 < Gemm.SMALL_MACS);
        for (int t = 0; t < 4; t++) check(t / 2 == 1, t % 2 == 1, 5, 7, 3, 0.5f, 2f, t);
    }

    @Test
    void packedKernelWithRaggedEdges() {
        // bigger than SMALL_MACS, below PARALLEL_FLOPS, with m, n not multiples of the register block
        int m = Gemm.MR * 3 + 1, n = Gemm.NR * 2 + 3, k = 61;
        assertTrue((long) m * n * k >= Gemm.SMALL_MACS && 2L * m * n * k < Gemm.PARALLEL_FLOPS);
        for (int t = 0; t < 4; t++) check(t / 2 == 1, t % 2 == 1, m, n, k, 1f, 0f, 10 + t);
        check(false, true, m, n, k, -1.5f, 0.25f, 20);
    }

    @Test
    void splitOverRowsAndOverColumns() {
        // tall: split over rows; wide and short: split over columns; both deeper than one K block
        for (int t = 0; t < 4; t++) {
            check(t / 2 == 1, t % 2 == 1, 300, 40, 300, 1f, 1f, 30 + t);
            check(t / 2 == 1, t % 2 == 1, 12, 400, 700, 0.75f, 0f, 40 + t);
        }
    }

    @Test
    void zeroDepthOrZeroAlphaOnlyScalesC() {
        float[] c = {1, 2, 3, 4};
        Gemm.gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 3f, c, 0, 2);
        assertEquals(java.util.List.of(3f, 6f, 9f, 12f), java.util.List.of(c[0], c[1], c[2], c[3]));
        float[] a = {Float.NaN, 1, 1, 1};
        Gemm.gemm(false, false, 2, 2, 2, 0f, a, 0, 2, a, 0, 2, 0.5f, c, 0, 2);
        assertEquals(1.5f, c[0]);
        assertEquals(6f, c[3]);
    }

    @Test
    void betaZeroOverwritesNaNInC() {
        for (int[] s : new int[][] {{2, 3, 4}, {40, 50, 60}}) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            java.util.Arrays.fill(a, 1f);
            java.util.Arrays.fill(b, 2f);
            java.util.Arrays.fill(c, Float.NaN);
            Gemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            for (float v : c) assertEquals(2f * k, v, m + "x" + n + "x" + k);
        }
    }

    /**
     * A^T (the weight gradients' h^T, x^T), full strips into a buffer of exactly their size: its array ending with the
     * last strip's last row or going on after it, rows as wide as one strip or two (lda 8, 16, 24). On AVX-512 each
     * row is copied with a 16-float vector whose upper half the next row overwrites; the last row must not spill past
     * its strip, nor a load past the array.
     */
    @Test
    void packingTransposedAIntoABufferOfExactlyItsStrips() {
        SplittableRandom r = new SplittableRandom(51);
        int kc = 9;
        for (int m : new int[] {Gemm.MR, 2 * Gemm.MR, 3 * Gemm.MR}) {
            for (int extra : new int[] {0, 16}) {
                for (int ic = 0; ic < m; ic += Gemm.MR) {
                    int lda = m, mc = m - ic;
                    float[] a = fill(r, kc * lda + extra), ap = new float[mc * kc];
                    java.util.Arrays.fill(ap, Float.NaN);
                    Gemm.packA(true, a, 0, lda, ic, 0, mc, kc, ap);
                    for (int i = 0; i < mc; i++) {
                        for (int p = 0; p < kc; p++) {
                            assertEquals(a[p * lda + ic + i], ap[i / Gemm.MR * Gemm.MR * kc + p * Gemm.MR + i % Gemm.MR],
                                    "lda " + lda + " extra " + extra + " ic " + ic + ": " + i + "," + p);
                        }
                    }
                }
            }
        }
    }

    @Test
    void packingLaysOutEveryElementAsDefined() {
        // the panels the micro-kernel reads: strip-major, zero-padded, for both transposes, ragged and full strips
        SplittableRandom r = new SplittableRandom(50);
        for (boolean t : new boolean[] {false, true}) {
            int kc = 37, nc = 3 * Gemm.NR + 5, mc = 2 * Gemm.MR + 3, pc = 4, jc = 3, ic = 2, ld = 200, off = 11;
            float[] src = fill(r, off + 300 * ld);
            float[] bp = new float[Gemm.roundUp(nc, Gemm.NR) * kc], ap = new float[Gemm.roundUp(mc, Gemm.MR) * kc];
            java.util.Arrays.fill(bp, Float.NaN);
            java.util.Arrays.fill(ap, Float.NaN);
            Gemm.packB(t, src, off, ld, pc, jc, kc, nc, null, bp);
            Gemm.packA(t, src, off, ld, ic, pc, mc, kc, ap);
            for (int j = 0; j < Gemm.roundUp(nc, Gemm.NR); j++) {
                for (int p = 0; p < kc; p++) {
                    float want = j >= nc ? 0f : t ? src[off + (jc + j) * ld + pc + p] : src[off + (pc + p) * ld + jc + j];
                    assertEquals(want, bp[j / Gemm.NR * Gemm.NR * kc + p * Gemm.NR + j % Gemm.NR], "B " + t + " " + j + "," + p);
                }
            }
            for (int i = 0; i < Gemm.roundUp(mc, Gemm.MR); i++) {
                for (int p = 0; p < kc; p++) {
                    float want = i >= mc ? 0f : t ? src[off + (pc + p) * ld + ic + i] : src[off + (ic + i) * ld + pc + p];
                    assertEquals(want, ap[i / Gemm.MR * Gemm.MR * kc + p * Gemm.MR + i % Gemm.MR], "A " + t + " " + i + "," + p);
                }
            }
        }
    }
}
