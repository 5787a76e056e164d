package dev.jrnn.backend.cpu;

import static dev.jrnn.backend.cpu.Gemm.KC;
import static dev.jrnn.backend.cpu.Gemm.MC;
import static dev.jrnn.backend.cpu.Gemm.MR;
import static dev.jrnn.backend.cpu.Gemm.NC;
import static dev.jrnn.backend.cpu.Gemm.NR;

/**
 * The B operand of {@link Gemm}, packed once into its [KC x NC] panels and reused by many products: a
 * recurrent kernel U (or U^T) multiplies the state of every step of a sequence, and packing it per step
 * (64K floats at H = 128) costs as much as that step's product. Each product computes every element of C
 * exactly as {@link Gemm#gemm} computes it for products of {@code mTotal} rows (the same micro-kernel, k
 * order and update; below {@link Gemm#SMALL_MACS} nothing is packed and Gemm's direct loops run), so both
 * give the same bits.
 *
 * <pre>{@code
 * PackedB u = PackedB.pack(false, uArr, 0, G, H, G, B);   // U [H, G], row-major, for products of B rows
 * u.multiply(rows, h, hOff, H, 1f, gates, gOff, G, 1);    // gates[rows, G] += h[rows, H] · U, this thread
 * }</pre>
 */
final class PackedB {
    private final boolean tb;
    private final float[] b;
    private final int bo, ldb, k, n;
    /**
     * panels[j][p]: columns [j * NC, ..) and rows [p * KC, ..) of op(B), as {@link Gemm#packB} lays them out;
     * null for small products, which read B where it is.
     */
    private final float[][][] panels;

    private PackedB(boolean tb, float[] b, int bo, int ldb, int k, int n, float[][][] panels) {
        this.tb = tb;
        this.b = b;
        this.bo = bo;
        this.ldb = ldb;
        this.k = k;
        this.n = n;
        this.panels = panels;
    }

    /**
     * Packs op(B) [k, n]: B stored [k, n] (row stride ldb), or [n, k] when {@code tb}, for products of at most
     * {@code mTotal} rows (B must not change while this is used).
     */
    static PackedB pack(boolean tb, float[] b, int bo, int ldb, int k, int n, int mTotal) {
        if ((long) mTotal * n * k < Gemm.SMALL_MACS) return new PackedB(tb, b, bo, ldb, k, n, null);
        float[][][] panels = new float[(n + NC - 1) / NC][(k + KC - 1) / KC][];
        for (int jc = 0, j = 0; jc < n; jc += NC, j++) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0, p = 0; pc < k; pc += KC, p++) {
                int kc = Math.min(KC, k - pc);
                panels[j][p] = new float[Gemm.roundUp(nc, NR) * kc];
                Gemm.packB(tb, b, bo, ldb, pc, jc, kc, nc, null, panels[j][p]);
            }
        }
        return new PackedB(tb, b, bo, ldb, k, n, panels);
    }

    /** Columns of op(B). */
    int n() { return n; }

    /**
     * {@code C[m, n] = A[m, k] · op(B) + beta C}; A row-major (row stride lda): on the calling thread when
     * {@code parts} is 1, else its columns split over that many of the pool's threads (strips of NR).
     */
    void multiply(int m, float[] a, int ao, int lda, float beta, float[] c, int co, int ldc, int parts) {
        if (parts <= 1 || n < 2 * NR) {
            multiply(m, a, ao, lda, beta, c, co, ldc, 0, n);
            return;
        }
        int chunk = Gemm.roundUp((n + parts - 1) / parts, NR);
        Parallel.run((n + chunk - 1) / chunk, i -> multiply(m, a, ao, lda, beta, c, co, ldc, i * chunk,
                Math.min(n, (i + 1) * chunk)));
    }

    /** Columns [n0, n1) of {@code C = A · op(B) + beta C} (n0 a multiple of NR). */
    private void multiply(int m, float[] a, int ao, int lda, float beta, float[] c, int co, int ldc, int n0, int n1) {
        if (m == 0 || n1 <= n0) return;
        if (panels == null) {
            Gemm.gemm(false, tb, m, n1 - n0, k, 1f, a, ao, lda, b, tb ? bo + n0 * ldb : bo + n0, ldb, beta, c, co + n0, ldc);
            return;
        }
        GemmScratch s = GemmScratch.borrow();
        try {
            float[] ap = s.a(GemmScratch.aBlock(m, k));
            for (int jc = 0, j = 0; jc < n; jc += NC, j++) {
                int lo = Math.max(n0, jc) - jc, hi = Math.min(n1, Math.min(NC, n - jc) + jc) - jc;
                if (lo >= hi) continue;
                for (int pc = 0, p = 0; pc < k; pc += KC, p++) {
                    int kc = Math.min(KC, k - pc);
                    float bta = pc == 0 ? beta : 1f;
                    Gemm.panel(false, m, a, ao, lda, pc, kc, panels[j][p], lo, hi, 1f, bta, c, co + jc, ldc, ap, s.tile);
                }
            }
        } finally {
            GemmScratch.giveBack(s);
        }
    }
}
