package dev.jrnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.jrnn.backend.cpu.Gemm.MR;
import static dev.jrnn.backend.cpu.Gemm.S;
import static dev.jrnn.backend.cpu.Gemm.VL;

/**
 * The in-register transposes {@link Gemm#packA} (A not transposed) and {@link Gemm#packB} (B transposed) pack
 * with: blocks of VL-float rows turned into the panels' column order by a few two-vector permutes per stage.
 */
final class PackTransposes {
    private PackTransposes() {}

    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());

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
    static void transpose8(float[] src, int s0, int ld, float[] dst, int d0, int dstStride, int dstStep, int count) {
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
    static void transpose16(float[] src, int s0, int ld, float[] dst, int d0, int dstStride, int dstStep, int count) {
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
}
