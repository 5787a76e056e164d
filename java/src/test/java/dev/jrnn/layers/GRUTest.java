package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GRU}'s own numbers and options (what all recurrent layers share is in {@link RecurrentLayerTest}):
 * Keras 2.x/3's reset_after GRU computed by hand over two steps, its (2, 3H) bias of input and recurrent
 * rows, a recurrent activation other than sigmoid against the float64 reference, Keras' parameter count.
 */
class GRUTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(12);
    }

    private static double sigmoid(double v) { return 1 / (1 + Math.exp(-v)); }

    @Test
    void twoStepsComputedByHandWithResetAfter() {
        // H = I = 1, gates z, r, h; bias row 0 for the input projection, row 1 for the recurrent one
        double[] w = {0.6, -0.4, 0.9}, u = {0.3, 0.5, -0.7}, bIn = {0.1, -0.2, 0.05}, bRec = {-0.05, 0.15, 0.2};
        float[] x = {0.5f, -1.5f};
        GRU l = new GRU(1).returnSequences(true).returnState(true);
        l.build(List.of(new int[] {2, 1}));
        l.setWeights(List.of(Tensor.of(Ref.f(w), 1, 3), Tensor.of(Ref.f(u), 1, 3),
                Tensor.of(new float[] {0.1f, -0.2f, 0.05f, -0.05f, 0.15f, 0.2f}, 2, 3)));
        List<Tensor> out = l.callWithStates(Tensor.of(x, 1, 2, 1));
        double h = 0;
        double[] seq = new double[2];
        for (int t = 0; t < 2; t++) {
            double z = sigmoid(x[t] * w[0] + bIn[0] + h * u[0] + bRec[0]);
            double r = sigmoid(x[t] * w[1] + bIn[1] + h * u[1] + bRec[1]);
            double hh = Math.tanh(x[t] * w[2] + bIn[2] + r * (h * u[2] + bRec[2]));   // reset after the product
            h = z * h + (1 - z) * hh;
            seq[t] = h;
        }
        assertEquals(2, out.size(), "[sequence, h]");
        assertEquals(seq[0], out.get(0).data()[0], 1e-6);
        assertEquals(seq[1], out.get(0).data()[1], 1e-6);
        assertEquals(h, out.get(1).data()[0], 1e-6);
    }

    @Test
    void resetAfterBiasHasInputAndRecurrentRows() {
        GRU l = new GRU(4);
        assertTrue(l.resetAfter());
        l.build(List.of(new int[] {5, 3}));
        assertArrayEquals(new int[] {2, 12}, l.getWeights().get(2).shape());
        assertArrayEquals(new float[24], l.getWeights().get(2).data(), "Keras initialises the bias to zeros");
        assertEquals(3 * (3 * 4 + 4 * 4 + 2 * 4), l.countParams());
        assertEquals(1, l.stateCount());
    }

    @Test
    void recurrentActivationOtherThanSigmoidMatchesTheReference() {
        GRU l = new GRU(3).recurrentActivation("hard_sigmoid_keras2");
        assertEquals("hard_sigmoid_keras2", l.recurrentActivation());
        LayerCheck.oneStep(l, "gru", Activation.TANH, Activation.HARD_SIGMOID, new float[] {1, 1, 0}, 31);
        LayerCheck.oneStep(new GRU(2).activation("relu"), "gru", Activation.RELU, Activation.SIGMOID, new float[] {0, 1}, 32);
    }

    @Test
    void badSettingsNameTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GRU(2).recurrentActivation("softmax"));
        assertTrue(e.getMessage().contains("recurrentActivation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GRU(-1));
        assertTrue(e.getMessage().contains("GRU") && e.getMessage().contains("units"), e.getMessage());
    }
}
