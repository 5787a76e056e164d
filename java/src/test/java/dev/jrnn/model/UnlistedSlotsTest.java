package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Param;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.jrnn.model.KerasRunOrderTest.assertGolden;
import static dev.jrnn.model.KerasRunOrderTest.assertTrainWeights;
import static dev.jrnn.model.KerasRunOrderTest.det;
import static dev.jrnn.model.KerasRunOrderTest.nestedUnusedTrain;
import static dev.jrnn.model.KerasRunOrderTest.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Files saved before the weights of a nested call's unused branch trained (their optimizer state over the listed weights
 * alone) resume into a model that trains them: make_nested_unused_train.py's model, its u1 and u2 unlisted.
 */
class UnlistedSlotsTest {
    private static final Tensor X = det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0);
    private static final List<Tensor> Y = List.of(det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0));

    @BeforeAll
    static void goldens() throws Exception {
        Jrnn.setBackend("cpu");
        KerasRunOrderTest.cpu();
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    /**
     * nested_unused_train_main.keras, saved by jrnn's main at 23f77b24 after 3 Adam steps (MakeTrainFiles.java; u1 did not
     * train there, its slots hold zeros and the file's trainable_size counts the listed weights alone), loaded and
     * restored into a built model (BackupAndRestore's way), takes the step Keras 3.15.1 takes from the same file
     * (check_jrnn_unused_train.py's "main" goldens). Before, its moments started afresh ("the saved optimizer state is
     * for 40 trainable weights, the model trains 60"): the step differed.
     */
    @Test
    void aFileOfTheEarlierJrnnResumesAsKerasResumesIt() throws Exception {
        try (Model m = Models.load(resource("nested_unused_train_main.keras"))) {
            assertEquals(3, m.optimizer().iterations());
            assertGolden("nested_unused_train main_loss4", new float[] {(float) m.trainOnBatch(List.of(X), Y)}, 2e-5);
            assertTrainWeights(m, "main_step4", 2e-5);
        }
        try (Model m = nestedUnusedTrain()) {
            m.compile(new Adam(0.05), "mse");
            ModelFiles.restoreInto(m, resource("nested_unused_train_main.keras"));
            assertGolden("nested_unused_train main_loss4", new float[] {(float) m.trainOnBatch(List.of(X), Y)}, 2e-5);
            assertTrainWeights(m, "main_step4", 2e-5);
        }
    }

    /**
     * A flat file (the same layers called without the nested model, as earlier jrnn wrote every nested model: the slots of
     * pre, s, e1, head only) restored into the nested model: the listed weights take the file's moments, u1's and u2's start
     * at zero, the count goes on. Before, the state was not read ("its moments start afresh").
     */
    @Test
    void aFlatFileResumesTheListedWeightsAndStartsTheOthersFresh(@TempDir Path dir) throws Exception {
        Path flat = dir.resolve("flat.keras");
        Map<String, float[]> saved;
        try (Model f = flatTrain()) {
            f.compile(new Adam(0.05), "mse");
            for (int i = 0; i < 3; i++) f.trainOnBatch(List.of(X), Y);
            f.save(flat);
            saved = f.optimizer().state();
        }
        try (Model m = nestedUnusedTrain()) {
            m.compile(new Adam(0.05), "mse");
            ModelFiles.restoreInto(m, flat);
            assertEquals(3, m.optimizer().iterations());
            Parameters ps = m.parameters();
            Map<String, float[]> state = m.optimizer().state();
            for (String slot : saved.keySet()) {
                float[] got = state.get(slot);
                assertEquals(ps.trainableSize, got.length, slot);
                assertArrayEquals(saved.get(slot), java.util.Arrays.copyOf(got, saved.get(slot).length), slot + ": the listed weights' moments");
                for (Param p : ps.trainable) {
                    if (!ps.unlisted.contains(p)) continue;
                    for (long i = p.offset(); i < p.offset() + p.size(); i++) assertEquals(0f, got[(int) i], slot + " of " + p.name());
                }
            }
            assertEquals(4, ps.trainable.size() - ps.listedTrainable.size(), "u1's and u2's kernel and bias");
        }
    }

    /**
     * A nested model the file keeps flat (a dict-input model called on a dict) with a layer on its unused output (u1):
     * saved after a step, its file holds the listed weights and their slots alone (the model it loads as has no u1), so
     * the loaded model's moments are the original's listed ones and its next step the original's. Before, the Adam save
     * threw ("trainable weight 'kernel' is in none of the layers of its nested Keras order") and the Nadam one (jrnn_state/)
     * wrote slots over the whole block, so the load started every moment afresh.
     */
    @ParameterizedTest
    @ValueSource(strings = {"adam", "nadam"})
    void aFlatFileOfANestedModelWithAnUnusedBranchKeepsTheListedSlots(String optimizer, @TempDir Path dir) throws Exception {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 2}, 0.5, 0.1, 1.0, 0));
        Path file = dir.resolve("flat.keras");
        try (Model m = dictNestedWithUnused()) {
            m.compile(optimizer.equals("adam") ? new Adam(0.05) : new dev.jrnn.optim.Nadam(0.05), "mse");
            m.trainOnBatch(xs, Y);
            m.save(file);
            Parameters ps = m.parameters();
            assertEquals(2, ps.trainable.size() - ps.listedTrainable.size(), "u1's kernel and bias train");
            Map<String, float[]> saved = m.optimizer().state();
            try (Model l = Models.load(file)) {
                assertEquals(ps.listedTrainableSize, l.parameters().trainableSize, "the loaded model is the listed layers");
                Map<String, float[]> state = l.optimizer().state();
                assertEquals(saved.keySet(), state.keySet());
                for (String slot : saved.keySet()) {
                    assertArrayEquals(java.util.Arrays.copyOf(saved.get(slot), Math.toIntExact(ps.listedTrainableSize)), state.get(slot), slot);
                }
                assertEquals(m.trainOnBatch(xs, Y), l.trainOnBatch(xs, Y), 1e-6, "the next step's loss");
                assertArrayEquals(m.predictAll(xs).get(0).data(), l.predictAll(xs).get(0).data(), 1e-6f);
            }
        }
    }

    /**
     * The same flat model's {@code .weights.h5} after a step, loaded into a fresh copy compiled with Adam: the listed
     * weights' slots restore (u1's start fresh), the update count too. Before, saveWeights asked for the nested order and
     * the load read the flat file's 10 variables over all 6 trainable weights ("Adam over 6 trainable weights has 14").
     */
    @Test
    void aFlatWeightsFileOfANestedModelWithAnUnusedBranchRestoresTheListedSlots(@TempDir Path dir) throws Exception {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 2}, 0.5, 0.1, 1.0, 0));
        Path file = dir.resolve("flat.weights.h5");
        try (Model m = dictNestedWithUnused(); Model l = dictNestedWithUnused()) {
            m.compile(new Adam(0.05), "mse");
            m.trainOnBatch(xs, Y);
            m.saveWeights(file);
            l.compile(new Adam(0.05), "mse");
            l.trainOnBatch(xs, Y);   // built, with moments of its own to be replaced
            l.loadWeights(file);
            assertEquals(1, l.optimizer().iterations());
            Parameters ps = m.parameters();
            int listed = Math.toIntExact(ps.listedTrainableSize);
            Map<String, float[]> saved = m.optimizer().state(), state = l.optimizer().state();
            for (String slot : saved.keySet()) {
                assertArrayEquals(java.util.Arrays.copyOf(saved.get(slot), listed), java.util.Arrays.copyOf(state.get(slot), listed), slot);
            }
            assertArrayEquals(m.predictAll(xs).get(0).data(), l.predictAll(xs).get(0).data(), 1e-6f);
        }
    }

    /** A dict-input model enc (e1 used, u1 on its unused output) called on a dict: jrnn writes it flat. */
    private static Model dictNestedWithUnused() {
        Input x = Input.shape(3).name("seq"), h = Input.shape(2).name("h");
        Node c = new dev.jrnn.layers.Concatenate().apply(x, h);
        Model enc = new Model(Map.of("seq", x, "h", h), List.of(new Dense(2).name("e1").apply(c), new Dense(3).name("u1").apply(c)));
        enc.name("enc");
        Input a = Input.shape(3).name("a"), b = Input.shape(2).name("b");
        return new Model(List.of(a, b), new Dense(1).name("head").apply(enc.applyAll(Map.of("seq", a, "h", b)).get(0)));
    }

    /** nestedUnusedTrain's listed layers called flat: head(e1(s(pre(a)))), the same weights. */
    private static Model flatTrain() {
        Input a = Input.shape(3).name("a");
        Dense pre = new Dense(3).name("pre"), s = new Dense(3).name("s"), e1 = new Dense(3).name("e1"), head = new Dense(1).name("head");
        Model m = new Model(a, head.apply(e1.apply(s.apply(pre.apply(a)))));
        KerasRunOrderTest.weights(m, "s", "e1");
        KerasRunOrderTest.weights(m, "pre", "head");
        return m;
    }
}
