package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KerasExport}: what model.save tells the user about a file Keras 3 will not load. */
class KerasExportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /**
     * Keras 3 has only its own hard_sigmoid (x/6 + 1/2; keras/src/activations/__init__.py has no other), so its loader
     * refuses jrnn's "hard_sigmoid_keras2" ("Could not interpret activation function identifier"): model.save says so
     * once, naming the layers (a wrapped one by its wrapper), and still writes a file jrnn loads with the same numbers;
     * Keras 3's hard_sigmoid is written as "hard_sigmoid" without a word (was: no warning at all).
     */
    @Test
    void savingKeras2sHardSigmoidWarnsOnceNamingTheLayers() throws Exception {
        Input seq = Input.shape(3, 2).name("seq");
        Node h = new LSTM(2).recurrentActivation("hard_sigmoid_keras2").returnSequences(true).name("gates").apply(seq);
        Node b = new Bidirectional(new GRU(2).recurrentActivation("hard_sigmoid_keras2")).name("both").apply(h);
        Node d = new Dense(2).activation("hard_sigmoid_keras2").name("dense").apply(b);
        Node a = new Activation("hard_sigmoid").name("act").apply(d);
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 2f, 0.25f, -3f, 1.5f}, 1, 3, 2);
        try (Model m = new Model(List.of(seq), List.of(a)).name("mixed")) {
            Path f = dir.resolve("mixed.keras");
            List<String> warnings = LogCapture.warnings(KerasExport.class.getName(), () -> m.save(f));
            assertEquals(List.of("model 'mixed': layers 'gates', 'both', 'dense' use Keras 2's hard_sigmoid (0.2x + 1/2), saved"
                    + " as 'hard_sigmoid_keras2': jrnn loads it back, Keras 3 cannot (its hard_sigmoid is only x/6 + 1/2); for a"
                    + " file Keras 3 loads, use \"hard_sigmoid\" (Keras 3's) and retrain"), warnings);
            assertEquals(List.of(), LogCapture.warnings(KerasExport.class.getName(), () -> m.save(dir.resolve("again.keras"))),
                    "once per model: a checkpoint saves it every epoch");
            try (Model back = Models.load(f)) {
                assertEquals("hard_sigmoid_keras2", ((LSTM) back.getLayer("gates")).recurrentActivation());
                assertEquals("hard_sigmoid", ((Activation) back.getLayer("act")).activation());
                assertArrayEquals(m.predict(x).data(), back.predict(x).data());
            }
        }
        Input in = Input.shape(3, 2);
        try (Model keras3 = new Model(List.of(in), List.of(new LSTM(2).recurrentActivation("hard_sigmoid").apply(in)))) {
            Path f = dir.resolve("keras3.keras");
            assertEquals(List.of(), LogCapture.warnings(KerasExport.class.getName(), () -> keras3.save(f)));
            String json = KerasExport.toJson(keras3);
            assertTrue(json.contains("\"recurrent_activation\": \"hard_sigmoid\""), json);
        }
    }

    /**
     * toJson wrote "hard_sigmoid_keras2" without a word, and Keras 3.15.1's model_from_json of that JSON fails
     * ({@code /tmp/tester-repros/config/hs.py}: "Could not interpret activation function identifier: hard_sigmoid_keras2"):
     * it now warns as model.save does, from the same place, on every call; cloneModel, whose JSON Keras never reads, stays quiet.
     */
    @Test
    void toJsonWarnsOfKeras2sHardSigmoidAsSaveDoes() throws Exception {
        Input in = Input.shape(3, 2);
        try (Model m = new Model(List.of(in), List.of(new LSTM(2).recurrentActivation("hard_sigmoid_keras2").name("gates").apply(in))).name("hs")) {
            String expected = "model 'hs': layer 'gates' uses Keras 2's hard_sigmoid (0.2x + 1/2), written as 'hard_sigmoid_keras2': jrnn"
                    + " reads it back, Keras 3 cannot (its hard_sigmoid is only x/6 + 1/2); for a JSON Keras 3's model_from_json reads, use"
                    + " \"hard_sigmoid\" (Keras 3's) and retrain";
            assertEquals(List.of(expected), LogCapture.warnings(KerasExport.class.getName(), m::toJson));
            assertEquals(List.of(expected), LogCapture.warnings(KerasExport.class.getName(), m::toJson), "each call");
            assertEquals(List.of(), LogCapture.warnings(KerasExport.class.getName(), () -> Models.cloneModel(m).close()));
        }
        dev.jrnn.model.Sequential s = new dev.jrnn.model.Sequential();   // unbuilt: written without an InputLayer, warned alike
        s.add(new LSTM(2).recurrentActivation("hard_sigmoid_keras2").name("g"));
        assertEquals(1, LogCapture.warnings(KerasExport.class.getName(), s::toJson).size());
    }

    /**
     * Keras 3.15.1's SimpleRNN takes activity_regularizer and never applies it ({@code /tmp/cfgread/k3_simplernn_activity.py}:
     * SimpleRNN(3, activity_regularizer=L1(0.1)) gives model.losses [] and get_config null; RNN(SimpleRNNCell(3), the same)
     * gives [0.15168118], 0.1 * sum|y| / batch), where jrnn applies it as tf.keras 2 does ({@code tf2_simplernn_activity.py}:
     * losses [0.11633519] = 0.1 * sum|y| / batch): model.save to .keras says so once, naming the layers; an
     * asKerasRnn(true) SimpleRNN (saved as RNN(SimpleRNNCell)) and an LSTM stay quiet.
     */
    @Test
    void savingASimpleRnnWithAnActivityRegularizerWarnsThatKeras3IgnoresIt() throws Exception {
        Input in = Input.shape(4, 2);
        Node a = new dev.jrnn.layers.SimpleRNN(3).activityRegularizer(dev.jrnn.regularizers.Regularizers.l1(0.1)).returnSequences(true).name("srnn").apply(in);
        Node b = new dev.jrnn.layers.SimpleRNN(3).activityRegularizer(dev.jrnn.regularizers.Regularizers.l1(0.1)).asKerasRnn(true)
                .returnSequences(true).name("cell").apply(a);
        Node c = new LSTM(2).activityRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.1)).name("lstm").apply(b);
        try (Model m = new Model(List.of(in), List.of(c)).name("act")) {
            assertEquals(List.of("model 'act': SimpleRNN layer 'srnn' sets activity_regularizer, which jrnn applies and Keras 3's SimpleRNN"
                    + " ignores (its constructor takes the option and never passes it on): loaded in Keras 3, the model trains without that"
                    + " penalty; asKerasRnn(true) saves the layer as Keras' RNN(SimpleRNNCell), which applies it"),
                    LogCapture.warnings(KerasExport.class.getName(), () -> m.save(dir.resolve("act.keras"))));
        }
    }

    /** The warning's once-per-model latch counts only a save that warned: a regularizer set after a quiet save is warned about. */
    @Test
    void aSimpleRnnActivityRegularizerSetAfterAQuietSaveIsWarnedAbout() throws Exception {
        Input in = Input.shape(4, 2);
        dev.jrnn.layers.SimpleRNN r = new dev.jrnn.layers.SimpleRNN(3).name("srnn");
        try (Model m = new Model(List.of(in), List.of(r.apply(in))).name("late")) {
            assertEquals(List.of(), LogCapture.warnings(KerasExport.class.getName(), () -> m.save(dir.resolve("late1.keras"))));
            r.activityRegularizer(dev.jrnn.regularizers.Regularizers.l1(0.1));
            assertEquals(1, LogCapture.warnings(KerasExport.class.getName(), () -> m.save(dir.resolve("late2.keras"))).size());
            assertEquals(List.of(), LogCapture.warnings(KerasExport.class.getName(), () -> m.save(dir.resolve("late3.keras"))));
        }
    }

    /**
     * Keras 3.0-3.5 open the root {@code vars} group (the model's own variables) of model.weights.h5 unconditionally.
     * jhdf 0.13 closes a file by writing its info string over a group written after the last dataset, which that one is:
     * it must come out readable (empty), and every weight still read back (was: no such group, as the GUIDE said).
     */
    @Test
    void theWeightsFileHasTheRootVarsGroupKeras3ZeroToFiveOpen() throws Exception {
        Jrnn.setSeed(4);
        Input in = Input.shape(4, 3);
        try (Model m = new Model(in, new Dense(2).apply(new LSTM(3).apply(in)))) {
            for (boolean compiled : new boolean[] {false, true}) {
                if (compiled) {   // and trained: the optimizer's moments go below jrnn_state/
                    m.compile("adam", "mse");
                    m.fit(Tensor.of(new float[24], 2, 4, 3), Tensor.of(new float[4], 2, 2), new dev.jrnn.model.FitOptions().epochs(1).verbose(0));
                }
                Path f = dir.resolve("m" + compiled + ".keras"), h5 = dir.resolve("m" + compiled + ".h5");
                m.save(f);
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(f.toFile())) {
                    java.nio.file.Files.write(h5, z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes());
                }
                if (!compiled) {
                    try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(dir.resolve("w.weights.h5"))) {
                        KerasExport.writeWeights(m, out);
                    }
                    try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(dir.resolve("w.weights.h5"))) {
                        assertTrue(h.getChild("vars") instanceof io.jhdf.api.Group g && g.getChildren().isEmpty(), "weights file's root vars");
                    }
                }
                try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(h5)) {
                    assertTrue(h.getChild("vars") instanceof io.jhdf.api.Group g && g.getChildren().isEmpty(), "root vars, " + compiled);
                    io.jhdf.api.Dataset k = (io.jhdf.api.Dataset) h.getByPath("layers/dense/vars/0");
                    assertArrayEquals(new int[] {3, 2}, k.getDimensions());
                }
                try (Model back = Models.load(f)) {
                    assertArrayEquals(m.layers().get(2).params().get(0).get().data(), back.layers().get(2).params().get(0).get().data(), 0f);
                }
            }
        }
    }
}
