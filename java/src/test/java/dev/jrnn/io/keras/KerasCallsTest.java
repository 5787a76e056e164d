package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a layer's calls are read from a functional config: the call arguments Keras records in its nodes; and the model's
 * input and output structure, a dict of inputs keeping its keys.
 */
class KerasCallsTest {
    @TempDir
    Path dir;

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

    // Keras 3.15.1's models of dict inputs whose keys are not the Inputs' names, and Keras' numbers on them:
    // dict_inputs/make_dict_inputs.py. cross: {"left": Input(name="right"), "right": Input(name="left")};
    // rename: {"price": Input(name="price_in"), "kind": Input(name="kind_in")}; x_left goes to the first key, x_right to the second.

    private static Path dictFile(String name) { return GeneratedKerasFilesTest.resource("dict_inputs/" + name); }

    private static Tensor npy(String name) throws IOException { return Npy.read(dictFile(name + ".npy")); }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> expected(String model) throws IOException {
        return (Map<String, Object>) ((Map<String, Object>) Json.parse(Files.readString(dictFile("expected.json")))).get(model);
    }

    /** The model's two keys in the order x_left, x_right take them. */
    private static List<String> keys(String model) {
        return model.equals("cross") ? List.of("left", "right") : List.of("price", "kind");
    }

    private static Map<String, Tensor> x(String model) throws IOException {
        return Map.of(keys(model).get(0), npy("x_left"), keys(model).get(1), npy("x_right"));
    }

    private static Map<String, Tensor> y() throws IOException { return Map.of("zz", npy("y_zz"), "aa", npy("y_aa")); }

    @SuppressWarnings("unchecked")
    private static void assertOutputsAre(Object want, List<Tensor> got, String what) {
        List<List<Number>> w = (List<List<Number>>) want;
        assertEquals(w.size(), got.size(), what);
        for (int k = 0; k < w.size(); k++) {
            float[] g = got.get(k).data();
            assertEquals(w.get(k).size(), g.length, what + " output " + k);
            for (int i = 0; i < g.length; i++) assertEquals(w.get(k).get(i).doubleValue(), g[i], 2e-6, what + " output " + k + " [" + i + "]");
        }
    }

    @SuppressWarnings("unchecked")
    private static void assertLogsAre(Object want, Map<String, Double> got, String what) {
        Map<String, Number> w = (Map<String, Number>) want;
        assertEquals(w.keySet(), got.keySet(), what);
        for (var e : w.entrySet()) assertEquals(e.getValue().doubleValue(), got.get(e.getKey()), 2e-6 * Math.max(1, Math.abs(e.getValue().doubleValue())), what + " " + e.getKey());
    }

    /**
     * A Keras model of dict inputs reads a Map x by the dict's keys, as Keras' Functional._standardize_inputs: cross.keras's
     * {"left": xl, "right": xr} gives Keras' predictions (jrnn read it by the Inputs' names and so fed xl to the Input
     * Keras keys "right": the swapped predictions, silently), and rename.keras's {"price": ..., "kind": ...} predicts (it was
     * refused, wanting the names [kind_in, price_in]). A map by the Inputs' names is refused, as Keras refuses it.
     */
    @Test
    void aKerasModelOfDictInputsReadsAMapXByTheDictKeys() throws IOException {
        for (String model : List.of("cross", "rename")) {
            for (String ext : List.of(".keras", ".h5")) {
                try (Model m = Models.load(dictFile(model + ext))) {
                    assertOutputsAre(expected(model).get("predict"), m.predictAll(x(model)), model + ext);
                    Map<String, Tensor> byInputName = Map.of(m.inputs().get(0).layer().name(), npy("x_left"),
                            m.inputs().get(1).layer().name(), npy("x_right"));
                    if (model.equals("rename")) {
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predictAll(byInputName));
                        assertTrue(e.getMessage().contains("needs the keys [kind, price] (the model's input dict keys), got [kind_in, price_in]")
                                && e.getMessage().contains("the Inputs' names [kind_in, price_in] are not its keys"), e.getMessage());
                    }
                }
            }
        }
        try (Model m = Models.load(dictFile("cross.keras"))) {   // the keys decide, not the names: swapped, Keras' swapped values
            assertOutputsAre(expected("cross").get("predict_swapped"), m.predictAll(Map.of("left", npy("x_right"), "right", npy("x_left"))), "swapped");
        }
    }

    /**
     * The same files train and evaluate as Keras: compiled from their files (cross: the loss by output name with
     * loss_weights by position, in output order; rename: the loss by position with loss_weights by name, which Keras 3 pairs
     * in sorted-key order), evaluated by dict with and without sample weights (the dict forms with weights), and cross fit
     * for two epochs with weighted dict validation data: the history and the predictions after it are Keras'. The model's
     * input keys, output names and compiled state are those Keras gives.
     */
    @Test
    void kerasModelsOfDictInputsTrainAndEvaluateAsKeras() throws IOException {
        Tensor sw = npy("sw"), sw2 = npy("sw2");
        for (String model : List.of("cross", "rename")) {
            try (Model m = Models.load(dictFile(model + ".keras"))) {
                Map<String, Object> want = expected(model);
                assertTrue(m.dictInputs() && m.isCompiled(), model);
                assertEquals(keys(model).stream().sorted().toList(), m.inputNames(), model);
                assertEquals(want.get("inputs"), m.inputs().stream().map(n -> n.layer().name()).toList(), model);
                assertEquals(want.get("output_names"), m.outputNames(), model);
                assertLogsAre(want.get("evaluate"), m.evaluateAll(x(model), y()), model + " evaluate");
                assertLogsAre(want.get("evaluate_sw"), m.evaluateAll(x(model), y(), 32, null, sw), model + " evaluate, sample_weight=sw");
                assertLogsAre(want.get("evaluate_sw_per_output"), m.evaluateAll(x(model), y(), 32, null, List.of(sw, sw2)),
                        model + " evaluate, sample_weight=[sw, sw2]");
                // as Keras ran them: x by key, y a list in output order [zz, aa]
                assertLogsAre(want.get("evaluate_sw"), m.evaluateAll(x(model), yList(), 32, null, sw), model + " evaluate, list y, sample_weight=sw");
                assertLogsAre(want.get("evaluate_sw_per_output"), m.evaluateAll(x(model), yList(), 32, null, List.of(sw, sw2)),
                        model + " evaluate, list y, sample_weight=[sw, sw2]");
            }
        }
        for (boolean listY : new boolean[] {false, true}) fitCrossWithWeightedValidation(listY, sw, sw2);
    }

    private static List<Tensor> yList() throws IOException { return List.of(npy("y_zz"), npy("y_aa")); }

    /** cross.keras fit as make_dict_inputs.py fits it, its weighted validation y a map by output name or ({@code listY}) Keras' list. */
    private static void fitCrossWithWeightedValidation(boolean listY, Tensor sw, Tensor sw2) throws IOException {
        try (Model m = Models.load(dictFile("cross.keras"))) {
            FitOptions o = new FitOptions().epochs(2).batchSize(3).shuffle(false).verbose(0);
            History h = m.fit(x("cross"), y(), listY ? o.validationData(x("cross"), yList(), List.of(sw, sw2)) : o.validationData(x("cross"), y(), List.of(sw, sw2)));
            @SuppressWarnings("unchecked")
            Map<String, List<Number>> want = (Map<String, List<Number>>) expected("cross").get("fit_history");
            assertEquals(want.keySet(), h.history().keySet());
            for (var e : want.entrySet()) {
                for (int i = 0; i < 2; i++) assertEquals(e.getValue().get(i).doubleValue(), h.get(e.getKey()).get(i), 1e-5, e.getKey() + " epoch " + i + ", listY " + listY);
            }
            assertOutputsAre(expected("cross").get("predict_after_fit"), m.predictAll(x("cross")), "after fit");
        }
    }

    /**
     * A dict-input model saved by jrnn keeps its dict: input_layers is the Keras file's {key: ref} (Keras 3.15.1 loads it
     * with the same keys, make_dict_inputs.py's check), and jrnn reads it back by the keys. The dict was written as a list.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aModelOfDictInputsSavesItsDict() throws IOException {
        for (String model : List.of("cross", "rename")) {
            try (Model m = Models.load(dictFile(model + ".keras"))) {
                Path saved = dir.resolve(model + ".keras");
                m.save(saved);
                Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) Json.parse(m.toJson())).get("config");
                Object fromKeras = model.equals("cross") ? Map.of("left", List.of("right", 0L, 0L), "right", List.of("left", 0L, 0L))
                        : Map.of("kind", List.of("kind_in", 0L, 0L), "price", List.of("price_in", 0L, 0L));
                assertEquals(fromKeras, c.get("input_layers"), model);
                try (Model back = Models.load(saved)) {
                    assertTrue(back.dictInputs(), model);
                    assertOutputsAre(expected(model).get("predict"), back.predictAll(x(model)), model + " saved by jrnn");
                }
            }
        }
    }

    // Keras 3.15.1's models of dict OUTPUTS and Keras' numbers on them: dict_outputs/make_dict_outputs.py. same: {"price":
    // Dense(2, name="price"), "kind": Dense(1, name="kind")}; renamed: {"b_out": Dense(2, name="alpha"), "a_out": Dense(1,
    // name="zeta")} from dict inputs {"q": q_in, "p": p_in}. The 2-wide output takes y_price and sw, the other y_kind and sw2.

    private static Path outFile(String name) { return GeneratedKerasFilesTest.resource("dict_outputs/" + name); }

    private static Tensor outNpy(String name) throws IOException { return Npy.read(outFile(name + ".npy")); }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> expectedOut(String model) throws IOException {
        return (Map<String, Object>) ((Map<String, Object>) Json.parse(Files.readString(outFile("expected.json")))).get(model);
    }

    /** The model's output keys, the 2-wide one first. */
    private static List<String> outKeys(String model) {
        return model.equals("same") ? List.of("price", "kind") : List.of("b_out", "a_out");
    }

    private static Map<String, Tensor> outX(String model) throws IOException {
        return model.equals("same") ? Map.of("inp", outNpy("x")) : Map.of("q", outNpy("x"), "p", outNpy("x2"));
    }

    private static Map<String, Tensor> outY(String model) throws IOException {
        return Map.of(outKeys(model).get(0), outNpy("y_price"), outKeys(model).get(1), outNpy("y_kind"));
    }

    /** Keras' predict dict, in jrnn's output order (the sorted keys). */
    @SuppressWarnings("unchecked")
    private static List<List<Number>> predictByKey(String model) throws IOException {
        Map<String, List<Number>> p = (Map<String, List<Number>>) expectedOut(model).get("predict");
        return outKeys(model).stream().sorted().map(p::get).toList();
    }

    /**
     * {@code m} is the dict-output model of Keras' file {@code model}: its keys in sorted order are its output names, it
     * predicts Keras' values and (compiled) evaluates a dict y, unweighted and with one weight per output by key, as Keras.
     */
    private static void assertIsKerasDictOutputModel(Model m, String model, String what) throws IOException {
        assertTrue(m.dictOutputs(), what);
        assertEquals(outKeys(model).stream().sorted().toList(), m.outputNames(), what);
        assertOutputsAre(predictByKey(model), m.predictAll(outX(model)), what);
        // Keras' predict returns a dict by key, its keys in the model's dict order on TensorFlow (jax sorts them): predictDict
        Map<String, Tensor> byKey = m.predictDict(outX(model));
        assertEquals(tfPredictKeys(model, "predict"), List.copyOf(byKey.keySet()), what + " predictDict's keys");
        assertOutputsAre(predictByKey(model), outKeys(model).stream().sorted().map(byKey::get).toList(), what + " predictDict");
        if (!m.isCompiled()) return;
        assertLogsAre(losses(expectedOut(model).get("evaluate"), what), losses(m.evaluateAll(outX(model), outY(model)), what), what + " evaluate");
        // Keras' sample_weight={first key: sw, second key: sw2}, as a list in output order (the sorted keys)
        List<Tensor> sw = outKeys(model).get(0).compareTo(outKeys(model).get(1)) < 0
                ? List.of(outNpy("sw"), outNpy("sw2")) : List.of(outNpy("sw2"), outNpy("sw"));
        assertLogsAre(losses(expectedOut(model).get("evaluate_sw"), what), losses(m.evaluateAll(outX(model), outY(model), 32, null, sw), what),
                what + " evaluate, sample_weight");
        // and as Keras takes them, a dict sample_weight by key
        Map<String, Tensor> swByKey = Map.of(outKeys(model).get(0), outNpy("sw"), outKeys(model).get(1), outNpy("sw2"));
        assertLogsAre(losses(expectedOut(model).get("evaluate_sw"), what), losses(m.evaluateAll(outX(model), outY(model), 32, null, swByKey), what),
                what + " evaluate, dict sample_weight");
        // in batches of 4 (4 and 2 samples), Keras' evaluate(..., batch_size=4)
        assertLogsAre(losses(expectedOut(model).get("evaluate_sw_b4"), what), losses(m.evaluateAll(outX(model), outY(model), 4, null, swByKey), what),
                what + " evaluate, dict sample_weight, batchSize 4");
    }

    /**
     * Keras' {@code fit(x, y, validation_data=(x, y_dict, {key: sw, key2: sw2}), batch_size=4)} on a dict-output model:
     * val_* weighs each output by its key's weights, as evaluate does (make_dict_outputs.py's fit_val_sw_b4, training
     * weighted by 0 so the weights stay Keras'). validationData takes them by key, x as a List (same) or by input name
     * (renamed); it took no map of weights.
     */
    @Test
    void validationDataTakesSampleWeightsByOutputKey() throws IOException {
        for (String model : List.of("same", "renamed")) {
            try (Model m = Models.load(outFile(model + ".keras"))) {
                List<String> keys = outKeys(model);
                Map<String, Tensor> sw = Map.of(keys.get(0), outNpy("sw"), keys.get(1), outNpy("sw2")),
                        zero = Map.of(keys.get(0), Tensor.zeros(6), keys.get(1), Tensor.zeros(6));
                FitOptions o = new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0).sampleWeight(zero);
                if (model.equals("same")) o.validationData(List.of(outNpy("x")), outY(model), sw);
                else o.validationData(outX(model), outY(model), sw);
                History h = m.fit(outX(model), outY(model), o);
                Map<String, Double> val = new java.util.TreeMap<>();
                for (var e : h.history().entrySet()) if (e.getKey().startsWith("val_")) val.put(e.getKey(), e.getValue().getLast());
                assertLogsAre(losses(expectedOut(model).get("fit_val_sw_b4"), model), val, model + " val_* with sample weights by key");
            }
        }
    }

    /**
     * The logs; from a legacy .h5, Keras names its "mae" metric by its full name as it loads it ("mae" from its own .h5
     * comes back as "mean_absolute_error": the metrics tester's note, a Keras quirk jrnn follows), so there the names of
     * Keras' own logs {@code want} are renamed so, as check_jrnn_saves.py renames them.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Double> losses(Object logs, String what) {
        Map<String, Double> r = new java.util.TreeMap<>();
        for (var e : ((Map<String, Number>) logs).entrySet()) {
            String k = what.contains(".h5") ? e.getKey().replace("_mae", "_mean_absolute_error") : e.getKey();
            r.put(k, e.getValue().doubleValue());
        }
        return r;
    }

    /**
     * A Keras model of dict outputs keeps its keys: maps by output are read by them and the logs named by them, as Keras
     * (renamed's a_out_loss, not zeta_loss), and both files compile from their loss, loss_weights and metrics dicts
     * (renamed's were by the layers' names, which its keys are not, so it loaded uncompiled).
     */
    @Test
    void aKerasModelOfDictOutputsKeepsItsKeys() throws IOException {
        for (String model : List.of("same", "renamed")) {
            try (Model m = Models.load(outFile(model + ".keras"))) {
                assertTrue(m.isCompiled(), model);
                assertEquals(expectedOut(model).get("outputs"), m.outputs().stream().map(n -> n.layer().name()).toList(), model);
                assertIsKerasDictOutputModel(m, model, model + ".keras");
            }
            try (Model m = Models.load(outFile(model + ".h5"))) {
                assertIsKerasDictOutputModel(m, model, model + ".h5");
            }
        }
    }

    /**
     * A dict-output model saved by jrnn keeps its dict (the outside tester's D5): output_layers and the compile config's
     * loss and loss_weights are Keras' {key: ...}, in .keras and .h5 (Keras 3.15.1 loads both as a model that predicts a
     * dict and evaluates a dict y with a dict sample_weight: dict_outputs/check_jrnn_saves.py), and jrnn reads them back by
     * the keys. They were written as lists: Keras then predicted a list and refused the dict sample_weight (KeyError 0).
     */
    @Test
    @SuppressWarnings("unchecked")
    void aModelOfDictOutputsSavesItsDict() throws IOException {
        for (String model : List.of("same", "renamed")) {
            try (Model m = Models.load(outFile(model + ".keras"))) {
                Map<String, Object> keras = kerasConfig(outFile(model + ".keras"));
                Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) Json.parse(m.toJson())).get("config");
                assertEquals(((Map<String, Object>) keras.get("config")).get("output_layers"), c.get("output_layers"), model);
                for (String ext : List.of(".keras", ".h5")) {
                    Path saved = dir.resolve(model + ext);
                    m.save(saved);
                    if (ext.equals(".keras")) {
                        Map<String, Object> mine = kerasConfig(saved);
                        assertEquals(((Map<String, Object>) mine.get("config")).get("output_layers"), c.get("output_layers"), model);
                        Map<String, Object> kc = (Map<String, Object>) keras.get("compile_config"), jc = (Map<String, Object>) mine.get("compile_config");
                        // by key as Keras wrote them (jrnn names "mse" by its full name, which Keras reads alike)
                        assertEquals(((Map<String, Object>) kc.get("loss")).keySet(), ((Map<String, Object>) jc.get("loss")).keySet(), model + " loss");
                        if (kc.get("loss_weights") != null) {
                            Map<String, Number> kw = (Map<String, Number>) kc.get("loss_weights"), jw = (Map<String, Number>) jc.get("loss_weights");
                            assertEquals(kw.keySet(), jw.keySet(), model);
                            for (String k : kw.keySet()) assertEquals(kw.get(k).doubleValue(), jw.get(k).doubleValue(), model + " loss_weights " + k);
                        }
                    }
                    try (Model back = Models.load(saved)) {
                        assertTrue(back.isCompiled(), model + ext);
                        assertIsKerasDictOutputModel(back, model, model + ext + " saved by jrnn");
                    }
                }
            }
        }
    }

    /**
     * A dict-output model whose keys are "module" and "registered_name" keeps its losses and metrics by them in .h5: the
     * training config's maps by output keep their keys, only their values lose Keras 3's module (the whole map was made
     * plain, which dropped both keys: the .h5 saved, reloaded uncompiled with a warning, and Keras evaluated loss 0.0).
     */
    @Test
    void aDictOutputModelKeyedModuleKeepsItsLossInH5() throws IOException {
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(4).name("inp");
        try (Model m = new Model(in, Map.of("module", new dev.jrnn.layers.Dense(2).name("alpha").apply(in),
                "registered_name", new dev.jrnn.layers.Dense(1).activation("sigmoid").name("zeta").apply(in)))) {
            m.compile(new dev.jrnn.optim.SGD(0.1), Map.of("module", "mse", "registered_name", "binary_crossentropy"),
                    Map.of("module", List.of("mae"), "registered_name", List.of("accuracy")));
            Tensor x = Tensor.of(new float[] {.1f, .2f, .3f, .4f, .5f, .6f, .7f, .8f}, 2, 4);
            Map<String, Tensor> y = Map.of("module", Tensor.full(0.5f, 2, 2), "registered_name", Tensor.of(new float[] {0, 1}, 2, 1));
            Path h5 = dir.resolve("module.h5");
            m.save(h5);
            try (Model back = Models.load(h5)) {
                assertTrue(back.isCompiled(), "module.h5 reloads compiled");
                assertEquals(List.of("module", "registered_name"), back.outputNames());
                Map<String, Double> want = m.evaluateAll(List.of(x), y), got = back.evaluateAll(List.of(x), y);
                assertLogsAre(losses(want, "module.h5"), losses(got, "module.h5"), "module.h5");
                assertTrue(got.keySet().stream().anyMatch(k -> k.startsWith("module_") && !k.endsWith("loss")), "its metrics: " + got);
                assertTrue(got.keySet().stream().anyMatch(k -> k.startsWith("registered_name_") && !k.endsWith("loss")), "its metrics: " + got);
            }
        }
    }

    /**
     * A dict-output model writes its dict in its own order, as Keras keeps the dict it was given (Python's insertion order)
     * in its config and {@code model.output}: Keras' renamed file gives {"b_out", "a_out"} (its outputs, output names and
     * predict go in sorted order, a_out first); jrnn keeps that order through load, save (.keras and .h5: output_layers,
     * the compile config's loss and loss_weights) and reload, and a model built from a LinkedHashMap writes its order.
     * jrnn wrote them sorted; Keras 3.15.1 loads jrnn's saves with the order kept (dict_outputs/check_jrnn_saves.py).
     */
    @Test
    @SuppressWarnings("unchecked")
    void aDictOutputModelWritesItsDictInItsOrder() throws IOException {
        List<String> kerasOrder = List.of("b_out", "a_out");
        assertEquals(kerasOrder, List.copyOf(((Map<String, Object>) ((Map<String, Object>) kerasConfig(outFile("renamed.keras"))
                .get("config")).get("output_layers")).keySet()), "Keras' own file's order");
        for (String ext : List.of(".keras", ".h5")) {
            try (Model m = Models.load(outFile("renamed" + ext))) {
                assertEquals(kerasOrder, List.copyOf(m.outputDict().keySet()), ext);
                assertEquals(List.of("a_out", "b_out"), m.outputNames(), ext + ": output order stays the sorted keys'");
                Path saved = dir.resolve("order" + ext);
                m.save(saved);
                Map<String, Object> config = savedConfig(saved), outs = (Map<String, Object>) ((Map<String, Object>) config.get("config")).get("output_layers");
                assertEquals(kerasOrder, List.copyOf(outs.keySet()), ext + " output_layers");
                assertEquals(List.of("zeta", "alpha"), m.outputs().stream().map(n -> n.layer().name()).toList(), ext);
                assertEquals(List.of("alpha", "zeta"), kerasOrder.stream().map(k -> ((List<?>) outs.get(k)).get(0)).toList(), ext + " refs by key");
                Map<String, Object> compile = ext.equals(".keras") ? (Map<String, Object>) kerasConfig(saved).get("compile_config") : h5Training(saved);
                assertEquals(kerasOrder, List.copyOf(((Map<String, Object>) compile.get("loss")).keySet()), ext + " loss");
                assertEquals(kerasOrder, List.copyOf(((Map<String, Object>) compile.get("loss_weights")).keySet()), ext + " loss_weights");
                try (Model back = Models.load(saved)) {
                    assertEquals(kerasOrder, List.copyOf(back.outputDict().keySet()), ext + " reloaded");
                    assertIsKerasDictOutputModel(back, "renamed", "renamed" + ext + " saved by jrnn in its order");
                }
            }
        }
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(4).name("inp");
        Map<String, dev.jrnn.layers.Node> given = new java.util.LinkedHashMap<>();
        for (String k : List.of("zz", "aa", "mm")) given.put(k, new dev.jrnn.layers.Dense(1).name("d_" + k).apply(in));
        try (Model m = new Model(in, given); Model unordered = new Model(in, Map.of("zz", given.get("zz"), "aa", given.get("aa")))) {
            assertEquals(List.of("zz", "aa", "mm"), List.copyOf(m.outputDict().keySet()));
            assertEquals(List.of("aa", "mm", "zz"), m.outputNames());
            // predictDict gives the dict's order, as Keras on TensorFlow (predict_keys_tf.py); it gave the sorted [aa, mm, zz]
            assertEquals(List.of("zz", "aa", "mm"), List.copyOf(m.predictDict(Tensor.zeros(2, 4)).keySet()));
            assertEquals(List.of("zz", "aa", "mm"), List.copyOf(m.predictOnBatchDict(List.of(Tensor.zeros(2, 4))).keySet()));
            assertEquals(List.of("aa", "zz"), List.copyOf(unordered.outputDict().keySet()), "a Map.of, which has no order: sorted");
            for (String ext : List.of(".keras", ".h5")) {
                Path saved = dir.resolve("built" + ext);
                m.save(saved);
                assertEquals(List.of("zz", "aa", "mm"), List.copyOf(((Map<String, Object>) ((Map<String, Object>) savedConfig(saved).get("config"))
                        .get("output_layers")).keySet()), ext);
                try (Model back = Models.load(saved)) {
                    assertEquals(List.of("zz", "aa", "mm"), List.copyOf(back.outputDict().keySet()), ext + " reloaded");
                }
            }
            // outputDict is a SequencedMap, so a model made from it keeps its order (an unmodifiableMap of it was sorted); last, as closing
            // it frees the layers it shares
            try (Model again = new Model(in, m.outputDict())) {
                assertEquals(List.of("zz", "aa", "mm"), List.copyOf(again.outputDict().keySet()), "new Model(in, m.outputDict())");
            }
        }
    }

    /**
     * The keys of Keras 3.15.1's dict from the predict form {@code form} (predict, predict_on_batch, predict_dataset) on
     * TensorFlow, in its order (predict_keys_tf.py: the model's dict order; expected.json's dicts, recorded on jax, are sorted).
     */
    @SuppressWarnings("unchecked")
    private static List<String> tfPredictKeys(String model, String form) throws IOException {
        Map<String, Object> all = (Map<String, Object>) Json.parse(Files.readString(outFile("predict_keys_tf.json")));
        return ((List<Object>) ((Map<String, Object>) all.get(model)).get(form)).stream().map(String::valueOf).toList();
    }

    /**
     * Keras' dict of outputs {@code want} (flattened rows by key, from jax) against jrnn's {@code got}: the keys in
     * {@code tfKeys}' order (TensorFlow's, see {@link #tfPredictKeys}), the same values.
     */
    @SuppressWarnings("unchecked")
    private static void assertDictIs(Object want, List<String> tfKeys, Map<String, Tensor> got, double tol, String what) {
        Map<String, List<Number>> w = (Map<String, List<Number>>) want;
        assertEquals(w.keySet(), java.util.Set.copyOf(tfKeys), what + ": the fixtures' keys");
        assertEquals(tfKeys, List.copyOf(got.keySet()), what + ": keys in Keras' order on TensorFlow (the model's dict order)");
        for (var e : w.entrySet()) {
            float[] g = got.get(e.getKey()).data();
            assertEquals(e.getValue().size(), g.length, what + " " + e.getKey());
            for (int i = 0; i < g.length; i++) assertEquals(e.getValue().get(i).doubleValue(), g[i], tol, what + " " + e.getKey() + " [" + i + "]");
        }
    }

    /**
     * The keyed calls a Keras user makes, on Keras' own dict-output files, give Keras 3.15.1's numbers (make_dict_outputs.py's
     * keyed_calls): predictOnBatchDict (predict_on_batch's dict), predictDict over a Dataset in batches of 4 (predict of a
     * dataset of dicts), testOnBatch with x and y by key, unweighted and with a dict sample_weight, evaluate with a null
     * weight for one output (Keras' None), and on a copy trainOnBatchAll with a dict sample_weight, then without, then
     * predictDict. None of these forms compiled before but evaluate's null weight, which was refused ("is null").
     * Review fixes: the keys in Keras' order on TensorFlow (predict_keys_tf.json; they were sorted, jax's);
     * testOnBatch and trainOnBatchAll with x positional and y and weights by key (did not compile); weights all null
     * give test_on_batch's unweighted numbers (were refused).
     */
    @Test
    void kerasKeyedCallsGiveKerasNumbers() throws IOException {
        for (String model : List.of("same", "renamed")) {
            Map<String, Object> want = expectedOut(model);
            List<String> keys = outKeys(model);
            Map<String, Tensor> sw = Map.of(keys.get(0), outNpy("sw"), keys.get(1), outNpy("sw2"));
            try (Model m = Models.load(outFile(model + ".keras"))) {
                assertDictIs(want.get("predict_on_batch"), tfPredictKeys(model, "predict_on_batch"), m.predictOnBatchDict(outX(model)), 2e-6, model + " predictOnBatchDict");
                if (model.equals("same")) {
                    assertDictIs(want.get("predict_on_batch"), tfPredictKeys(model, "predict_on_batch"), m.predictOnBatchDict(outNpy("x")), 2e-6,
                            model + " predictOnBatchDict(Tensor)");
                }
                // a Dataset's inputs are positional, in inputNames' order
                List<Tensor> xs = m.inputNames().stream().map(k -> { try { return outX(model).get(k); } catch (IOException e) { throw new RuntimeException(e); } }).toList();
                assertDictIs(want.get("predict_dataset_b4"), tfPredictKeys(model, "predict_dataset"), m.predictDict(dev.jrnn.data.Dataset.fromTensors(xs, List.of()).batch(4)), 2e-6,
                        model + " predictDict(Dataset)");
                assertDictIs(want.get("predict_dataset_b4"), tfPredictKeys(model, "predict_dataset"), m.predictDict(dev.jrnn.data.Dataset.fromTensors(xs, List.of()).batch(4).repeat(), 2), 2e-6,
                        model + " predictDict(Dataset, steps)");
                assertLogsAre(want.get("test_on_batch"), m.testOnBatch(outX(model), outY(model)), model + " testOnBatch");
                assertLogsAre(want.get("test_on_batch_sw"), m.testOnBatch(outX(model), outY(model), sw), model + " testOnBatch, dict sample_weight");
                Map<String, Tensor> none = new java.util.HashMap<>();
                none.put(keys.get(0), outNpy("sw"));
                none.put(keys.get(1), null);
                assertLogsAre(want.get("evaluate_sw_none"), m.evaluateAll(outX(model), outY(model), 32, null, none), model + " evaluate, a null weight");
                // x positional, y and sample_weight by key: Keras' usual test_on_batch(x, y_dict, sample_weight=w_dict)
                assertLogsAre(want.get("test_on_batch_sw"), m.testOnBatch(xs, outY(model), sw), model + " testOnBatch(List, Map, Map)");
                // every weight null: unweighted, as Keras takes {k1: None, k2: None} (it was refused)
                Map<String, Tensor> allNull = new java.util.HashMap<>();
                allNull.put(keys.get(0), null);
                allNull.put(keys.get(1), null);
                assertLogsAre(want.get("test_on_batch"), m.testOnBatch(xs, outY(model), allNull), model + " testOnBatch, every weight null");
            }
            try (Model c = Models.load(outFile(model + ".keras"))) {
                assertLogsAre(want.get("train_on_batch_sw"), model.equals("same")
                        ? c.trainOnBatchAll(List.of(outNpy("x")), outY(model), sw)   // x positional: trainOnBatchAll(List, Map, Map)
                        : c.trainOnBatchAll(outX(model), outY(model), sw), model + " trainOnBatchAll, dict sample_weight");
                assertLogsAre(want.get("train_on_batch_then"), c.trainOnBatchAll(outX(model), outY(model)), model + " trainOnBatchAll after it");
                assertDictIs(want.get("predict_after_train_on_batch"), tfPredictKeys(model, "predict"), c.predictDict(outX(model)), 1e-5, model + " predictDict after both");
            }
        }
    }

    /**
     * A sample-weight map that leaves an output out is refused by every call that takes one, as Keras 3.15.1 refuses it in
     * each (make_dict_outputs.py's sw_missing_refused: evaluate, test_on_batch, train_on_batch, fit, fit's validation_data);
     * jrnn weighed the output left out by 1. The message names the keys wanted and the one missing.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aSampleWeightMapThatLeavesAnOutputOutIsRefusedAsKerasRefusesIt() throws IOException {
        Map<String, String> keras = (Map<String, String>) expectedOut("renamed").get("sw_missing_refused");
        try (Model m = Models.load(outFile("renamed.keras"))) {
            Map<String, Tensor> x = outX("renamed"), y = outY("renamed"), onlyB = Map.of("b_out", outNpy("sw")), onlyA = Map.of("a_out", outNpy("sw2"));
            List<Tensor> before = m.getWeights();
            FitOptions o = new FitOptions().epochs(1).verbose(0);
            Map<String, org.junit.jupiter.api.function.Executable> calls = new java.util.LinkedHashMap<>();
            calls.put("evaluate", () -> m.evaluateAll(x, y, 32, null, onlyB));
            calls.put("test_on_batch", () -> m.testOnBatch(x, y, onlyB));
            calls.put("train_on_batch", () -> m.trainOnBatchAll(x, y, onlyA));
            calls.put("fit", () -> m.fit(x, y, o.sampleWeight(onlyB)));
            calls.put("fit_validation", () -> m.fit(x, y, new FitOptions().epochs(1).verbose(0).validationData(x, y, onlyA)));
            assertEquals(keras.keySet(), calls.keySet(), "each call Keras refuses it in");
            for (var e : calls.entrySet()) {
                String missing = e.getKey().equals("train_on_batch") || e.getKey().equals("fit_validation") ? "b_out" : "a_out";
                IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e.getValue(), e.getKey() + " (Keras: " + keras.get(e.getKey()) + ")");
                assertTrue(ex.getMessage().contains("sampleWeight by output name needs every output's key [a_out, b_out], got [")
                        && ex.getMessage().contains("], without [" + missing + "]"), e.getKey() + ": " + ex.getMessage());
                assertEquals(before, m.getWeights(), e.getKey() + ": weights unchanged");
            }
        }
    }

    /**
     * A model of dict inputs keeps the dict's own order, as Keras keeps it (its config's input_layers, model.input):
     * Keras' rename.keras {"price", "kind"} and renamed.keras {"q", "p"} keep it through load, save (.keras, .h5) and reload,
     * as a model built from a LinkedHashMap does (a Map.of: sorted); inputs() and inputNames() stay sorted (Keras' flatten).
     * jrnn wrote the input dict sorted, so Keras' model.input came back in another order than it was saved in.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aDictInputModelKeepsTheInputDictsOrder() throws IOException {
        record File(Path path, List<String> keras, List<String> sorted) {}
        List<File> files = List.of(new File(dictFile("rename.keras"), (List<String>) expected("rename").get("input_dict_keys"), List.of("kind", "price")),
                new File(dictFile("rename.h5"), (List<String>) expected("rename").get("input_dict_keys"), List.of("kind", "price")),
                new File(outFile("renamed.keras"), (List<String>) expectedOut("renamed").get("input_dict_keys"), List.of("p", "q")),
                new File(outFile("renamed.h5"), (List<String>) expectedOut("renamed").get("input_dict_keys"), List.of("p", "q")));
        for (File f : files) {
            String what = f.path().getFileName().toString();
            assertTrue(!f.keras().equals(f.sorted()), what + ": Keras' order is not the sorted one");
            try (Model m = Models.load(f.path())) {
                assertEquals(f.keras(), List.copyOf(m.inputDict().keySet()), what);
                assertEquals(f.sorted(), m.inputNames(), what + ": inputNames stay sorted");
                for (String ext : List.of(".keras", ".h5")) {
                    Path saved = dir.resolve("in_order" + ext);
                    m.save(saved);
                    assertEquals(f.keras(), List.copyOf(((Map<String, Object>) ((Map<String, Object>) savedConfig(saved).get("config"))
                            .get("input_layers")).keySet()), what + " saved as " + ext);
                    try (Model back = Models.load(saved)) {
                        assertEquals(f.keras(), List.copyOf(back.inputDict().keySet()), what + " saved as " + ext + ", reloaded");
                    }
                }
            }
        }
        dev.jrnn.model.Input q = dev.jrnn.model.Input.shape(2).name("q_in"), p = dev.jrnn.model.Input.shape(2).name("p_in");
        Map<String, dev.jrnn.layers.Node> given = new java.util.LinkedHashMap<>();
        given.put("q", q);
        given.put("p", p);
        dev.jrnn.layers.Node out = new dev.jrnn.layers.Dense(1).apply(new dev.jrnn.layers.Concatenate().apply(List.of(q, p)));
        try (Model m = new Model(given, out); Model unordered = new Model(Map.of("q", q, "p", p), out)) {
            assertEquals(List.of("q", "p"), List.copyOf(m.inputDict().keySet()));
            assertEquals(List.of("p", "q"), List.copyOf(unordered.inputDict().keySet()), "a Map.of, which has no order: sorted");
            Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) Json.parse(m.toJson())).get("config");
            assertEquals(List.of("q", "p"), List.copyOf(((Map<String, Object>) c.get("input_layers")).keySet()), "toJson");
        }
    }

    /** The model config of a saved .keras (config.json) or .h5 (its model_config attribute). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> savedConfig(Path saved) throws IOException {
        if (saved.toString().endsWith(".keras")) return kerasConfig(saved);
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(saved)) {
            return (Map<String, Object>) Json.parse((String) h.getAttribute("model_config").getData());
        }
    }

    /** An .h5's training_config. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> h5Training(Path saved) throws IOException {
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(saved)) {
            return (Map<String, Object>) Json.parse((String) h.getAttribute("training_config").getData());
        }
    }

    /** A .keras file's config.json. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> kerasConfig(Path keras) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(keras.toFile())) {
            return (Map<String, Object>) Json.parse(new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
