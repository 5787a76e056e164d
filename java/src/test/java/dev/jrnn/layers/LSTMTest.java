package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LSTM}'s own options and numbers (the loop over time, masks, goBackwards and tbptt of all three
 * recurrent layers are in {@link RecurrentLayerTest}): a two-step sequence computed by hand from Keras'
 * equations, unit_forget_bias, a recurrent activation other than sigmoid against the float64 reference,
 * Keras' parameter count, and setters that refuse what Keras refuses.
 */
class LSTMTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(11);
    }

    private static double sigmoid(double v) { return 1 / (1 + Math.exp(-v)); }

    @Test
    void twoStepsComputedByHand() {
        // H = I = 1, gates packed i, f, c, o as in Keras
        double[] w = {0.3, -0.2, 0.5, 0.7}, u = {0.1, 0.4, -0.3, 0.2}, b = {0.05, 1.0, -0.1, 0.0};
        float[] x = {1f, -2f};
        LSTM l = new LSTM(1).returnSequences(true).returnState(true);
        l.build(List.of(new int[] {2, 1}));
        l.setWeights(List.of(Tensor.of(f(w), 1, 4), Tensor.of(f(u), 1, 4), Tensor.of(f(b), 4)));
        List<Tensor> out = l.callWithStates(Tensor.of(x, 1, 2, 1));
        double h = 0, c = 0;
        double[] seq = new double[2];
        for (int t = 0; t < 2; t++) {
            double[] z = new double[4];
            for (int g = 0; g < 4; g++) z[g] = x[t] * w[g] + h * u[g] + b[g];
            c = sigmoid(z[1]) * c + sigmoid(z[0]) * Math.tanh(z[2]);
            h = sigmoid(z[3]) * Math.tanh(c);
            seq[t] = h;
        }
        assertEquals(3, out.size(), "[sequence, h, c]");
        assertEquals(seq[0], out.get(0).data()[0], 1e-6);
        assertEquals(seq[1], out.get(0).data()[1], 1e-6);
        assertEquals(h, out.get(1).data()[0], 1e-6);
        assertEquals(c, out.get(2).data()[0], 1e-6);
    }

    private static float[] f(double[] d) { return Ref.f(d); }

    @Test
    void unitForgetBiasInitialisesTheForgetGateToOne() {
        LSTM on = new LSTM(3);
        on.build(List.of(new int[] {2, 4}));
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}, on.getWeights().get(2).data());
        assertTrue(on.unitForgetBias());
        LSTM off = new LSTM(3).unitForgetBias(false);
        off.build(List.of(new int[] {2, 4}));
        assertArrayEquals(new float[12], off.getWeights().get(2).data());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> on.unitForgetBias(false));
        assertTrue(e.getMessage().contains("unitForgetBias"), e.getMessage());
    }

    @Test
    void recurrentActivationOtherThanSigmoidMatchesTheReference() {
        LSTM l = new LSTM(3).recurrentActivation("hard_sigmoid_keras2");
        assertEquals("hard_sigmoid_keras2", l.recurrentActivation());
        LayerCheck.oneStep(l, "lstm", Activation.TANH, Activation.HARD_SIGMOID, new float[] {1, 0, 1}, 21);
        LSTM relu = new LSTM(2).activation("relu").recurrentActivation("sigmoid");
        LayerCheck.oneStep(relu, "lstm", Activation.RELU, Activation.SIGMOID, new float[] {1, 1}, 22);
    }

    @Test
    void kerasParameterCountAndShapes() {
        LSTM l = new LSTM(50).inputShape(3, 1);
        l.build(List.of(new int[] {3, 1}));
        assertEquals(4 * 50 * (1 + 50 + 1), l.countParams());
        assertEquals(10400, l.countParams(), "the number LSTM's Javadoc example gives");
        assertArrayEquals(new int[] {1, 200}, l.getWeights().get(0).shape());
        assertArrayEquals(new int[] {50, 200}, l.getWeights().get(1).shape());
        assertArrayEquals(new int[] {200}, l.getWeights().get(2).shape());
        assertEquals(2, l.stateCount());
        LSTM noBias = new LSTM(2).useBias(false);
        noBias.build(List.of(new int[] {3, 5}));
        assertEquals(4 * 2 * (5 + 2), noBias.countParams());
    }

    @Test
    void badSettingsNameTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LSTM(2).recurrentActivation("softmax"));
        assertTrue(e.getMessage().contains("recurrentActivation") && e.getMessage().contains("softmax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LSTM(0));
        assertTrue(e.getMessage().contains("units"), e.getMessage());
        assertFalse(new LSTM(1).returnSequences());
    }
}
