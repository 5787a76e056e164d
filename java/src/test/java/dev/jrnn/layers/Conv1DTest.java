package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Conv1DTest {
    @BeforeEach
    void seed() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
    }

    /** Keras' definition with explicit zero padding, in double: y[b, t, f] = act(bias[f] + sum_j,c xpad[b, t*s + j*d, c] W[j, c, f]). */
    static double[] reference(Activation act, int B, int T, int C, int F, int k, int s, int d, int padL, int padR, int out,
                              double[] W, double[] bias, double[] x) {
        double[] y = new double[B * out * F];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < out; t++) {
                for (int f = 0; f < F; f++) {
                    double a = bias == null ? 0 : bias[f];
                    for (int j = 0; j < k; j++) {
                        int i = t * s + j * d - padL;
                        if (i < 0 || i >= T) continue;   // a padded zero
                        for (int c = 0; c < C; c++) a += x[(b * T + i) * C + c] * W[(j * C + c) * F + f];
                    }
                    y[(b * out + t) * F + f] = act.apply(a);
                }
            }
        }
        assertTrue(padR >= 0);
        return y;
    }

    @ParameterizedTest(name = "{0} k={1} s={2} d={3} T={4} {5} bias={6}")
    @CsvSource({
            "valid,3,1,1,7,linear,true", "valid,3,2,1,8,tanh,true", "valid,2,3,1,8,relu,false", "valid,3,1,2,9,sigmoid,true",
            "valid,1,1,1,4,linear,true", "valid,4,1,1,4,tanh,true",
            "same,3,1,1,7,tanh,true", "same,4,1,1,6,linear,false", "same,3,2,1,7,relu,true", "same,2,2,1,8,linear,true",
            "same,3,1,3,6,tanh,true", "same,5,3,1,4,sigmoid,true",
            "causal,3,1,1,6,tanh,true", "causal,2,1,2,7,linear,true", "causal,3,2,1,7,relu,true", "causal,1,1,1,3,linear,false"})
    void forwardAndGradientsMatchKerasDefinition(String padding, int k, int s, int d, int T, String act, boolean useBias) {
        int B = 2, C = 3, F = 4;
        int out = padding.equals("valid") ? (T - (k - 1) * d - 1) / s + 1 : (T - 1) / s + 1;
        int total = Math.max((out - 1) * s + (k - 1) * d + 1 - T, 0);
        int padL = switch (padding) {
            case "valid" -> 0;
            case "causal" -> (k - 1) * d;
            default -> total / 2;   // TensorFlow's SAME: the odd step on the right
        };
        int padR = padding.equals("same") ? total - padL : 0;
        Conv1D conv = new Conv1D(F, k).padding(padding).strides(s).dilationRate(d).activation(act).useBias(useBias);
        SplittableRandom rng = new SplittableRandom(11);
        Tensor x = LayerCheck.rand(rng, 1, B, T, C);
        conv.build(List.of(new int[] {T, C}));
        assertArrayEquals(new int[] {out, F}, conv.outputShapes().get(0));
        List<Tensor> w = new ArrayList<>();
        for (Param p : conv.params()) w.add(LayerCheck.rand(rng, 0.8, p.shape()));
        conv.setWeights(w);
        Activation a = Activation.of(act);
        LayerCheck.check(conv, List.of(x), null, new boolean[] {true},
                v -> new double[][] {reference(a, B, T, C, F, k, s, d, padL, padR, out, v[0], useBias ? v[1] : null, v[useBias ? 2 : 1])}, 3);
    }

    /**
     * PyTorch's F.conv1d (float64) on the same numbers, padded as TensorFlow pads "same" (strides 5: one zero, on the
     * right) and as Keras pads "causal".
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "valid;2;1;3;1.71, -0.921, -0.052, 1.17, -0.573, -0.016, 0.63, -0.225, 0.02, -0.18, 0.297, 0.074, -0.72, 0.645, 0.11, -1.26, 0.993, 0.146",
            "same;2;1;4;0.684, -1.318, 0.78, 1.44, -0.747, -0.034, 0.9, -0.399, 0.002, 0.356, -0.166, 0.112, 0.04, 0.11, 0.08, -0.45, 0.471, 0.092, -0.99, 0.819, 0.128, -1.52, 0.03, 0.98",
            "causal;1;2;7;0.118, -1.107, 0.968, 0.116, -0.961, 0.862, 0.682, -1.172, 0.674, 0.59, -0.968, 0.574, 1.616, -0.571, -0.258, 1.346, -0.397, -0.24, 1.076, -0.223, -0.222, 0.104, -0.085, 0.226, 0.102, 0.061, 0.12, 0.038, 0.256, -0.026, -0.054, 0.46, -0.126, -0.274, 0.647, -0.132, -0.544, 0.821, -0.114, -0.814, 0.995, -0.096",
            "same;5;1;2;1.71, -0.921, -0.052, 0.356, -0.166, 0.112, -0.18, 0.297, 0.074, -1.52, 0.03, 0.98",
            "same;1;2;7;0.682, -1.172, 0.674, 0.59, -0.968, 0.574, 1.616, -0.571, -0.258, 1.346, -0.397, -0.24, 1.076, -0.223, -0.222, 0.802, -0.164, -0.13, 0.534, -0.136, -0.006, 0.038, 0.256, -0.026, -0.054, 0.46, -0.126, -0.274, 0.647, -0.132, -0.544, 0.821, -0.114, -0.814, 0.995, -0.096, -1.074, 0.032, 0.738, -1.342, 0.06, 0.862"})
    void matchesPyTorchConv1d(String padding, int strides, int dilation, int out, String golden) {
        float[] x = new float[2 * 7 * 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) (i / 10.0 - 1.3);
        float[] w = new float[3 * 2 * 3];
        for (int i = 0; i < w.length; i++) w[i] = (float) ((i * 0.37) % 1.0 - 0.5);
        Conv1D conv = new Conv1D(3, 3).padding(padding).strides(strides).dilationRate(dilation);
        conv.build(List.of(new int[] {7, 2}));
        conv.setWeights(List.of(Tensor.of(w, 3, 2, 3), Tensor.of(new float[] {0.1f, -0.2f, 0.3f}, 3)));
        Tensor y = conv.call(Tensor.of(x, 2, 7, 2));
        assertArrayEquals(new int[] {2, out, 3}, y.shape());
        String[] want = golden.split(",\\s*");
        for (int i = 0; i < want.length; i++) assertEquals(Double.parseDouble(want[i]), y.data()[i], 2e-6, "element " + i);
    }

    @Test
    void kerasShapesParamsAndInitialization() {
        Jrnn.clearSession();
        Conv1D conv = new Conv1D(32, 5);
        assertEquals("conv1d", conv.name());
        conv.build(List.of(new int[] {-1, 8}));   // any length: (None, None, 32)
        assertArrayEquals(new int[] {-1, 32}, conv.outputShapes().get(0));
        assertEquals(5 * 8 * 32 + 32, conv.countParams());
        assertArrayEquals(new int[] {5, 8, 32}, conv.kernel().shape());
        // glorot_uniform with Keras' conv fans: limit sqrt(6 / (5*8 + 5*32)); bias zeros
        double limit = Math.sqrt(6.0 / (5 * 8 + 5 * 32));
        float[] k = conv.getWeights().get(0).data();
        double max = 0;
        for (float v : k) max = Math.max(max, Math.abs(v));
        assertTrue(max <= limit && max > 0.9 * limit, "max |w| " + max + ", limit " + limit);
        for (float v : conv.getWeights().get(1).data()) assertEquals(0f, v);
        assertArrayEquals(new int[] {4, 32}, new Conv1D(32, 3).strides(2).padding("same").build(List.of(new int[] {7, 8})).get(0));
    }

    @Test
    void aMaskEndsHereAsInKeras3() {
        Sequential m = new Sequential(new Masking(0).inputShape(6, 2), new Conv1D(3, 2).padding("causal"), new LSTM(2));
        Tensor x = Tensor.zeros(1, 6, 2);
        assertEquals(2, m.predict(x).dim(1));
        try (var t = new Conv1D(3, 2).forward(List.of(dev.jrnn.backend.DTensor.from(Jrnn.backend(), x)),
                dev.jrnn.backend.DTensor.from(Jrnn.backend(), Tensor.zeros(1, 6)), false)) {
            assertNull(t.outputMask());
        }
    }

    /** "same" and "causal" keep the time axis, yet the mask dies here (Keras 3: Conv1D does not support masking). */
    @Test
    void aMaskDoesNotPassEvenWhereTheTimeAxisStays() {
        LayerCheck.assertMaskEndsAt(() -> new Conv1D(3, 2).padding("causal"), 5, 2);
        LayerCheck.assertMaskEndsAt(() -> new Conv1D(3, 3).padding("same"), 5, 2);
    }

    @Test
    void aCnnLstmTrainsSavesAndLoadsAsKeras(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        float[] xs = new float[32 * 20 * 3], ys = new float[32];
        for (int i = 0; i < 32; i++) {
            double sum = 0;
            for (int t = 0; t < 20 * 3; t++) {
                xs[i * 60 + t] = (float) r.nextGaussian();
                sum += xs[i * 60 + t];
            }
            ys[i] = (float) Math.tanh(sum / 8);
        }
        Tensor x = Tensor.of(xs, 32, 20, 3), y = Tensor.of(ys, 32, 1);
        Sequential m = new Sequential(new Conv1D(8, 3).padding("causal").activation("relu").inputShape(20, 3),
                new Conv1D(8, 2).strides(2), new LSTM(6), new Dense(1));
        m.compile("adam", "mse");
        List<Double> loss = m.fit(x, y, new FitOptions().epochs(30).batchSize(8).verbose(0).seed(1)).history().get("loss");
        assertTrue(loss.get(29) < 0.7 * loss.get(0), "the loss falls: " + loss.get(0) + " -> " + loss.get(29));
        assertTrue(m.summaryString().contains("(None, 10, 8)"), m.summaryString());
        Path file = dir.resolve("cnn_lstm.keras");
        m.save(file);
        try (Model back = Models.load(file)) {
            assertArrayEquals(m.predict(x).data(), back.predict(x).data(), 0f);
            Conv1D c = (Conv1D) back.getLayer(1);
            assertEquals(2, c.strides());
            assertEquals("valid", c.padding());
            assertEquals("relu", ((Conv1D) back.getLayer(0)).activation());
            assertEquals("causal", ((Conv1D) back.getLayer(0)).padding());
        }
    }

    @Test
    void badOptionsAndInputsNameWhatCame() {
        assertEquals("Conv1D: filters must be positive, got 0", assertThrows(IllegalArgumentException.class, () -> new Conv1D(0, 3)).getMessage());
        assertEquals("Conv1D: kernelSize must be positive, got -1", assertThrows(IllegalArgumentException.class, () -> new Conv1D(4, -1)).getMessage());
        Conv1D c = new Conv1D(4, 3).name("c");
        assertEquals("c: padding must be \"valid\", \"same\" or \"causal\", got \"full\"",
                assertThrows(IllegalArgumentException.class, () -> c.padding("full")).getMessage());
        assertEquals("c: strides > 1 is not supported with dilationRate > 1 (as in Keras), got strides 2 and dilationRate 2",
                assertThrows(IllegalArgumentException.class, () -> c.dilationRate(2).strides(2)).getMessage());
        Conv1D v = new Conv1D(4, 3).name("v").dilationRate(2);
        assertEquals("v: 4 timesteps are fewer than the kernel covers (5 with kernelSize 3 and dilationRate 2) with padding \"valid\"",
                assertThrows(IllegalArgumentException.class, () -> v.build(List.of(new int[] {4, 2}))).getMessage());
        assertEquals("v: expected input (batch, timesteps, channels), got (None, 5)",
                assertThrows(IllegalArgumentException.class, () -> v.build(List.of(new int[] {5}))).getMessage());
        Conv1D built = new Conv1D(2, 2).name("b");
        built.build(List.of(new int[] {5, 3}));
        assertEquals("b: cannot change padding after the layer is built",
                assertThrows(IllegalStateException.class, () -> built.padding("same")).getMessage());
    }

    /**
     * A kernel whose dilated span passes the int range is refused where the dilation is set (was: the span overflowed, so
     * "valid" said the kernel covers -2147483647 steps and "same" failed in a gemm outside its buffer).
     */
    @Test
    void aDilatedSpanPastTheIntRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv1D(1, 3).name("c").dilationRate(1 << 30));
        assertEquals("c: kernelSize 3 with dilationRate 1073741824 covers 2147483649 steps, more than 2147483647", e.getMessage());
        Conv1D most = new Conv1D(1, 2).name("m").dilationRate(Integer.MAX_VALUE - 1);   // spans 2^31 - 1 steps: allowed
        assertEquals(Integer.MAX_VALUE - 1, most.dilationRate());
        e = assertThrows(IllegalArgumentException.class, () -> most.padding("causal").call(Tensor.full(1f, 1, 3, 1)));
        assertEquals("m: input (1, 3, 1) padded to 2147483649 steps (windows of 2147483647 steps, strides 1, padding \"causal\")"
                + " is too large for one call", e.getMessage());
    }
}
