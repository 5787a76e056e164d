package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    /**
     * A Keras 3 user's "hard_sigmoid" is clip(x/6 + 1/2, 0, 1) in every layer that takes an activation, the LSTM's gates
     * included (was: Keras 2's 0.2x + 1/2, which is now "hard_sigmoid_keras2"); values by hand.
     */
    @Test
    void hardSigmoidIsKeras3sInTheLayers() {
        Tensor x = Tensor.of(new float[] {1.5f, -2f, 2.6f}, 1, 3);
        float[] k3 = {0.75f, 1f / 6, 2.6f / 6 + 0.5f}, k2 = {0.8f, 0.1f, 1f};
        assertArrayEquals(k3, new Activation("hard_sigmoid").call(x).data(), 1e-7f);
        assertArrayEquals(k2, new Activation("hard_sigmoid_keras2").call(x).data(), 1e-7f);
        for (String name : new String[] {"hard_sigmoid", "hard_sigmoid_keras2"}) {
            Dense d = new Dense(3).activation(name).inputShape(3);
            try (Sequential m = new Sequential(d)) {
                d.setWeights(List.of(Tensor.of(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3), Tensor.of(new float[3], 3)));
                assertArrayEquals(name.equals("hard_sigmoid") ? k3 : k2, m.predict(x).data(), 1e-7f, name);
            }
            assertEquals(name, d.activation());
        }
        // one LSTM step from zero states, kernel 1 for every gate, no recurrence or bias: h = hs(x) * tanh(hs(x) * tanh(x))
        for (String name : new String[] {"hard_sigmoid", "hard_sigmoid_keras2"}) {
            LSTM l = new LSTM(1).recurrentActivation(name).inputShape(1, 1);
            try (Sequential m = new Sequential(l)) {
                l.setWeights(List.of(Tensor.of(new float[] {1, 1, 1, 1}, 1, 4), Tensor.of(new float[4], 1, 4), Tensor.of(new float[4], 4)));
                double g = name.equals("hard_sigmoid") ? 0.75 : 0.8;
                assertEquals(g * Math.tanh(g * Math.tanh(1.5)), m.predict(Tensor.of(new float[] {1.5f}, 1, 1, 1)).data()[0], 1e-6, name);
            }
            assertEquals(name, l.recurrentActivation());
        }
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
