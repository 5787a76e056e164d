package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.backend.RecurrentCell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LSTMCellTest {
    /** Keras' default bias_initializer, zeros of the shape asked. */
    private static final java.util.function.Function<int[], float[]> ZEROS = s -> new float[(int) dev.jrnn.tensor.Tensor.size(s)];

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @Test
    void describesItsKind() {
        LSTMCell c = new LSTMCell();
        assertEquals(RecurrentCell.LSTM, c.kind());
        assertEquals(4, c.gates());
        assertEquals(2, c.states());
        assertArrayEquals(new int[] {8}, c.biasShape(2));
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 0}, c.initialBias(2, ZEROS), "unit_forget_bias: f block is 1");
        c.unitForgetBias = false;
        assertArrayEquals(new float[8], c.initialBias(2, ZEROS));
        assertTrue(c.backwardReadsGates());
        assertFalse(c.separateRecurrentProjection());
        assertEquals(Activation.SIGMOID, c.recurrentActivation());
    }

    @Test
    void copyKeepsTheConfigurationApart() {
        LSTM l = new LSTM(3).activation("relu").recurrentActivation("hard_sigmoid_keras2").unitForgetBias(false);
        LSTMCell copy = (LSTMCell) l.cell.copy();
        assertNotSame(l.cell, copy);
        assertEquals(Activation.RELU, copy.activation);
        assertEquals(Activation.HARD_SIGMOID, copy.recurrentActivation);
        assertFalse(copy.unitForgetBias);
        copy.recurrentActivation = Activation.SIGMOID;
        assertEquals("hard_sigmoid_keras2", l.recurrentActivation());
        LSTM again = (LSTM) l.newInstance();
        assertEquals("relu", again.activation());
        assertEquals("hard_sigmoid_keras2", again.recurrentActivation());
        assertFalse(again.unitForgetBias());
    }

    @Test
    void oneStepMatchesTheFloat64Reference() {
        LayerCheck.oneStep(new LSTM(4), "lstm", Activation.TANH, Activation.SIGMOID, new float[] {1, 0, 1}, 21);
        LayerCheck.oneStep(new LSTM(3).activation("relu").recurrentActivation("hard_sigmoid_keras2").useBias(false), "lstm",
                Activation.RELU, Activation.HARD_SIGMOID, new float[] {1, 1}, 22);
    }
}
