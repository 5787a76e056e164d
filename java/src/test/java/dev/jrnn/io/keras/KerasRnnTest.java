package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras' generic {@code RNN} layer over built-in cells: {@code RNN(LSTMCell(4))} read as the LSTM it computes,
 * {@code RNN(StackedRNNCells([...]))} as one layer per cell. The files were written by {@code generator/make_keras_files.py}
 * (h5py in Keras' layouts, not Keras: {@code rnn_cells}, {@code rnn_stack}); the expected outputs come from numpy's
 * float64 loop over the stacked cells there (masked steps keep every cell's state), not from jrnn's layers.
 */
class KerasRnnTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static void assertClose(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        for (int i = 0; i < want.data().length; i++) assertEquals(want.data()[i], got.data()[i], 1e-5, what + ": element " + i);
    }

    private static List<String> names(Model m) {
        List<String> r = new ArrayList<>();
        for (Layer l : m.layers()) r.add(l.name() + " (" + l.kerasClass() + ")");
        return r;
    }

    /**
     * Masking, RNN(LSTMCell) returning sequences, RNN over [GRUCell, SimpleRNNCell] returning its states, Dense: the
     * outputs and both cells' last states as numpy's (a step masked in the middle of one sample, padding in the other).
     */
    @ParameterizedTest
    @ValueSource(strings = {"rnn_cells.keras", "rnn_cells.h5"})
    void anRnnOverOneCellAndOverStackedCellsPredictsAsNumpy(String file) throws IOException {
        try (Model m = Models.load(resource(file))) {
            List<Tensor> out = m.predictAll(List.of(Npy.read(resource("rnn_cells_x.npy"))), 32, null);
            assertEquals(3, out.size(), file);
            assertClose(Npy.read(resource("rnn_cells_y.npy")), out.get(0), file + ": head");
            assertClose(Npy.read(resource("rnn_cells_h_gru.npy")), out.get(1), file + ": the GRU cell's state");
            assertClose(Npy.read(resource("rnn_cells_h_simple.npy")), out.get(2), file + ": the SimpleRNN cell's state");
            assertEquals(List.of("input_layer (InputLayer)", "pad_mask (Masking)", "rnn (RNN)", "gru_cell (GRU)", "simple_rnn_cell (SimpleRNN)", "head (Dense)"),
                    names(m), file);
            assertInstanceOf(LSTM.class, m.getLayer("rnn"), file);
            assertEquals("LSTM", ((LSTM) m.getLayer("rnn")).layerClass(), "what to construct, as messages name it");
            assertTrue(m.summaryString().contains(" rnn (RNN) "), m.summaryString());
        }
    }

    /** A Sequential of a stack of two LSTMCells and a Bidirectional RNN over a GRUCell: Keras 3 (.keras, legacy .h5) and tf.keras 2. */
    @ParameterizedTest
    @ValueSource(strings = {"rnn_stack.keras", "rnn_stack.h5", "tfkeras_rnn_stack.h5"})
    void aSequentialWithStackedCellsStaysSequentialAndPredictsAsNumpy(String file) throws IOException {
        try (Model m = Models.load(resource(file))) {
            assertInstanceOf(Sequential.class, m, file);
            assertClose(Npy.read(resource("rnn_stack_y.npy")), m.predict(Npy.read(resource("rnn_stack_x.npy"))), file);
            assertEquals(List.of("lstm_cell_1 (LSTM)", "lstm_cell_2 (LSTM)", "both_ways (Bidirectional)", "out (Dense)"), names(m), file);
            assertTrue(((LSTM) m.getLayer("lstm_cell_1")).returnSequences() && ((LSTM) m.getLayer("lstm_cell_2")).returnSequences(), file);
        }
    }

    /**
     * loadWeights of a weights file whose model holds an RNN over StackedRNNCells (the same model, from that file) said
     * "build the same architecture as the Keras model that saved it", which it is: it now says what the GUIDE says, load
     * the whole model file (Keras 3 keeps the stack in one group, layers/rnn/cell/cells/..., tf.keras 2 under
     * rnn/stacked_rnn_cells/...; jrnn has a layer per cell). The model keeps its weights.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rnn_stack.keras", "tfkeras_rnn_stack.h5"})
    void aWeightsFileWithStackedCellsSaysToLoadTheWholeModelFile(String file) throws IOException {
        try (Model m = Models.load(resource(file))) {
            List<Tensor> before = m.getWeights();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(resource(file)));
            String group = file.endsWith(".keras") ? "[layers/rnn]" : "[encoder]";   // tf.keras 2: encoder/encoder/stacked_rnn_cells_1/...
            assertTrue(e.getMessage().contains("; " + group + " holds an RNN over StackedRNNCells, all cells in one group; jrnn runs a stack of"
                    + " cells as a layer per cell and does not read the weights-only file of a model with one: load the whole model file instead"
                    + " (Models.load of the .keras or .h5 Keras' model.save wrote)") && !e.getMessage().contains("build the same architecture"),
                    e.getMessage());
            List<Tensor> after = m.getWeights();
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), after.get(i).data());
        }
    }

    /** What jrnn saves of such a model (the cells as their layers) loads again and predicts bit for bit. */
    @Test
    void savedAndLoadedAgainPredictsTheSame() throws IOException {
        Tensor x = Npy.read(resource("rnn_cells_x.npy"));
        Path saved = tmp.resolve("cells.keras");
        List<Tensor> before;
        try (Model m = Models.load(resource("rnn_cells.keras"))) {
            before = m.predictAll(List.of(x), 32, null);
            m.save(saved);
        }
        try (Model again = Models.load(saved)) {
            // the single-cell RNN is written as Keras' RNN over an LSTMCell, and comes back as one
            String json = again.toJson();
            assertTrue(json.contains("\"RNN\"") && json.contains("\"LSTMCell\""), json);
            assertEquals("RNN", again.getLayer("rnn").kerasClass());
            List<Tensor> after = again.predictAll(List.of(x), 32, null);
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), after.get(i).data(), "output " + i);
        }
    }

    /**
     * One SGD step of the imported stack changes each weight as the same step of the model written by hand in jrnn
     * (LSTM and LSTM returning sequences, Bidirectional GRU, Dense) with the file's weights: the cells train in order.
     */
    @Test
    void theStackTrainsAsTheLayersItStandsFor() throws IOException {
        Tensor x = Npy.read(resource("rnn_stack_x.npy"));
        Tensor y = Tensor.of(new float[] {0.5f, -1f, 2f}, 3, 1);
        try (Model imported = Models.load(resource("rnn_stack.keras"));
             Model byHand = new Sequential(new LSTM(4).returnSequences(true).inputShape(5, 2), new LSTM(3).returnSequences(true),
                     new Bidirectional(new GRU(2).resetAfter(true)), new Dense(1))) {
            List<Tensor> start = imported.getWeights();
            byHand.setWeights(start);
            imported.compile(new SGD(0.1), "mse");
            byHand.compile(new SGD(0.1), "mse");
            imported.trainOnBatch(x, y);
            byHand.trainOnBatch(x, y);
            List<Tensor> a = imported.getWeights(), b = byHand.getWeights();
            assertEquals(14, a.size(), "kernel, recurrent kernel and bias of 2 LSTMs and 2 GRUs, Dense's 2");
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(b.get(i).data(), a.get(i).data(), 1e-6f, "weight " + i + " after one step");
                assertTrue(!java.util.Arrays.equals(start.get(i).data(), a.get(i).data()), "weight " + i + " moved");
            }
        }
    }

    private static String rnnJson(String rnnConfig) {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": \"InputLayer\", "
                + "\"config\": {\"batch_input_shape\": [null, 4, 2], \"name\": \"in\"}}, " + rnnConfig + "]}}";
    }

    private static String cell(String cls, String name) {
        return "{\"class_name\": \"" + cls + "\", \"config\": {\"name\": \"" + name + "\", \"units\": 3}}";
    }

    /** Models.fromJson of RNN(GRUCell) and RNN([SimpleRNNCell, LSTMCell], return_sequences): the layers and shapes Keras builds. */
    @Test
    void fromJsonBuildsTheCellsLayers() {
        try (Model one = Models.fromJson(rnnJson("{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"cell\": "
                + cell("GRUCell", "g") + "}}"));
             Model two = Models.fromJson(rnnJson("{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"return_sequences\": true, "
                     + "\"cell\": [" + cell("SimpleRNNCell", "a") + ", " + cell("LSTMCell", "b") + "]}}"))) {
            assertEquals(List.of("r (RNN)"), names(one));
            assertInstanceOf(GRU.class, one.getLayer("r"));
            assertEquals(List.of("a (SimpleRNN)", "b (LSTM)"), names(two));
            // left out of the config, the activations are Keras' defaults (they were linear)
            LSTM b = (LSTM) two.getLayer("b");
            assertEquals(List.of("tanh", "sigmoid", "tanh"), List.of(b.activation(), b.recurrentActivation(),
                    ((dev.jrnn.layers.SimpleRNN) two.getLayer("a")).activation()));
            assertArrayEquals(new int[] {5, 4, 3}, two.predict(Tensor.zeros(5, 4, 2)).shape());
            assertEquals((2 * 3 + 3 * 3 + 3) + 4 * 3 * (3 + 3 + 1), two.countParams());
        }
    }

    private static String k3Input(String name, int... shape) {
        StringBuilder b = new StringBuilder();
        for (int d : shape) b.append(", ").append(d);
        return "{\"class_name\": \"InputLayer\", \"name\": \"" + name + "\", \"config\": {\"batch_shape\": [null" + b
                + "], \"name\": \"" + name + "\"}, \"inbound_nodes\": []}";
    }

    private static String k3Tensor(String layer) {
        return "{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"" + layer + "\", 0, 0]}}";
    }

    /**
     * Keras 3's {@code rnn(x, initial_state=[[h1, c1], [h2]])} over [LSTMCell(3), GRUCell(2)] returning its states: each
     * cell starts from its own states and the outputs are [top, h1, c1, h2], as the same layers wired by hand in jrnn give.
     */
    @Test
    void stackedCellsTakeEachCellsInitialStatesInOrder() {
        String json = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"f\", \"layers\": [" + k3Input("x", 4, 2) + ", "
                + k3Input("h1", 3) + ", " + k3Input("c1", 3) + ", " + k3Input("h2", 2) + ", {\"class_name\": \"RNN\", \"name\": \"r\", "
                + "\"config\": {\"name\": \"r\", \"return_state\": true, \"cell\": {\"class_name\": \"StackedRNNCells\", \"config\": "
                + "{\"name\": \"s\", \"cells\": [" + cell("LSTMCell", "a") + ", {\"class_name\": \"GRUCell\", \"config\": {\"name\": "
                + "\"b\", \"units\": 2, \"reset_after\": true}}]}}}, \"inbound_nodes\": [{\"args\": [" + k3Tensor("x") + "], \"kwargs\": {\"initial_state\": [["
                + k3Tensor("h1") + ", " + k3Tensor("c1") + "], [" + k3Tensor("h2") + "]]}}]}], \"input_layers\": [[\"x\", 0, 0], "
                + "[\"h1\", 0, 0], [\"c1\", 0, 0], [\"h2\", 0, 0]], \"output_layers\": [[\"r\", 0, 0], [\"r\", 0, 1], [\"r\", 0, 2], "
                + "[\"r\", 0, 3]]}}";
        java.util.Random rnd = new java.util.Random(5);
        java.util.function.IntFunction<float[]> draw = n -> {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
            return v;
        };
        List<Tensor> ins = List.of(Tensor.of(draw.apply(24), 3, 4, 2), Tensor.of(draw.apply(9), 3, 3), Tensor.of(draw.apply(9), 3, 3),
                Tensor.of(draw.apply(6), 3, 2));
        dev.jrnn.model.Input x = dev.jrnn.model.Input.shape(4, 2), h1 = dev.jrnn.model.Input.shape(3), c1 = dev.jrnn.model.Input.shape(3),
                h2 = dev.jrnn.model.Input.shape(2);
        LSTM a = new LSTM(3).returnSequences(true).returnState(true);
        GRU b = new GRU(2).resetAfter(true).returnState(true);
        List<dev.jrnn.layers.Node> lower = a.apply(x, h1, c1).all();
        List<dev.jrnn.layers.Node> upper = b.apply(lower.get(0), h2).all();
        try (Model imported = Models.fromJson(json);
             Model byHand = new Model(List.of(x, h1, c1, h2), List.of(upper.get(0), lower.get(1), lower.get(2), upper.get(1)))) {
            byHand.setWeights(imported.getWeights());
            List<Tensor> want = byHand.predictAll(ins, 32, null), got = imported.predictAll(ins, 32, null);
            assertEquals(4, got.size());
            for (int i = 0; i < 4; i++) assertArrayEquals(want.get(i).data(), got.get(i).data(), "output " + i);
        }
    }

    /**
     * The RNN's activity_regularizer goes to the top layer only (Keras applies it to the RNN's outputs, not to the lower
     * cells' sequences); a trimmed Keras 3 GRUCell config takes Keras 3's reset_after=True.
     */
    @Test
    void theActivityRegularizerGoesToTheTopCellAndResetAfterDefaultsAsKeras3() {
        String l2 = "{\"class_name\": \"L2\", \"config\": {\"l2\": 0.01}}";
        try (Model m = Models.fromJson(rnnJson("{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"activity_regularizer\": " + l2
                + ", \"cell\": [" + cell("LSTMCell", "a") + ", " + cell("GRUCell", "b") + "]}}"))) {
            assertEquals(null, m.getLayer("a").weightRules().activity());
            assertTrue(m.getLayer("b").weightRules().activity() != null);
            assertTrue(((GRU) m.getLayer("b")).resetAfter(), "Keras 3's GRUCell default");
        }
    }

    /** {@code new LSTM(8).asKerasRnn(true)} takes Keras' default name for an RNN (rnn, rnn_1, ...); a given name stays. */
    @Test
    void aLayerStandingForKerasRnnIsNamedAsKerasNamesIt() {
        LSTM a = new LSTM(8).asKerasRnn(true), b = new LSTM(8).asKerasRnn(true), c = new LSTM(8).name("enc").asKerasRnn(true);
        assertTrue(a.name().matches("rnn(_\\d+)?"), a.name());
        assertTrue(b.name().matches("rnn_\\d+") && !b.name().equals(a.name()), b.name());
        assertEquals("enc", c.name());
        assertEquals("RNN", a.kerasClass());
        assertEquals("LSTM", a.layerClass());
    }

    /** loadWeights of Keras' weights for RNNs into plain recurrent layers names the groups and says how to build an RNN. */
    @Test
    void loadWeightsIntoPlainLayersSaysHowToBuildAnRnn() {
        try (Model m = new Sequential(new dev.jrnn.layers.Masking(0.0).inputShape(6, 3), new LSTM(4).returnSequences(true),
                new GRU(3).resetAfter(true).returnSequences(true), new dev.jrnn.layers.SimpleRNN(2), new Dense(1))) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(resource("rnn_cells.weights.h5")));
            assertTrue(e.getMessage().contains("layers/rnn") && e.getMessage().contains("new LSTM(n).asKerasRnn(true)"), e.getMessage());
        }
    }

    /** What jrnn cannot run is refused naming the RNN and the option: a custom cell, constants, a reversed stack, a wrapped stack. */
    @Test
    void refusalsNameTheRnnAndTheOption() {
        var custom = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnnJson(
                "{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"cell\": " + cell("MinimalRNNCell", "m") + "}}")));
        assertTrue(custom.getMessage().contains("layer 'r' (RNN): cell class 'MinimalRNNCell' is not supported"), custom.getMessage());
        var registered = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnnJson(
                "{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"cell\": {\"class_name\": \"LSTMCell\", "
                        + "\"registered_name\": \"my>LSTMCell\", \"config\": {\"name\": \"c\", \"units\": 3}}}}")));
        assertTrue(registered.getMessage().contains("cell class 'my>LSTMCell' is not supported"), registered.getMessage());
        var constants = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnnJson(
                "{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"num_constants\": 1, \"cell\": " + cell("LSTMCell", "c") + "}}")));
        assertTrue(constants.getMessage().contains("layer 'r' (RNN): option num_constants=1 is not supported"), constants.getMessage());
        var backwards = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnnJson(
                "{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"go_backwards\": true, \"cell\": [" + cell("LSTMCell", "a") + ", "
                        + cell("LSTMCell", "b") + "]}}")));
        assertTrue(backwards.getMessage().contains("layer 'r' (RNN): go_backwards=True over StackedRNNCells is not supported"),
                backwards.getMessage());
        var wrapped = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnnJson(
                "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"layer\": {\"class_name\": \"RNN\", \"config\": "
                        + "{\"name\": \"r\", \"cell\": [" + cell("LSTMCell", "a") + ", " + cell("LSTMCell", "b") + "]}}}}")));
        assertTrue(wrapped.getMessage().contains("StackedRNNCells inside a wrapper (Bidirectional, TimeDistributed) is not supported"),
                wrapped.getMessage());
        var badCell = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(rnnJson(
                "{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"cell\": [" + cell("LSTMCell", "a") + ", "
                        + "{\"class_name\": \"LSTMCell\", \"config\": {\"name\": \"b\", \"units\": 3, \"dropout\": 2.0}}]}}")));
        assertTrue(badCell.getMessage().endsWith("layer 'r' (RNN), its cell 'b' (LSTMCell): b: dropout must be in [0, 1), got 2.0"),
                badCell.getMessage());
    }
}
