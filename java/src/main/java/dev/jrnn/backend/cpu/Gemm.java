package dev.jrnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM on arrays, row-major: {@code C = alpha op(A) op(B) + beta C}.
 * Goto/BLIS structure: B is packed in [KC x NC] panels of NR-wide column strips, A in [MC x KC]
 * blocks of MR-high row strips (both transposes are absorbed by the packing), and an MR x NR
 * register-blocked micro-kernel of FMAs runs over them. Large products are split over the cores.
 * Arguments are checked by the caller.
 */
final class Gemm {
    private Gemm() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /**
     * Micro-tile: MR rows x NR columns (two vectors) of accumulators: 8 x 2 with 32 vector registers
     * (AVX-512), 6 x 2 with 16 (AVX2, NEON), so the accumulators never spill.
     */
    static final int MR = S.vectorBitSize() >= 512 ? 8 : 6, NR = 2 * VL;
    /**
     * Block sizes. KC = 512: a recurrent step's product at H = 512 is one pass over its C, not two (at 256 its two
     * updates of C cost ~20% of the product: benchmarks/NOTES.md, issue 16 session 6).
     */
    static final int KC = 512, MC = 120, NC = 64 * NR;
    /** Strips that {@link #packB} fills at once, row by row. */
    private static final int PACK_STRIPS = 8;
    /** Products below this many flops stay on the calling thread. */
    static final long PARALLEL_FLOPS = 3_000_000L;
    /** Products below this many multiply-adds skip packing. */
    static final long SMALL_MACS = 8 * 1024;

    static void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha,
                     float[] a, int ao, int lda, float[] b, int bo, int ldb,
                     float beta, float[] c, int co, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scaleC(m, n, beta, c, co, ldc);
            return;
        }
        long macs = (long) m * n * k;
        if (macs < SMALL_MACS) {
            small(ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
            return;
        }
        int parts = 2 * macs >= PARALLEL_FLOPS ? Parallel.THREADS : 1;
        if (parts > 1 && m >= n && m >= 2 * MR) {
            int chunk = roundUp((m + parts - 1) / parts, MR);
            int p = (m + chunk - 1) / chunk;
            Parallel.run(p, i -> {
                int r0 = i * chunk, rows = Math.min(chunk, m - r0);
                blocked(ta, tb, rows, n, k, alpha, a, ta ? ao + r0 : ao + r0 * lda, lda, b, bo, ldb, beta, c, co + r0 * ldc, ldc);
            });
        } else if (parts > 1 && n >= 2 * NR) {
            int chunk = roundUp((n + parts - 1) / parts, NR);
            int p = (n + chunk - 1) / chunk;
            Parallel.run(p, i -> {
                int c0 = i * chunk, cols = Math.min(chunk, n - c0);
                blocked(ta, tb, m, cols, k, alpha, a, ao, lda, b, tb ? bo + c0 * ldb : bo + c0, ldb, beta, c, co + c0, ldc);
            });
        } else {
            blocked(ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
        }
    }

    static int roundUp(int x, int q) { return (x + q - 1) / q * q; }

    private static void scaleC(int m, int n, float beta, float[] c, int co, int ldc) {
        for (int i = 0; i < m; i++) {
            int r = co + i * ldc;
            if (beta == 0f) java.util.Arrays.fill(c, r, r + n, 0f);
            else if (beta != 1f) for (int j = 0; j < n; j++) c[r + j] *= beta;
        }
    }

    /** Direct loops for tiny products, where packing would cost more than it saves. */
    private static void small(boolean ta, boolean tb, int m, int n, int k, float alpha,
                              float[] a, int ao, int lda, float[] b, int bo, int ldb,
                              float beta, float[] c, int co, int ldc) {
        for (int i = 0; i < m; i++) {
            int cr = co + i * ldc;
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
                    float bv = tb ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                    s = Fma.fma(av, bv, s);
                }
                c[cr + j] = beta == 0f ? alpha * s : alpha * s + beta * c[cr + j];
            }
        }
    }

    private static void blocked(boolean ta, boolean tb, int m, int n, int k, float alpha,
                                float[] a, int ao, int lda, float[] b, int bo, int ldb,
                                float beta, float[] c, int co, int ldc) {
        GemmScratch s = GemmScratch.borrow();
        try {
            float[] ap = s.a(GemmScratch.aBlock(m, k)), bp = s.b(GemmScratch.bPanel(n, k));
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    float bta = pc == 0 ? beta : 1f;
                    packB(tb, b, bo, ldb, pc, jc, kc, nc, null, bp);
                    panel(ta, m, a, ao, lda, pc, kc, bp, 0, nc, alpha, bta, c, co + jc, ldc, ap, s.tile);
                }
            }
        } finally {
            GemmScratch.giveBack(s);
        }
    }

    /**
     * Columns [lo, hi) of one packed [kc x nc] panel of op(B) against rows [0, m) of op(A)'s columns [pc, pc + kc):
     * {@code C[0:m, lo:hi] = alpha op(A) · panel + beta C}, with {@code co} at C[0, the panel's first column]; A packed
     * MC rows at a time into {@code ap}, the micro-kernel's tile through {@code tmp}. lo is a multiple of NR.
     */
    static void panel(boolean ta, int m, float[] a, int ao, int lda, int pc, int kc, float[] bp, int lo, int hi,
                      float alpha, float beta, float[] c, int co, int ldc, float[] ap, float[] tmp) {
        for (int ic = 0; ic < m; ic += MC) {
            int mc = Math.min(MC, m - ic);
            packA(ta, a, ao, lda, ic, pc, mc, kc, ap);
            for (int jr = lo; jr < hi; jr += NR) {
                int nr = Math.min(NR, hi - jr);
                int bpo = jr * kc;   // (jr / NR) * NR * kc
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    if (MR == 8) kernel8(kc, ap, ir * kc, bp, bpo, tmp);
                    else kernel6(kc, ap, ir * kc, bp, bpo, tmp);
                    update(tmp, c, co + (ic + ir) * ldc + jr, ldc, alpha, beta, mr, nr);
                }
            }
        }
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] as NR-wide strips, each kc rows of NR floats, zero-padded; with {@code sums}
     * (B not transposed only) also adds each packed row to sums[0:nc], row after row (a column's sum over every
     * panel then has the order of a loop down the column).
     */
    static void packB(boolean tb, float[] b, int bo, int ldb, int pc, int jc, int kc, int nc, float[] sums, float[] bp) {
        int full = nc / NR * NR;
        if (sums != null) {
            if (tb) throw new IllegalArgumentException("packB: column sums of a transposed B");
            packBSums(b, bo, ldb, pc, jc, kc, nc, sums, bp);
            return;
        }
        if (!tb && full > 0) {
            // row by row through groups of PACK_STRIPS full strips: each row's segment is read front to back (strip
            // by strip, a panel of dG over B*T rows was read NR floats per row and left L2), and at most
            // PACK_STRIPS write streams run at once (their starts are kc * NR floats apart, the same cache set)
            for (int g = 0; g < full; g += PACK_STRIPS * NR) {
                int ge = Math.min(full, g + PACK_STRIPS * NR);
                for (int p = 0, src = bo + pc * ldb + jc; p < kc; p++, src += ldb) {
                    for (int jr = g, dst = g * kc + p * NR; jr < ge; jr += NR, dst += NR * kc) {
                        for (int v = 0; v < NR; v += VL) FloatVector.fromArray(S, b, src + jr + v).intoArray(bp, dst + v);
                    }
                }
            }
            if (full == nc) return;
        }
        for (int jr = !tb ? full : 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int dst = jr * kc;
            if (!tb) {
                int src = bo + pc * ldb + jc + jr;
                if (nr == NR) {
                    for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
                        for (int v = 0; v < NR; v += VL) FloatVector.fromArray(S, b, src + v).intoArray(bp, dst + v);
                    }
                } else {
                    for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
                        System.arraycopy(b, src, bp, dst, nr);
                        java.util.Arrays.fill(bp, dst + nr, dst + NR, 0f);
                    }
                }
            } else {
                // stored [n, k]: column j of op(B) is row j of B
                int p0 = 0;
                if (PackTransposes.FAST_PACK_BT && nr == NR) {
                    int src = bo + (jc + jr) * ldb + pc;
                    int blocks = kc / VL;
                    for (int h = 0; h < NR; h += VL) {
                        if (VL == 16) PackTransposes.transpose16(b, src + h * ldb, ldb, bp, dst + h, NR, VL * NR, blocks);
                        else PackTransposes.transpose8(b, src + h * ldb, ldb, bp, dst + h, NR, VL * NR, blocks);
                    }
                    p0 = blocks * VL;
                }
                for (int jj = 0; jj < nr; jj++) {
                    int src = bo + (jc + jr + jj) * ldb + pc;
                    for (int p = p0; p < kc; p++) bp[dst + p * NR + jj] = b[src + p];
                }
                for (int jj = nr; jj < NR; jj++) {
                    for (int p = 0; p < kc; p++) bp[dst + p * NR + jj] = 0f;
                }
            }
        }
    }

    /**
     * {@link #packB} of B not transposed, adding every packed row to sums[jc:jc+nc]: the same layout and the same
     * groups of PACK_STRIPS strips, each column's rows added in order.
     */
    private static void packBSums(float[] b, int bo, int ldb, int pc, int jc, int kc, int nc, float[] sums, float[] bp) {
        int full = nc / NR * NR;
        for (int g = 0; g < full; g += PACK_STRIPS * NR) {
            int ge = Math.min(full, g + PACK_STRIPS * NR);
            for (int p = 0, src = bo + pc * ldb + jc; p < kc; p++, src += ldb) {
                for (int jr = g, dst = g * kc + p * NR; jr < ge; jr += NR, dst += NR * kc) {
                    for (int v = 0; v < NR; v += VL) {
                        FloatVector x = FloatVector.fromArray(S, b, src + jr + v);
                        x.intoArray(bp, dst + v);
                        FloatVector.fromArray(S, sums, jc + jr + v).add(x).intoArray(sums, jc + jr + v);
                    }
                }
            }
        }
        if (full == nc) return;
        for (int p = 0, src = bo + pc * ldb + jc, dst = full * kc; p < kc; p++, src += ldb, dst += NR) {
            for (int j = full; j < nc; j++) {
                float x = b[src + j];
                bp[dst + j - full] = x;
                sums[jc + j] += x;
            }
            java.util.Arrays.fill(bp, dst + nc - full, dst + NR, 0f);
        }
    }

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-high strips, each kc columns of MR floats, zero-padded. */
    static void packA(boolean ta, float[] a, int ao, int lda, int ic, int pc, int mc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int dst = ir * kc;
            if (ta) {
                // stored [k, m]: row i of op(A) is column i of A, so each p gives MR contiguous floats
                int src = ao + pc * lda + ic + ir;
                if (mr == MR) {   // the weight gradients' h^T, x^T over B*T rows
                    int p = 0;
                    if (VL == 2 * MR) {
                        // one vector of 2 * MR floats per p: its low half is this p's, its high half lands where
                        // the next p's store goes (so not for the last p). With lda >= MR the load stays inside a;
                        // the length check is a backstop
                        for (; p < kc - 1 && src + VL <= a.length; p++, src += lda, dst += MR) {
                            FloatVector.fromArray(S, a, src).intoArray(ap, dst);
                        }
                    }
                    for (; p < kc; p++, src += lda, dst += MR) System.arraycopy(a, src, ap, dst, MR);
                    continue;
                }
                for (int p = 0; p < kc; p++, src += lda, dst += MR) {
                    for (int ii = 0; ii < mr; ii++) ap[dst + ii] = a[src + ii];
                    for (int ii = mr; ii < MR; ii++) ap[dst + ii] = 0f;
                }
            } else {
                int p0 = 0;
                if (PackTransposes.FAST_PACK_A && mr == MR) {
                    int src = ao + (ic + ir) * lda + pc;
                    int blocks = kc / VL;
                    PackTransposes.transpose8(a, src, lda, ap, dst, VL, VL * MR, blocks);
                    p0 = blocks * VL;
                }
                for (int ii = 0; ii < mr; ii++) {
                    int src = ao + (ic + ir + ii) * lda + pc;
                    for (int p = p0; p < kc; p++) ap[dst + p * MR + ii] = a[src + p];
                }
                for (int ii = mr; ii < MR; ii++) {
                    for (int p = 0; p < kc; p++) ap[dst + p * MR + ii] = 0f;
                }
            }
        }
    }

    /** tmp[8, NR] = Ap·Bp over kc (8 x 2 vector accumulators). */
    static void kernel8(int kc, float[] ap, int ai, float[] bp, int bi, float[] tmp) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // indices linear in p so C2 can hoist the range checks
            int pa = ai + p * 8, pb = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = Fma.fma(a0, b0, c00);
            c01 = Fma.fma(a0, b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = Fma.fma(a1, b0, c10);
            c11 = Fma.fma(a1, b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = Fma.fma(a2, b0, c20);
            c21 = Fma.fma(a2, b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = Fma.fma(a3, b0, c30);
            c31 = Fma.fma(a3, b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = Fma.fma(a4, b0, c40);
            c41 = Fma.fma(a4, b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = Fma.fma(a5, b0, c50);
            c51 = Fma.fma(a5, b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6]);
            c60 = Fma.fma(a6, b0, c60);
            c61 = Fma.fma(a6, b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7]);
            c70 = Fma.fma(a7, b0, c70);
            c71 = Fma.fma(a7, b1, c71);
        }
        // Accumulators go through tmp: keeps this method small enough for C2 to keep every vector in a register.
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, VL);
        c10.intoArray(tmp, NR);
        c11.intoArray(tmp, NR + VL);
        c20.intoArray(tmp, 2 * NR);
        c21.intoArray(tmp, 2 * NR + VL);
        c30.intoArray(tmp, 3 * NR);
        c31.intoArray(tmp, 3 * NR + VL);
        c40.intoArray(tmp, 4 * NR);
        c41.intoArray(tmp, 4 * NR + VL);
        c50.intoArray(tmp, 5 * NR);
        c51.intoArray(tmp, 5 * NR + VL);
        c60.intoArray(tmp, 6 * NR);
        c61.intoArray(tmp, 6 * NR + VL);
        c70.intoArray(tmp, 7 * NR);
        c71.intoArray(tmp, 7 * NR + VL);
    }

    /** tmp[6, NR] = Ap·Bp over kc (6 x 2 vector accumulators). */
    static void kernel6(int kc, float[] ap, int ai, float[] bp, int bi, float[] tmp) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // indices linear in p so C2 can hoist the range checks
            int pa = ai + p * 6, pb = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = Fma.fma(a0, b0, c00);
            c01 = Fma.fma(a0, b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = Fma.fma(a1, b0, c10);
            c11 = Fma.fma(a1, b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = Fma.fma(a2, b0, c20);
            c21 = Fma.fma(a2, b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = Fma.fma(a3, b0, c30);
            c31 = Fma.fma(a3, b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = Fma.fma(a4, b0, c40);
            c41 = Fma.fma(a4, b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = Fma.fma(a5, b0, c50);
            c51 = Fma.fma(a5, b1, c51);
        }
        // Accumulators go through tmp: keeps this method small enough for C2 to keep every vector in a register.
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, VL);
        c10.intoArray(tmp, NR);
        c11.intoArray(tmp, NR + VL);
        c20.intoArray(tmp, 2 * NR);
        c21.intoArray(tmp, 2 * NR + VL);
        c30.intoArray(tmp, 3 * NR);
        c31.intoArray(tmp, 3 * NR + VL);
        c40.intoArray(tmp, 4 * NR);
        c41.intoArray(tmp, 4 * NR + VL);
        c50.intoArray(tmp, 5 * NR);
        c51.intoArray(tmp, 5 * NR + VL);
    }

    /** C[mr, nr] = alpha * tmp + beta * C (beta == 0: C is not read). */
    static void update(float[] tmp, float[] c, int ci, int ldc, float alpha, float beta, int mr, int nr) {
        if (nr == NR) {
            for (int i = 0; i < mr; i++, ci += ldc) {
                for (int v = 0; v < NR; v += VL) {
                    FloatVector r = FloatVector.fromArray(S, tmp, i * NR + v).mul(alpha);
                    if (beta != 0f) r = FloatVector.fromArray(S, c, ci + v).mul(beta).add(r);
                    r.intoArray(c, ci + v);
                }
            }
            return;
        }
        for (int i = 0; i < mr; i++, ci += ldc) {
            for (int j = 0; j < nr; j++) {
                float v = alpha * tmp[i * NR + j];
                c[ci + j] = beta == 0f ? v : v + beta * c[ci + j];
            }
        }
    }
}
