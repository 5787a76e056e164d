package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.BufAt;
import dev.jrnn.backend.RecordingBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WeightGradients}: {@code w1 += x1^T dz, w2 += x2^T dz, db += colsum(dz)} in one pass equals, bit for bit,
 * the two GEMMs and the column sum it replaces (Backend's default, run here through {@link RecordingBackend}), and
 * a float64 loop within float32 rounding; on each of its paths: the direct loops of tiny products, one thread, the
 * split over the output rows (one core's share spanning w1 and w2) and over the columns, ragged edges, several K
 * blocks and column panels.
 */
class WeightGradientsTest {
    /** rows, n, k1, k2 (k2 = 0: no second pair), with a bias or not. */
    record Case(int rows, int n, int k1, int k2, boolean bias) {
        @Override
        public String toString() { return rows + "x" + n + " k1=" + k1 + " k2=" + k2 + (bias ? " bias" : ""); }
    }

    static Stream<Case> cases() {
        // the split cases are big enough for the pool (Gemm.PARALLEL_FLOPS); with one thread they run as one part
        return Stream.of(
                new Case(3, 5, 2, 4, true),                              // direct loops (below SMALL_MACS)
                new Case(40, 19, 13, 11, true),                          // one thread, ragged
                new Case(2 * Gemm.KC + 37, 40, 30, 26, true),            // three K blocks, over rows: one share spans w1, w2
                new Case(700, 8 * Gemm.NR + 3, 9, 1, false),             // wide: split over columns
                new Case(150, Gemm.NC + 5, 9, 8, true),                  // two column panels
                new Case(600, 64, 64, 0, true));                         // one pair
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void givesTheBitsOfTheThreeCallsAndAFloat64Loop(Case c) {
        SplittableRandom r = new SplittableRandom(c.rows * 31L + c.n);
        float[] dz = GemmTest.fill(r, c.rows * c.n), x1 = GemmTest.fill(r, c.rows * c.k1), x2 = GemmTest.fill(r, c.rows * c.k2);
        float[] w1 = GemmTest.fill(r, c.k1 * c.n), w2 = GemmTest.fill(r, c.k2 * c.n), db = GemmTest.fill(r, c.n);
        try (CpuBackend cpu = CpuBackend.create()) {
            float[][] fused = run(cpu, c, dz, x1, x2, w1, w2, db);
            float[][] calls = run(new RecordingBackend(CpuBackend.create()), c, dz, x1, x2, w1, w2, db);
            for (int i = 0; i < fused.length; i++) assertArrayEquals(calls[i], fused[i], c + " output " + i);
            double[] want1 = reference(c.rows, c.n, c.k1, x1, dz, w1), want2 = reference(c.rows, c.n, c.k2, x2, dz, w2);
            double tol = 4e-6 * (c.rows + 1);   // float32 sums of rows products of values in [-1, 1]
            for (int i = 0; i < want1.length; i++) assertEquals(want1[i], fused[0][i], tol, c + " w1 at " + i);
            for (int i = 0; i < want2.length; i++) assertEquals(want2[i], fused[1][i], tol, c + " w2 at " + i);
            for (int j = 0; j < c.n; j++) {
                double s = db[j];
                for (int p = 0; p < c.rows; p++) s += dz[p * c.n + j];
                assertEquals(c.bias ? s : db[j], fused[2][j], tol, c + " db at " + j);
            }
        }
    }

    /** w1, w2, db after {@code be.weightGradients} on copies of the inputs (offset by 3 floats in their buffers). */
    private static float[][] run(Backend be, Case c, float[] dz, float[] x1, float[] x2, float[] w1, float[] w2, float[] db) {
        Buf bz = put(be, dz), b1 = put(be, x1), b2 = put(be, x2), bw1 = put(be, w1), bw2 = put(be, w2), bb = put(be, db);
        boolean two = c.k2 > 0;
        be.weightGradients(c.rows, c.n, BufAt.at(bz, 3), c.k1, BufAt.at(b1, 3), BufAt.at(bw1, 3), c.k2,
                two ? BufAt.at(b2, 3) : null, two ? BufAt.at(bw2, 3) : null, c.bias ? BufAt.at(bb, 3) : null);
        return new float[][] {get(be, bw1, w1.length), get(be, bw2, w2.length), get(be, bb, db.length)};
    }

    private static Buf put(Backend be, float[] x) {
        Buf b = be.alloc(x.length + 3L);
        be.upload(x, 0, b, 3, x.length);
        return b;
    }

    private static float[] get(Backend be, Buf b, int n) {
        float[] out = new float[n];
        be.download(b, 3, out, 0, n);
        return out;
    }

    private static double[] reference(int rows, int n, int k, float[] x, float[] dz, float[] w) {
        double[] out = new double[k * n];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                double s = w[i * n + j];
                for (int p = 0; p < rows; p++) s += (double) x[p * k + i] * dz[p * n + j];
                out[i * n + j] = s;
            }
        }
        return out;
    }

    @Test
    void sumsWhilePackingLayOutThePanelAsPackB() {
        SplittableRandom r = new SplittableRandom(7);
        int kc = 21, nc = 9 * Gemm.NR + 5, jc = 3, pc = 2, ld = nc + jc + 4;
        float[] b = GemmTest.fill(r, (pc + kc) * ld), plain = new float[Gemm.roundUp(nc, Gemm.NR) * kc];
        float[] summed = new float[plain.length], sums = new float[jc + nc];
        java.util.Arrays.fill(summed, Float.NaN);
        Gemm.packB(false, b, 0, ld, pc, jc, kc, nc, null, plain);
        Gemm.packB(false, b, 0, ld, pc, jc, kc, nc, sums, summed);
        assertArrayEquals(plain, summed);
        for (int j = 0; j < nc; j++) {
            float s = 0f;
            for (int p = 0; p < kc; p++) s += b[(pc + p) * ld + jc + j];
            assertEquals(s, sums[jc + j], "column " + j);
        }
        for (int j = 0; j < jc; j++) assertEquals(0f, sums[j]);
        assertThrows(IllegalArgumentException.class, () -> Gemm.packB(true, b, 0, ld, pc, jc, kc, nc, sums, summed));
    }

    @Test
    void badBuffersAreRefusedByName() {
        try (CpuBackend be = CpuBackend.create()) {
            Buf dz = be.alloc(20), x = be.alloc(8), w = be.alloc(10), small = be.alloc(3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.weightGradients(4, 5,
                    BufAt.at(dz, 0), 2, BufAt.at(x, 0), BufAt.at(w, 0), 2, BufAt.at(x, 0), BufAt.at(small, 0), null));
            assertTrue(e.getMessage().contains("w2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> be.weightGradients(4, 5, BufAt.at(dz, 1), 2,
                    BufAt.at(x, 0), BufAt.at(w, 0), 0, null, null, null));
            assertTrue(e.getMessage().contains("dz"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> be.weightGradients(4, 5, BufAt.at(dz, 0), 2,
                    BufAt.at(x, 0), BufAt.at(w, 0), 0, null, null, BufAt.at(small, 0)));
            assertTrue(e.getMessage().contains("db"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> be.weightGradients(4, 5, BufAt.at(dz, 0), -2,
                    BufAt.at(x, 0), BufAt.at(w, 0), 0, null, null, null));
            assertTrue(e.getMessage().contains("k1"), e.getMessage());
        }
    }
}
