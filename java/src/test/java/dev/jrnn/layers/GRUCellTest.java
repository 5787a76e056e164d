package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.backend.RecurrentCell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GRUCellTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @Test
    void describesItsKind() {
        GRUCell c = new GRUCell();
        assertEquals(RecurrentCell.GRU, c.kind());
        assertEquals(3, c.gates());
        assertEquals(1, c.states());
        assertArrayEquals(new int[] {2, 6}, c.biasShape(2), "input and recurrent bias rows");
        assertArrayEquals(new float[12], c.initialBias(2, s -> new float[(int) dev.jrnn.tensor.Tensor.size(s)]));
        assertTrue(c.backwardReadsGates());
        assertTrue(c.separateRecurrentProjection(), "reset_after: r * (hPrev·U + bRec)");
        assertEquals(Activation.SIGMOID, c.recurrentActivation());
    }

    @Test
    void copyKeepsTheConfigurationApart() {
        GRU l = new GRU(3).activation("linear").recurrentActivation("tanh");
        GRUCell copy = (GRUCell) l.cell.copy();
        assertNotSame(l.cell, copy);
        assertEquals(Activation.LINEAR, copy.activation);
        assertEquals(Activation.TANH, copy.recurrentActivation);
        copy.activation = Activation.RELU;
        assertEquals("linear", l.activation());
        GRU again = (GRU) l.newInstance();
        assertEquals("linear", again.activation());
        assertEquals("tanh", again.recurrentActivation());
    }

    @Test
    void oneStepMatchesTheFloat64Reference() {
        LayerCheck.oneStep(new GRU(4), "gru", Activation.TANH, Activation.SIGMOID, new float[] {1, 0, 1}, 31);
        LayerCheck.oneStep(new GRU(3).activation("relu").recurrentActivation("hard_sigmoid_keras2").useBias(false), "gru",
                Activation.RELU, Activation.HARD_SIGMOID, new float[] {1, 1}, 32);
    }
}
