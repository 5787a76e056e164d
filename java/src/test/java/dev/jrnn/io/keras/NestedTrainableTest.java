package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainable flags of a file's nested models, as Keras 3 loads them: what trains is the top model's flag and each
 * layer's own (Keras 3's {@code trainable_weights} reads each variable's flag; {@code functional_from_config} gives a
 * nested Functional its flag before its layers are tracked, and {@code Sequential.from_config} does not read it), so a
 * nested model saved frozen with an inner layer unfrozen again trains that layer (jrnn froze every layer below it).
 */
class NestedTrainableTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }


    /** The "Trainable params" and "Non-trainable params" counts of the model's summary, as Keras' trainable_weights sizes. */
    static long[] counts(Model m) {
        String s = m.summaryString();
        Matcher t = Pattern.compile("(?m)^\\s*Trainable params: ([0-9,]+)").matcher(s);
        Matcher n = Pattern.compile("(?m)^\\s*Non-trainable params: ([0-9,]+)").matcher(s);
        assertTrue(t.find() && n.find(), s);
        return new long[] {Long.parseLong(t.group(1).replace(",", "")), Long.parseLong(n.group(1).replace(",", ""))};
    }

    /**
     * nest_unfrozen.keras / .h5 (keras3_real/make_nested_trainable.py, Keras 3.15.1): enc (LSTM elstm, GRU egru) and head
     * (Dense hd1, Dense hd2) frozen, then egru and hd2 unfrozen. Keras 3 loads the .keras with (84, 136) trainable /
     * non-trainable parameters and SGD(0.1) fits it to losses [1.504894, 1.46855] (the model in memory: the same). Keras
     * refuses its own .h5 (its legacy loader's weight order; see the script); the file holds the same model and weights,
     * so jrnn holds it to the same numbers. Before, jrnn froze every layer below enc and head: 0 / 220, nothing trained.
     * nest_unfrozen_tf2.h5 is that .h5 in tf.keras 2's order (egru before elstm, hd2 before hd1: a frozen model's
     * trainable weights first, as the tf.keras 2 engine in TensorFlow 2.21 prints for this model) with keras_version
     * 2.15.0; read in the order the branch surgeryfix assumed for tf.keras 2 (layer order) it fails on shapes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nest_unfrozen.keras", "nest_unfrozen.h5", "nest_unfrozen_tf2.h5"})
    void aNestedModelsLayerUnfrozenAgainTrainsAsInKeras3(String f) throws IOException {
        Tensor x = Npy.read(keras3Real("nest_unfrozen_x.npy")), y = Npy.read(keras3Real("nest_unfrozen_y.npy"));
        try (Model m = Models.load(keras3Real(f))) {
            assertEquals("[84, 136]", java.util.Arrays.toString(counts(m)), f + ": Keras 3's trainable / non-trainable counts");
            for (String[] l : new String[][] {{"elstm", "false"}, {"egru", "true"}, {"hd1", "false"}, {"hd2", "true"}}) {
                assertEquals(Boolean.parseBoolean(l[1]), m.getLayer(l[0]).trainable(), f + ": " + l[0] + "'s saved flag");
            }
            List<Tensor> lstm = m.getLayer("elstm").getWeights(), hd1 = m.getLayer("hd1").getWeights();
            m.compile(new SGD(0.1), "mse");
            List<Double> loss = m.fit(x, y, new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0)).get("loss");
            assertEquals(1.504894, loss.get(0), 2e-6, f + ": Keras' first epoch loss");
            assertEquals(1.46855, loss.get(1), 2e-6, f + ": Keras' second epoch loss");
            assertEquals(lstm, m.getLayer("elstm").getWeights(), f + ": the frozen LSTM moved");
            assertEquals(hd1, m.getLayer("hd1").getWeights(), f + ": the frozen Dense moved");
        }
    }

    /**
     * A nested model two levels down frozen, its second layer unfrozen again (keras3_real/make_deep_nested.py): top -> A
     * (a1, B, a2) -> out, B (b1, b2) frozen, then b2 trainable. A legacy .h5 keeps A's arrays in one group in the order
     * of its writer: Keras 3 by each variable's flag (a1, B/b2, a2, B/b1: deep_nested.h5, Keras 3.15.1 itself), tf.keras
     * 2 with the frozen B's arrays after every trainable one, B's own trainable ones first (a1, a2, B/b2, B/b1:
     * deep_nested_tf2.h5, that file with A's weight_names in the order the tf.keras 2 engine in TensorFlow 2.21 writes
     * for this model and keras_version 2.15.0). Keras 3.15.1 predicts [0.388959, 1.646574, 0.906379, 0.201035] on
     * deep_nested_x.npy (the model in memory and load_model of the .keras and the .h5). The merge of surgeryfix read the
     * tf.keras 2 file as a1, a2, B/b1, B/b2, swapping b1's and b2's weights.
     */
    @ParameterizedTest
    @ValueSource(strings = {"deep_nested.keras", "deep_nested.h5", "deep_nested_tf2.h5"})
    void aFrozenModelTwoLevelsDownReadsInItsWritersOrder(String f) throws IOException {
        float[] keras = {0.388959f, 1.646574f, 0.906379f, 0.201035f};
        try (Model m = Models.load(keras3Real(f))) {
            float[] p = m.predict(Npy.read(keras3Real("deep_nested_x.npy"))).data();
            assertEquals(keras.length, p.length, f);
            for (int i = 0; i < p.length; i++) assertEquals(keras[i], p[i], 2e-6, f + ": Keras' prediction " + i);
            assertTrue(m.getLayer("b2").trainable() && !m.getLayer("b1").trainable(), f + ": b1 frozen, b2 unfrozen");
        }
    }

    /**
     * The ordinary transfer-learning checkpoint (keras3_real/make_frozen_base.py, Keras 3.15.1): enc (LSTM, BatchNormalization,
     * GRU) and head (Dense, BatchNormalization, Dense) frozen as a whole, nothing unfrozen, their statistics moved by a
     * fit first. Keras loads the .keras and the .h5 with (4, 261) trainable / non-trainable parameters, SGD(0.1) fits
     * them to losses [0.340735, 0.320248] (the model in memory: the same) and leaves enc's and head's weights as loaded.
     */
    @ParameterizedTest
    @ValueSource(strings = {"frozen_base.keras", "frozen_base.h5"})
    void aBaseFrozenAsAWholeTrainsOnlyTheTopAsInKeras(String f) throws IOException {
        Tensor x = Npy.read(keras3Real("frozen_base_x.npy")), y = Npy.read(keras3Real("frozen_base_y.npy"));
        String[] nestedLayers = {"elstm", "ebn", "egru", "hd1", "hbn", "hd2"};
        try (Model m = Models.load(keras3Real(f))) {
            assertEquals("[4, 261]", java.util.Arrays.toString(counts(m)), f + ": Keras 3's trainable / non-trainable counts");
            List<List<Tensor>> before = new java.util.ArrayList<>();
            for (String l : nestedLayers) before.add(m.getLayer(l).getWeights());
            m.compile(new SGD(0.1), "mse");
            List<Double> loss = m.fit(x, y, new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0)).get("loss");
            assertEquals(0.340735, loss.get(0), 2e-6, f + ": Keras' first epoch loss");
            assertEquals(0.320248, loss.get(1), 2e-6, f + ": Keras' second epoch loss");
            for (int i = 0; i < nestedLayers.length; i++) {
                assertEquals(before.get(i), m.getLayer(nestedLayers[i]).getWeights(), f + ": the frozen " + nestedLayers[i] + " moved");
            }
        }
    }

    /**
     * A nested Sequential whose config says trainable false over layers that do not: Keras 3.15.1's model_from_json
     * (Sequential.from_config reads no flag) gives [('base', True), ('top', True)], its layers [('a', True), ('deeper',
     * True)] and 6 trainable weights, 0 non-trainable. jrnn froze a and b ("a frozen nested model freezes its layers").
     */
    @Test
    void aNestedModelsOwnFlagLeavesItsLayersTheirOwn() {
        String json = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"outer\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 3], \"name\": \"in\"}}, "
                + "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"base\", \"trainable\": false, \"layers\": ["
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"a\", \"units\": 2}}, "
                + "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"deeper\", \"layers\": ["
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"b\", \"units\": 2}}]}}]}}, "
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"top\", \"units\": 1}}]}}";
        try (Model m = Models.fromJson(json)) {
            assertTrue(m.getLayer("a").trainable() && m.getLayer("b").trainable() && m.getLayer("top").trainable());
            assertEquals("[17, 0]", java.util.Arrays.toString(counts(m)), "every weight trains, as Keras 3's 6 of 6");
        }
    }
}
