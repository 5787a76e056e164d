package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.io.keras.KerasImport;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code .weights.h5}'s optimizer variables, against Keras 3.15.1's own files and numbers
 * (weights_optimizer/make_weights_optimizer.py): saveWeights writes them as Keras' save_weights, loadWeights restores
 * them by Keras' load_own_variables rule, so a weights-only checkpoint resumes as Keras' does.
 */
class WeightsFileOptimizerTest {
    @TempDir
    Path dir;

    private static Tensor x, y;
    private static Map<?, ?> expected;

    @BeforeAll
    static void data() throws Exception {
        Jrnn.setBackend("cpu");
        x = Npy.read(resource("x.npy"));
        y = Npy.read(resource("y.npy"));
        expected = (Map<?, ?>) Json.parse(Files.readString(resource("expected.json")));
    }

    private static Path resource(String name) throws Exception {
        return Path.of(WeightsFileOptimizerTest.class.getResource("weights_optimizer/" + name).toURI());
    }

    private static FitOptions twoEpochs() {
        return new FitOptions().epochs(2).batchSize(8).shuffle(false).verbose(0);
    }

    private static void assertLosses(List<?> keras, List<Double> jrnn) {
        assertEquals(keras.size(), jrnn.size());
        for (int i = 0; i < keras.size(); i++) {
            assertEquals(((Number) keras.get(i)).doubleValue(), jrnn.get(i), 2e-6, "epoch " + i + ": Keras " + keras + ", jrnn " + jrnn);
        }
    }

    /** Keras' "it has A variables whereas the saved optimizer has B" of a warning expected.json holds, as jrnn words it. */
    private static String counts(String key) {
        String k = (String) ((List<?>) expected.get(key)).get(0);
        Matcher m = Pattern.compile("it has (\\d+) variables whereas the saved optimizer has (\\d+) variables").matcher(k);
        assertTrue(m.find(), k);
        return "has " + m.group(1) + " variables whereas the file's optimizer has " + m.group(2);
    }

    /** Before: the file's 12 variables were ignored, iterations 0, and the next two epochs differed from Keras'. */
    @Test
    void kerasWeightsFileResumesAsKeras() throws Exception {
        assertLosses((List<?>) expected.get("resumed"), (List<Double>) (List<?>) expected.get("uninterrupted"));   // Keras' own: exact
        try (Model m = Models.load(resource("init.keras"))) {
            List<String> w = LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(resource("trained.weights.h5")));
            assertEquals(List.of(), w);
            assertEquals(((Number) expected.get("iterations")).longValue(), m.optimizer().iterations());
            assertLosses((List<?>) expected.get("resumed"), m.fit(x, y, twoEpochs()).history().get("loss"));
        }
    }

    /** jrnn's file holds what Keras' holds after the same training (same state read back), and resumes as Keras. */
    @Test
    void jrnnWeightsFileHoldsTheOptimizerAsKerasDoes() throws Exception {
        Path mine = dir.resolve("mine.weights.h5");
        Map<String, float[]> trained;
        try (Model m = Models.load(resource("init.keras"))) {
            m.fit(x, y, twoEpochs());
            m.saveWeights(mine);
            trained = m.optimizer().state();
        }
        Map<String, float[]> fromKeras;
        try (Model k = Models.load(resource("init.keras"))) {
            k.loadWeights(resource("trained.weights.h5"));
            fromKeras = k.optimizer().state();
        }
        try (Model m = Models.load(resource("init.keras"))) {
            m.loadWeights(mine);
            assertEquals(((Number) expected.get("iterations")).longValue(), m.optimizer().iterations());
            Map<String, float[]> read = m.optimizer().state();
            assertEquals(trained.keySet(), read.keySet());
            trained.forEach((slot, v) -> assertArrayEquals(v, read.get(slot), slot + ": as saved"));
            fromKeras.forEach((slot, v) -> assertArrayEquals(v, read.get(slot), 1e-5f, slot + ": as Keras' file after the same steps"));
            assertLosses((List<?>) expected.get("resumed"), m.fit(x, y, twoEpochs()).history().get("loss"));
        }
    }

    /** ModelCheckpoint(saveWeightsOnly): the Keras habit of resuming from a weights-only checkpoint. Before: [other numbers]. */
    @Test
    void weightsOnlyCheckpointResumesExactly() throws Exception {
        Path ck = dir.resolve("ck.weights.h5");
        try (Model m = Models.load(resource("init.keras"))) {
            m.fit(x, y, twoEpochs().callbacks(new ModelCheckpoint(ck.toString()).saveWeightsOnly(true)));
        }
        try (Model m = Models.load(resource("init.keras"))) {
            m.loadWeights(ck);
            assertLosses((List<?>) expected.get("resumed"), m.fit(x, y, twoEpochs()).history().get("loss"));
        }
    }

    /** An optimizer whose variables do not match the file's by count keeps its state, with Keras' warning; the weights load. */
    @Test
    void mismatchedOptimizersAreSkippedAsKerasSkipsThem() throws Exception {
        try (Model m = Models.load(resource("init.keras")); Model keras = Models.load(resource("init.keras"));
             Model init = Models.load(resource("init.keras"))) {
            keras.loadWeights(resource("trained.weights.h5"));
            m.trainOnBatch(x, y);
            long it = m.optimizer().iterations();
            Map<String, float[]> state = m.optimizer().state();
            // a file without an optimizer (an uncompiled model's, or jrnn's before this): the weights, no state
            String w = String.join("\n", LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(resource("plain.weights.h5"))));
            assertTrue(w.contains("Adam " + counts("warn_no_optimizer")), w);
            assertEquals(it, m.optimizer().iterations());
            state.forEach((slot, v) -> assertArrayEquals(v, m.optimizer().state().get(slot), slot));
            assertWeights(init.getWeights(), m.getWeights());   // plain.weights.h5 holds the initial weights
            // SGD with momentum, built: 7 variables against the file's 12
            m.compile(new SGD(0.01).momentum(0.9), "mse");
            m.fit(x, y, new FitOptions().epochs(1).batchSize(8).shuffle(false).verbose(0));
            Map<String, float[]> sgd = m.optimizer().state();
            w = String.join("\n", LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(resource("trained.weights.h5"))));
            assertTrue(w.contains("SGD " + counts("warn_other_kind")), w);
            assertEquals(2, m.optimizer().iterations());
            sgd.forEach((slot, v) -> assertArrayEquals(v, m.optimizer().state().get(slot), slot));
            assertWeights(keras.getWeights(), m.getWeights());
        }
    }

    /** An optimizer compiled, never stepped, is Keras' unbuilt one: iteration and learning_rate, which a file of two sets. */
    @Test
    void anUnbuiltOptimizerTakesOnlyAnUnbuiltOnesVariables() throws Exception {
        try (Model m = Models.load(resource("init.keras"))) {
            m.compile(new Adam(0.01), "mse");   // a fresh optimizer, not built
            String w = String.join("\n", LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(resource("trained.weights.h5"))));
            assertTrue(w.contains("Adam " + counts("warn_unbuilt")) && w.contains("not built yet"), w);
            assertEquals(0, m.optimizer().iterations());
            assertEquals(0.01f, m.optimizer().learningRate());
            assertEquals(List.of(), LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(resource("unbuilt.weights.h5"))));
            assertEquals(((Number) expected.get("unbuilt_rate_after")).floatValue(), m.optimizer().learningRate());
            assertEquals(Map.of(), m.optimizer().state());
        }
    }

    /**
     * The most common case, pretrained weights (an uncompiled model's file) into a freshly compiled model: Keras warns
     * (2 variables against 0), and so does jrnn, naming why. Before: the same counts, no Keras fixture.
     */
    @Test
    void aFreshCompileLoadingPretrainedWeightsIsWarnedAsInKeras() throws Exception {
        try (Model m = Models.load(resource("init.keras"))) {
            m.compile(new Adam(0.01), "mse");
            String w = String.join("\n", LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(resource("plain.weights.h5"))));
            assertTrue(w.contains("Adam " + counts("warn_fresh_no_optimizer") + " (saved without an optimizer: an uncompiled model, or an older jrnn)"), w);
            assertEquals(0, m.optimizer().iterations());
            assertEquals(0.01f, m.optimizer().learningRate());
        }
    }

    /**
     * An unbuilt Adam with a schedule has Keras' one variable (its iteration), the unbuilt file two: skipped, and the hint
     * about an unbuilt optimizer is not given (it is for a file larger than the optimizer). Before: "this optimizer is not
     * built yet: Keras counts its iteration and learning_rate only", wrong with a schedule.
     */
    @Test
    void anUnbuiltScheduleIsToldTheCountsWithoutTheUnbuiltHint() throws Exception {
        try (Model m = Models.load(resource("init.keras"))) {
            m.compile(new Adam(new dev.jrnn.optim.schedules.ExponentialDecay(0.01, 10, 0.9)), "mse");
            String w = String.join("\n", LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(resource("unbuilt.weights.h5"))));
            assertTrue(w.contains("Adam " + counts("warn_schedule_unbuilt")) && !w.contains("not built yet"), w);
            assertEquals(0, m.optimizer().iterations());
        }
    }

    /**
     * jrnn's saveWeights wrote safetensors under any name before it wrote HDF5 under an HDF5 one: such a w.h5 or
     * w.weights.h5 loads as before. Before: "not an HDF5 file ... 98 01 00 00 ...".
     */
    @Test
    void anEarlyJrnnSafetensorsFileUnderAnHdf5NameLoads() throws Exception {
        List<Tensor> trained;
        try (Model m = Models.load(resource("init.keras"))) {
            m.trainOnBatch(x, y);
            trained = m.getWeights();
            m.saveWeights(dir.resolve("w.safetensors"));
        }
        for (String name : new String[] {"w.h5", "w.weights.h5", "w.hdf5"}) {
            Path early = Files.copy(dir.resolve("w.safetensors"), dir.resolve(name));
            try (Model m = Models.load(resource("init.keras"))) {
                assertEquals(List.of(), LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(early)), name);
                assertWeights(trained, m.getWeights());
            }
        }
    }

    /**
     * tf.keras 2's legacy layout under a .weights.h5 name (tf.keras <= 2.12 wrote those): no optimizer, as a legacy .h5,
     * and nothing said (tf.keras 2 loads it silently). Before: "skipping the optimizer's variables, as Keras 3 does: Adam
     * has 12 variables whereas the file's optimizer has 0".
     */
    @Test
    void aLegacyLayoutUnderAWeightsH5NameSetsTheWeightsOnly() throws Exception {
        List<Tensor> trained;
        try (Model m = Models.load(resource("init.keras"))) {
            m.trainOnBatch(x, y);
            m.trainOnBatch(x, y);
            trained = m.getWeights();
            m.saveWeights(dir.resolve("pre.h5"));   // tf.keras 2's legacy weights layout
        }
        Path legacy = Files.copy(dir.resolve("pre.h5"), dir.resolve("legacy.weights.h5"));
        try (Model m = Models.load(resource("init.keras"))) {
            m.trainOnBatch(x, y);   // built: 12 variables
            Map<String, float[]> state = m.optimizer().state();
            assertEquals(List.of(), LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(legacy)));
            assertWeights(trained, m.getWeights());
            assertEquals(1, m.optimizer().iterations());
            state.forEach((slot, v) -> assertArrayEquals(v, m.optimizer().state().get(slot), slot));
        }
    }

    /** Variables that fit by count but not by shape: Keras raises (after setting the layers); jrnn refuses, nothing changed. */
    @Test
    void aCountThatFitsWithAShapeThatDoesNotIsRefused() throws Exception {
        try (Model m = Models.load(resource("init.keras"))) {
            m.trainOnBatch(x, y);
            List<Tensor> before = m.getWeights();
            Map<String, float[]> state = m.optimizer().state();
            IOException e = assertThrows(IOException.class, () -> m.loadWeights(resource("reshaped.weights.h5")));
            assertTrue(e.getMessage().contains("reshaped.weights.h5"), e.getMessage());
            assertWeights(before, m.getWeights());
            assertEquals(1, m.optimizer().iterations());
            state.forEach((slot, v) -> assertArrayEquals(v, m.optimizer().state().get(slot), slot));
        }
    }

    /**
     * A LossScaleOptimizer model's file keeps the wrapper's counter and scale beside the inner optimizer's, as a .keras does:
     * jrnn to jrnn here (Keras 3.15.1 reads jrnn's such file and jrnn Keras', both with the same count, counter and scale,
     * checked by hand in the session 35 review). A model with the wrapper loading a file without any optimizer is told so.
     */
    @Test
    void aLossScaleOptimizersVariablesGoBoth() throws Exception {
        Path lso = Path.of(WeightsFileOptimizerTest.class.getResource("/dev/jrnn/io/keras/keras3_real/lso.keras").toURI());
        Tensor lx = Npy.read(lso.resolveSibling("lso_x.npy")), ly = Npy.read(lso.resolveSibling("lso_y.npy"));
        Path w = dir.resolve("lso.weights.h5");
        LossScale scale;
        Map<String, float[]> state;
        long it;
        try (Model m = Models.load(lso)) {
            for (int i = 0; i < 3; i++) m.trainOnBatch(lx, ly);
            m.saveWeights(w);
            it = m.optimizer().iterations();
            scale = m.lossScale();
            state = m.optimizer().state();
        }
        try (Model m = Models.load(lso)) {
            assertEquals(List.of(), LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(w)));
            assertEquals(it, m.optimizer().iterations());
            assertEquals(scale.stepCounter(), m.lossScale().stepCounter());
            assertEquals(scale.dynamicScale(), m.lossScale().dynamicScale());
            state.forEach((slot, v) -> assertArrayEquals(v, m.optimizer().state().get(slot), slot));
        }
        try (Model m = Models.load(lso)) {   // into the plain inner optimizer: skipped, as the wrapper differs
            m.compile(new Adam(0.01), "mse");
            m.trainOnBatch(lx, ly);
            long before = m.optimizer().iterations();
            String warned = String.join("\n", LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(w)));
            assertTrue(warned.contains("the file's optimizer is a LossScaleOptimizer, the model's is not"), warned);
            assertEquals(before, m.optimizer().iterations());
        }
        try (Model m = Models.load(lso); Model plain = Models.fromJson(m.toJson())) {   // before: "the file's is not" a LossScaleOptimizer
            Path none = dir.resolve("none.weights.h5");
            plain.saveWeights(none);
            String warned = String.join("\n", LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(none)));
            assertTrue(warned.contains("whereas the file's optimizer has 0 (saved without an optimizer") && !warned.contains("LossScaleOptimizer"), warned);
        }
    }

    /** An uncompiled model has no optimizer: a file's variables are not read, and nothing is said. */
    @Test
    void anUncompiledModelLoadsTheWeightsOnly(@TempDir Path d) throws Exception {
        try (Model m = Models.load(resource("init.keras"))) {
            Model plain = Models.fromJson(m.toJson());
            try (plain) {
                assertEquals(List.of(), LogCapture.warnings(KerasImport.class.getName(), () -> plain.loadWeights(resource("trained.weights.h5"))));
                // and its own weights file has no optimizer group: a compiled model loading it is told so
                plain.saveWeights(d.resolve("p.weights.h5"));
                String w = String.join("\n", LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(d.resolve("p.weights.h5"))));
                assertTrue(w.contains("whereas the file's optimizer has 0"), w);
            }
        }
    }

    /**
     * Keras 3's load_weights of a .keras reads it as a .weights.h5 (saving_lib's load_weights_only), the optimizer's
     * variables too (the session 35 review: iterations 4 in Keras after 2 epochs). Before: iterations stayed 0.
     */
    @Test
    void aKerasFilesOptimizerVariablesAreLoadedToo() throws Exception {
        Path t = dir.resolve("t.keras");
        Map<String, float[]> state;
        List<Tensor> trained;
        try (Model m = Models.load(resource("init.keras"))) {
            m.fit(x, y, twoEpochs());
            m.save(t);
            state = m.optimizer().state();
            trained = m.getWeights();
        }
        try (Model m = Models.load(resource("init.keras"))) {
            assertEquals(List.of(), LogCapture.warnings(KerasImport.class.getName(), () -> m.loadWeights(t)));
            assertEquals(((Number) expected.get("iterations")).longValue(), m.optimizer().iterations());
            assertWeights(trained, m.getWeights());
            state.forEach((slot, v) -> assertArrayEquals(v, m.optimizer().state().get(slot), slot));
            assertLosses((List<?>) expected.get("resumed"), m.fit(x, y, twoEpochs()).history().get("loss"));
        }
    }

    /** Before: "invalid safetensors header length 3847873330018545518 (file has 8 bytes)". */
    @Test
    void aWeightsFileThatIsNotHdf5SaysWhatItShouldBe() throws Exception {
        Path bad = dir.resolve("garbage.weights.h5");
        Files.writeString(bad, "not hdf5");
        try (Model m = Models.load(resource("init.keras"))) {
            List<Tensor> before = m.getWeights();
            IOException e = assertThrows(IOException.class, () -> m.loadWeights(bad));
            assertTrue(e.getMessage().contains("not an HDF5 file") && e.getMessage().contains("6e 6f 74 20 68 64 66 35")
                    && e.getMessage().contains("\"not hdf5\"") && e.getMessage().contains("Keras 3 weights file"), e.getMessage());
            assertWeights(before, m.getWeights());
        }
    }

    private static void assertWeights(List<Tensor> want, List<Tensor> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).data(), got.get(i).data(), "weight " + i);
    }
}
