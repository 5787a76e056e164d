package dev.jrnn.backend;

import dev.jrnn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A NaN, +Inf or -Inf in a prediction or a target gives every built-in loss on the CPU backend Keras 3.15.1's value
 * (NaN, an infinity, or the finite value of a clipped probability) wherever Keras on JAX and on TensorFlow agree
 * (golden values: src/test/resources/lossref/keras_nonfinite_losses.py and its .txt, the cases of
 * {@link NonFiniteLossCases}). The CUDA kernel is held to the CPU's loss and gradient on every case by
 * {@code CudaKernelsSimTest} and {@code CudaNonFiniteLossGpuTest}.
 */
class NonFiniteLossTest {
    @Test
    void nanAndInfInputsGiveKerasLoss() throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = NonFiniteLossTest.class.getResourceAsStream("/lossref/keras_nonfinite_losses.txt")) {
            assertNotNull(in, "lossref/keras_nonfinite_losses.txt");
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.isBlank() && !l.startsWith("#")) lines.add(l.strip());
            }
        }
        // of 19 losses x 3 values x (pred, target) x 2 columns less the sparse losses' targets (216), where JAX and TF agree
        assertEquals(202, lines.size(), "golden lines");
        List<String> wrong = new ArrayList<>();
        try (Backend cpu = CpuBackend.create()) {
            for (String line : lines) {
                String[] f = line.split(" ");
                NonFiniteLossCases.Case c = NonFiniteLossCases.of(Loss.of(Loss.Kind.valueOf(f[0])), f[1], parse(f[2]), Integer.parseInt(f[3]));
                float want = parse(f[4]), got = NonFiniteLossCases.run(cpu, c)[0][0];
                boolean same = Float.isNaN(want) ? Float.isNaN(got) : Float.isInfinite(want) ? want == got
                        : Math.abs(want - got) <= 1e-5 * (1 + Math.abs(want));
                if (!same) wrong.add(c.name() + ": Keras " + want + ", CPU backend " + got);
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + lines.size() + " differ:\n" + String.join("\n", wrong));
    }

    /**
     * categorical_hinge's gradient is NaN only where the max over the other classes is NaN: with +-Inf at a non-target
     * class of a one-hot row the target term y * p is 0 * Inf = NaN, yet Keras' gradient is 0 there (JAX and TF 2.21
     * agree, row 1 of lossref/keras_nonfinite_grads.py's CATEGORICAL_HINGE lines; row 0 is the finite [0, -0.5, 0.5]).
     */
    @Test
    void categoricalHingeGradientIsNaNOnlyWhereKerasIs() {
        String[][] golden = {   // where, value, column, Keras' gradient of row 1
            {"pred", "nan", "0", "nan nan nan"}, {"pred", "nan", "1", "nan nan nan"},
            {"pred", "inf", "0", "nan nan nan"}, {"pred", "inf", "1", "0 0 0"},
            {"pred", "-inf", "0", "nan nan nan"}, {"pred", "-inf", "1", "0 0 0"},
            {"target", "nan", "0", "nan nan nan"}, {"target", "nan", "1", "nan nan nan"}};
        List<String> wrong = new ArrayList<>();
        try (Backend cpu = CpuBackend.create()) {
            for (String[] g : golden) {
                NonFiniteLossCases.Case c = NonFiniteLossCases.of(Loss.of(Loss.Kind.CATEGORICAL_HINGE), g[0], parse(g[1]), Integer.parseInt(g[2]));
                float[] grad = NonFiniteLossCases.run(cpu, c)[1];
                String[] want = g[3].split(" ");
                for (int j = 0; j < 3; j++) {
                    float w = parse(want[j]), got = grad[NonFiniteLossCases.COLS + j];
                    if (Float.isNaN(w) ? !Float.isNaN(got) : w != got) wrong.add(c.name() + " d/dp[1, " + j + "]: Keras " + w + ", CPU backend " + got);
                }
                float[] row0 = {0f, -0.5f, 0.5f};
                for (int j = 0; j < 3; j++) {
                    if (Math.abs(grad[j] - row0[j]) > 1e-6) wrong.add(c.name() + " d/dp[0, " + j + "]: Keras " + row0[j] + ", CPU backend " + grad[j]);
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    private static float parse(String s) {
        return switch (s) {
            case "nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(s);
        };
    }
}
