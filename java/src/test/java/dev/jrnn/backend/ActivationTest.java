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
            if (a == Activation.SOFTMAX) continue;
            for (double x = -3.1; x <= 3.1; x += 0.137) {
                if (Math.abs(x) < 1e-3 || Math.abs(0.2 * x + 0.5) < 1e-3 || Math.abs(0.2 * x - 0.5) < 1e-3
                        || Math.abs(x / 6 + 0.5) < 1e-3 || Math.abs(x / 6 - 0.5) < 1e-3) continue;   // kinks
                double h = 1e-6, num = (a.apply(x + h) - a.apply(x - h)) / (2 * h);
                double got = a.needsInput() ? a.derivFromInput(x) : a.derivFromOutput(a.apply(x));
                assertEquals(num, got, 1e-6 * Math.max(1, Math.abs(num)), a + "'(" + x + ")");
            }
        }
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
            assertEquals(a, Activation.of(a.kerasName().toUpperCase(java.util.Locale.ROOT)), "case-insensitive");
        }
        assertEquals(Activation.LINEAR, Activation.of(null));
        assertEquals(Activation.LINEAR, Activation.of(""));
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
