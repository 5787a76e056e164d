package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.LayerNormalization;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.RMSprop;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras layouts the real fixtures lack (GRU, Keras 3 .keras zips, a .keras holding HDF5, several inputs and outputs,
 * shared layers, every Bidirectional merge mode, Embedding mask_zero, Masking, the newer activations). These files
 * were NOT written by Keras but by {@code src/test/resources/dev/jrnn/io/keras/generator/make_keras_files.py} with
 * h5py, following Keras' layouts; each is checked against the float64 {@link KerasReference}.
 */
class GeneratedKerasFilesTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Path resource(String name) {
        try {
            return Path.of(GeneratedKerasFilesTest.class.getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("test resource " + name + " missing: run generator/make_keras_files.py", e);
        }
    }

    /** A file Keras 3.15.1 itself wrote, under {@code keras3_real/} (its generator scripts beside it). */
    static Path keras3Real(String name) {
        return resource("keras3_real/" + name);
    }

    @Test
    void keras2LayoutsPredictAsTheReference() throws IOException {
        for (String f : List.of("tfkeras_gru.h5", "functional_multi.h5", "functional_merge.h5", "sequential_embedding.h5",
                "keras3_functional.h5", "keras3_sequential.h5")) {
            try (Model m = Models.load(resource(f))) {
                KerasImportTest.checkAgainstReference(resource(f), m);
            }
        }
    }

    @Test
    void functionalStructureIsKept() throws IOException {
        try (Model m = Models.load(resource("functional_multi.h5"))) {
            assertEquals(2, m.inputs().size());
            assertEquals(7, m.outputs().size());
            assertEquals("multi", m.name());
            Layer shared = m.getLayer("shared_rnn");
            assertEquals(1, m.layers().stream().filter(l -> l == shared).count(), "a shared layer is one layer");
            String summary = m.summaryString();
            for (String n : List.of("in_a", "in_b", "masking", "shared_rnn", "repeat", "act", "bi_mul", "bi_none", "bi_sum", "td2")) {
                assertTrue(summary.contains(n), "summary lists " + n + ":\n" + summary);
            }
        }
    }

    /** Flatten, LayerNormalization and the merge layers come in with Keras' names, options and weights. */
    @Test
    void mergeLayersLayerNormalizationAndFlattenImport() throws IOException {
        try (Model m = Models.load(resource("functional_merge.h5"))) {
            assertEquals(List.of("Add", "Multiply", "Average", "Concatenate", "Flatten"),
                    List.of("add", "mul", "avg", "cat", "flat").stream().map(n -> m.getLayer(n).kerasClass()).toList());
            assertEquals(1, ((Concatenate) m.getLayer("cat_time")).axis());
            LayerNormalization lnB = (LayerNormalization) m.getLayer("ln_b");
            assertEquals(0.01, lnB.epsilon(), 1e-12);
            assertEquals(List.of(false, true), List.of(lnB.scale(), lnB.center()));
            assertEquals(List.of("ln/gamma", "ln/beta"), m.weightNames().subList(0, 2));
            String summary = m.summaryString();
            assertTrue(summary.contains(" avg (Average)                  (None, 5, 3)         0           ['add[0][0]',"), summary);
            assertTrue(summary.contains(" ln (LayerNormalization)        (None, 5, 3)         6           ['masking[0][0]']"), summary);
            assertTrue(summary.contains(" flat (Flatten)                 (None, 30)           0           ['cat_time[0][0]']"), summary);
        }
    }

    /** The Keras 3 zip and the same model as a Keras 3 legacy .h5 (its twin) predict the same, as the reference. */
    @Test
    void keras3ZipsPredictAsTheirHdf5Twins() throws IOException {
        for (String stem : List.of("keras3_functional", "keras3_sequential")) {
            try (Model m = Models.load(resource(stem + ".keras"))) {
                KerasImportTest.checkAgainstReference(resource(stem + ".h5"), m);
            }
        }
        try (Model m = Models.load(resource("keras3_functional.keras"))) {
            assertEquals("hard_sigmoid", ((GRU) m.getLayer("encoder")).recurrentActivation(),
                    "Keras 3's hard_sigmoid is x/6 + 1/2");
            assertInstanceOf(SGD.class, m.optimizer());
            assertEquals(0.5f, ((SGD) m.optimizer()).momentum());
            assertTrue(((SGD) m.optimizer()).nesterov());
        }
    }

    /** Conv1D as Keras 3 writes it (causal with dilation, then strides) predicts what numpy computed from the file's weights. */
    @Test
    void keras3Conv1dPredictsNumpysOutputs() throws IOException {
        Tensor x = dev.jrnn.data.Npy.read(resource("keras3_conv1d_x.npy"));
        float[] want = dev.jrnn.data.Npy.read(resource("keras3_conv1d_y.npy")).data();
        for (String f : List.of("keras3_conv1d.keras", "keras3_conv1d.h5")) {
            try (Model m = Models.load(resource(f))) {
                Tensor y = m.predict(x);
                assertArrayEquals(new int[] {2, 4, 1}, y.shape(), f);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], y.data()[i], 1e-5, f + ": element " + i);
                dev.jrnn.layers.Conv1D c = (dev.jrnn.layers.Conv1D) m.getLayer("conv1d");
                assertEquals("causal", c.padding(), f);
                assertEquals(2, c.dilationRate(), f);
                assertEquals(2, ((dev.jrnn.layers.Conv1D) m.getLayer("conv1d_1")).strides(), f);
            }
        }
    }

    @Test
    void formatIsRecognisedByContentNotName() throws IOException {
        try (Model m = Models.load(resource("hdf5_named.keras"))) {
            KerasImportTest.checkAgainstReference(resource("tfkeras_gru.h5"), m);
        }
    }

    @Test
    void trainingConfigCompilesAdam() throws IOException {
        try (Model m = Models.load(resource("tfkeras_gru.h5"))) {
            Adam a = assertInstanceOf(Adam.class, m.optimizer());
            assertEquals(0.002f, a.learningRate(), 1e-9);
            assertEquals("MSE", m.loss().name());
        }
        try (Model m = Models.load(KerasFixtures.dir().resolve("simple_lstm_model.h5"))) {
            // Keras 2.0.6's RMSprop(lr=0.001, rho=0.9, epsilon=1e-8, decay=0), as stored in the file
            RMSprop r = assertInstanceOf(RMSprop.class, m.optimizer());
            assertEquals(0.001f, r.learningRate(), 1e-9);
            assertEquals(0.9f, r.rho(), 1e-7);
            assertEquals(1e-8f, r.epsilon(), 1e-15);
        }
    }

    /**
     * reset_after=False GRUs (bias [3H], reset gate before the recurrent product): Keras 2.2's HDF5, and Keras 3's
     * zip, its legacy .h5 twin and its weights alone (a Bidirectional over one, masked, another going backwards).
     */
    @Test
    void gruResetBeforePredictsAsTheReference() throws IOException {
        try (Model m = Models.load(resource("keras22_gru_reset_before.h5"))) {
            GRU gru = (GRU) m.getLayer("gru_1");
            assertTrue(!gru.resetAfter() && gru.recurrentActivation().equals("hard_sigmoid_keras2"));
            assertArrayEquals(new int[] {12}, gru.bias().shape());
            KerasImportTest.checkAgainstReference(resource("keras22_gru_reset_before.h5"), m);
        }
        for (String f : List.of("keras3_gru_reset_before.keras", "keras3_gru_reset_before.h5")) {
            try (Model m = Models.load(resource(f))) {
                assertTrue(!((GRU) m.getLayer("gru_1")).resetAfter(), f);
                KerasImportTest.checkAgainstReference(resource("keras3_gru_reset_before.h5"), m);
            }
        }
        try (Model keras = Models.load(resource("keras3_gru_reset_before.keras"));
             Sequential mine = new Sequential(new dev.jrnn.layers.Masking(0.0).inputShape(6, 3),
                     new dev.jrnn.layers.Bidirectional(new GRU(2).resetAfter(false).returnSequences(true)),
                     new GRU(3).resetAfter(false).goBackwards(true).recurrentActivation("hard_sigmoid"), new Dense(1))) {
            mine.loadWeights(resource("keras3_gru_reset_before.weights.h5"));
            Tensor x = KerasImportTest.inputs(List.<int[]>of(new int[] {6, 3}), 0, 11).get(0);
            assertArrayEquals(keras.predict(x).data(), mine.predict(x).data());
        }
    }

    /** Keras 2 save_weights into a model built in jrnn with other names: by structure, as Keras' load_weights. */
    @Test
    void loadWeightsOfAKeras2WeightsFileByStructure() throws IOException {
        Path dir = KerasFixtures.dir();
        try (Model keras = Models.load(dir.resolve("simple_lstm_model.h5"));
             Sequential mine = new Sequential(new LSTM(50).recurrentActivation("hard_sigmoid_keras2").inputShape(1, 1), new Dense(1))) {
            mine.loadWeights(dir.resolve("simple_lstm_weights.h5"));
            Tensor x = KerasImportTest.inputs(List.<int[]>of(new int[] {1, 1}), 0, 7).get(0);
            assertArrayEquals(keras.predict(x).data(), mine.predict(x).data());
        }
    }

    /** Keras 2's by_name (strict): layers named as in the file load; other names are listed, with the fix. */
    @Test
    void loadWeightsByNameOfAKeras2File() throws IOException {
        Path dir = KerasFixtures.dir();
        Path weights = dir.resolve("simple_lstm_weights.h5");
        try (Model keras = Models.load(dir.resolve("simple_lstm_model.h5"));
             Sequential named = new Sequential(new LSTM(50).recurrentActivation("hard_sigmoid_keras2").name("lstm_1").inputShape(1, 1),
                     new Dense(1).name("dense_1"));
             Sequential other = new Sequential(new LSTM(50).inputShape(1, 1).name("enc"), new Dense(1).name("dense_1"))) {
            named.loadWeights(weights, true);
            Tensor x = KerasImportTest.inputs(List.<int[]>of(new int[] {1, 1}), 0, 8).get(0);
            assertArrayEquals(keras.predict(x).data(), named.predict(x).data());
            List<Tensor> before = other.getWeights();
            String msg = assertThrows(IllegalArgumentException.class, () -> other.loadWeights(weights, true)).getMessage();
            assertTrue(msg.contains("does not match the model by layer name: missing [enc]; unexpected [lstm_1]; the file has as many "
                    + "layers with weights as the model, of the same shapes: call loadWeights(file) to load by structure"), msg);
            assertArrayEquals(before.get(0).data(), other.getWeights().get(0).data());
            msg = assertThrows(IllegalArgumentException.class,
                    () -> other.loadWeights(resource("keras3_gru_reset_before.weights.h5"), true)).getMessage();
            assertTrue(msg.contains("a Keras 3 file names its weight groups by layer class, not layer name"), msg);
        }
    }

    /**
     * By name into a model with a new head (the Keras 2 transfer recipe, tester's s10): Keras' by_name=True loads the
     * matching lstm_1 and leaves the head; jrnn's strict by-name load refuses, and said to call loadWeights(file) to load
     * by structure, which cannot fit (the head's shapes differ), and for a same-named head of another shape quoted the call
     * without byName and said to build the same architecture. Now it says partial loading is not supported and what works:
     * the saved model's layers copied by getLayer(name).setWeights, which gives lstm_1 the file's weights, as Keras' by_name.
     */
    @Test
    void aByNameLoadThatCannotFitPointsToCopyingLayers() throws IOException {
        Path dir = KerasFixtures.dir();
        Path weights = dir.resolve("simple_lstm_weights.h5");
        for (String head : List.of("newhead", "dense_1")) {
            try (Model saved = Models.load(dir.resolve("simple_lstm_model.h5"));
                 Sequential m = new Sequential(new LSTM(50).recurrentActivation("hard_sigmoid_keras2").name("lstm_1").inputShape(1, 1),
                         new Dense(5).name(head))) {
                List<Tensor> before = m.getWeights();
                String msg = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(weights, true)).getMessage();
                for (String w : List.of(".loadWeights(" + weights + ", byName): the file does not match the model",
                        "loading part of a file (Keras' by_name=True leaves the layers it does not find, and with "
                                + "skip_mismatch=True those of other shapes) is not supported",
                        "model.getLayer(name).setWeights(saved.getLayer(name).getWeights())")) {
                    assertTrue(msg.contains(w), head + ": '" + w + "' not in " + msg);
                }
                assertTrue(!msg.contains("call loadWeights(file)") && !msg.contains("build the same architecture"), msg);
                for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), m.getWeights().get(i).data());
                m.getLayer("lstm_1").setWeights(saved.getLayer("lstm_1").getWeights());   // what the message says to do
                assertEquals(saved.getLayer("lstm_1").getWeights(), m.getLayer("lstm_1").getWeights());
            }
        }
    }

    /** A Keras 3 .weights.h5 (and the whole .keras) into a model of the same structure. */
    @Test
    void loadWeightsOfKeras3Files() throws IOException {
        for (String f : List.of("keras3_functional.weights.h5", "keras3_functional.keras")) {
            try (Model m = Models.load(resource("keras3_functional.h5"))) {
                List<Tensor> zeros = new ArrayList<>();
                for (Tensor t : m.getWeights()) zeros.add(Tensor.zeros(t.shape()));
                m.setWeights(zeros);
                m.loadWeights(resource(f));
                KerasImportTest.checkAgainstReference(resource("keras3_functional.h5"), m);
            }
        }
    }

    @Test
    void structureMismatchNamesBothSides() throws IOException {
        try (Sequential other = new Sequential(new LSTM(50).inputShape(1, 1))) {
            List<Tensor> before = other.getWeights();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> other.loadWeights(KerasFixtures.dir().resolve("simple_lstm_weights.h5")));
            assertTrue(e.getMessage().contains("[lstm_1, dense_1]") && e.getMessage().contains("same architecture"), e.getMessage());
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), other.getWeights().get(i).data());
        }
    }

    @Test
    void statefulLayersComeBackStatefulWithTheirBatchSize(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        // keras3_sequential.keras with batch_shape (4, 5, 2) and stateful=true on its SimpleRNN and GRU, as Keras 3 writes them
        Path file = KerasFixtures.withConfig(resource("keras3_sequential.keras"), dir.resolve("stateful.keras"), c -> {
            String s = c.replace("\"batch_shape\": [null, 5, 2]", "\"batch_shape\": [4, 5, 2]").replace("\"stateful\": false", "\"stateful\": true");
            assertTrue(!s.contains("\"stateful\": false") && s.contains("[4, 5, 2]"), "the fixture's config changed: " + c);
            return s;
        });
        Tensor x = Tensor.zeros(4, 5, 2);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) Math.sin(i * 0.37);
        try (Model plain = Models.load(resource("keras3_sequential.keras")); Model m = Models.load(file)) {
            assertEquals(2, m.layers().stream().filter(Layer::stateful).count(), "SimpleRNN and GRU");
            assertEquals(4, m.inputs().get(0).batchSize());
            Tensor want = plain.predict(x);
            assertArrayEquals(want.data(), m.predict(x).data(), 0f, "the first batch starts from zero states");
            assertTrue(!java.util.Arrays.equals(want.data(), m.predict(x).data()), "the second one from the first's states");
            m.resetStates();
            assertArrayEquals(want.data(), m.predict(x).data(), 0f);
            m.save(dir.resolve("again.keras"));
            try (Model again = Models.load(dir.resolve("again.keras"))) {
                assertEquals(2, again.layers().stream().filter(Layer::stateful).count(), "saved stateful");
                assertEquals(4, again.inputs().get(0).batchSize(), "saved batch_shape");
            }
        }
    }
}
