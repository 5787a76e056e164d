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

    private static float parse(String s) {
        return switch (s) {
            case "nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(s);
        };
    }
}
