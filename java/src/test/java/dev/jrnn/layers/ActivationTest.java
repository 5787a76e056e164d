package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Activation layer: every activation forward and backward against float64, summary as Keras. */
class ActivationTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void everyActivationMatchesTheReferenceAndItsGradient() {
        SplittableRandom rng = new SplittableRandom(3);
        for (dev.jrnn.backend.Activation a : dev.jrnn.backend.Activation.values()) {
            Activation layer = new Activation(a.kerasName());
            Tensor x = LayerCheck.rand(rng, 2, 2, 3, 5);
            LayerCheck.check(layer, List.of(x), null, new boolean[] {true}, v -> {
                double[] y = new double[v[0].length];
                for (int r = 0; r < y.length / 5; r++) {
                    if (a.rowwise()) {   // softmax, log_softmax: over the last axis of 5
                        double s = 0;
                        for (int j = 0; j < 5; j++) s += Math.exp(v[0][r * 5 + j]);
                        for (int j = 0; j < 5; j++) {
                            double p = Math.exp(v[0][r * 5 + j]) / s;
                            y[r * 5 + j] = a == dev.jrnn.backend.Activation.SOFTMAX ? p : Math.log(p);
                        }
                    } else {
                        for (int j = 0; j < 5; j++) y[r * 5 + j] = a.apply(v[0][r * 5 + j]);
                    }
                }
                return new double[][] {y};
            }, 4);
        }
    }

    /** Keras' docstring: log_softmax([-1, 0, 1]) over the last axis. */
    @Test
    void logSoftmaxAsKerasDocumentsIt() {
        float[] y = new Activation("log_softmax").call(Tensor.of(new float[] {-1, 0, 1}, 1, 3)).data();
        double[] want = {-2.40760596, -1.40760596, -0.40760596};
        for (int i = 0; i < 3; i++) assertEquals(want[i], y[i], 1e-6);
    }

    @Test
    void summaryAndErrors() {
        Sequential m = new Sequential(new Dense(4).inputShape(3), new Activation("relu").name("act"));
        assertEquals(0, m.getLayer("act").countParams());
        assertTrue(m.summaryString().contains(" act (Activation)            (None, 4)                 0"), m.summaryString());
        assertEquals("relu", ((Activation) m.getLayer("act")).activation());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Activation("swishy"));
        assertTrue(e.getMessage().contains("swishy") && e.getMessage().contains("softsign"), e.getMessage());
    }
}
