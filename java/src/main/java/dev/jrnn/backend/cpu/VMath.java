package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized elementary functions, accurate to about 2e-7 relative (tanh, sigmoid) over the whole float
 * range, plus the activations and their derivatives (through the output) on vectors. Scalar
 * counterparts (for loop tails) are in {@link #act(Activation, float)} and {@link #deriv(Activation, float)}.
 */
final class VMath {
    private VMath() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in a part exact in few bits and a remainder (Cody-Waite), as in Cephes expf. */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Below this, e^x is under the smallest normal float. */
    private static final float EXP_MIN = -87.33654f;
    /** |x| under this: tanh by its odd polynomial (Cephes tanhf), which avoids 1 - e cancellation. */
    private static final float TANH_SMALL = 0.625f;

    private static FloatVector c(float v) { return FloatVector.broadcast(S, v); }

    /** e^x for x <= 0 (x below -87.3 gives ~1.2e-38, the smallest normal). NaN stays NaN. */
    static FloatVector expNonPositive(FloatVector x) {
        x = x.max(EXP_MIN);
        // n = round(x * log2 e); for y <= 0 truncating y - 0.5 rounds to nearest
        IntVector n = (IntVector) x.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
        FloatVector nf = (FloatVector) n.convert(VectorOperators.I2F, 0);
        FloatVector r = nf.fma(c(-LN2_HI), x);
        r = nf.fma(c(-LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500E-4f);
        p = p.fma(r, c(1.3981999507E-3f));
        p = p.fma(r, c(8.3334519073E-3f));
        p = p.fma(r, c(4.1665795894E-2f));
        p = p.fma(r, c(1.6666665459E-1f));
        p = p.fma(r, c(5.0000001201E-1f));
        FloatVector e = p.mul(r).fma(r, r).add(1f);
        // 2^n built in the exponent field; n in [-126, 0] keeps it a normal float
        FloatVector scale = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return e.mul(scale);
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = expNonPositive(x.abs().neg());        // e^-|x| in (0, 1]
        FloatVector inv = e.add(1f);
        // x >= 0: 1 / (1 + e^-x); x < 0: e^x / (1 + e^x), both without overflow or cancellation
        FloatVector num = FloatVector.broadcast(S, 1f).blend(e, x.lt(0f));
        return num.div(inv);
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector e = expNonPositive(ax.mul(-2f));          // e^-2|x|
        FloatVector big = FloatVector.broadcast(S, 1f).sub(e).div(e.add(1f));
        big = big.lanewise(VectorOperators.NEG, x.lt(0f));
        FloatVector z = x.mul(x);
        FloatVector p = FloatVector.broadcast(S, -5.70498872745E-3f);
        p = p.fma(z, c(2.06390887954E-2f));
        p = p.fma(z, c(-5.37397155531E-2f));
        p = p.fma(z, c(1.33314422036E-1f));
        p = p.fma(z, c(-3.33332819422E-1f));
        FloatVector small = p.mul(z).fma(x, x);
        return big.blend(small, ax.lt(TANH_SMALL));
    }

    static FloatVector act(Activation a, FloatVector x) {
        return switch (a) {
            case LINEAR -> x;
            case TANH -> tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> x.max(0f);
            case HARD_SIGMOID -> x.fma(0.2f, 0.5f).max(0f).min(1f);
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not elementwise");
        };
    }

    /** f'(x) written with y = f(x). */
    static FloatVector deriv(Activation a, FloatVector y) {
        return switch (a) {
            case LINEAR -> FloatVector.broadcast(S, 1f);
            case TANH -> y.neg().fma(y, c(1f));
            case SIGMOID -> y.neg().add(1f).mul(y);
            case RELU -> FloatVector.zero(S).blend(c(1f), y.compare(VectorOperators.GT, 0f));
            case HARD_SIGMOID -> {
                VectorMask<Float> inside = y.compare(VectorOperators.GT, 0f).and(y.lt(1f));
                yield FloatVector.zero(S).blend(c(0.2f), inside);
            }
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not elementwise");
        };
    }

    static float act(Activation a, float x) {
        return switch (a) {
            case LINEAR -> x;
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case RELU -> x > 0 ? x : 0f;
            case HARD_SIGMOID -> Math.max(0f, Math.min(1f, 0.2f * x + 0.5f));
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not elementwise");
        };
    }

    static float deriv(Activation a, float y) {
        return switch (a) {
            case LINEAR -> 1f;
            case TANH -> 1f - y * y;
            case SIGMOID -> y * (1f - y);
            case RELU -> y > 0 ? 1f : 0f;
            case HARD_SIGMOID -> (y > 0 && y < 1) ? 0.2f : 0f;
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not elementwise");
        };
    }
}
