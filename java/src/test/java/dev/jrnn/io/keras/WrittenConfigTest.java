package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import io.jhdf.HdfFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What jrnn writes (toJson, model.save .keras / .h5, cloneModel) keeps what Keras 3 keeps: a model's input and output
 * structure, dtype policies and Input dtypes, a given backward layer's and an RNN cell's names. The goldens are Keras
 * 3.15.1's own output, made by {@code written_config/make_written_config.py} (its docstring lists the files).
 */
class WrittenConfigTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Map<?, ?> golden(String name) throws Exception {
        return (Map<?, ?>) Json.parse(Files.readString(GeneratedKerasFilesTest.resource("written_config/" + name)));
    }

    private static Map<?, ?> config(String json) { return (Map<?, ?>) ((Map<?, ?>) Json.parse(json)).get("config"); }

    private static List<Object> io(Map<?, ?> config) { return List.of(config.get("input_layers"), config.get("output_layers")); }

    /**
     * Keras' get_config maps the structure the model was made with: Model(i, o) writes one ref each, Model([i], [o]) lists
     * of one, and Keras reads a list back as a list (model.output a list: no .shape, a head on it fails). jrnn wrote lists
     * always; toJson, .keras and .h5 now write what Keras 3 writes for each (Keras 3's own .h5 writes the same).
     */
    @Test
    void eachWrittenConfigKeepsTheInputAndOutputStructureAsKeras3Writes() throws Exception {
        Map<?, ?> want = golden("io.json");
        Input i = Input.shape(5, 3).name("inp"), j = Input.shape(5, 3).name("aux");
        Node h = new LSTM(4).returnSequences(true).name("enc").apply(i);
        Node o = new Dense(2).name("head").apply(new GlobalAveragePooling1D().name("pool").apply(h));
        Node p = new Dense(1).name("side").apply(o);
        Node both = new Dense(2).name("both").apply(new Concatenate().name("cat").apply(
                new GlobalAveragePooling1D().name("pa").apply(i), new GlobalAveragePooling1D().name("pb").apply(j)));
        Map<String, Model> models = new LinkedHashMap<>();
        models.put("single", new Model(i, o));
        models.put("list", new Model(List.of(i), List.of(o)));
        models.put("two_in", new Model(List.of(i, j), both));
        models.put("two_out", new Model(i, List.of(o, p)));
        for (var e : models.entrySet()) {
            Map<?, ?> k = (Map<?, ?>) want.get(e.getKey());
            Model m = e.getValue();
            assertEquals(k.get("to_json"), io(config(m.toJson())), e.getKey() + " toJson");
            assertEquals(!(Boolean) k.get("input_is_list"), m.singleInput(), e.getKey());
            assertEquals(!(Boolean) k.get("output_is_list"), m.singleOutput(), e.getKey());
            for (String ext : List.of(".keras", ".h5")) {
                Path f = dir.resolve(e.getKey() + ext);
                m.save(f);
                assertEquals(k.get(ext.equals(".h5") ? "h5" : "to_json"), io(NestedKerasIoTest.modelConfig(f)), e.getKey() + ext);
                try (Model back = Models.load(f)) {   // read back with the same structure, and written so again
                    assertEquals(m.singleInput(), back.singleInput(), e.getKey() + ext);
                    assertEquals(m.singleOutput(), back.singleOutput(), e.getKey() + ext);
                }
            }
            assertEquals(k.get("to_json"), io(config(Models.cloneModel(m).toJson())), e.getKey() + " clone");
        }
    }

    /** Keras' JSON of Model(x, out) through jrnn comes back with its bare refs (it came back as lists of one). */
    @Test
    void aKerasJsonKeepsItsStructureThroughJrnn() throws Exception {
        String keras = Files.readString(GeneratedKerasFilesTest.resource("written_config/names.json"));
        Model m = Models.fromJson(keras);
        assertEquals(io(config(keras)), io(config(m.toJson())));
        assertEquals(List.of("x", 0L, 0L), config(m.toJson()).get("input_layers"));
        // a list of one (tf.keras 2 writes every model so; Keras 3 reads it as a list) stays a list
        String listed = keras.replace("\"input_layers\": [\"x\", 0, 0]", "\"input_layers\": [[\"x\", 0, 0]]");
        assertTrue(!listed.equals(keras));
        Model l = Models.fromJson(listed);
        assertFalse(l.singleInput());
        assertEquals(List.of(List.of("x", 0L, 0L)), config(l.toJson()).get("input_layers"));
    }

    /** The policy name of each layer config's dtype (a string or Keras 3's DTypePolicy object), by layer name. */
    private static Map<String, String> policies(Map<?, ?> config) {
        Map<String, String> r = new LinkedHashMap<>();
        for (Object o : (List<?>) config.get("layers")) {
            Map<?, ?> c = (Map<?, ?>) ((Map<?, ?>) o).get("config");
            if (!"InputLayer".equals(((Map<?, ?>) o).get("class_name"))) r.put((String) c.get("name"), KerasDtypes.policy(c.get("dtype"), "test"));
        }
        return r;
    }

    private static Map<String, String> inputDtypes(Map<?, ?> config) {
        Map<String, String> r = new LinkedHashMap<>();
        for (Object o : (List<?>) config.get("layers")) {
            Map<?, ?> c = (Map<?, ?>) ((Map<?, ?>) o).get("config");
            if ("InputLayer".equals(((Map<?, ?>) o).get("class_name"))) r.put((String) c.get("name"), (String) c.get("dtype"));
        }
        return r;
    }

    /**
     * An int32 Input, a float64 LSTM and a mixed_float16 LSTM from Keras' JSON keep their dtypes in every config jrnn
     * writes (they were all written float32, silently), and the import says once that jrnn computes them in float32.
     */
    @Test
    void dtypePoliciesAndInputDtypesSurviveEveryWriterWithOneWarningAtImport() throws Exception {
        Map<?, ?> want = golden("dtypes_expect.json");
        String keras = Files.readString(GeneratedKerasFilesTest.resource("written_config/dtypes.json"));
        Model[] holder = new Model[1];
        List<String> warnings = LogCapture.warnings(KerasImport.class.getName(), () -> holder[0] = Models.fromJson(keras));
        Model m = holder[0];
        assertEquals(List.of("the JSON architecture: layers 'wide' (float64), 'half' (mixed_float16) have a dtype policy other"
                + " than float32; jrnn computes them in float32 with float32 weights (outputs differ from Keras' by its rounding),"
                + " and keeps the policy in the config it writes"), warnings);
        assertEquals("int32", ((Input) m.inputs().get(0)).dtype());
        Map<String, Map<?, ?>> written = new LinkedHashMap<>();
        written.put("toJson", config(m.toJson()));
        written.put("clone", config(Models.cloneModel(m).toJson()));
        for (String ext : List.of(".keras", ".h5")) {
            Path f = dir.resolve("typed" + ext);
            m.save(f);
            written.put(ext, NestedKerasIoTest.modelConfig(f));
            try (Model back = Models.load(f)) {
                written.put(ext + " loaded", config(back.toJson()));
            }
        }
        for (var e : written.entrySet()) {
            assertEquals(want.get("layers"), policies(e.getValue()), e.getKey());
            assertEquals(want.get("inputs"), inputDtypes(e.getValue()), e.getKey());
        }
    }

    /**
     * A clone's JSON is jrnn's own and its policies the user's: cloneModel of a model whose layer the user set to float64
     * warned on every call that jrnn computes it in float32 (a file's and a user's JSON still warn).
     */
    @Test
    void cloningAModelWithAFloat64LayerDoesNotWarn() throws Exception {
        Input x = Input.shape(5, 3).name("x");
        Model m = new Model(x, new Dense(2).dtype("float64").name("d").apply(new LSTM(3).dtype("float64").name("enc").apply(x)));
        Model[] clone = new Model[1];
        assertEquals(List.of(), LogCapture.warnings(KerasImport.class.getName(), () -> clone[0] = Models.cloneModel(m)));
        assertEquals(Map.of("enc", "float64", "d", "float64"), policies(config(clone[0].toJson())));
        assertEquals(1, LogCapture.warnings(KerasImport.class.getName(), () -> Models.fromJson(m.toJson())).size());
    }

    /**
     * A policy jrnn does not keep, Keras 3's quantized int8_from_float32 (QuantizedDTypePolicy {mode, source_name}, no
     * name: fromJson refused it), is read, named in the one dtype warning and written float32, as the GUIDE says.
     */
    @Test
    void aQuantizedPolicyIsWarnedOfAndWrittenFloat32() throws Exception {
        Map<?, ?> want = golden("quantized_expect.json");
        String keras = Files.readString(GeneratedKerasFilesTest.resource("written_config/quantized.json"));
        Model[] holder = new Model[1];
        List<String> warnings = LogCapture.warnings(KerasImport.class.getName(), () -> holder[0] = Models.fromJson(keras));
        assertEquals(List.of("the JSON architecture: layers 'head' (" + want.get("head") + ") have a dtype policy jrnn does not"
                + " keep (it keeps float16, bfloat16, float32, float64, mixed_float16, mixed_bfloat16); jrnn computes them in"
                + " float32 and writes float32 for them"), warnings);
        assertEquals(Map.of("enc", want.get("enc"), "head", "float32"), policies(config(holder[0].toJson())));
    }

    /** Input.dtype and Layer.dtype, as Keras' Input(dtype=...) and LSTM(dtype=...): kept, refused outside Keras' names. */
    @Test
    void dtypesSetInJavaAreWrittenAndBadOnesRefused() {
        Input ids = Input.shape(6).dtype("int32").name("ids");
        Model m = new Model(ids, new Dense(2).dtype("float64").name("d").apply(ids));
        assertEquals(Map.of("ids", "int32"), inputDtypes(config(m.toJson())));
        assertEquals(Map.of("d", "float64"), policies(config(m.toJson())));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Dense(2).name("d2").dtype("int32"));
        assertEquals("d2.dtype: expected a dtype policy of [float16, bfloat16, float32, float64, mixed_float16, mixed_bfloat16],"
                + " got 'int32'", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Input.shape(2).name("in2").dtype("mixed_float16"));
        assertTrue(e.getMessage().startsWith("in2.dtype: expected an input dtype of [float16, "), e.getMessage());
    }

    /** The layer config named {@code name} among {@code config}'s layers. */
    private static Map<?, ?> layer(Map<?, ?> config, String name) {
        for (Object o : (List<?>) config.get("layers")) {
            Map<?, ?> c = (Map<?, ?>) ((Map<?, ?>) o).get("config");
            if (name.equals(c.get("name"))) return c;
        }
        throw new AssertionError("no layer " + name);
    }

    private static Object name(Object spec) { return ((Map<?, ?>) ((Map<?, ?>) spec).get("config")).get("name"); }

    /**
     * Keras 3 keeps a given backward layer's name (only its copy is named backward_...) and the cell's of RNN(LSTMCell(4))
     * ("lstm_cell"); jrnn renamed the one backward_gru and wrote the other rnn_cell, even after reading Keras' JSON.
     */
    @Test
    void aGivenBackwardLayerAndAnRnnCellKeepTheirKerasNames() throws Exception {
        Map<?, ?> want = golden("names_expect.json");
        String keras = Files.readString(GeneratedKerasFilesTest.resource("written_config/names.json"));
        Model m = Models.fromJson(keras);
        Bidirectional bi = (Bidirectional) m.getLayer((String) want.get("bidirectional"));
        assertEquals(want.get("forward"), bi.forwardLayer().name());
        assertEquals(want.get("backward"), bi.backwardLayer().name());
        assertEquals(want.get("cell"), ((RecurrentLayer) m.getLayer((String) want.get("rnn"))).cellName());
        for (String how : List.of("toJson", ".keras")) {
            Map<?, ?> c;
            if (how.equals("toJson")) {
                c = config(m.toJson());
            } else {
                Path f = dir.resolve("named.keras");
                m.save(f);
                c = NestedKerasIoTest.modelConfig(f);
            }
            Map<?, ?> b = layer(c, (String) want.get("bidirectional"));
            assertEquals(want.get("forward"), name(b.get("layer")), how);
            assertEquals(want.get("backward"), name(b.get("backward_layer")), how);
            assertEquals(want.get("cell"), name(layer(c, (String) want.get("rnn")).get("cell")), how);
        }
        // made in jrnn in a fresh session: the same names Keras draws (gru, lstm_cell, rnn)
        Jrnn.clearSession();
        Input x = Input.shape(5, 3).name("x");
        Bidirectional made = new Bidirectional(new LSTM(2).returnSequences(true), new GRU(3).goBackwards(true).returnSequences(true));
        LSTM rnn = new LSTM(4).asKerasRnn(true);
        Model n = new Model(x, rnn.apply(made.apply(x)));
        assertEquals(want.get("backward"), made.backwardLayer().name());
        assertEquals(want.get("cell"), rnn.cellName());
        assertEquals(want.get("rnn"), rnn.name());
        assertEquals(want.get("cell"), name(layer(config(n.toJson()), rnn.name()).get("cell")));
    }

    /** One direction of a Bidirectional as copies_expect.json holds it: name, dtype policy, cell name and policy. */
    private static Map<String, Object> direction(RecurrentLayer l) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", l.name());
        d.put("dtype", l.dtype());
        d.put("cell", l.asKerasRnn() ? l.cellName() : "lstm_cell");   // an LSTM's own cell is always lstm_cell in Keras
        d.put("cell_dtype", l.dtype());   // jrnn writes RNN(cell)'s cell with the layer's policy
        return d;
    }

    /** The same read from a written layer config (an RNN's cell from its "cell"; an LSTM's as Keras names it). */
    private static Map<String, Object> direction(Object spec) {
        Map<?, ?> c = (Map<?, ?>) ((Map<?, ?>) spec).get("config");
        Map<?, ?> cell = c.get("cell") == null ? null : (Map<?, ?>) ((Map<?, ?>) c.get("cell")).get("config");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", c.get("name"));
        d.put("dtype", KerasDtypes.policy(c.get("dtype"), "test"));
        d.put("cell", cell == null ? "lstm_cell" : cell.get("name"));
        d.put("cell_dtype", KerasDtypes.policy(cell == null ? c.get("dtype") : cell.get("dtype"), "test"));
        return d;
    }

    private static Map<String, Object> directions(Bidirectional b) {
        return Map.of("forward", direction(b.forwardLayer()), "backward", direction(b.backwardLayer()));
    }

    /**
     * Keras 3's backward copy is the forward layer's whole config going backwards: a float64 LSTM's copy is float64 and
     * RNN(LSTMCell)'s keeps the cell's name (lstm_cell). jrnn's copy was float32 and its cell written "backward_rnn_cell",
     * made in Java, read from Keras' JSON or a tf.keras 2 config without backward_layer alike; its .h5 then wrote the
     * copy as a given layer (the dtypes differed).
     */
    @Test
    void aBackwardCopyKeepsTheDtypePolicyAndCellNameAsKeras3sCopy() throws Exception {
        Map<?, ?> want = golden("copies_expect.json");
        Jrnn.clearSession();
        Input x = Input.shape(5, 3).name("x");
        Bidirectional b64 = new Bidirectional(new LSTM(3).returnSequences(true).dtype("float64")).name("b64");
        Bidirectional bcell = new Bidirectional(new LSTM(3).asKerasRnn(true).dtype("float64")).name("bcell");
        Model m = new Model(x, bcell.apply(b64.apply(x)));
        Model keras = Models.fromJson(Files.readString(GeneratedKerasFilesTest.resource("written_config/copies.json")));
        for (String b : List.of("b64", "bcell")) {
            assertEquals(want.get(b), directions((Bidirectional) m.getLayer(b)), b + " made in jrnn");
            assertEquals(want.get(b), directions((Bidirectional) keras.getLayer(b)), b + " read from Keras' JSON");
        }
        Path k = dir.resolve("copies.keras"), h = dir.resolve("copies.h5");
        m.save(k);
        Input x5 = Input.shape(5, 3).name("x");   // the .h5 holds no RNN(cell): the LSTM alone
        new Model(x5, new Bidirectional(new LSTM(3).name("lstm").returnSequences(true).dtype("float64")).name("b64").apply(x5)).save(h);
        Map<String, Map<?, ?>> written = new LinkedHashMap<>();
        written.put("toJson", config(m.toJson()));
        written.put("clone", config(Models.cloneModel(m).toJson()));
        written.put(".keras", NestedKerasIoTest.modelConfig(k));
        for (Map.Entry<String, Map<?, ?>> e : written.entrySet()) {
            for (String b : List.of("b64", "bcell")) {
                Map<?, ?> c = layer(e.getValue(), b);
                assertEquals(want.get(b), Map.of("forward", direction(c.get("layer")), "backward", direction(c.get("backward_layer"))),
                        b + " " + e.getKey());
            }
        }
        // the .h5 leaves the copy out (tf.keras 2's rule: its config has no backward_layer), and jrnn builds it again
        assertNull(layer(NestedKerasIoTest.modelConfig(h), "b64").get("backward_layer"), ".h5");
        try (Model back = Models.load(h); Model fromKeras = Models.load(k)) {
            assertEquals(want.get("b64"), directions((Bidirectional) back.getLayer("b64")), ".h5 loaded");
            for (String b : List.of("b64", "bcell")) {
                assertEquals(want.get(b), directions((Bidirectional) fromKeras.getLayer(b)), b + " .keras loaded");
            }
        }
    }

    /**
     * tf.keras 2's .h5 keeps tf.keras 2's rule: it names a given backward layer backward_<name> (its weight_names say
     * so; the config holds the name itself), and writes no backward_layer for the copy Bidirectional makes, which it
     * builds again itself (so Keras 3 and tf.keras 2 name it backward_lstm, where a written one would keep "lstm"). The rule
     * is tf.keras 2.13's keras/layers/rnn/bidirectional.py (keras-team/keras v2.13.1: __init__ prefixes both layers'
     * _name, get_config writes _backward_layer_config only for a given layer); TF 2.21's bundled engine has no wrappers.
     */
    @Test
    void theLegacyH5KeepsTfKeras2sBidirectionalRule() throws Exception {
        Jrnn.clearSession();
        Input x = Input.shape(5, 3).name("x");
        Bidirectional given = new Bidirectional(new LSTM(2).returnSequences(true).name("f"), new GRU(3).goBackwards(true)
                .returnSequences(true).name("g")).name("given");
        Bidirectional copied = new Bidirectional(new LSTM(2).name("c")).name("copied");
        Model m = new Model(x, copied.apply(given.apply(x)));
        Path f = dir.resolve("bi.h5");
        m.save(f);
        Map<?, ?> c = NestedKerasIoTest.modelConfig(f);
        assertEquals("g", name(layer(c, "given").get("backward_layer")));
        assertNull(layer(c, "copied").get("backward_layer"));
        try (HdfFile h = new HdfFile(f)) {
            List<String> names = Hdf5Arrays.stringList((io.jhdf.api.Group) h.getByPath("model_weights/given"), "weight_names");
            assertEquals("given/backward_g/gru_cell/kernel:0", names.get(3));
        }
        try (Model back = Models.load(f)) {
            assertEquals("g", ((Bidirectional) back.getLayer("given")).backwardLayer().name());
            assertEquals("backward_c", ((Bidirectional) back.getLayer("copied")).backwardLayer().name());
        }
        // forward and backward of the same shapes (an LSTM each): only the names place the arrays, so a swap of the two
        // directions would load silently; the reloaded model predicts as the saved one (swapped, it does not)
        Jrnn.clearSession();
        Input y = Input.shape(5, 3).name("y");
        Bidirectional same = new Bidirectional(new LSTM(3).returnSequences(true).name("f"), new LSTM(3).goBackwards(true)
                .returnSequences(true).name("g")).name("same");
        Model s = new Model(y, same.apply(y));
        Path g = dir.resolve("same.h5");
        s.save(g);
        dev.jrnn.tensor.Tensor in = dev.jrnn.tensor.Tensor.of(new float[60], 4, 5, 3);
        for (int i = 0; i < 60; i++) in.data()[i] = (float) Math.sin(i * 0.7);
        dev.jrnn.tensor.Tensor want = s.predict(in);
        try (Model back = Models.load(g)) {
            assertEquals(want, back.predict(in));
            Bidirectional b = (Bidirectional) back.getLayer("same");
            var fw = b.forwardLayer().getWeights();
            b.forwardLayer().setWeights(b.backwardLayer().getWeights());   // the directions swapped: other outputs
            b.backwardLayer().setWeights(fw);
            assertFalse(want.equals(back.predict(in)));
        }
    }
}
