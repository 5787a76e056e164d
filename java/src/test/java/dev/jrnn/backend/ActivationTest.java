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
                double got = a.derivFromOutput(a.apply(x));
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
        for (String s : new String[] {"gelu", "swish", "silu"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.of(s));
            assertTrue(e.getMessage().contains(s) && e.getMessage().contains("not supported"), e.getMessage());
        }
        for (Activation a : Activation.values()) assertEquals(a, Activation.of(a.kerasName()));
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
