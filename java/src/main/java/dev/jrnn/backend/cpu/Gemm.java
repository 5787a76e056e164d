package dev.jrnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    /**
     * Micro-tile: MR rows x NR columns (two vectors) of accumulators: 8 x 2 with 32 vector registers
     * (AVX-512), 6 x 2 with 16 (AVX2, NEON), so the accumulators never spill.
     */
    static final int MR = S.vectorBitSize() >= 512 ? 8 : 6, NR = 2 * VL;
    static final int KC = 256, MC = 120, NC = 64 * NR;
    /** Strips that {@link #packB} fills at once, row by row. */
    private static final int PACK_STRIPS = 8;
    /** Products below this many flops stay on the calling thread. */
    static final long PARALLEL_FLOPS = 3_000_000L;
    /** Products below this many multiply-adds skip packing. */
    static final long SMALL_MACS = 8 * 1024;

    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[MC * KC], new float[KC * NC], new float[MR * NR]});

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
                    s = Math.fma(av, bv, s);
                }
                c[cr + j] = beta == 0f ? alpha * s : alpha * s + beta * c[cr + j];
            }
        }
    }

    private static void blocked(boolean ta, boolean tb, int m, int n, int k, float alpha,
                                float[] a, int ao, int lda, float[] b, int bo, int ldb,
                                float beta, float[] c, int co, int ldc) {
        float[][] bufs = BUFFERS.get();
        float[] ap = bufs[0], bp = bufs[1], tmp = bufs[2];
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float bta = pc == 0 ? beta : 1f;
                packB(tb, b, bo, ldb, pc, jc, kc, nc, bp);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(ta, a, ao, lda, ic, pc, mc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bpo = jr * kc;   // (jr / NR) * NR * kc
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            if (MR == 8) kernel8(kc, ap, ir * kc, bp, bpo, tmp);
                            else kernel6(kc, ap, ir * kc, bp, bpo, tmp);
                            update(tmp, c, co + (ic + ir) * ldc + jc + jr, ldc, alpha, bta, mr, nr);
                        }
                    }
                }
            }
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] as NR-wide strips, each kc rows of NR floats, zero-padded. */
    static void packB(boolean tb, float[] b, int bo, int ldb, int pc, int jc, int kc, int nc, float[] bp) {
        int full = nc / NR * NR;
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
                if (FAST_PACK_BT && nr == NR) {
                    int src = bo + (jc + jr) * ldb + pc;
                    int blocks = kc / VL;
                    for (int h = 0; h < NR; h += VL) {
                        if (VL == 16) transpose16(b, src + h * ldb, ldb, bp, dst + h, NR, VL * NR, blocks);
                        else transpose8(b, src + h * ldb, ldb, bp, dst + h, NR, VL * NR, blocks);
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

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-high strips, each kc columns of MR floats, zero-padded. */
    static void packA(boolean ta, float[] a, int ao, int lda, int ic, int pc, int mc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int dst = ir * kc;
            if (ta) {
                // stored [k, m]: row i of op(A) is column i of A, so each p gives MR contiguous floats
                int src = ao + pc * lda + ic + ir;
                if (mr == MR) {   // one block copy per p (the weight gradients' h^T, x^T over B*T rows)
                    for (int p = 0; p < kc; p++, src += lda, dst += MR) System.arraycopy(a, src, ap, dst, MR);
                    continue;
                }
                for (int p = 0; p < kc; p++, src += lda, dst += MR) {
                    for (int ii = 0; ii < mr; ii++) ap[dst + ii] = a[src + ii];
                    for (int ii = mr; ii < MR; ii++) ap[dst + ii] = 0f;
                }
            } else {
                int p0 = 0;
                if (FAST_PACK_A && mr == MR) {
                    int src = ao + (ic + ir) * lda + pc;
                    int blocks = kc / VL;
                    transpose8(a, src, lda, ap, dst, VL, VL * MR, blocks);
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

    // ---------------------------------------------------------------- in-register transposes for packing

    /** A-packing by transposes needs 8-row strips of 2-column groups: 8 x 2 tiles of 16-float vectors. */
    static final boolean FAST_PACK_A = MR == 8 && VL == 16;
    /** B^T-packing transposes VL x VL blocks. */
    static final boolean FAST_PACK_BT = VL == 8 || VL == 16;

    /** Index vectors of the two-vector permutes of transpose8/16: TR{R}[stage][lower or upper output]. */
    private static final IntVector[][] TR8 = VL >= 8 ? transposeTables(8) : null;
    private static final IntVector[][] TR16 = VL >= 16 ? transposeTables(16) : null;

    /**
     * Builds the permutes that turn R vectors (row r, lane c) into R vectors where vector q, lane l holds
     * row l % R, column q * (VL / R) + l / R. Each of the log2(R) stages pairs vectors that differ in one
     * index bit and trades that bit for a column bit; the element moves are simulated here and checked.
     */
    static IntVector[][] transposeTables(int rows) {
        int stages = Integer.numberOfTrailingZeros(rows), spread = VL / rows, shift = Integer.numberOfTrailingZeros(spread);
        int[][] pos = new int[rows][VL];   // element (r * VL + c) held by vector v at lane l
        for (int r = 0; r < rows; r++) for (int c = 0; c < VL; c++) pos[r][c] = r * VL + c;
        IntVector[][] t = new IntVector[stages][2];
        int[][][] pattern = new int[stages][2][];
        for (int st = 0; st < stages; st++) {
            int x = stages - 1 - st, y = x + shift;
            int[][] next = new int[rows][];
            for (int v = 0; v < rows; v++) {
                if ((v >> x & 1) != 0) continue;
                int w = v | 1 << x;
                for (int half = 0; half < 2; half++) {
                    int[] idx = new int[VL], el = new int[VL];
                    int n = 0;
                    for (int src = 0; src < 2 * VL; src++) {
                        int e = src < VL ? pos[v][src] : pos[w][src - VL];
                        if ((e % VL >> y & 1) == half) {
                            idx[n] = src;
                            el[n++] = e;
                        }
                    }
                    if (st == stages - 1) {   // last stage: put each element on its final lane
                        int[] idx2 = new int[VL], el2 = new int[VL];
                        for (int i = 0; i < VL; i++) {
                            int lane = (el[i] % VL % spread) * rows + el[i] / VL;
                            idx2[lane] = idx[i];
                            el2[lane] = el[i];
                        }
                        idx = idx2;
                        el = el2;
                    }
                    int out = half == 0 ? v : w;
                    next[out] = el;
                    // every pair of a stage moves its elements the same way: one index vector per half
                    if (pattern[st][half] == null) pattern[st][half] = idx;
                    else if (!java.util.Arrays.equals(pattern[st][half], idx)) throw new AssertionError("transpose pattern");
                    t[st][half] = IntVector.fromArray(IS, idx, 0);
                }
            }
            pos = next;
        }
        for (int q = 0; q < rows; q++)
            for (int l = 0; l < VL; l++)
                if (pos[q][l] != (l % rows) * VL + q * spread + l / rows) throw new AssertionError("transpose tables");
        return t;
    }

    /**
     * 8-row in-register transpose, repeated {@code count} times: block i loads 8 rows of VL floats at
     * src + s0 + i*VL + r*ld and stores 8 vectors at dst + d0 + i*dstStep + q*dstStride (layout: see transposeTables).
     */
    private static void transpose8(float[] src, int s0, int ld, float[] dst, int d0, int dstStride, int dstStep, int count) {
        IntVector t0l = TR8[0][0], t0h = TR8[0][1];
        IntVector t1l = TR8[1][0], t1h = TR8[1][1];
        IntVector t2l = TR8[2][0], t2h = TR8[2][1];
        for (int i = 0; i < count; i++) {
            int so = s0 + i * VL, dof = d0 + i * dstStep;
            IntVector v0 = FloatVector.fromArray(S, src, so).reinterpretAsInts();
            IntVector v1 = FloatVector.fromArray(S, src, so + 1 * ld).reinterpretAsInts();
            IntVector v2 = FloatVector.fromArray(S, src, so + 2 * ld).reinterpretAsInts();
            IntVector v3 = FloatVector.fromArray(S, src, so + 3 * ld).reinterpretAsInts();
            IntVector v4 = FloatVector.fromArray(S, src, so + 4 * ld).reinterpretAsInts();
            IntVector v5 = FloatVector.fromArray(S, src, so + 5 * ld).reinterpretAsInts();
            IntVector v6 = FloatVector.fromArray(S, src, so + 6 * ld).reinterpretAsInts();
            IntVector v7 = FloatVector.fromArray(S, src, so + 7 * ld).reinterpretAsInts();
            // stage 0: vector bit 2 trades places with a lane bit
            IntVector n0s0 = t0l.selectFrom(v0, v4);
            v4 = t0h.selectFrom(v0, v4);
            v0 = n0s0;
            IntVector n1s0 = t0l.selectFrom(v1, v5);
            v5 = t0h.selectFrom(v1, v5);
            v1 = n1s0;
            IntVector n2s0 = t0l.selectFrom(v2, v6);
            v6 = t0h.selectFrom(v2, v6);
            v2 = n2s0;
            IntVector n3s0 = t0l.selectFrom(v3, v7);
            v7 = t0h.selectFrom(v3, v7);
            v3 = n3s0;
            // stage 1: vector bit 1 trades places with a lane bit
            IntVector n0s1 = t1l.selectFrom(v0, v2);
            v2 = t1h.selectFrom(v0, v2);
            v0 = n0s1;
            IntVector n1s1 = t1l.selectFrom(v1, v3);
            v3 = t1h.selectFrom(v1, v3);
            v1 = n1s1;
            IntVector n4s1 = t1l.selectFrom(v4, v6);
            v6 = t1h.selectFrom(v4, v6);
            v4 = n4s1;
            IntVector n5s1 = t1l.selectFrom(v5, v7);
            v7 = t1h.selectFrom(v5, v7);
            v5 = n5s1;
            // stage 2: vector bit 0 trades places with a lane bit
            IntVector n0s2 = t2l.selectFrom(v0, v1);
            v1 = t2h.selectFrom(v0, v1);
            v0 = n0s2;
            IntVector n2s2 = t2l.selectFrom(v2, v3);
            v3 = t2h.selectFrom(v2, v3);
            v2 = n2s2;
            IntVector n4s2 = t2l.selectFrom(v4, v5);
            v5 = t2h.selectFrom(v4, v5);
            v4 = n4s2;
            IntVector n6s2 = t2l.selectFrom(v6, v7);
            v7 = t2h.selectFrom(v6, v7);
            v6 = n6s2;
            v0.reinterpretAsFloats().intoArray(dst, dof);
            v1.reinterpretAsFloats().intoArray(dst, dof + 1 * dstStride);
            v2.reinterpretAsFloats().intoArray(dst, dof + 2 * dstStride);
            v3.reinterpretAsFloats().intoArray(dst, dof + 3 * dstStride);
            v4.reinterpretAsFloats().intoArray(dst, dof + 4 * dstStride);
            v5.reinterpretAsFloats().intoArray(dst, dof + 5 * dstStride);
            v6.reinterpretAsFloats().intoArray(dst, dof + 6 * dstStride);
            v7.reinterpretAsFloats().intoArray(dst, dof + 7 * dstStride);
        }
    }

    /**
     * 16-row in-register transpose, repeated {@code count} times: block i loads 16 rows of VL floats at
     * src + s0 + i*VL + r*ld and stores 16 vectors at dst + d0 + i*dstStep + q*dstStride (layout: see transposeTables).
     */
    private static void transpose16(float[] src, int s0, int ld, float[] dst, int d0, int dstStride, int dstStep, int count) {
        IntVector t0l = TR16[0][0], t0h = TR16[0][1];
        IntVector t1l = TR16[1][0], t1h = TR16[1][1];
        IntVector t2l = TR16[2][0], t2h = TR16[2][1];
        IntVector t3l = TR16[3][0], t3h = TR16[3][1];
        for (int i = 0; i < count; i++) {
            int so = s0 + i * VL, dof = d0 + i * dstStep;
            IntVector v0 = FloatVector.fromArray(S, src, so).reinterpretAsInts();
            IntVector v1 = FloatVector.fromArray(S, src, so + 1 * ld).reinterpretAsInts();
            IntVector v2 = FloatVector.fromArray(S, src, so + 2 * ld).reinterpretAsInts();
            IntVector v3 = FloatVector.fromArray(S, src, so + 3 * ld).reinterpretAsInts();
            IntVector v4 = FloatVector.fromArray(S, src, so + 4 * ld).reinterpretAsInts();
            IntVector v5 = FloatVector.fromArray(S, src, so + 5 * ld).reinterpretAsInts();
            IntVector v6 = FloatVector.fromArray(S, src, so + 6 * ld).reinterpretAsInts();
            IntVector v7 = FloatVector.fromArray(S, src, so + 7 * ld).reinterpretAsInts();
            IntVector v8 = FloatVector.fromArray(S, src, so + 8 * ld).reinterpretAsInts();
            IntVector v9 = FloatVector.fromArray(S, src, so + 9 * ld).reinterpretAsInts();
            IntVector v10 = FloatVector.fromArray(S, src, so + 10 * ld).reinterpretAsInts();
            IntVector v11 = FloatVector.fromArray(S, src, so + 11 * ld).reinterpretAsInts();
            IntVector v12 = FloatVector.fromArray(S, src, so + 12 * ld).reinterpretAsInts();
            IntVector v13 = FloatVector.fromArray(S, src, so + 13 * ld).reinterpretAsInts();
            IntVector v14 = FloatVector.fromArray(S, src, so + 14 * ld).reinterpretAsInts();
            IntVector v15 = FloatVector.fromArray(S, src, so + 15 * ld).reinterpretAsInts();
            // stage 0: vector bit 3 trades places with a lane bit
            IntVector n0s0 = t0l.selectFrom(v0, v8);
            v8 = t0h.selectFrom(v0, v8);
            v0 = n0s0;
            IntVector n1s0 = t0l.selectFrom(v1, v9);
            v9 = t0h.selectFrom(v1, v9);
            v1 = n1s0;
            IntVector n2s0 = t0l.selectFrom(v2, v10);
            v10 = t0h.selectFrom(v2, v10);
            v2 = n2s0;
            IntVector n3s0 = t0l.selectFrom(v3, v11);
            v11 = t0h.selectFrom(v3, v11);
            v3 = n3s0;
            IntVector n4s0 = t0l.selectFrom(v4, v12);
            v12 = t0h.selectFrom(v4, v12);
            v4 = n4s0;
            IntVector n5s0 = t0l.selectFrom(v5, v13);
            v13 = t0h.selectFrom(v5, v13);
            v5 = n5s0;
            IntVector n6s0 = t0l.selectFrom(v6, v14);
            v14 = t0h.selectFrom(v6, v14);
            v6 = n6s0;
            IntVector n7s0 = t0l.selectFrom(v7, v15);
            v15 = t0h.selectFrom(v7, v15);
            v7 = n7s0;
            // stage 1: vector bit 2 trades places with a lane bit
            IntVector n0s1 = t1l.selectFrom(v0, v4);
            v4 = t1h.selectFrom(v0, v4);
            v0 = n0s1;
            IntVector n1s1 = t1l.selectFrom(v1, v5);
            v5 = t1h.selectFrom(v1, v5);
            v1 = n1s1;
            IntVector n2s1 = t1l.selectFrom(v2, v6);
            v6 = t1h.selectFrom(v2, v6);
            v2 = n2s1;
            IntVector n3s1 = t1l.selectFrom(v3, v7);
            v7 = t1h.selectFrom(v3, v7);
            v3 = n3s1;
            IntVector n8s1 = t1l.selectFrom(v8, v12);
            v12 = t1h.selectFrom(v8, v12);
            v8 = n8s1;
            IntVector n9s1 = t1l.selectFrom(v9, v13);
            v13 = t1h.selectFrom(v9, v13);
            v9 = n9s1;
            IntVector n10s1 = t1l.selectFrom(v10, v14);
            v14 = t1h.selectFrom(v10, v14);
            v10 = n10s1;
            IntVector n11s1 = t1l.selectFrom(v11, v15);
            v15 = t1h.selectFrom(v11, v15);
            v11 = n11s1;
            // stage 2: vector bit 1 trades places with a lane bit
            IntVector n0s2 = t2l.selectFrom(v0, v2);
            v2 = t2h.selectFrom(v0, v2);
            v0 = n0s2;
            IntVector n1s2 = t2l.selectFrom(v1, v3);
            v3 = t2h.selectFrom(v1, v3);
            v1 = n1s2;
            IntVector n4s2 = t2l.selectFrom(v4, v6);
            v6 = t2h.selectFrom(v4, v6);
            v4 = n4s2;
            IntVector n5s2 = t2l.selectFrom(v5, v7);
            v7 = t2h.selectFrom(v5, v7);
            v5 = n5s2;
            IntVector n8s2 = t2l.selectFrom(v8, v10);
            v10 = t2h.selectFrom(v8, v10);
            v8 = n8s2;
            IntVector n9s2 = t2l.selectFrom(v9, v11);
            v11 = t2h.selectFrom(v9, v11);
            v9 = n9s2;
            IntVector n12s2 = t2l.selectFrom(v12, v14);
            v14 = t2h.selectFrom(v12, v14);
            v12 = n12s2;
            IntVector n13s2 = t2l.selectFrom(v13, v15);
            v15 = t2h.selectFrom(v13, v15);
            v13 = n13s2;
            // stage 3: vector bit 0 trades places with a lane bit
            IntVector n0s3 = t3l.selectFrom(v0, v1);
            v1 = t3h.selectFrom(v0, v1);
            v0 = n0s3;
            IntVector n2s3 = t3l.selectFrom(v2, v3);
            v3 = t3h.selectFrom(v2, v3);
            v2 = n2s3;
            IntVector n4s3 = t3l.selectFrom(v4, v5);
            v5 = t3h.selectFrom(v4, v5);
            v4 = n4s3;
            IntVector n6s3 = t3l.selectFrom(v6, v7);
            v7 = t3h.selectFrom(v6, v7);
            v6 = n6s3;
            IntVector n8s3 = t3l.selectFrom(v8, v9);
            v9 = t3h.selectFrom(v8, v9);
            v8 = n8s3;
            IntVector n10s3 = t3l.selectFrom(v10, v11);
            v11 = t3h.selectFrom(v10, v11);
            v10 = n10s3;
            IntVector n12s3 = t3l.selectFrom(v12, v13);
            v13 = t3h.selectFrom(v12, v13);
            v12 = n12s3;
            IntVector n14s3 = t3l.selectFrom(v14, v15);
            v15 = t3h.selectFrom(v14, v15);
            v14 = n14s3;
            v0.reinterpretAsFloats().intoArray(dst, dof);
            v1.reinterpretAsFloats().intoArray(dst, dof + 1 * dstStride);
            v2.reinterpretAsFloats().intoArray(dst, dof + 2 * dstStride);
            v3.reinterpretAsFloats().intoArray(dst, dof + 3 * dstStride);
            v4.reinterpretAsFloats().intoArray(dst, dof + 4 * dstStride);
            v5.reinterpretAsFloats().intoArray(dst, dof + 5 * dstStride);
            v6.reinterpretAsFloats().intoArray(dst, dof + 6 * dstStride);
            v7.reinterpretAsFloats().intoArray(dst, dof + 7 * dstStride);
            v8.reinterpretAsFloats().intoArray(dst, dof + 8 * dstStride);
            v9.reinterpretAsFloats().intoArray(dst, dof + 9 * dstStride);
            v10.reinterpretAsFloats().intoArray(dst, dof + 10 * dstStride);
            v11.reinterpretAsFloats().intoArray(dst, dof + 11 * dstStride);
            v12.reinterpretAsFloats().intoArray(dst, dof + 12 * dstStride);
            v13.reinterpretAsFloats().intoArray(dst, dof + 13 * dstStride);
            v14.reinterpretAsFloats().intoArray(dst, dof + 14 * dstStride);
            v15.reinterpretAsFloats().intoArray(dst, dof + 15 * dstStride);
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
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
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
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
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
