package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Activation;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vectorized tanh/sigmoid/exp against java.lang.Math in double, over the whole float range. */
class VMathTest {
    private static final float FLT_MIN_NORMAL = Float.MIN_NORMAL;

    /** Points: a log sweep of magnitudes 1e-38..100 (both signs), a dense linear sweep, and every float near the branch points. */
    static float[] points() {
        java.util.ArrayList<Float> xs = new java.util.ArrayList<>();
        for (double e = -38; e <= 2; e += 0.001) {
            float v = (float) Math.pow(10, e);
            xs.add(v);
            xs.add(-v);
        }
        for (int i = -200_000; i <= 200_000; i++) xs.add(i * 5e-5f);
        for (float c : new float[] {0.625f, 0.3125f, 43.6f, 9.01f, 87.3f, 44f}) {
            int bits = Float.floatToIntBits(c);
            for (int d = -3000; d <= 3000; d++) {
                xs.add(Float.intBitsToFloat(bits + d));
                xs.add(-Float.intBitsToFloat(bits + d));
            }
        }
        xs.add(0f);
        xs.add(-0f);
        xs.add(Float.MAX_VALUE);
        xs.add(-Float.MAX_VALUE);
        xs.add(Float.MIN_VALUE);
        float[] out = new float[xs.size()];
        for (int i = 0; i < out.length; i++) out[i] = xs.get(i);
        return out;
    }

    /** An array kernel: y = f(x) over n floats. */
    interface ArrayFn { void apply(float[] x, float[] y, int n); }

    /** Max relative error of f against ref, over the points where |ref| is a normal float. */
    static double maxRelError(ArrayFn f, DoubleUnaryOperator ref, float[] xs) {
        float[] ys = new float[xs.length];
        f.apply(xs, ys, xs.length);
        double worst = 0;
        for (int i = 0; i < xs.length; i++) {
            double r = ref.applyAsDouble(xs[i]);
            if (Math.abs(r) < FLT_MIN_NORMAL) {
                assertTrue(Math.abs(ys[i]) <= 2 * FLT_MIN_NORMAL, "x=" + xs[i] + ": expected ~0, got " + ys[i]);
                continue;
            }
            double e = Math.abs(ys[i] - r) / Math.abs(r);
            if (!(e <= worst)) {
                worst = e;
                if (!(e <= 1e-6)) throw new AssertionError("x=" + xs[i] + ": got " + ys[i] + ", expected " + r + " (relative error " + e + ")");
            }
        }
        return worst;
    }

    @Test
    void tanhIsAccurateEverywhere() {
        double e = maxRelError((x, y, n) -> VMath.apply(Activation.TANH, x, 0, y, 0, n), Math::tanh, points());
        assertTrue(e <= 1e-6, "tanh max relative error " + e);
    }

    @Test
    void sigmoidIsAccurateEverywhere() {
        double e = maxRelError((x, y, n) -> VMath.apply(Activation.SIGMOID, x, 0, y, 0, n), x -> 1 / (1 + Math.exp(-x)), points());
        assertTrue(e <= 1e-6, "sigmoid max relative error " + e);
    }

    @Test
    void expIsAccurateOnItsDomain() {
        float[] xs = points();
        float[] neg = new float[xs.length];
        for (int i = 0; i < xs.length; i++) neg[i] = -Math.abs(xs[i]);
        double e = maxRelError((x, y, n) -> VMath.expShifted(x, 0, y, 0, n, 0f), Math::exp, neg);
        assertTrue(e <= 1e-6, "exp max relative error " + e);
    }

    @Test
    void specialValues() {
        float[] x = new float[Math.max(16, VMath.VL)];
        java.util.Arrays.fill(x, 1f);
        x[0] = Float.NaN;
        x[1] = Float.POSITIVE_INFINITY;
        x[2] = Float.NEGATIVE_INFINITY;
        x[3] = -0f;
        float[] t = new float[x.length], s = new float[x.length];
        VMath.apply(Activation.TANH, x, 0, t, 0, x.length);
        VMath.apply(Activation.SIGMOID, x, 0, s, 0, x.length);
        assertTrue(Float.isNaN(t[0]) && Float.isNaN(s[0]), "NaN must stay NaN");
        assertEquals(1f, t[1]);
        assertEquals(-1f, t[2]);
        assertEquals(1f, s[1]);
        assertEquals(0f, s[2], 2 * FLT_MIN_NORMAL);
        assertEquals(-0f, t[3]);   // Keras 3.15.1 (JAX and TF): tanh(-0.0) = -0.0
        assertEquals(0.5f, s[3]);
    }

    /*
     * Keras 3.15.1's values below, on JAX and on TensorFlow 2.21 (both flush float32 denormals to zero on the CPU):
     *   x = np.array([[-0.0, -100.0, -88.5, -1e30, float('-inf'), -87.0, -87.3, -87.33, -87.3365, -87.34, -87.4,
     *                  -87.5, -88.0, -95.0, -103.0, -104.0]], dtype="float32")
     *   keras.activations.sigmoid(x); keras.activations.tanh(x)[0, 0]
     *   keras.activations.softmax(np.array([[0.0, -87.0, -87.3, -87.4, -88.5, -100.0, -104.0, -1e30]], dtype="float32"))
     * sigmoid(-87.0) is 1.6458111734947008e-38 on TF; softmax's values are JAX's (TF's own softmax gives 0 at -87 too).
     */
    static final float[] SIGMOID_X = {-0f, -100f, -88.5f, -1e30f, Float.NEGATIVE_INFINITY, -87f, -87.3f, -87.33f, -87.3365f,
            -87.34f, -87.4f, -87.5f, -88f, -95f, -103f, -104f};
    static final double[] KERAS_SIGMOID = {0.5, 0, 0, 0, 0, 1.6458115938842401e-38, 1.219243449397894e-38,
            1.1832107409459385e-38, 1.1755445173073103e-38, 0, 0, 0, 0, 0, 0, 0};
    static final float[] SOFTMAX_X = {-87f, -87.3f, -87.4f, -88.5f, -100f, -104f, -1e30f};
    static final double[] KERAS_SOFTMAX = {1.6458114537543937e-38, 1.2192433092680476e-38, 0, 0, 0, 0, 0};

    /** Keras' value in every column of a row with whole vectors and a tail: the vector lanes and the scalar tail agree. */
    @Test
    void belowTheSmallestNormalFloatSigmoidAndSoftmaxGiveKerasZerosInEveryColumn() {
        int len = 2 * VMath.VL + 3;
        for (int k = 0; k < SIGMOID_X.length; k++) {
            for (int p = 0; p < len; p++) {
                float[] x = new float[len], y = new float[len];
                java.util.Arrays.fill(x, 0.1f);
                x[p] = SIGMOID_X[k];
                VMath.apply(Activation.SIGMOID, x, 0, y, 0, len);
                assertKeras(KERAS_SIGMOID[k], y[p], "sigmoid(" + x[p] + ") in column " + p);
            }
        }
        for (int k = 0; k < SOFTMAX_X.length; k++) {
            for (int p = 0; p < len; p++) {   // the row's max 0 beside it, the rest -1e30 (0)
                float[] x = new float[len], y = new float[len];
                java.util.Arrays.fill(x, -1e30f);
                x[p] = SOFTMAX_X[k];
                x[(p + 1) % len] = 0f;
                float sum = VMath.expShifted(x, 0, y, 0, len, 0f);
                assertEquals(1f, sum, 0f, "the row's sum");
                assertKeras(KERAS_SOFTMAX[k], y[p], "softmax numerator of " + x[p] + " in column " + p);
            }
        }
    }

    private static void assertKeras(double keras, float got, String what) {
        if (keras == 0) assertEquals(0f, got, what);   // +0.0, bit for bit
        else assertEquals(keras, got, 1e-6 * keras, what);
    }

    /** tanh(-0.0) = -0.0 in the vector lanes as in the scalar tail and Keras (the vector path gave +0.0), FMA or not. */
    @Test
    void tanhKeepsTheSignOfZeroInEveryColumn() {
        int len = 2 * VMath.VL + 3;
        float[] x = new float[len], y = new float[len];
        java.util.Arrays.fill(x, -0f);
        VMath.tanh(x, 0, y, 0, len);
        for (int p = 0; p < len; p++) assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(y[p]), "column " + p);
        VMath.tanh(x, 0, x, 0, len);   // in place, as the cells call it
        for (int p = 0; p < len; p++) assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(x[p]), "in place, column " + p);
    }

    @Test
    void derivativesMatchScalar() {
        float[] y = {0f, 0.25f, 0.5f, 0.999f, 1f, -0.3f, 2f, 1e-3f, 0.7f, -1f, 0.1f, 0.9f, 0.4f, 0.6f, 0.05f, 0.95f, 0.33f, -0.5f, 1.5f};
        for (Activation a : new Activation[] {Activation.LINEAR, Activation.TANH, Activation.SIGMOID, Activation.RELU, Activation.HARD_SIGMOID,
                Activation.HARD_SIGMOID_V3}) {
            float[] d = new float[y.length + 3];
            VMath.deriv(a, y, 0, d, 3, y.length);
            for (int j = 0; j < y.length; j++) {
                assertEquals(a.derivFromOutput(y[j]), d[3 + j], 1e-6 * Math.max(1, Math.abs(y[j])), a + " deriv at y=" + y[j]);
            }
        }
    }

    /** Keras 3's hard_sigmoid (now "hard_sigmoid" in code) on the vector path: x / 6 + 1/2 clipped, as the scalar and CUDA round it. */
    @Test
    void keras3HardSigmoidVectorPathIsTheScalarOne() {
        float[] x = new float[4 * VMath.VL + 3];
        for (int i = 0; i < x.length; i++) x[i] = -4.5f + 0.37f * i;
        float[] y = new float[x.length + 2];
        VMath.apply(Activation.HARD_SIGMOID_V3, x, 0, y, 2, x.length);
        for (int i = 0; i < x.length; i++) assertEquals(Math.max(0f, Math.min(1f, x[i] / 6f + 0.5f)), y[2 + i], 0f, "x=" + x[i]);
        float[] v = new float[VMath.VL];
        java.util.Arrays.fill(v, 1.5f);
        VMath.apply(Activation.HARD_SIGMOID_V3, v, 0, v, 0, v.length);
        assertEquals(0.75f, v[0], 0f, "by hand: 1.5 / 6 + 0.5");
    }
}
