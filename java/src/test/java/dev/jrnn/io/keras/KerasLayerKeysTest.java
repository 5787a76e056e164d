package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasLayerKeys}: every class jrnn reads is checked, a cell's keys are its layer's, and an RNN's own keys and its
 * cell's are checked where {@link KerasRnn} reads them (Keras 3.15.1 refuses {@code RNN(..., go_backward=True)} and
 * {@code LSTMCell(2, unit_forgt_bias=False)} alike: "Unrecognized keyword arguments passed to RNN" / "LSTMCell").
 */
class KerasLayerKeysTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void everyLayerClassJrnnReadsIsChecked() {
        List<String> ops = List.of("GetItem", "SlicingOpLambda");   // recorded ops: their key is in the call
        for (String cls : KerasLayers.supported()) {
            if (cls.equals("InputLayer") || ops.contains(cls)) continue;
            assertTrue(KerasLayerKeys.checks(cls), cls);
        }
        for (String cls : List.of("RNN", "StackedRNNCells", "SimpleRNNCell", "LSTMCell", "GRUCell", "CuDNNLSTM", "CuDNNGRU")) {
            assertTrue(KerasLayerKeys.checks(cls), cls);
        }
        // KerasRnn hands a cell's keys and the RNN's to the cell's layer: that layer takes them all
        for (String[] pair : new String[][] {{"SimpleRNNCell", "SimpleRNN"}, {"LSTMCell", "LSTM"}, {"GRUCell", "GRU"}, {"RNN", "LSTM"}}) {
            Set<String> cell = new HashSet<>(KerasLayerKeys.own(pair[0]));
            cell.remove("cell");
            cell.removeAll(KerasLayerKeys.own(pair[1]));
            assertEquals(Set.of(), cell, pair[0] + " -> " + pair[1]);
        }
    }

    private static String rnn(String rnnExtra, String cellExtra) {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": \"InputLayer\", \"config\":"
                + " {\"batch_shape\": [null, 3, 2], \"name\": \"in\"}}, {\"class_name\": \"RNN\", \"config\": {\"name\": \"r\","
                + " \"return_sequences\": false" + rnnExtra + ", \"cell\": {\"class_name\": \"StackedRNNCells\", \"config\": {\"cells\": ["
                + "{\"class_name\": \"LSTMCell\", \"config\": {\"name\": \"c1\", \"units\": 2" + cellExtra + "}},"
                + "{\"class_name\": \"GRUCell\", \"config\": {\"name\": \"c2\", \"units\": 2}}]}}}}]}}";
    }

    @Test
    void anRnnsKeysAndItsCellsAreChecked() {
        assertEquals(2, Models.fromJson(rnn(", \"time_major\": false", ", \"implementation\": 2")).layers().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnn(", \"go_backward\": true", "")));
        assertTrue(e.getMessage().startsWith("fromJson: layer 'r' (RNN): unrecognized option {\"go_backward\": true}: not an argument of"
                + " Keras' RNN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnn("", ", \"unit_forgt_bias\": false")));
        assertTrue(e.getMessage().startsWith("fromJson: layer 'r' (RNN) cell 'c1' (LSTMCell): unrecognized option {\"unit_forgt_bias\": false}:"
                + " not an argument of Keras' LSTMCell (Keras 3 refuses it too: 'Unrecognized keyword arguments passed to LSTMCell'); did you"
                + " mean unit_forget_bias (not unit_forgt_bias)?"), e.getMessage());
    }
}
