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
            cell.remove("num_constants");   // refused where not 0, by the RNN itself
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
                + " RNN in any Keras jrnn reads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnn("", ", \"unit_forgt_bias\": false")));
        assertTrue(e.getMessage().startsWith("fromJson: layer 'r' (RNN) cell 'c1' (LSTMCell): unrecognized option {\"unit_forgt_bias\": false}:"
                + " not an argument of LSTMCell in any Keras jrnn reads (Keras 3 refuses it too: 'Unrecognized keyword arguments passed to LSTMCell'); did you"
                + " mean unit_forget_bias (not unit_forgt_bias)?"), e.getMessage());
    }

    /**
     * Keys real tf.keras 2 writers write that Keras 3 does not take: tf.keras 2.6-2.15's MultiHeadAttention.get_config
     * writes query_shape, key_shape and value_shape (keras v2.15.0 layers/attention/multi_head_attention.py, popped again
     * by its from_config), tf_keras 2.21's also softmax_robust_masking; tf.keras' CuDNNLSTM / CuDNNGRU time_major (keras
     * v2.6.0 layers/cudnn_recurrent.py get_config); tf_keras 2.20's random layers rng_type (base_layer.BaseRandomLayer)
     * and 2.21's Softmax robust_masking. They load (jrnn ignores them: the same numbers), as they did before the key check.
     */
    @Test
    void keysRealTfKeras2WritersWriteLoad() {
        String mha = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"model\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 5, 8], \"dtype\": \"float32\", \"sparse\": false,"
                + " \"ragged\": false, \"name\": \"input_1\"}, \"name\": \"input_1\", \"inbound_nodes\": []},"
                + "{\"class_name\": \"MultiHeadAttention\", \"config\": {\"name\": \"mha\", \"trainable\": true, \"dtype\": \"float32\","
                + " \"num_heads\": 2, \"key_dim\": 4, \"value_dim\": 4, \"dropout\": 0.0, \"use_bias\": true, \"output_shape\": null,"
                + " \"attention_axes\": [1], \"kernel_regularizer\": null, \"bias_regularizer\": null, \"activity_regularizer\": null,"
                + " \"kernel_constraint\": null, \"bias_constraint\": null, \"query_shape\": [null, 5, 8], \"key_shape\": [null, 5, 8],"
                + " \"value_shape\": [null, 5, 8]%s}, \"name\": \"mha\", \"inbound_nodes\": [[[\"input_1\", 0, 0, {\"value\": [\"input_1\", 0, 0]}]]]}],"
                + " \"input_layers\": [[\"input_1\", 0, 0]], \"output_layers\": [[\"mha\", 0, 0]]}, \"keras_version\": \"2.15.0\", \"backend\": \"tensorflow\"}";
        assertEquals(2, Models.fromJson(mha.formatted("")).layers().size());
        assertEquals(2, Models.fromJson(mha.formatted(", \"softmax_robust_masking\": false")).layers().size());
        String cudnn = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": \"InputLayer\", \"config\":"
                + " {\"batch_input_shape\": [null, 5, 3], \"dtype\": \"float32\", \"name\": \"in\"}}, {\"class_name\": \"%s\", \"config\":"
                + " {\"name\": \"cu\", \"trainable\": true, \"dtype\": \"float32\", \"return_sequences\": false, \"return_state\": false,"
                + " \"go_backwards\": false, \"stateful\": false, \"time_major\": false, \"units\": 4}}]}, \"keras_version\": \"2.15.0\","
                + " \"backend\": \"tensorflow\"}";
        assertEquals(1, Models.fromJson(cudnn.formatted("CuDNNLSTM")).layers().size());
        assertEquals(1, Models.fromJson(cudnn.formatted("CuDNNGRU")).layers().size());
        String one = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": \"InputLayer\", \"config\":"
                + " {\"batch_input_shape\": [null, 5, 3], \"dtype\": \"float32\", \"name\": \"in\"}}, {\"class_name\": \"%s\", \"config\":"
                + " {\"name\": \"d\", \"trainable\": true, \"dtype\": \"float32\", %s}}]}, \"keras_version\": \"2.21.0\", \"backend\": \"tensorflow\"}";
        assertEquals(1, Models.fromJson(one.formatted("Dropout", "\"rate\": 0.5, \"noise_shape\": null, \"seed\": null, \"rng_type\": \"stateless\"")).layers().size());
        assertEquals(1, Models.fromJson(one.formatted("Softmax", "\"axis\": -1, \"robust_masking\": true")).layers().size());
        assertEquals(1, Models.fromJson(one.formatted("LSTM", "\"units\": 2, \"rng_type\": \"stateless\"")).layers().size());
        // tf.keras 2's RNN get_config: _config_for_enable_caching_device(cell) where the user set it off
        assertEquals(1, Models.fromJson(one.formatted("GRU", "\"units\": 2, \"enable_caching_device\": false")).layers().size());
        // a class Keras 3 lacks: no claim that Keras 3 refuses the key
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Models.fromJson(cudnn.formatted("CuDNNLSTM").replace("\"units\": 4", "\"units\": 4, \"unit\": 4")));
        assertTrue(e.getMessage().contains("unrecognized option {\"unit\": 4}: not an argument of CuDNNLSTM in any Keras jrnn reads; did you mean"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("Keras 3 refuses"), e.getMessage());
        // num_constants is a key Bidirectional and RNN take; constants are what jrnn refuses
        String bidi = one.formatted("Bidirectional", "\"num_constants\": 1, \"merge_mode\": \"concat\", \"layer\": {\"class_name\": \"LSTM\","
                + " \"config\": {\"name\": \"l\", \"units\": 2}}");
        e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(bidi));
        assertTrue(e.getMessage().contains("option num_constants=1 is not supported by jrnn (cells without constants only)"), e.getMessage());
    }
}
