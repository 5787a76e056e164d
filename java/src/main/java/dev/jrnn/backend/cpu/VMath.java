package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized activations over array spans: tanh, sigmoid and softmax numerators (Cephes-style exp with Cody-Waite
 * range reduction; tanh's odd polynomial below |x| = 0.625), and their derivatives through the output. Measured
 * against double on AVX-512 (with and without FMA): tanh within 1.5 ulp over the whole float range (the sign of zero
 * kept), sigmoid within 2.5 ulp down to x = -87.34 and the softmax numerators within 1.1 ulp. Where e^-|x| (sigmoid)
 * or e^(x - shift) would be under the smallest normal float (the exponent below {@link #EXP_MIN}) they give 0, in the
 * vector lanes and the scalar tail alike, as Keras 3 on JAX and TensorFlow, whose CPU math flushes denormals, gives.
 *
 * <p>Why array spans and not vector-in/vector-out helpers: C2 only keeps vectors in registers when
 * every Vector API call is inlined. The transcendental loops below are written out in full so each is one
 * self-contained method that C2 compiles on its own, with no vector crossing a call boundary, whatever the caller.
 * That holds because each is over C2's 325-bytecode limit for inlining a hot callee (FreqInlineSize): {@link #apply}
 * and the cells call them and never inline them. So e^x stays written out four times (sigmoid, expShifted, tanh,
 * tanhBigNoFma): with it in one shared helper the kernels shrank to 120-308 bytecodes, the callers inlined them, their
 * graphs passed C2's node-count cutoff and the vectors were boxed (LSTM 32x50x128 step: 104 MB allocated per step
 * against 1.8 MB, 1.4-2x the CPU time; benchmarks/NOTES.md, session 30). The exceptions, {@link
 * #derivFromOutput(Activation, FloatVector)} and {@link #sumLanes}, are a few operations that C2 inlines where they
 * are called.
 */
final class VMath {
    private VMath() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
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

    /** Lane i gets lane i + h (wrapping), for {@link #sumLanes}; null where h is not below the width. */
    private static final VectorShuffle<Float> DOWN32 = down(32), DOWN16 = down(16), DOWN8 = down(8), DOWN4 = down(4),
            DOWN2 = down(2), DOWN1 = down(1);

    private static VectorShuffle<Float> down(int h) { return h < VL ? VectorShuffle.fromOp(S, i -> (i + h) % VL) : null; }

    /**
     * The sum of v's lanes in one fixed order: the upper half added onto the lower, down to one lane. Not {@code
     * reduceLanes(ADD)}, whose order for floats the Vector API leaves open: interpreted and C1 code add the lanes in
     * index order, C2 halves, so the same call gave other bits once C2 had compiled it. A fixed halving tree (VL is a
     * power of two: HotSpot takes no other vector size); the width's branches fold (VL is a constant), the shuffles are
     * constants.
     */
    static float sumLanes(FloatVector v) {   // up to 64 lanes: the widest vector the Vector API has (2048 bits)
        if (VL > 32) v = v.add(v.rearrange(DOWN32));
        if (VL > 16) v = v.add(v.rearrange(DOWN16));
        if (VL > 8) v = v.add(v.rearrange(DOWN8));
        if (VL > 4) v = v.add(v.rearrange(DOWN4));
        if (VL > 2) v = v.add(v.rearrange(DOWN2));
        if (VL > 1) v = v.add(v.rearrange(DOWN1));
        return v.lane(0);
    }

    /** {@code y[yo + i] = a(x[xo + i])} for i &lt; n (x and y may be the same span). */
    static void apply(Activation a, float[] x, int xo, float[] y, int yo, int n) {
        switch (a) {
            case LINEAR -> { if (x != y || xo != yo) System.arraycopy(x, xo, y, yo, n); }
            case TANH -> tanh(x, xo, y, yo, n);
            case SIGMOID -> sigmoid(x, xo, y, yo, n);
            case RELU -> relu(x, xo, y, yo, n);
            case HARD_SIGMOID -> hardSigmoid(x, xo, y, yo, n);
            case HARD_SIGMOID_V3 -> hardSigmoidV3(x, xo, y, yo, n);
            // the rarer activations (elu, selu, softplus, softsign, leaky_relu, exponential): scalar float math
            case ELU, SELU, SOFTPLUS, SOFTSIGN, LEAKY_RELU, EXPONENTIAL -> {
                for (int i = 0; i < n; i++) y[yo + i] = scalar(a, x[xo + i]);
            }
            // gelu (erf), swish and Keras 3's (relu6 on), which take their derivative from the input: in double, rounded once
            case GELU, SWISH, RELU6, MISH, HARD_SILU, CELU, LOG_SIGMOID, HARD_TANH, TANH_SHRINK, SOFT_SHRINK, HARD_SHRINK,
                 SQUAREPLUS, SPARSE_PLUS, SPARSE_SIGMOID -> {
                for (int i = 0; i < n; i++) y[yo + i] = (float) a.apply(x[xo + i]);
            }
            case SOFTMAX, LOG_SOFTMAX -> throw new IllegalArgumentException(a.kerasName() + " is not elementwise");
        }
    }

    /**
     * Keeps an activated gate for backward: {@code v} = a(x) is copied over the pre-activations x at {@code g}, except
     * for gelu and swish ({@link Activation#needsInput()}), whose gate keeps x (their derivative needs it).
     */
    static void keepActivated(Activation a, float[] v, int vo, float[] g, int go, int n) {
        if (!a.needsInput()) System.arraycopy(v, vo, g, go, n);
    }

    /** The activated values of gates kept by {@link #keepActivated}: a(x) for gelu and swish, else a copy. */
    static void activatedFromKept(Activation a, float[] kept, int ko, float[] v, int vo, int n) {
        if (a.needsInput()) apply(a, kept, ko, v, vo, n);
        else System.arraycopy(kept, ko, v, vo, n);
    }

    /** One value of the scalar activations, in float as the CUDA kernels compute it. */
    static float scalar(Activation a, float x) {
        return switch (a) {
            case ELU -> x > 0 ? x : (float) Math.expm1(x);
            case SELU -> (float) Activation.SELU_SCALE * (x > 0 ? x : (float) Activation.SELU_ALPHA * (float) Math.expm1(x));
            case SOFTPLUS -> Math.max(x, 0f) + (float) Math.log1p(Math.exp(-Math.abs(x)));
            case SOFTSIGN -> x / (1f + Math.abs(x));
            case HARD_SIGMOID_V3 -> Math.max(0f, Math.min(1f, x / 6f + 0.5f));
            case LEAKY_RELU -> x > 0 ? x : (float) Activation.LEAKY_SLOPE * x;
            case EXPONENTIAL -> (float) Math.exp(x);
            default -> throw new IllegalArgumentException(a + " is computed vectorised");
        };
    }

    /**
     * {@code d[dOff + i] = a'(x)} written through {@code y = a(x)}, or for gelu, swish and the others that
     * {@link Activation#needsInput()} from x itself passed as {@code y} (d and y may be the same span).
     */
    static void deriv(Activation a, float[] y, int yo, float[] d, int dOff, int n) {
        int i = 0, ub = S.loopBound(n);
        switch (a) {
            case LINEAR -> java.util.Arrays.fill(d, dOff, dOff + n, 1f);
            case TANH, SIGMOID -> {
                for (; i < ub; i += VL) derivFromOutput(a, FloatVector.fromArray(S, y, yo + i)).intoArray(d, dOff + i);
                for (; i < n; i++) d[dOff + i] = deriv(a, y[yo + i]);
            }
            case RELU -> {
                FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
                for (; i < ub; i += VL) {
                    FloatVector v = FloatVector.fromArray(S, y, yo + i);
                    zero.blend(one, v.compare(VectorOperators.GT, 0f)).intoArray(d, dOff + i);
                }
                for (; i < n; i++) d[dOff + i] = y[yo + i] > 0 ? 1f : 0f;
            }
            case HARD_SIGMOID, HARD_SIGMOID_V3 -> {
                float k = a == Activation.HARD_SIGMOID ? 0.2f : 1f / 6f;
                FloatVector zero = FloatVector.zero(S), slope = FloatVector.broadcast(S, k);
                for (; i < ub; i += VL) {
                    FloatVector v = FloatVector.fromArray(S, y, yo + i);
                    VectorMask<Float> inside = v.compare(VectorOperators.GT, 0f).and(v.lt(1f));
                    zero.blend(slope, inside).intoArray(d, dOff + i);
                }
                for (; i < n; i++) d[dOff + i] = y[yo + i] > 0 && y[yo + i] < 1 ? k : 0f;
            }
            case ELU, SELU, SOFTPLUS, SOFTSIGN, LEAKY_RELU, EXPONENTIAL -> {
                for (; i < n; i++) d[dOff + i] = deriv(a, y[yo + i]);
            }
            case GELU, SWISH, RELU6, MISH, HARD_SILU, CELU, LOG_SIGMOID, HARD_TANH, TANH_SHRINK, SOFT_SHRINK, HARD_SHRINK,
                 SQUAREPLUS, SPARSE_PLUS, SPARSE_SIGMOID -> {
                for (; i < n; i++) d[dOff + i] = (float) a.derivFromInput(y[yo + i]);
            }
            case SOFTMAX, LOG_SOFTMAX -> throw new IllegalArgumentException(a.kerasName() + " is not elementwise");
        }
    }

    /** Whether {@link #derivFromOutput} takes {@code a}: a' from y = a(x) in a few vector operations. */
    static boolean derivFromOutput(Activation a) { return a == Activation.TANH || a == Activation.SIGMOID; }

    /** a'(x) from y = a(x) for tanh (1 - y^2) and sigmoid (y (1 - y)), one vector (what {@link #deriv} stores). */
    static FloatVector derivFromOutput(Activation a, FloatVector y) {
        return a == Activation.TANH ? Fma.fma(y.neg(), y, FloatVector.broadcast(S, 1f)) : y.neg().add(1f).mul(y);
    }

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
     * {@link #tanh} without hardware FMA. Split into a multiply and an add, tanh's 12 multiply-adds grow C2's graph past
     * the inlining node-count limit (NodeCountInliningCutoff): Fma's calls stay calls and every vector is boxed (~50x
     * the time, ~200 KB of garbage per 4,096 floats). So the small-|x| polynomial and the exp part are two loops in two
     * methods, each small enough to compile whole; this method inlines the first, and tanhBigNoFma's size (over 325
     * bytecodes) keeps the second out of its graph, which both would push past the cutoff. In place (x == y) too: the
     * first pass writes x itself where |x| &gt;= {@link #TANH_SMALL}, so the second pass reads those x back from y, and
     * tells them from the lanes already done by |y| (|tanh x| &lt;= |x| keeps those below the bound).
     */
    private static void tanhNoFma(float[] x, int xo, float[] y, int yo, int n) {
        int ub = S.loopBound(n);
        tanhSmallNoFma(x, xo, y, yo, ub);
        tanhBigNoFma(y, yo, ub);
        for (int i = ub; i < n; i++) y[yo + i] = (float) Math.tanh(x[xo + i]);
    }

    /** y = x + x^3 P(x^2) where |x| &lt; {@link #TANH_SMALL}, else (and NaN) x, over whole vectors. */
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

    /** sigmoid of one float, in double: 0 below {@link #EXP_MIN} as the lanes; elsewhere within ~2 ulp of them. */
    static float sigmoid(float x) {
        return x < EXP_MIN ? 0f : (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /**
     * {@code y = e^(x - shift)} for x &lt;= shift (softmax numerators), 0 where x - shift &lt; {@link #EXP_MIN}; returns
     * their sum, in an order fixed by this code (each lane's running sum, then {@link #sumLanes}, then the tail).
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
        float sum = sumLanes(acc);
        for (; i < n; i++) {
            float d = x[xo + i] - shift, e = d < EXP_MIN ? 0f : (float) Math.exp(d);
            y[yo + i] = e;
            sum += e;
        }
        return sum;
    }

    static void relu(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += VL) FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] = Math.max(x[xo + i], 0f);   // NaN stays NaN, as the vector max and CUDA
    }

    static void hardSigmoid(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += VL) {
            FloatVector.fromArray(S, x, xo + i).mul(0.2f).add(0.5f).max(0f).min(1f).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.max(0f, Math.min(1f, 0.2f * x[xo + i] + 0.5f));
    }

    /** Keras 3's hard_sigmoid, {@code x / 6 + 1/2} clipped: divided, not multiplied by 1/6, as the scalar path and CUDA round. */
    static void hardSigmoidV3(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += VL) {
            FloatVector.fromArray(S, x, xo + i).div(6f).add(0.5f).max(0f).min(1f).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.max(0f, Math.min(1f, x[xo + i] / 6f + 0.5f));
    }

    static float deriv(Activation a, float y) {
        return switch (a) {
            case LINEAR -> 1f;
            case TANH -> 1f - y * y;
            case SIGMOID -> y * (1f - y);
            case RELU -> y > 0 ? 1f : 0f;
            case HARD_SIGMOID -> (y > 0 && y < 1) ? 0.2f : 0f;
            case HARD_SIGMOID_V3 -> (y > 0 && y < 1) ? 1f / 6f : 0f;
            case ELU -> y > 0 ? 1f : y + 1f;
            case SELU -> y > 0 ? (float) Activation.SELU_SCALE : y + (float) (Activation.SELU_SCALE * Activation.SELU_ALPHA);
            case SOFTPLUS -> (float) -Math.expm1(-y);
            case SOFTSIGN -> (1f - Math.abs(y)) * (1f - Math.abs(y));
            case LEAKY_RELU -> y > 0 ? 1f : (float) Activation.LEAKY_SLOPE;
            case EXPONENTIAL -> y;
            case GELU, SWISH, RELU6, MISH, HARD_SILU, CELU, LOG_SIGMOID, HARD_TANH, TANH_SHRINK, SOFT_SHRINK, HARD_SHRINK,
                 SQUAREPLUS, SPARSE_PLUS, SPARSE_SIGMOID ->
                    throw new IllegalArgumentException(a.kerasName() + "'s derivative needs the input, not the output");
            case SOFTMAX, LOG_SOFTMAX -> throw new IllegalArgumentException(a.kerasName() + " is not elementwise");
        };
    }
}
