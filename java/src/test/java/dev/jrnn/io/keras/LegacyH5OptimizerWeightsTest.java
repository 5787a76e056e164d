package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The optimizer state in Keras 3's legacy .h5 ({@code optimizer_weights}), against mha_rms.h5, which Keras 3.15.1 saved
 * itself (keras3_real/make_keras3_real.py): a MultiHeadAttention and a Dense trained 3 steps with RMSprop(momentum,
 * centered).
 */
class LegacyH5OptimizerWeightsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }


    static List<Tensor> xs() throws IOException {
        return List.of(Npy.read(keras3Real("mha_rms_x0.npy")), Npy.read(keras3Real("mha_rms_x1.npy")));
    }

    /** jrnn's weights after one more step on {@code m} equal Keras' after its 4th step. */
    static void assertKerasNextStep(Model m, String what) throws IOException {
        m.trainOnBatch(xs(), List.of(Npy.read(keras3Real("mha_rms_y.npy"))));
        List<Tensor> w = m.getWeights();
        assertEquals(10, w.size(), what);
        for (int i = 0; i < w.size(); i++) {
            float[] want = Npy.read(keras3Real("mha_rms_after_" + i + ".npy")).data(), got = w.get(i).data();
            assertEquals(want.length, got.length, what + " weight " + i);
            for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 1e-6, what + ": weight " + i + "[" + k + "] after Keras' 4th step");
        }
    }

    @Test
    void kerasStateResumesAsKerasDid() throws IOException {
        try (Model m = Models.load(keras3Real("mha_rms.h5"))) {
            KerasFixtures.assertClose(Npy.read(keras3Real("mha_rms_pred.npy")).data(), m.predictAll(xs()).get(0).data(), "mha_rms.h5 predict");
            assertEquals(3, m.optimizer().iterations(), "Keras' update count");
            assertKerasNextStep(m, "mha_rms.h5");
        }
    }

    /**
     * Keras' state read from mha_rms.h5, saved by jrnn as .h5 and read back, still gives Keras' 4th step: jrnn's .h5
     * carries the optimizer's variables (it saved none before, and the reloaded model started RMSprop afresh at update 0).
     */
    @Test
    void jrnnsH5KeepsTheStateKerasSaved() throws IOException {
        Path f = dir.resolve("again.h5");
        try (Model m = Models.load(keras3Real("mha_rms.h5"))) {
            m.save(f);
        }
        try (Model m = Models.load(f)) {
            assertEquals(3, m.optimizer().iterations(), "the update count");
            assertKerasNextStep(m, "jrnn's again.h5");
        }
    }

    /**
     * jrnn's layout of the variables (below jrnn_state/, where Keras' loader does not look) is Keras 3's
     * optimizer_weights: the names, shapes and values of the group Keras wrote in mha_rms.h5, in its order.
     */
    @Test
    void jrnnsGroupHoldsWhatKerasWroteInKerasOrder() throws IOException {
        Path f = dir.resolve("again.h5");
        try (Model m = Models.load(keras3Real("mha_rms.h5"))) {
            m.save(f);
        }
        try (io.jhdf.HdfFile keras = new io.jhdf.HdfFile(keras3Real("mha_rms.h5")); io.jhdf.HdfFile jrnn = new io.jhdf.HdfFile(f)) {
            assertNull(jrnn.getChild("optimizer_weights"), "no optimizer_weights group where Keras 3.15.1's loader would take it");
            io.jhdf.api.Group kg = (io.jhdf.api.Group) keras.getChild("optimizer_weights");
            io.jhdf.api.Group jg = (io.jhdf.api.Group) jrnn.getByPath("jrnn_state/optimizer_weights");
            List<String> names = Hdf5Arrays.stringList(kg, "weight_names");
            assertEquals(32, names.size(), "iteration, learning_rate, 10 velocities, 10 momentums, 10 average gradients");
            assertEquals(names, Hdf5Arrays.stringList(jg, "weight_names"));
            assertEquals("3.10.0", Hdf5Arrays.stringAttribute(jg, "keras_version"));
            for (String n : names) {
                io.jhdf.api.Dataset k = (io.jhdf.api.Dataset) kg.getByPath(n), j = (io.jhdf.api.Dataset) jg.getByPath(n);
                assertArrayEquals(k.getDimensions(), j.getDimensions(), n);
                if (n.endsWith("/iteration")) {
                    assertEquals(3L, ((Number) j.getData()).longValue(), n);
                    continue;
                }
                float[] want = Hdf5Arrays.tensor(k, new Hdf5FillBudget(Long.MAX_VALUE)).data(), got = Hdf5Arrays.tensor(j, new Hdf5FillBudget(Long.MAX_VALUE)).data();
                assertArrayEquals(want, got, n);
            }
        }
    }

    /**
     * Each optimizer's state goes through jrnn's .h5 (written, read back) as the model kept it: the reloaded model's next
     * step is the saved one's. Before, the .h5 held no optimizer state and the reloaded model took a fresh first step.
     * (Keras 3.15.1 takes the same layout to the same step: ci/keras3/resume_in_keras.py.)
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"adam", "sgd_momentum", "rmsprop", "rmsprop_centered", "nadam", "adagrad", "adam_schedule"})
    void eachOptimizerResumesFromJrnnsH5(String o) throws IOException {
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 0.25f, 2f, -0.5f, 1f, 1.5f, -2f, 0.75f, 0f, -1.25f, 0.5f}, 2, 3, 2);
        Tensor y = Tensor.of(new float[] {1f, -1f, 0.5f, 2f}, 2, 2);
        Path f = dir.resolve(o + ".h5");
        List<Tensor> want;
        try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(dev.jrnn.model.Input.shape(3, 2), new dev.jrnn.layers.GRU(3),
                new dev.jrnn.layers.Dense(2))) {
            m.compile(switch (o) {
                case "adam" -> new dev.jrnn.optim.Adam(0.05);
                case "sgd_momentum" -> new dev.jrnn.optim.SGD(0.1).momentum(0.9);
                case "rmsprop" -> new dev.jrnn.optim.RMSprop(0.05);
                case "rmsprop_centered" -> new dev.jrnn.optim.RMSprop(0.05).momentum(0.5).centered(true);
                case "nadam" -> new dev.jrnn.optim.Nadam(0.05);
                case "adagrad" -> new dev.jrnn.optim.Adagrad(0.1);
                default -> new dev.jrnn.optim.Adam(new dev.jrnn.optim.schedules.ExponentialDecay(0.05, 2, 0.5));
            }, "mse");
            for (int i = 0; i < 3; i++) m.trainOnBatch(x, y);
            m.save(f);
            m.trainOnBatch(x, y);
            want = m.getWeights();
        }
        try (Model m = Models.load(f)) {
            assertEquals(3, m.optimizer().iterations(), o + ": the update count");
            m.trainOnBatch(x, y);
            List<Tensor> got = m.getWeights();
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).data(), got.get(i).data(), 1e-7f, o + ": weight " + i + " after the 4th step");
        }
    }

    /** A layer name long enough that Keras' variable path passes jhdf's name limit still saves and resumes (the reviewer's 240). */
    @Test
    void aLongLayerNameSavesAndResumes() throws IOException {
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 0.25f, 2f}, 2, 2), y = Tensor.of(new float[] {1f, -1f}, 2, 1);
        Path f = dir.resolve("long.h5");
        List<Tensor> want;
        try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(dev.jrnn.model.Input.shape(2),
                new dev.jrnn.layers.Dense(3).name("d".repeat(240)), new dev.jrnn.layers.Dense(1))) {
            m.compile(new dev.jrnn.optim.Adam(0.05), "mse");
            for (int i = 0; i < 2; i++) m.trainOnBatch(x, y);
            m.save(f);
            m.trainOnBatch(x, y);
            want = m.getWeights();
        }
        try (Model m = Models.load(f)) {
            assertEquals(2, m.optimizer().iterations());
            m.trainOnBatch(x, y);
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).data(), m.getWeights().get(i).data(), 1e-7f, "weight " + i);
        }
    }
}
