package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.SimpleRNN;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    @Test
    void ordersCallsTopologicallyAndListsInputLayersFirst() {
        Input in = Input.shape(4, 2).name("in");
        LSTM a = new LSTM(3);
        Dense d = new Dense(1);
        Node h = a.apply(in);
        Node out = d.apply(h);
        Graph g = Graph.of("m", List.of(in), List.of(out));
        assertEquals(2, g.calls.size());
        assertSame(a, g.calls.get(0).layer());
        assertSame(d, g.calls.get(1).layer());
        assertEquals(List.of("in", a.name(), d.name()), g.layers.stream().map(l -> l.name()).toList());
        assertTrue(g.sequentialLike);
        assertEquals(List.of(d.name()), g.outputKeys());
        assertEquals("x", g.inputLabel(0));
    }

    @Test
    void chainsOnlyRecurrentCallsThatFeedOnlyTheNext() {
        Input in = Input.shape(5, 2);
        Node a = new LSTM(3).returnSequences(true).apply(in);
        Node b = new GRU(3).returnSequences(true).apply(a);
        Node c = new SimpleRNN(2).apply(b);
        Node out = new Dense(1).apply(c);
        Graph g = Graph.of("m", List.of(in), List.of(out));
        assertArrayEquals(new int[] {2, -1, -1, -1}, g.chainEnd);
        // b also a model output: the chain stops at a -> b
        Graph g2 = Graph.of("m2", List.of(in), List.of(out, b));
        assertArrayEquals(new int[] {1, -1, -1, -1}, g2.chainEnd);
    }

    /**
     * tf.keras' _set_output_names over Keras 3's output_names (the layers' names), worked by hand: a layer's outputs take
     * its name, then "_1", "_2" from its own counter, past names already taken (a layer named "enc_1").
     */
    @Test
    void outputKeysAreTheLayersNamesMadeUniqueAsTfKeras() {
        Input in = Input.shape(4, 2);
        Node enc = new LSTM(3).name("enc").returnState(true).apply(in);
        Node d = new Dense(1).name("enc_1").apply(enc.get(0));
        assertEquals(List.of("enc", "enc_1", "enc_1_1"), Graph.of("m", List.of(in), List.of(enc.get(0), enc.get(1), d)).outputKeys());
        assertEquals(List.of("enc_1", "enc", "enc_2", "enc_3"),
                Graph.of("m", List.of(in), List.of(d, enc.get(0), enc.get(1), enc.get(2))).outputKeys());
    }

    @Test
    void sharedLayerIsNotSequentialAndPrintsMultiple() {
        Input x = Input.shape(3), y = Input.shape(3);
        Dense shared = new Dense(2);
        Node a = shared.apply(x), b = shared.apply(y);
        Graph g = Graph.of("m", List.of(x, y), List.of(a, b));
        assertFalse(g.sequentialLike);
        assertEquals(2, shared.calls().size());
        assertEquals(1, shared.calls().get(1).index());
        assertEquals("(None, 2)", Graph.outputShapeString(shared));
        // the outputs are named by their layer (Keras 3's output_names), then made unique as tf.keras' _set_output_names
        // does, so that each output keeps its own log entries
        assertEquals(List.of(shared.name(), shared.name() + "_1"), g.outputKeys());
        assertEquals("x[1] (" + y.name() + ")", g.inputLabel(1));
    }

    @Test
    void rejectsAnOutputThatNeedsAnInputNotListed() {
        Input x = Input.shape(3), other = Input.shape(3);
        Node out = new Dense(1).apply(other);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Graph.of("m", List.of(x), List.of(out)));
        assertTrue(e.getMessage().contains("graph disconnected"), e.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> Graph.of("m", List.of(x, x), List.of(out)));
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
    }

    /** Two copies of one model as branches (tester finetune D2): Keras accepts them (names unique per level); jrnn says why not. */
    @Test
    void twoNestedModelsWithLayersOfOneNameAreRefusedNamingBothModels() {
        Model[] copies = new Model[2];
        for (int k = 0; k < 2; k++) {
            Input i = Input.shape(5, 3);
            LSTM l = new LSTM(2);
            l.name("b_lstm");
            copies[k] = new Model(i, l.apply(i));
            copies[k].name("base" + (k + 1));
        }
        Input x = Input.shape(5, 3);
        dev.jrnn.layers.Add add = new dev.jrnn.layers.Add();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Model(x, add.apply(copies[0].apply(x), copies[1].apply(x))));
        for (String w : List.of("\"b_lstm\" is used by a layer of nested model 'base1' (LSTM) and one of nested model 'base2' (LSTM)",
                "Keras keeps names unique per model level only", "rename the layers of one of them")) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
        LSTM same = new LSTM(2), again = new LSTM(2);
        same.name("one");
        again.name("one");
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class, () -> new Model(x, add.apply(same.apply(x), again.apply(x))));
        assertTrue(flat.getMessage().contains("layer names must be unique in a model (as in Keras)"), flat.getMessage());
    }
}
