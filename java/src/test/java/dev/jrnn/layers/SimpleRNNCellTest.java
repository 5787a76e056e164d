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

class SimpleRNNCellTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @Test
    void describesItsKind() {
        SimpleRNNCell c = new SimpleRNNCell();
        assertEquals(RecurrentCell.SIMPLE_RNN, c.kind());
        assertEquals(1, c.gates());
        assertEquals(1, c.states());
        assertArrayEquals(new int[] {5}, c.biasShape(5));
        assertArrayEquals(new float[5], c.initialBias(5, s -> new float[(int) dev.jrnn.tensor.Tensor.size(s)]));
        assertFalse(c.backwardReadsGates(), "backward needs only h");
        assertFalse(c.separateRecurrentProjection());
        assertEquals(Activation.TANH, c.recurrentActivation(), "no gates: its recurrent activation is its activation");
    }

    @Test
    void copyKeepsTheConfigurationApart() {
        SimpleRNN l = new SimpleRNN(3).activation("relu");
        SimpleRNNCell copy = (SimpleRNNCell) l.cell.copy();
        assertNotSame(l.cell, copy);
        assertEquals(Activation.RELU, copy.activation);
        copy.activation = Activation.SIGMOID;
        assertEquals("relu", l.activation());
        assertEquals("relu", l.newInstance().activation());
    }

    @Test
    void oneStepMatchesTheFloat64Reference() {
        LayerCheck.oneStep(new SimpleRNN(4).activation("relu"), "rnn", Activation.RELU, Activation.SIGMOID,
                new float[] {1, 0, 1}, 11);
        LayerCheck.oneStep(new SimpleRNN(3).useBias(false), "rnn", Activation.TANH, Activation.SIGMOID,
                new float[] {1, 1}, 12);
    }
}
