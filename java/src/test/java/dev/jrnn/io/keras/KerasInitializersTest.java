package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasInitializers}: the initializer options of Keras 2 and 3 configs read (real Keras files, Keras 3's serialized
 * form, names), a model built from JSON alone starting from them, and written back as Keras 3's get_config writes them.
 */
class KerasInitializersTest {
    @TempDir
    Path dir;

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(4);
    }

    private static Layer layer(String json) {
        return new KerasLayers(3, "f.keras").build(new KerasConfig(Json.parse(json), "layer"));
    }

    /** Keras 3's serialized initializer. */
    private static String k3(String cls, String config) {
        return "{\"module\": \"keras.initializers\", \"class_name\": \"" + cls + "\", \"config\": " + config + ", \"registered_name\": null}";
    }

    @Test
    void keras3SerializedInitializersAreRead() {
        LSTM l = (LSTM) layer("{\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm\", \"units\": 3, \"unit_forget_bias\": true,"
                + " \"kernel_initializer\": " + k3("HeNormal", "{\"seed\": 3}") + ","
                + " \"recurrent_initializer\": " + k3("Orthogonal", "{\"seed\": null, \"gain\": 2.0}") + ","
                + " \"bias_initializer\": " + k3("Constant", "{\"value\": 0.1}") + "}}");
        assertEquals(Initializer.heNormal(3), l.kernelInitializer());
        assertEquals(Initializer.orthogonal(2), l.recurrentInitializer());
        assertEquals(Initializer.constant(0.1), l.biasInitializer());
        Dense d = (Dense) layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 1,"
                + " \"kernel_initializer\": " + k3("RandomNormal", "{\"seed\": 3, \"mean\": 0.0, \"stddev\": 0.01}") + ","
                + " \"bias_initializer\": " + k3("Zeros", "{}") + "}}");
        assertEquals(Initializer.randomNormal(0, 0.01, 3), d.kernelInitializer());
        Conv1D c = (Conv1D) layer("{\"class_name\": \"Conv1D\", \"config\": {\"name\": \"c\", \"filters\": 2, \"kernel_size\": [3],"
                + " \"kernel_initializer\": " + k3("VarianceScaling", "{\"seed\": null, \"scale\": 2.0, \"mode\": \"fan_out\", \"distribution\": \"uniform\"}") + "}}");
        assertEquals(Initializer.varianceScaling(2, "fan_out", "uniform"), c.kernelInitializer());
        assertEquals(Initializer.zeros(), c.biasInitializer(), "a missing option: Keras' default");
        Embedding e = (Embedding) layer("{\"class_name\": \"Embedding\", \"config\": {\"name\": \"e\", \"input_dim\": 5, \"output_dim\": 2,"
                + " \"embeddings_initializer\": " + k3("TruncatedNormal", "{\"seed\": 1, \"mean\": 0.0, \"stddev\": 0.02}") + "}}");
        assertEquals(Initializer.truncatedNormal(0, 0.02, 1), e.embeddingsInitializer());
    }

    @Test
    void keras2FormsAndNamesAreRead() {
        GRU g = (GRU) layer("{\"class_name\": \"GRU\", \"config\": {\"name\": \"g\", \"units\": 2,"
                + " \"kernel_initializer\": {\"class_name\": \"VarianceScaling\", \"config\": {\"distribution\": \"uniform\", \"scale\": 1.0,"
                + " \"seed\": null, \"mode\": \"fan_avg\"}},"
                + " \"recurrent_initializer\": {\"class_name\": \"Identity\", \"config\": {\"gain\": 1.0, \"dtype\": \"float32\"}},"
                + " \"bias_initializer\": \"ones\"}}");
        assertEquals(Initializer.varianceScaling(1, "fan_avg", "uniform"), g.kernelInitializer());
        assertEquals(Initializer.identity(1), g.recurrentInitializer());
        assertEquals(Initializer.ones(), g.biasInitializer());
        Dense d = (Dense) layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2, \"kernel_initializer\": \"he_uniform\","
                + " \"bias_initializer\": null}}");
        assertEquals(Initializer.heUniform(), d.kernelInitializer());
        assertEquals(Initializer.glorotUniform(), d.biasInitializer(), "null: glorot_uniform, as Keras' add_weight(initializer=None)");
    }

    /** Real files: Keras 2.0.6 wrote glorot_uniform as VarianceScaling, tf.keras 2.2.4 as GlorotUniform with a dtype. */
    @Test
    void realKerasFilesInitializersAreRead() throws Exception {
        try (Model m = Models.load(KerasFixtures.dir().resolve("simple_lstm_model.h5"))) {
            LSTM l = (LSTM) m.layers().stream().filter(x -> x instanceof LSTM).findFirst().orElseThrow();
            assertEquals(Initializer.varianceScaling(1, "fan_avg", "uniform"), l.kernelInitializer());
            assertEquals(Initializer.orthogonal(1), l.recurrentInitializer());
            assertEquals(Initializer.zeros(), l.biasInitializer());
            Map<?, ?> written = layerConfig(m.toJson(), l.name());
            assertEquals(keras3("VarianceScaling", map("seed", null, "scale", 1.0, "mode", "fan_avg", "distribution", "uniform")),
                    written.get("kernel_initializer"), "written back as Keras 3 writes VarianceScaling");
        }
        try (Model m = Models.load(KerasFixtures.dir().resolve("tfkeras_rnn_5.h5"))) {
            for (Layer x : m.layers()) {
                RecurrentLayer r = x instanceof Bidirectional b ? b.forwardLayer() : x instanceof RecurrentLayer rl ? rl : null;
                if (r == null) continue;
                assertEquals(Initializer.glorotUniform(), r.kernelInitializer(), x.name());
                assertEquals(Initializer.orthogonal(1), r.recurrentInitializer(), x.name());
                assertEquals(Initializer.zeros(), r.biasInitializer(), x.name());
            }
        }
    }

    /** What Keras 3's LSTM, Dense and Embedding get_config write for their defaults and for set ones. */
    @Test
    void exportWritesKeras3Form() {
        Sequential m = new Sequential(new Embedding(10, 4).name("e"), new LSTM(3).name("l"),
                new Dense(1).kernelInitializer(Initializer.randomNormal(0, 0.01, 3)).biasInitializer("ones").name("d"));
        m.build(5);
        String json = m.toJson();
        Map<?, ?> l = layerConfig(json, "l"), d = layerConfig(json, "d"), e = layerConfig(json, "e");
        assertEquals(keras3("GlorotUniform", map("seed", null)), l.get("kernel_initializer"));
        assertEquals(keras3("Orthogonal", map("seed", null, "gain", 1.0)), l.get("recurrent_initializer"));
        assertEquals(keras3("Zeros", map()), l.get("bias_initializer"));
        assertEquals(keras3("RandomNormal", map("seed", 3L, "mean", 0.0, "stddev", 0.01)), d.get("kernel_initializer"));
        assertEquals(keras3("Ones", map()), d.get("bias_initializer"));
        assertEquals(keras3("RandomUniform", map("seed", null, "minval", -0.05, "maxval", 0.05)), e.get("embeddings_initializer"));
    }

    /** Keras' model_from_json: the layers start from the config's initializers; clone and save keep them. */
    @Test
    void aModelFromJsonStartsFromItsInitializers() throws Exception {
        Initializer seeded = Initializer.heNormal(3);
        String json;
        try (Sequential m = new Sequential(new LSTM(4).kernelInitializer(seeded).recurrentInitializer("identity")
                .biasInitializer(Initializer.constant(0.5)).returnSequences(true).name("l"), new Conv1D(2, 1).name("c"))) {
            m.build(6, 2);
            json = m.toJson();
        }
        try (Model j = Models.fromJson(json); Model c = Models.cloneModel(j)) {
            for (Model x : List.of(j, c)) {
                LSTM l = (LSTM) x.layers().stream().filter(y -> y instanceof LSTM).findFirst().orElseThrow();
                assertEquals(seeded, l.kernelInitializer());
                assertArrayEquals(seeded.values(new int[] {2, 16}, null), l.kernel().get().data(), "HeNormal(seed=3)'s draw");
                float[] eye = new float[4 * 16];
                for (int i = 0; i < 4; i++) eye[i * 16 + i] = 1;
                assertArrayEquals(eye, l.recurrentKernel().get().data());
                float[] b = new float[16];
                Arrays.fill(b, 0.5f);
                Arrays.fill(b, 4, 8, 1f);   // unit_forget_bias
                assertArrayEquals(b, l.bias().get().data());
            }
            Path f = dir.resolve("m.keras");
            j.save(f);
            try (Model back = Models.load(f)) {
                LSTM l = (LSTM) back.layers().stream().filter(y -> y instanceof LSTM).findFirst().orElseThrow();
                assertEquals(Initializer.identity(1), l.recurrentInitializer());
                assertEquals(Initializer.constant(0.5), l.biasInitializer());
            }
        }
    }

    /**
     * An initializer jrnn cannot read though Keras takes it (STFT, a custom class, a SeedGenerator seed, Keras 3.15's fan axes,
     * an array Constant) keeps the default with a warning, as a whole model's file brings the weights (such files loaded
     * before jrnn read initializers); one the weight's shape cannot take is refused. A name no Keras has is refused
     * (KerasConfigKeysTest).
     */
    @Test
    void unreadableInitializersKeepTheDefaultAndWrongShapesAreRefused() {
        for (String unknown : new String[] {k3("STFT", "{\"side\": \"real\"}"),
                "{\"module\": \"my_pkg\", \"class_name\": \"HeNormal\", \"config\": {}, \"registered_name\": \"my_pkg>HeNormal\"}",
                k3("HeNormal", "{\"seed\": {\"module\": \"keras.random\", \"class_name\": \"SeedGenerator\"}}"),
                k3("GlorotUniform", "{\"seed\": null, \"input_axes\": [0]}"), k3("Constant", "{\"value\": [0.5]}"),
                k3("Constant", "{\"value\": {\"class_name\": \"__numpy__\", \"config\": {\"value\": [[0.5, 1.0]], \"dtype\": \"float32\"}}}")}) {
            Layer l = layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"dd\", \"units\": 2, \"kernel_initializer\": " + unknown + "}}");
            assertEquals(new Dense(2).kernelInitializer(), ((Dense) l).kernelInitializer(), unknown);
        }
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"dd\","
                + " \"units\": 2, \"bias_initializer\": \"orthogonal\"}}"));
        assertTrue(e.getMessage().contains("layer 'dd' (Dense): bias_initializer") && e.getMessage().contains("Orthogonal"), e.getMessage());
    }

    /**
     * keras.io's pre-trained word embeddings recipe: an Embedding started from {@code Constant(matrix)} and frozen. Keras 3
     * writes the matrix into the config as {@code {"class_name": "__numpy__", ...}} (outside tester finetune D1: the load was
     * refused, "value should be a number", with the whole matrix in the message); the file's weights replace the initializer,
     * and the model predicts as Keras 3.15.1 (pretrained_embedding/make_pretrained_embedding.py).
     */
    @Test
    void aPretrainedEmbeddingsConstantMatrixLoadsFromKeras3Files() throws Exception {
        Path dir = Path.of(KerasInitializersTest.class.getResource("pretrained_embedding").toURI());
        Tensor x = dev.jrnn.data.Npy.read(dir.resolve("pretrained_embedding_x.npy"));
        float[] want = dev.jrnn.data.Npy.read(dir.resolve("pretrained_embedding_y.npy")).data();
        for (String f : List.of("pretrained_embedding.keras", "pretrained_embedding.h5")) {
            try (Model m = Models.load(dir.resolve(f))) {
                float[] got = m.predict(x).data();
                assertEquals(want.length, got.length, f);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, f + ": element " + i);
                assertTrue(!m.getLayer("pretrained").trainable(), f);
            }
        }
    }

    /** A value of the wrong kind is named in a message of bounded length: an array there could be a whole matrix. */
    @Test
    void aWrongValueIsShortenedInTheMessage() {
        String big = Arrays.toString(new float[20_000]);
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"name\":"
                + " \"dd\", \"units\": 2, \"kernel_initializer\": " + k3("RandomNormal", "{\"seed\": null, \"mean\": " + big + "}") + "}}"));
        assertTrue(e.getMessage().contains("mean should be a number, got [0.0, 0.0") && e.getMessage().length() < 300, e.getMessage());
    }

    /**
     * A malformed config of a class jrnn has is refused naming the layer, the option, the class and the argument, as Keras
     * 3.15.1 refuses it (it warned and took jrnn's default). Keras' own refusals ({@code kerrs.py}: {@code
     * GlorotUniform.from_config({"seed": None, "gain": 2})}, ...): "GlorotUniform.__init__() got an unexpected keyword
     * argument 'gain'", "Invalid `mode` argument: fan_x. Please use one of {'fan_out', 'fan_avg', 'fan_in'}", and
     * initializers.get(7): "Could not interpret initializer identifier: 7".
     */
    @Test
    void malformedConfigsOfClassesJrnnHasAreRefused() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(k3("GlorotUniform", "{\"seed\": null, \"gain\": 2}"),
                "layer 'dd' (Dense): kernel_initializer: GlorotUniform: unknown argument 'gain' (GlorotUniform takes seed, input_axes, output_axes)");
        cases.put(k3("RandomNormal", "{\"seed\": null, \"mean\": 0.0, \"stddev\": 0.01, \"scale\": 2}"),
                "layer 'dd' (Dense): kernel_initializer: RandomNormal: unknown argument 'scale' (RandomNormal takes mean, stddev, seed)");
        cases.put("{\"class_name\": \"Identity\", \"config\": {\"seeed\": 3}}",
                "layer 'dd' (Dense): kernel_initializer: Identity: unknown argument 'seeed' (Identity takes gain)");
        cases.put(k3("VarianceScaling", "{\"seed\": null, \"mode\": \"fan_x\"}"), "layer 'dd' (Dense): kernel_initializer: ");
        cases.put("7", "layer 'dd' (Dense): kernel_initializer: expected a JSON object, got 7");
        cases.forEach((init, message) -> {
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\":"
                    + " {\"name\": \"dd\", \"units\": 2, \"kernel_initializer\": " + init + "}}"), init);
            assertTrue(e.getMessage().startsWith(message), e.getMessage());
        });
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\":"
                + " {\"name\": \"dd\", \"units\": 2, \"kernel_initializer\": " + k3("VarianceScaling", "{\"seed\": null, \"mode\": \"fan_x\"}") + "}}"));
        assertTrue(e.getMessage().contains("fan_x"), e.getMessage());
    }

    private static Map<?, ?> layerConfig(String modelJson, String name) {
        Map<?, ?> model = (Map<?, ?>) Json.parse(modelJson);
        for (Object o : (List<?>) ((Map<?, ?>) model.get("config")).get("layers")) {
            Map<?, ?> c = (Map<?, ?>) ((Map<?, ?>) o).get("config");
            if (name.equals(c.get("name"))) return c;
        }
        throw new AssertionError("no layer " + name + " in " + modelJson);
    }

    private static Map<String, Object> keras3(String cls, Map<String, Object> config) {
        return map("module", "keras.initializers", "class_name", cls, "config", config, "registered_name", null);
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
