package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a layer's calls are read from a functional config: the call arguments Keras records in its nodes. */
class KerasCallsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras 3: Input(4) -> Dropout(0.5) called with {@code training} as given -> Dense(1). */
    private static String keras3(String training) {
        return """
                {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "f", "trainable": true,
                 "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 4],
                   "dtype": "float32", "sparse": false, "name": "x"}, "inbound_nodes": []},
                  {"module": "keras.layers", "class_name": "Dropout", "name": "drop", "config": {"name": "drop", "trainable": true,
                   "dtype": "float32", "rate": 0.5, "seed": null, "noise_shape": null},
                   "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32",
                     "keras_history": ["x", 0, 0]}}], "kwargs": {%s}}]},
                  {"module": "keras.layers", "class_name": "Dense", "name": "out", "config": {"name": "out", "trainable": true,
                   "dtype": "float32", "units": 1, "activation": "linear", "use_bias": true},
                   "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32",
                     "keras_history": ["drop", 0, 0]}}], "kwargs": {}}]}],
                 "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]}}""".formatted(training);
    }

    /** tf.keras 2: the same model, the call arguments as the fourth item of each inbound ref. */
    private static String tfKeras2(String training) {
        return """
                {"class_name": "Functional", "config": {"name": "f", "layers": [
                  {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 4], "dtype": "float32",
                   "sparse": false, "ragged": false, "name": "x"}, "inbound_nodes": []},
                  {"class_name": "Dropout", "name": "drop", "config": {"name": "drop", "trainable": true, "dtype": "float32",
                   "rate": 0.5, "noise_shape": null, "seed": null}, "inbound_nodes": [[["x", 0, 0, {%s}]]]},
                  {"class_name": "Dense", "name": "out", "config": {"name": "out", "trainable": true, "dtype": "float32", "units": 1,
                   "activation": "linear", "use_bias": true}, "inbound_nodes": [[["drop", 0, 0, {}]]]}],
                 "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]}}""".formatted(training);
    }

    /**
     * training=True in a node is Keras' Monte Carlo dropout: the dropout applies at inference, which jrnn's predict would
     * not do; refused naming the layer and the way round. training=False, which Keras versions record by default, and no
     * training argument load (jrnn ignored training=True before and predicted without the dropout).
     */
    @Test
    void aCallWithTrainingTrueIsRefusedNamingTheLayer() {
        for (String json : new String[] {keras3("\"training\": true"), tfKeras2("\"training\": true")}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(json));
            assertTrue(e.getMessage().contains("drop") && e.getMessage().contains("training=True")
                    && e.getMessage().contains("Monte Carlo") && e.getMessage().contains("model.call(x, true)"), e.getMessage());
        }
        for (String json : new String[] {keras3("\"training\": false"), keras3(""), tfKeras2("\"training\": false"), tfKeras2("")}) {
            try (Model m = Models.fromJson(json)) {
                assertEquals(3, m.layers().size(), json);
            }
        }
    }

    /** tf.keras 2.10-2.15: Attention's call options copied onto each input ref, as node.serialize writes them. */
    private static String tfKeras2Attention(String kwargs) {
        return """
                {"class_name": "Functional", "config": {"name": "f", "layers": [
                  {"class_name": "InputLayer", "name": "q", "config": {"batch_input_shape": [null, 3, 4], "dtype": "float32",
                   "sparse": false, "ragged": false, "name": "q"}, "inbound_nodes": []},
                  {"class_name": "InputLayer", "name": "v", "config": {"batch_input_shape": [null, 5, 4], "dtype": "float32",
                   "sparse": false, "ragged": false, "name": "v"}, "inbound_nodes": []},
                  {"class_name": "Attention", "name": "att", "config": {"name": "att", "trainable": true, "dtype": "float32",
                   "use_scale": false, "score_mode": "dot", "dropout": 0.0},
                   "inbound_nodes": [[["q", 0, 0, {%1$s}], ["v", 0, 0, {%1$s}]]]}],
                 "input_layers": [["q", 0, 0], ["v", 0, 0]], "output_layers": [["att", 0, 0], ["att", 0, 1]]}}""".formatted(kwargs);
    }

    /**
     * tf.keras 2 writes Attention's return_attention_scores and use_causal_mask into each input ref's kwargs: they set the
     * layer as in a Keras 3 file (jrnn refused them: "call arguments [return_attention_scores, use_causal_mask] are not
     * supported"); another call argument there is still refused.
     */
    @Test
    void tfKeras2AttentionCallOptionsSetTheLayer() {
        try (Model m = Models.fromJson(tfKeras2Attention("\"return_attention_scores\": true, \"use_causal_mask\": true"))) {
            dev.jrnn.layers.Attention a = (dev.jrnn.layers.Attention) m.getLayer("att");
            assertTrue(a.returnAttentionScores() && a.useCausalMask());
            assertEquals(2, m.outputs().size());
        }
        // tf.keras up to 2.9 keeps causal in the layer's config and writes no call options: the config's causal stays
        try (Model m = Models.fromJson(tfKeras2Attention("").replace("\"dropout\": 0.0", "\"dropout\": 0.0, \"causal\": true")
                .replace("[\"att\", 0, 1]", "[\"att\", 0, 0]"))) {
            assertTrue(((dev.jrnn.layers.Attention) m.getLayer("att")).useCausalMask(), "causal from the config");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(tfKeras2Attention("\"foo\": 1")));
        assertTrue(e.getMessage().contains("call arguments [foo]") && e.getMessage().contains("not supported"), e.getMessage());
    }

    /**
     * tf.keras 2.10-2.15 runs each call causal when the config's deprecated causal or that call's use_causal_mask is true
     * ({@code if self.causal or use_causal_mask}, use_causal_mask=False by default: keras v2.15.0
     * keras/layers/attention/base_dense_attention.py). A file whose call 0 gives use_causal_mask=True and whose call 1 gives
     * none was read as causal for both (the call arguments were checked only where a call gave some): it is refused as a
     * Keras 3 file's calls that differ are. A call that gives only return_attention_scores set the layer non-causal
     * though the config said causal: the config's causal is kept.
     */
    @Test
    void tfKeras2AttentionCallsWithoutArgumentsAreCheckedToo() {
        String two = tfKeras2Attention("\"use_causal_mask\": true")
                .replace("\"inbound_nodes\": [[[\"q\", 0, 0, {\"use_causal_mask\": true}], [\"v\", 0, 0, {\"use_causal_mask\": true}]]]",
                        "\"inbound_nodes\": [[[\"q\", 0, 0, {\"use_causal_mask\": true}], [\"v\", 0, 0, {\"use_causal_mask\": true}]],"
                                + " [[\"q\", 0, 0, {}], [\"v\", 0, 0, {}]]]")
                .replace("[\"att\", 0, 1]", "[\"att\", 1, 0]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(two));
        assertTrue(e.getMessage().contains("layer 'att' (Attention): use_causal_mask is True in call 0 and False in call 1;"), e.getMessage());
        // the config's causal with a call that gives return_attention_scores only: causal, as tf.keras runs it
        try (Model m = Models.fromJson(tfKeras2Attention("\"return_attention_scores\": true")
                .replace("\"dropout\": 0.0", "\"dropout\": 0.0, \"causal\": true"))) {
            dev.jrnn.layers.Attention a = (dev.jrnn.layers.Attention) m.getLayer("att");
            assertTrue(a.useCausalMask() && a.returnAttentionScores(), "causal from the config, scores from the call");
        }
    }
}
