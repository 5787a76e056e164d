package dev.jrnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The reference for {@link VMathExpBitsTest}: VMath's exp kernels as they were before e^u was written once (b0575c4f,
 * four copies of the reduction and polynomial), copied unchanged but for the javadoc. Frozen: the shared version must
 * give these bits, under either FMA setting.
 */
final class VMathBeforeSharedExp {
    private VMathBeforeSharedExp() {}

    static final VectorSpecies<Float> S = VMath.S;
    static final int VL = S.length();

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in a part exact in few bits and a remainder (Cody-Waite), as in Cephes expf. */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Below this, e^x is under the smallest normal float: the kernels give 0 there (the exponent bits stop at -126). */
    static final float EXP_MIN = -87.33654f;
    /** Cephes expf polynomial for e^r - 1 - r on [-ln2/2, ln2/2]. */
    private static final float E0 = 1.9875691500E-4f, E1 = 1.3981999507E-3f, E2 = 8.3334519073E-3f,
            E3 = 4.1665795894E-2f, E4 = 1.6666665459E-1f, E5 = 5.0000001201E-1f;
    /** |x| under this: tanh by its odd polynomial (Cephes tanhf), which avoids 1 - e cancellation. */
    private static final float TANH_SMALL = 0.625f;
    private static final float T0 = -5.70498872745E-3f, T1 = 2.06390887954E-2f, T2 = -5.37397155531E-2f,
            T3 = 1.33314422036E-1f, T4 = -3.33332819422E-1f;

    static void tanh(float[] x, int xo, float[] y, int yo, int n) {
        if (!Fma.HARDWARE) {   // static final: C2 folds this away, the loop below is the FMA path as it was
            tanhNoFma(x, xo, y, yo, n);
            return;
        }
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI), ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e0 = FloatVector.broadcast(S, E0), e1 = FloatVector.broadcast(S, E1), e2 = FloatVector.broadcast(S, E2);
        FloatVector e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4), e5 = FloatVector.broadcast(S, E5);
        FloatVector t0 = FloatVector.broadcast(S, T0), t1 = FloatVector.broadcast(S, T1), t2 = FloatVector.broadcast(S, T2);
        FloatVector t3 = FloatVector.broadcast(S, T3), t4 = FloatVector.broadcast(S, T4);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += VL) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            // e = e^-2|x| in (0, 1]
            FloatVector ax = v.abs();
            FloatVector u = ax.mul(-2f).max(EXP_MIN);
            IntVector k = (IntVector) u.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);   // round(u log2 e), u <= 0
            FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
            FloatVector r = Fma.fma(kf, ln2hi, u);
            r = Fma.fma(kf, ln2lo, r);
            FloatVector p = Fma.fma(e0, r, e1);
            p = Fma.fma(p, r, e2);
            p = Fma.fma(p, r, e3);
            p = Fma.fma(p, r, e4);
            p = Fma.fma(p, r, e5);
            FloatVector e = Fma.fma(p.mul(r), r, r).add(one);
            e = e.mul(k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            // tanh |x|: (1 - e) / (1 + e) at |x| >= 0.625, below |x| + |x|^3 P(x^2); then x's sign bit (-0 stays -0,
            // where x + x^3 P with P < 0 rounds -0 to +0)
            FloatVector big = one.sub(e).div(e.add(one));
            FloatVector z = v.mul(v);
            FloatVector q = Fma.fma(t0, z, t1);
            q = Fma.fma(q, z, t2);
            q = Fma.fma(q, z, t3);
            q = Fma.fma(q, z, t4);
            FloatVector small = Fma.fma(q.mul(z), ax, ax);
            big.blend(small, ax.lt(TANH_SMALL)).lanewise(VectorOperators.NEG, v.test(VectorOperators.IS_NEGATIVE))
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = (float) Math.tanh(x[xo + i]);
    }

    /**
     * {@code tanh} without hardware FMA. Split into a multiply and an add, tanh's 12 multiply-adds grow C2's graph past
     * the inlining node-count limit (NodeCountInliningCutoff): Fma's calls stay calls and every vector is boxed (~50x
     * the time, ~200 KB of garbage per 4,096 floats). So the small-|x| polynomial and the exp part are two loops in two
     * methods, each small enough to compile whole. In place (x == y) too: the first pass writes x itself where
     * |x| &gt;= {@code TANH_SMALL}, so the second pass reads those x back from y, and tells them from the lanes already
     * done by |y| (|tanh x| &lt;= |x| keeps those below the bound).
     */
    private static void tanhNoFma(float[] x, int xo, float[] y, int yo, int n) {
        int ub = S.loopBound(n);
        tanhSmallNoFma(x, xo, y, yo, ub);
        tanhBigNoFma(y, yo, ub);
        for (int i = ub; i < n; i++) y[yo + i] = (float) Math.tanh(x[xo + i]);
    }

    /** y = x + x^3 P(x^2) where |x| &lt; {@code TANH_SMALL}, else (and NaN) x, over whole vectors. */
    private static void tanhSmallNoFma(float[] x, int xo, float[] y, int yo, int ub) {
        FloatVector t0 = FloatVector.broadcast(S, T0), t1 = FloatVector.broadcast(S, T1), t2 = FloatVector.broadcast(S, T2);
        FloatVector t3 = FloatVector.broadcast(S, T3), t4 = FloatVector.broadcast(S, T4);
        for (int i = 0; i < ub; i += VL) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i), ax = v.abs();
            FloatVector z = v.mul(v);
            FloatVector q = Fma.fma(t0, z, t1);
            q = Fma.fma(q, z, t2);
            q = Fma.fma(q, z, t3);
            q = Fma.fma(q, z, t4);
            // on |x| with x's sign bit after, as the FMA path (-0 stays -0)
            FloatVector small = Fma.fma(q.mul(z), ax, ax).lanewise(VectorOperators.NEG, v.test(VectorOperators.IS_NEGATIVE));
            v.blend(small, ax.lt(TANH_SMALL)).intoArray(y, yo + i);
        }
    }

    /** In place, over whole vectors: y = (1 - e^-2|y|) / (1 + e^-2|y|) with y's sign where |y| is not below the bound. */
    private static void tanhBigNoFma(float[] y, int yo, int ub) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI), ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e0 = FloatVector.broadcast(S, E0), e1 = FloatVector.broadcast(S, E1), e2 = FloatVector.broadcast(S, E2);
        FloatVector e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4), e5 = FloatVector.broadcast(S, E5);
        for (int i = 0; i < ub; i += VL) {
            FloatVector v = FloatVector.fromArray(S, y, yo + i);
            FloatVector ax = v.abs();
            FloatVector u = ax.mul(-2f).max(EXP_MIN);
            IntVector k = (IntVector) u.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
            FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
            FloatVector r = Fma.fma(kf, ln2hi, u);
            r = Fma.fma(kf, ln2lo, r);
            FloatVector p = Fma.fma(e0, r, e1);
            p = Fma.fma(p, r, e2);
            p = Fma.fma(p, r, e3);
            p = Fma.fma(p, r, e4);
            p = Fma.fma(p, r, e5);
            FloatVector e = Fma.fma(p.mul(r), r, r).add(one);
            e = e.mul(k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector big = one.sub(e).div(e.add(one)).lanewise(VectorOperators.NEG, v.lt(0f));
            big.blend(v, ax.lt(TANH_SMALL)).intoArray(y, yo + i);
        }
    }

    static void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI), ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e0 = FloatVector.broadcast(S, E0), e1 = FloatVector.broadcast(S, E1), e2 = FloatVector.broadcast(S, E2);
        FloatVector e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4), e5 = FloatVector.broadcast(S, E5);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += VL) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            // e = e^-|x| in (0, 1], 0 where under the smallest normal float
            FloatVector nx = v.abs().neg(), u = nx.max(EXP_MIN);
            IntVector k = (IntVector) u.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
            FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
            FloatVector r = Fma.fma(kf, ln2hi, u);
            r = Fma.fma(kf, ln2lo, r);
            FloatVector p = Fma.fma(e0, r, e1);
            p = Fma.fma(p, r, e2);
            p = Fma.fma(p, r, e3);
            p = Fma.fma(p, r, e4);
            p = Fma.fma(p, r, e5);
            FloatVector e = Fma.fma(p.mul(r), r, r).add(one);
            e = e.mul(k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).blend(0f, nx.lt(EXP_MIN));
            // x >= 0: 1 / (1 + e^-x); x < 0: e^x / (1 + e^x): no overflow, no cancellation
            one.blend(e, v.lt(0f)).div(e.add(one)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = sigmoid(x[xo + i]);
    }

    /** sigmoid of one float, in double: 0 below {@code EXP_MIN} as the lanes; elsewhere within ~2 ulp of them. */
    static float sigmoid(float x) {
        return x < EXP_MIN ? 0f : (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /**
     * {@code y = e^(x - shift)} for x &lt;= shift (softmax numerators), 0 where x - shift &lt; {@code EXP_MIN}; returns
     * their sum, in an order fixed by this code (each lane's running sum, then {@code sumLanes}, then the tail).
     */
    static float expShifted(float[] x, int xo, float[] y, int yo, int n, float shift) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI), ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e0 = FloatVector.broadcast(S, E0), e1 = FloatVector.broadcast(S, E1), e2 = FloatVector.broadcast(S, E2);
        FloatVector e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4), e5 = FloatVector.broadcast(S, E5);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += VL) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(shift), u = d.max(EXP_MIN);
            IntVector k = (IntVector) u.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
            FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
            FloatVector r = Fma.fma(kf, ln2hi, u);
            r = Fma.fma(kf, ln2lo, r);
            FloatVector p = Fma.fma(e0, r, e1);
            p = Fma.fma(p, r, e2);
            p = Fma.fma(p, r, e3);
            p = Fma.fma(p, r, e4);
            p = Fma.fma(p, r, e5);
            FloatVector e = Fma.fma(p.mul(r), r, r).add(one);
            e = e.mul(k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).blend(0f, d.lt(EXP_MIN));
            e.intoArray(y, yo + i);
            acc = acc.add(e);
        }
        float sum = VMath.sumLanes(acc);   // unchanged by the shared exp
        for (; i < n; i++) {
            float d = x[xo + i] - shift, e = d < EXP_MIN ? 0f : (float) Math.exp(d);
            y[yo + i] = e;
            sum += e;
        }
        return sum;
    }
}
