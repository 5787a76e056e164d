package dev.jrnn.backend;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The activation enum: Keras names, float64 gradient checks, and the codes the CUDA kernels switch on. */
class ActivationTest {
    @Test
    void derivativeThroughTheOutputMatchesCentralDifferences() {
        for (Activation a : Activation.values()) {
            if (a.rowwise()) continue;
            for (double x = -3.1; x <= 3.1; x += 0.137) {
                if (Math.abs(x) < 1e-3 || Math.abs(0.2 * x + 0.5) < 1e-3 || Math.abs(0.2 * x - 0.5) < 1e-3
                        || Math.abs(x / 6 + 0.5) < 1e-3 || Math.abs(x / 6 - 0.5) < 1e-3) continue;   // kinks
                double h = 1e-6, num = (a.apply(x + h) - a.apply(x - h)) / (2 * h);
                double got = a.needsInput() ? a.derivFromInput(x) : a.derivFromOutput(a.apply(x));
                assertEquals(num, got, 1e-6 * Math.max(1, Math.abs(num)), a + "'(" + x + ")");
            }
        }
    }

    /**
     * "hard_sigmoid" is Keras 3's clip(x/6 + 1/2, 0, 1) (keras/src/ops/nn.py hard_sigmoid: relu6(x + 3) / 6), as a
     * Keras 3 user expects; Keras 2's clip(0.2x + 1/2, 0, 1) is "hard_sigmoid_keras2" (was: "hard_sigmoid" gave
     * 0.8 at 1.5, Keras 3's was "hard_sigmoid_v3", refused since: Keras refuses it, KerasConfigKeysTest).
     */
    @Test
    void hardSigmoidIsKeras3sAndKeras2sHasItsOwnName() {
        assertEquals(0.75, Activation.of("hard_sigmoid").apply(1.5), 1e-15);
        assertEquals(1.0 / 6, Activation.of("hard_sigmoid").apply(-2), 1e-15);
        assertEquals(1.0, Activation.of("hard_sigmoid").apply(3.5), 0);
        assertEquals(0.8, Activation.of("hard_sigmoid_keras2").apply(1.5), 1e-15);
        assertEquals(0.1, Activation.of("hard_sigmoid_keras2").apply(-2), 1e-15);
        assertEquals(1.0, Activation.of("hard_sigmoid_keras2").apply(2.6), 0);   // Keras 3's: 0.9333
        assertEquals(Activation.HARD_SIGMOID_V3, Activation.of("hard_sigmoid"));
        assertEquals(Activation.HARD_SIGMOID, Activation.of("hard_sigmoid_keras2"));
        assertEquals("hard_sigmoid", Activation.HARD_SIGMOID_V3.kerasName());
        assertEquals("hard_sigmoid_keras2", Activation.HARD_SIGMOID.kerasName());
        assertEquals(10, Activation.HARD_SIGMOID_V3.code());   // the CUDA kernels' JRNN_HARD_SIGMOID_V3
        assertEquals(5, Activation.HARD_SIGMOID.code());       // JRNN_HARD_SIGMOID
        String msg = assertThrows(IllegalArgumentException.class, () -> Activation.of("hard_sigmoid_v2")).getMessage();
        assertTrue(msg.startsWith("unknown activation 'hard_sigmoid_v2': expected one of ")
                && msg.contains("hard_sigmoid (Keras 3's), hard_sigmoid_keras2 (Keras 2's)"), msg);
    }

    @Test
    void kerasValues() {
        assertEquals(Math.exp(-1) - 1, Activation.ELU.apply(-1), 1e-15);
        assertEquals(1.0507009873554805 * 1.6732632423543772 * (Math.exp(-2) - 1), Activation.SELU.apply(-2), 1e-15);
        assertEquals(Math.log(1 + Math.exp(0.5)), Activation.SOFTPLUS.apply(0.5), 1e-15);
        assertEquals(800.0, Activation.SOFTPLUS.apply(800), 1e-12);   // no overflow
        assertEquals(-0.75, Activation.SOFTSIGN.apply(-3), 1e-15);
        assertEquals(0.5 + 1.5 / 6, Activation.HARD_SIGMOID_V3.apply(1.5), 1e-15);
        assertEquals(0.8, Activation.HARD_SIGMOID.apply(1.5), 1e-15);
        assertEquals(-0.6, Activation.LEAKY_RELU.apply(-3), 1e-15);   // Keras 3's negative_slope 0.2
        assertEquals(2.5, Activation.LEAKY_RELU.apply(2.5), 1e-15);
        assertEquals(Math.exp(-1.25), Activation.EXPONENTIAL.apply(-1.25), 1e-15);
        assertEquals(0.8413447460685429, Activation.GELU.apply(1), 1e-15);   // x * Phi(x), Keras' approximate=False
        assertEquals(-0.5 * 0.3085375387259869, Activation.GELU.apply(-0.5), 1e-15);
        assertEquals(2 / (1 + Math.exp(-2)), Activation.SWISH.apply(2), 1e-15);
        assertEquals(Activation.SWISH, Activation.of("silu"));   // Keras 3's name for swish
        assertThrows(UnsupportedOperationException.class, () -> Activation.GELU.derivFromOutput(0.5));
        for (Activation a : Activation.values()) assertEquals(a, Activation.of(a.kerasName()));
    }

    /** Keras 3's activations against the values of their docstrings (keras/src/ops/nn.py), default arguments. */
    @Test
    void keras3DocstringValues() {
        double[] x = {-1, 0, 1};
        docstring(Activation.RELU6, new double[] {-3, -2, 0.1, 0.2, 6, 8}, new double[] {0, 0, 0.1, 0.2, 6, 6}, 0);
        docstring(Activation.SPARSE_SIGMOID, new double[] {-6, 1, 0, 1, 6}, new double[] {0, 1, 0.5, 1, 1}, 0);
        docstring(Activation.SOFT_SHRINK, x, new double[] {-0.5, 0, 0.5}, 0);
        docstring(Activation.SPARSE_PLUS, x, new double[] {0, 0.25, 1}, 0);
        docstring(Activation.SQUAREPLUS, x, new double[] {0.6180, 1, 1.6180}, 1e-4);
        docstring(Activation.LOG_SIGMOID, new double[] {-0.541391, 0, 0.5, 5},
                new double[] {-1.0000418, -0.6931472, -0.474077, -0.00671535}, 1e-6);
        docstring(Activation.HARD_SILU, new double[] {-3, -1, 0, 1, 3}, new double[] {0, -0.3333333, 0, 0.6666667, 3}, 1e-7);
        docstring(Activation.CELU, x, new double[] {-0.63212056, 0, 1}, 1e-8);
        docstring(Activation.TANH_SHRINK, x, new double[] {-0.23840584, 0, 0.23840584}, 1e-8);
        docstring(Activation.HARD_TANH, new double[] {-2, -1, 0, 1, 2}, new double[] {-1, -1, 0, 1, 1}, 0);
        docstring(Activation.HARD_SHRINK, new double[] {-0.5, 0, 1}, new double[] {0, 0, 1}, 0);
        assertEquals(Activation.HARD_SILU, Activation.of("hard_swish"));   // Keras' alias
        assertEquals("hard_silu", Activation.HARD_SILU.kerasName());
        for (Activation a : Activation.values()) {
            assertEquals(a.code() >= Activation.GELU.code() && !a.rowwise(), a.needsInput(), a + ": gelu, swish and Keras 3's need x");
        }
        // squareplus far left: the cancellation-free form agrees with (x + sqrt(x^2 + 4)) / 2 in long arithmetic
        assertEquals(0.009999000199950014, Activation.SQUAREPLUS.apply(-100), 1e-17);
        assertTrue(Double.isNaN(Activation.SOFT_SHRINK.apply(Double.NaN)) && Double.isNaN(Activation.HARD_SHRINK.apply(Double.NaN)));
    }

    private static void docstring(Activation a, double[] x, double[] want, double tol) {
        for (int i = 0; i < x.length; i++) assertEquals(want[i], a.apply(x[i]), tol, a.kerasName() + "(" + x[i] + ")");
    }

    /**
     * Values and gradients against PyTorch 1.13 in float64 (torch.nn.functional's relu6, mish, hardswish, celu,
     * logsigmoid, hardtanh, tanhshrink, softshrink, hardshrink; Keras' defaults are torch's), away from the kinks.
     */
    @Test
    void matchesTorch() {
        torch(Activation.RELU6, new double[] {0.0, 0.0, 0.0, 0.0,
                0.0, 0.0, 0.2, 0.45,
                0.8, 1.6, 2.9, 4.0,
                6.0},
                new double[] {0.0, 0.0, 0.0, 0.0,
                0.0, 0.0, 1.0, 1.0,
                1.0, 1.0, 1.0, 1.0,
                0.0});
        torch(Activation.MISH, new double[] {-0.006380263409573668, -0.10409575448637122, -0.23033609787797707, -0.3073824647494959,
                -0.267870234795501, -0.15113317713833455, 0.13259900186215923, 0.33152013586791973,
                0.659699757427687, 1.5121810268488909, 2.8842668281130717, 3.9974128069762385,
                6.499970703939837},
                new double[] {-0.005465886861314787, -0.07276041344326706, -0.11234728881460147, -0.02640096215980155,
                0.18441607325678194, 0.40851087693570215, 0.7246245404198407, 0.8623597979004617,
                1.00125491249153, 1.087236724149281, 1.0243191256661055, 1.0044328769037503,
                1.0000539969448543});
        torch(Activation.HARD_SILU, new double[] {-0.0, -0.0, -0.2933333333333333, -0.36833333333333335,
                -0.2683333333333333, -0.135, 0.10666666666666669, 0.25875000000000004,
                0.5066666666666667, 1.2266666666666666, 2.8516666666666666, 4.0,
                6.5},
                new double[] {0.0, 0.0, -0.2333333333333334, 0.06666666666666665,
                0.2666666666666667, 0.4, 0.5666666666666667, 0.65,
                0.7666666666666666, 1.0333333333333332, 1.4666666666666668, 1.0,
                1.0});
        torch(Activation.CELU, new double[] {-0.9990881180344455, -0.9698026165776815, -0.8891968416376661, -0.7274682069659875,
                -0.5034146962085905, -0.2591817793182821, 0.2, 0.45,
                0.8, 1.6, 2.9, 4.0,
                6.5},
                new double[] {0.0009118819655545162, 0.0301973834223185, 0.11080315836233386, 0.2725317930340126,
                0.4965853037914095, 0.7408182206817179, 1.0, 1.0,
                1.0, 1.0, 1.0, 1.0,
                1.0});
        torch(Activation.LOG_SIGMOID, new double[] {-7.000911466453775, -3.5297504182726205, -2.305083319768696, -1.5410084538329922,
                -1.103186048885458, -0.8543552444685272, -0.5981388693815918, -0.4932489459974549,
                -0.3711006659477777, -0.1839007408883388, -0.053562776217963175, -0.018149927917809738,
                -0.0015023101597542838},
                new double[] {0.9990889488055994, 0.9706877692486436, 0.9002495108803149, 0.7858349830425586,
                0.668187772168166, 0.5744425168116589, 0.4501660026875221, 0.3893607660507781,
                0.31002551887238755, 0.1679816148660755, 0.05215356307841774, 0.017986209962091555,
                0.0015011822567369915});
        torch(Activation.HARD_TANH, new double[] {-1.0, -1.0, -1.0, -1.0,
                -0.7, -0.3, 0.2, 0.45,
                0.8, 1.0, 1.0, 1.0,
                1.0},
                new double[] {0.0, 0.0, 0.0, 0.0,
                1.0, 1.0, 1.0, 1.0,
                1.0, 0.0, 0.0, 0.0,
                0.0});
        torch(Activation.TANH_SHRINK, new double[] {-6.0000016630560555, -2.501822102388801, -1.2242568699685488, -0.4382768406866937,
                -0.09563222288283646, -0.008687387548409087, 0.002624679775096006, 0.02810099474999206,
                0.13596322973215103, 0.6783314455935288, 1.9060368326494168, 3.000670700260933,
                5.500004520648596},
                new double[] {0.9999966738906552, 0.9963591152795126, 0.9520746558035741, 0.7425668032969059,
                0.3652604100175414, 0.08486303817337082, 0.038957017033883434, 0.17799877063094627,
                0.44094483226775605, 0.8494729241817146, 0.9879627780496033, 0.9986590493169741,
                0.9999909587232446});
        torch(Activation.SOFT_SHRINK, new double[] {-6.5, -3.0, -1.7000000000000002, -0.8,
                -0.19999999999999996, 0.0, 0.0, 0.0,
                0.30000000000000004, 1.1, 2.4, 3.5,
                6.0},
                new double[] {1.0, 1.0, 1.0, 1.0,
                1.0, 0.0, 0.0, 0.0,
                1.0, 1.0, 1.0, 1.0,
                1.0});
        torch(Activation.HARD_SHRINK, new double[] {-7.0, -3.5, -2.2, -1.3,
                -0.7, 0.0, 0.0, 0.0,
                0.8, 1.6, 2.9, 4.0,
                6.5},
                new double[] {1.0, 1.0, 1.0, 1.0,
                1.0, 0.0, 0.0, 0.0,
                1.0, 1.0, 1.0, 1.0,
                1.0});
    }

    private static final double[] TORCH_X = {-7.0, -3.5, -2.2, -1.3, -0.7, -0.3, 0.2, 0.45, 0.8, 1.6, 2.9, 4.0, 6.5};

    private static void torch(Activation a, double[] y, double[] dy) {
        for (int i = 0; i < TORCH_X.length; i++) {
            double x = TORCH_X[i];
            assertEquals(y[i], a.apply(x), 1e-14 * Math.max(1, Math.abs(y[i])), a.kerasName() + "(" + x + ")");
            assertEquals(dy[i], a.derivFromInput(x), 1e-14 * Math.max(1, Math.abs(dy[i])), a.kerasName() + "'(" + x + ")");
        }
    }

    /** erf against published values (Abramowitz and Stegun, table 7.1; more digits from mpmath). */
    @Test
    void erfMatchesItsTables() {
        double[][] v = {{0, 0}, {1e-3, 0.0011283787909692363}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
                {-1.5, -0.9661051464753108}, {2, 0.9953222650189527}, {3, 0.9999779095030014}, {3.5, 0.9999992569016276},
                {4.5, 0.9999999998033839}, {7, 1}};
        for (double[] p : v) assertEquals(p[1], Activation.erf(p[0]), 1e-14, "erf(" + p[0] + ")");
        assertTrue(Double.isNaN(Activation.erf(Double.NaN)));
    }

    @Test
    void codesAreDistinctAndNamesAreCheckedAsKeras() {
        java.util.Set<Integer> codes = new java.util.HashSet<>();
        for (Activation a : Activation.values()) {
            assertTrue(codes.add(a.code()), "code " + a.code() + " of " + a + " is taken");
            // Keras 3.15.1's activations.get is case-sensitive: get("Tanh") and get("RELU") raise "ValueError: Could not interpret
            // activation function identifier: Tanh" (LSTM(2, activation="Tanh") and Activation("Tanh") too)
            String upper = a.kerasName().toUpperCase(java.util.Locale.ROOT);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Activation.of(upper));
            assertTrue(e.getMessage().startsWith("unknown activation '" + upper + "' (Keras' names are lower case: did you mean "
                    + a.kerasName() + "?): expected one of "), e.getMessage());
        }
        IllegalArgumentException t = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Activation.of("Tanh"));
        assertTrue(t.getMessage().startsWith("unknown activation 'Tanh' (Keras' names are lower case: did you mean tanh?)"), t.getMessage());
        assertEquals(Activation.LINEAR, Activation.of(null));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Activation.of("swishy"));
        assertTrue(e.getMessage().contains("'swishy'") && e.getMessage().contains("tanh"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> Activation.SOFTMAX.apply(1));
    }

    /** Every Java enum code == the JRNN_<name> define of kernels/cell_math.cuh, the one place the kernels take them from. */
    @Test
    void cudaCodesMatchTheEnum() throws IOException {
        Map<String, Integer> cuda = codes(Files.readString(Path.of("..", "kernels", "cell_math.cuh")), "#define JRNN_([A-Z0-9_]+) (\\d+)");
        for (Activation a : Activation.values()) assertEquals(a.code(), cuda.get(a.name()), "cell_math.cuh JRNN_" + a.name());
        assertEquals(Activation.values().length, cuda.size(), "cell_math.cuh defines a code the enum lacks: " + cuda.keySet());
    }

    private static Map<String, Integer> codes(String src, String regex) {
        Map<String, Integer> m = new HashMap<>();
        Matcher mt = Pattern.compile(regex).matcher(src);
        while (mt.find()) {
            m.put(mt.group(1), Integer.parseInt(mt.group(2)));
        }
        return m;
    }
}
