package dev.jrnn.backend.cpu;

import jdk.incubator.vector.FloatVector;

import static dev.jrnn.backend.cpu.Gemm.KC;
import static dev.jrnn.backend.cpu.Gemm.MR;
import static dev.jrnn.backend.cpu.Gemm.NC;
import static dev.jrnn.backend.cpu.Gemm.NR;
import static dev.jrnn.backend.cpu.Gemm.S;
import static dev.jrnn.backend.cpu.Gemm.VL;

/**
 * A layer's weight gradients in one pass over dz ({@link CpuBackend#weightGradients}): {@code w1 += x1^T · dz},
 * {@code w2 += x2^T · dz} and {@code db += } dz's column sums, for dz [rows, n], x1 [rows, k1], x2 [rows, k2]. Each
 * element gets the sums of two {@link Gemm#gemm} calls and a {@link #columnSums}, in the same order (same K blocks,
 * micro-kernel and update): same bits. But each [KC x NC] panel of dz is packed once for both products and summed
 * for db while it is packed, where the three calls packed dz once per product (on every core that took a share of
 * a product's rows) and read it a third time for the sums.
 *
 * <pre>{@code
 * WeightGradients.accumulate(T * B, G, dg, 0, H, hs, 0, dU, 0, I, x, 0, dW, 0, db, 0);
 * }</pre>
 */
final class WeightGradients {
    private WeightGradients() {}

    /** The arrays and offsets of one call; the stacked output rows [0, k1) are w1's, [k1, k1 + k2) w2's. */
    private record Args(int rows, int n, float[] dz, int dzo, int k1, float[] x1, int x1o, float[] w1, int w1o,
                        int k2, float[] x2, int x2o, float[] w2, int w2o) {}

    /** See the class comment; x2 and w2 are ignored when k2 is 0, db when it is null. */
    static void accumulate(int rows, int n, float[] dz, int dzo, int k1, float[] x1, int x1o, float[] w1, int w1o,
                           int k2, float[] x2, int x2o, float[] w2, int w2o, float[] db, int dbo) {
        int m = k1 + k2;
        // the fused pass where both products would take Gemm's packed path, so that the bits are the calls' bits
        if ((long) k1 * n * rows < Gemm.SMALL_MACS || (k2 > 0 && (long) k2 * n * rows < Gemm.SMALL_MACS)) {
            Gemm.gemm(true, false, k1, n, rows, 1f, x1, x1o, k1, dz, dzo, n, 1f, w1, w1o, n);
            if (k2 > 0) Gemm.gemm(true, false, k2, n, rows, 1f, x2, x2o, k2, dz, dzo, n, 1f, w2, w2o, n);
            if (db != null) columnSums(rows, n, dz, dzo, db, dbo, true);
            return;
        }
        Args a = new Args(rows, n, dz, dzo, k1, x1, x1o, w1, w1o, k2, x2, x2o, w2, w2o);
        float[] sums = db == null ? null : new float[n];
        int parts = 2L * m * n * rows >= Gemm.PARALLEL_FLOPS ? Parallel.THREADS : 1;
        // a share of the output rows packs all of dz and its rows of x; a share of the columns its columns of dz
        // and all of x1, x2: the split that packs less per core
        boolean byRows = (long) n + m / parts <= (long) n / parts + m;
        if (parts > 1 && byRows && m >= 2 * MR) {
            int chunk = Gemm.roundUp((m + parts - 1) / parts, MR);
            Parallel.run((m + chunk - 1) / chunk, i -> part(a, i * chunk, Math.min(m, (i + 1) * chunk), 0, n,
                    i == 0 ? sums : null));
        } else if (parts > 1 && n >= 2 * NR) {
            int chunk = Gemm.roundUp((n + parts - 1) / parts, NR);
            Parallel.run((n + chunk - 1) / chunk, i -> part(a, 0, m, i * chunk, Math.min(n, (i + 1) * chunk), sums));
        } else {
            part(a, 0, m, 0, n, sums);
        }
        if (sums != null) {
            for (int j = 0; j < n; j++) db[dbo + j] = sums[j] + db[dbo + j];
        }
    }

    /**
     * Stacked output rows [r0, r1) and columns [c0, c1): Gemm's blocking with each panel of dz packed once for the
     * rows of w1 and of w2 in the range; dz's column sums added to {@code sums} (nullable) while packing.
     */
    private static void part(Args a, int r0, int r1, int c0, int c1, float[] sums) {
        GemmScratch s = GemmScratch.borrow();
        try {
            int n = a.n, k1 = a.k1;
            float[] ap = s.a(GemmScratch.aBlock(r1 - r0, a.rows)), bp = s.b(GemmScratch.bPanel(c1 - c0, a.rows));
            int a0 = r0, a1 = Math.min(r1, k1), b0 = Math.max(r0, k1) - k1, b1 = r1 - k1;
            for (int jc = c0; jc < c1; jc += NC) {
                int nc = Math.min(NC, c1 - jc);
                for (int pc = 0; pc < a.rows; pc += KC) {
                    int kc = Math.min(KC, a.rows - pc);
                    Gemm.packB(false, a.dz, a.dzo, n, pc, jc, kc, nc, sums, bp);
                    if (a0 < a1) {
                        Gemm.panel(true, a1 - a0, a.x1, a.x1o + a0, k1, pc, kc, bp, 0, nc, 1f, 1f, a.w1,
                                a.w1o + a0 * n + jc, n, ap, s.tile);
                    }
                    if (b0 < b1) {
                        Gemm.panel(true, b1 - b0, a.x2, a.x2o + b0, a.k2, pc, kc, bp, 0, nc, 1f, 1f, a.w2,
                                a.w2o + b0 * n + jc, n, ap, s.tile);
                    }
                }
            }
        } finally {
            GemmScratch.giveBack(s);
        }
    }

    /**
     * {@code out[c] (+)= sum_r x[r, c]} over a dense [rows, cols] matrix: each column summed down the rows in
     * order (one vector of columns in a register), the columns split over the cores when big.
     */
    static void columnSums(int rows, int cols, float[] xs, int xo, float[] os, int oo, boolean accumulate) {
        int ub = S.loopBound(cols);
        int parts = Math.min(Parallel.partsFor((long) rows * cols), Math.max(1, cols / VL));
        Parallel.run(parts, part -> {
            int j0 = CpuBackend.columnStart(part, parts, cols), j1 = CpuBackend.columnStart(part + 1, parts, cols);
            int j = j0;
            for (; j < Math.min(j1, ub); j += VL) {
                FloatVector acc = FloatVector.zero(S);
                for (int r = 0, base = xo + j; r < rows; r++, base += cols) acc = acc.add(FloatVector.fromArray(S, xs, base));
                if (accumulate) acc = acc.add(FloatVector.fromArray(S, os, oo + j));
                acc.intoArray(os, oo + j);
            }
            for (; j < j1; j++) {
                float acc = 0f;
                for (int r = 0, base = xo + j; r < rows; r++, base += cols) acc += xs[base];
                os[oo + j] = accumulate ? os[oo + j] + acc : acc;
            }
        });
    }
}
