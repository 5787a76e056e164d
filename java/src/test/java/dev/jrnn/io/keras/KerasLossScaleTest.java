package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import dev.jrnn.LogCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@link KerasLossScale}: tf.keras 2.4-2.10's LossScaleOptimizer ({@code dynamic}, {@code initial_scale},
 * {@code dynamic_growth_steps} beside {@code inner_optimizer}, no name) written back for Keras 3.15.1. A dynamic one is
 * Keras 3's LossScaleOptimizer; a fixed one ({@code dynamic=False}, which Keras 3.15.1 refuses: "LossScaleOptimizer no
 * longer supports `dynamic=False`. Instead, simply set `loss_scale_factor` directly on the `inner_optimizer`") is the inner
 * optimizer with {@code loss_scale_factor} its scale, which Keras 3.15.1 loads as a fixed scale. Before, both were
 * written as a dynamic LossScaleOptimizer: the fixed scale would have started to change.
 */
class KerasLossScaleTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /**
     * tf.keras 2.4-2.10's LossScaleOptimizer config. A fixed one has dynamic_growth_steps null: its constructor refuses
     * one with {@code dynamic=False} and get_config writes None (keras v2.10.0 keras/mixed_precision/loss_scale_optimizer.py,
     * LossScaleOptimizer.__init__ and get_config).
     */
    private static String tfKeras2(boolean dynamic) {
        return "{\"class_name\": \"LossScaleOptimizer\", \"config\": {\"inner_optimizer\": {\"class_name\": \"Adam\", \"config\": {\"name\":"
                + " \"Adam\", \"learning_rate\": 0.001, \"decay\": 0.0, \"beta_1\": 0.9, \"beta_2\": 0.999, \"epsilon\": 1e-07, \"amsgrad\": false}},"
                + " \"dynamic\": " + dynamic + ", \"initial_scale\": 128.0, \"dynamic_growth_steps\": " + (dynamic ? "500" : "null") + "}}";
    }

    /** The saved optimizer config: a .keras's compile_config optimizer, an .h5's training_config optimizer_config. */
    private static Map<?, ?> savedOptimizer(Sequential m, Path file) throws IOException {
        m.save(file);
        if (file.toString().endsWith(".keras")) {
            try (ZipFile z = new ZipFile(file.toFile())) {
                Map<?, ?> config = (Map<?, ?>) Json.parse(new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8));
                return (Map<?, ?>) ((Map<?, ?>) config.get("compile_config")).get("optimizer");
            }
        }
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(file)) {
            return (Map<?, ?>) ((Map<?, ?>) Json.parse(Hdf5Arrays.stringAttribute(h, "training_config"))).get("optimizer_config");
        }
    }

    private static Sequential compiledTf2(String optimizer) {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"mse\", \"metrics\": [], \"optimizer_config\": " + optimizer + "}"), "f.h5", false);
        return m;
    }

    @Test
    void aFixedScaleIsWrittenAsTheInnerOptimizersLossScaleFactor(@TempDir Path dir) throws Exception {
        try (Sequential m = compiledTf2(tfKeras2(false))) {
            for (String name : new String[] {"fixed.keras", "fixed.h5"}) {
                Map<?, ?> opt = savedOptimizer(m, dir.resolve(name));
                assertEquals("Adam", opt.get("class_name"), name + ": " + opt);
                Map<?, ?> c = (Map<?, ?>) opt.get("config");
                assertEquals(128.0, ((Number) c.get("loss_scale_factor")).doubleValue(), name + ": " + c);
                assertFalse(c.containsKey("dynamic"), name);
            }
        }
    }

    /** Saves {@code m} as {@code name}, loads it back, and returns the loaded model's saved optimizer config. */
    private static Map<?, ?> resaved(Sequential m, Path dir, String name) throws IOException {
        m.save(dir.resolve("first-" + name));
        try (Model back = Models.load(dir.resolve("first-" + name))) {
            return savedOptimizer((Sequential) back, dir.resolve("second-" + name));
        }
    }

    @Test
    void aFixedScaleSurvivesASecondSave(@TempDir Path dir) throws Exception {
        try (Sequential m = compiledTf2(tfKeras2(false))) {
            for (String name : new String[] {"fixed.keras", "fixed.h5"}) {
                Map<?, ?> opt = resaved(m, dir, name);
                assertEquals("Adam", opt.get("class_name"), name + ": " + opt);
                Map<?, ?> c = (Map<?, ?>) opt.get("config");
                assertEquals(128.0, ((Number) c.get("loss_scale_factor")).doubleValue(), name + ": " + c);
            }
        }
    }

    /** Keras 3.15.1's get_compile_config of Adam(loss_scale_factor=64.0). */
    private static final String KERAS3_FIXED = "{\"optimizer\": {\"module\": \"keras.optimizers\", \"class_name\": \"Adam\", \"config\":"
            + " {\"name\": \"adam\", \"learning_rate\": 0.0010000000474974513, \"weight_decay\": null, \"clipnorm\": null,"
            + " \"global_clipnorm\": null, \"clipvalue\": null, \"use_ema\": false, \"ema_momentum\": 0.99, \"ema_overwrite_frequency\": null,"
            + " \"loss_scale_factor\": 64.0, \"gradient_accumulation_steps\": null, \"beta_1\": 0.9, \"beta_2\": 0.999, \"epsilon\": 1e-07,"
            + " \"amsgrad\": false}, \"registered_name\": null}, \"loss\": \"mse\", \"loss_weights\": null, \"metrics\": null,"
            + " \"weighted_metrics\": null, \"run_eagerly\": false, \"steps_per_execution\": 1, \"jit_compile\": true}";

    @Test
    void aKeras3LossScaleFactorIsWrittenBack(@TempDir Path dir) throws Exception {
        try (Sequential m = new Sequential(new Dense(1).inputShape(2))) {
            KerasTraining.compile(m, Json.parse(KERAS3_FIXED), "f.keras");
            for (String name : new String[] {"k3.keras", "k3.h5"}) {
                Map<?, ?> opt = savedOptimizer(m, dir.resolve(name));
                assertEquals("Adam", opt.get("class_name"), name + ": " + opt);
                assertEquals(64.0, ((Number) ((Map<?, ?>) opt.get("config")).get("loss_scale_factor")).doubleValue(), name + ": " + opt);
                Map<?, ?> again = resaved(m, dir, name);
                assertEquals(64.0, ((Number) ((Map<?, ?>) again.get("config")).get("loss_scale_factor")).doubleValue(), name + ": " + again);
            }
        }
    }

    @Test
    void aDynamicScaleIsWrittenAsKeras3sLossScaleOptimizer(@TempDir Path dir) throws Exception {
        try (Sequential m = compiledTf2(tfKeras2(true))) {
            for (String name : new String[] {"dynamic.keras", "dynamic.h5"}) {
                Map<?, ?> opt = savedOptimizer(m, dir.resolve(name));
                assertEquals("LossScaleOptimizer", opt.get("class_name"), name + ": " + opt);
                Map<?, ?> c = (Map<?, ?>) opt.get("config");
                assertEquals(128.0, ((Number) c.get("initial_scale")).doubleValue(), name);
                assertEquals(500L, ((Number) c.get("dynamic_growth_steps")).longValue(), name);
                assertFalse(c.containsKey("dynamic"), name + ": Keras 3.15.1's LossScaleOptimizer takes no dynamic=True either way");
                assertEquals(null, ((Map<?, ?>) ((Map<?, ?>) c.get("inner_optimizer")).get("config")).get("loss_scale_factor"), name);
            }
        }
    }

    private static Model load(Path file) throws Exception {
        List<Model> loaded = new ArrayList<>();
        LogCapture.warnings(KerasImport.class.getName(), () -> loaded.add(Models.load(file)));
        return loaded.get(0);
    }

    /**
     * A compiled, never-trained LossScaleOptimizer model as Keras 3.15.1 saves it (keras3_real/make_lso_unbuilt.py:
     * optimizer/vars holds the wrapper's iteration and learning_rate, then the inner Adam's two) loads as Keras loads it,
     * counter 0 and the initial scale 4096 (the inner learning rate 0.01 was read as the scale before); a load builds the
     * optimizer, so its save writes the built layout (the wrapper's four, the inner's slots), which loads the same again.
     * A jrnn model compiled and wrapped, never trained, is written in Keras' unbuilt layout and read back as fresh.
     */
    @Test
    void aNeverTrainedWrapperLoadsAndSavesAsKerasWritesIt(@TempDir Path dir) throws Exception {
        Map<?, ?> state = (Map<?, ?>) Json.parse(Files.readString(keras3Real("lso_unbuilt_state.json")));
        float scale = ((Number) state.get("loaded_dynamic_scale")).floatValue();
        Path saved = dir.resolve("resaved.keras");
        try (Model m = Models.load(keras3Real("lso_unbuilt.keras"))) {
            assertEquals(((Number) state.get("loaded_step_counter")).longValue(), m.lossScale().stepCounter());
            assertEquals(scale, m.lossScale().dynamicScale());
            m.save(saved);
        }
        assertEquals(4, optimizerVarCounts(saved)[0] - optimizerVarCounts(saved)[1], "built: the wrapper's own four");
        try (Model back = Models.load(saved)) {
            assertEquals(0, back.lossScale().stepCounter());
            assertEquals(scale, back.lossScale().dynamicScale());
        }
        Path fresh = dir.resolve("fresh.keras");
        try (Sequential m = new Sequential(new Dense(1).inputShape(2))) {
            m.compile(new dev.jrnn.optim.Adam(0.01), "mse");
            m.lossScale(dev.jrnn.model.LossScale.dynamic("loss_scale_optimizer", 4096, 2000));
            m.save(fresh);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {((List<?>) state.get("optimizer_vars")).size(), ((Number) state.get("inner_vars")).intValue()},
                optimizerVarCounts(fresh), "Keras' unbuilt layout");
        try (Model back = Models.load(fresh)) {
            assertEquals(0, back.lossScale().stepCounter());
            assertEquals(4096f, back.lossScale().dynamicScale());
        }
    }

    /**
     * The same never-trained model's .h5 (optimizer_weights: the wrapper's iteration and learning_rate, then Adam's) loads
     * as its .keras does, fresh at the initial scale, with no warning (tester recent R3: "the optimizer state Keras saved
     * is not restored", though nothing was lost), and trains from update 0.
     */
    @Test
    void aNeverTrainedWrappersH5LoadsWithoutAWarning() throws Exception {
        Map<?, ?> state = (Map<?, ?>) Json.parse(Files.readString(keras3Real("lso_unbuilt_state.json")));
        assertEquals(4, ((List<?>) state.get("h5_weight_names")).size(), "Keras' never-built layout: " + state);
        List<Model> loaded = new ArrayList<>();
        List<String> warnings = LogCapture.warnings(KerasImport.class.getName(), () -> loaded.add(Models.load(keras3Real("lso_unbuilt.h5"))));
        try (Model m = loaded.get(0)) {
            assertEquals(List.of(), warnings);
            assertEquals(((Number) state.get("loaded_step_counter")).longValue(), m.lossScale().stepCounter());
            assertEquals(((Number) state.get("loaded_dynamic_scale")).floatValue(), m.lossScale().dynamicScale());
            assertEquals(0, m.optimizer().iterations());
            assertEquals(0.01f, m.optimizer().learningRate(), 1e-9f);
        }
    }

    /** A .keras's optimizer/vars and optimizer/inner_optimizer/vars counts. */
    private static int[] optimizerVarCounts(Path keras) throws IOException {
        try (ZipFile z = new ZipFile(keras.toFile());
             io.jhdf.HdfFile h = io.jhdf.HdfFile.fromBytes(z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes())) {
            return new int[] {((io.jhdf.api.Group) h.getByPath("optimizer/vars")).getChildren().size(),
                    ((io.jhdf.api.Group) h.getByPath("optimizer/inner_optimizer/vars")).getChildren().size()};
        }
    }

    /** A .keras's wrapper variables at optimizer/vars: [step_counter, dynamic_scale]. */
    private static double[] wrapperState(Path keras) throws IOException {
        try (ZipFile z = new ZipFile(keras.toFile());
             io.jhdf.HdfFile h = io.jhdf.HdfFile.fromBytes(z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes())) {
            return new double[] {((Number) ((io.jhdf.api.Dataset) h.getByPath("optimizer/vars/2")).getData()).doubleValue(),
                    ((Number) ((io.jhdf.api.Dataset) h.getByPath("optimizer/vars/3")).getData()).doubleValue()};
        }
    }

    /** keras3_real/lso_state.json (make_lso_state.py): Keras 3.15.1's wrapper state of lso.keras, loaded and after its training. */
    private static Map<?, ?> kerasState() throws IOException {
        return (Map<?, ?>) Json.parse(Files.readString(keras3Real("lso_state.json")));
    }

    private static double number(Map<?, ?> m, String key) { return ((Number) m.get(key)).doubleValue(); }

    /**
     * The LossScaleOptimizer's own step counter and dynamic scale (lso.keras: 3 and 1024, growth every 50; lso.h5, Keras
     * 3's .h5 of the same model, lists them first in its optimizer_weights) survive a load and a save as .keras; before,
     * the save wrote a fresh wrapper's (0 and 1024), so Keras' dynamic scale restarted.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lso.keras", "lso.h5"})
    void aLoadedWrappersCounterAndScaleAreSavedBack(String file, @TempDir Path dir) throws Exception {
        Map<?, ?> loaded = (Map<?, ?>) kerasState().get("loaded");
        try (Model m = load(keras3Real(file))) {
            Path back = dir.resolve("back.keras");
            m.save(back);
            double[] s = wrapperState(back);
            assertEquals(number(loaded, "step_counter"), s[0], "step_counter");
            assertEquals(number(loaded, "dynamic_scale"), s[1], "dynamic_scale");
            try (Model again = load(back)) {   // and jrnn's own file carries it on
                Path third = dir.resolve("third.keras");
                again.save(third);
                assertEquals(s[0], wrapperState(third)[0]);
                assertEquals(s[1], wrapperState(third)[1]);
            }
        }
    }

    /**
     * jrnn trains lso.keras as many steps as make_lso_state.py's Keras did (48: the counter passes 50 once) and saves:
     * the counter and scale are Keras' after its training (1 and 2048); before, 0 and the initial 1024. Keras 3.15.1 loads
     * the file jrnn saves with that state (make_lso_state.py check).
     */
    @Test
    void trainingAdvancesTheCounterAndScaleAsKerasDoes(@TempDir Path dir) throws Exception {
        Map<?, ?> state = kerasState();
        Map<?, ?> trained = (Map<?, ?>) state.get("trained");
        Tensor x = Npy.read(keras3Real("lso_x.npy")), y = Npy.read(keras3Real("lso_y.npy"));
        try (Model m = load(keras3Real("lso.keras"))) {
            for (int i = 0; i < ((Number) state.get("steps")).intValue(); i++) m.trainOnBatch(x, y);
            assertEquals(number(trained, "inner_iterations"), m.optimizer().iterations());
            Path back = dir.resolve("trained.keras");
            m.save(back);
            double[] s = wrapperState(back);
            assertEquals(number(trained, "step_counter"), s[0], "step_counter");
            assertEquals(number(trained, "dynamic_scale"), s[1], "dynamic_scale");
        }
    }

    /**
     * The wrapper belongs to the loaded model's compile: its optimizer object compiled into another model saves there as
     * the plain Adam it is, and the loaded model recompiled with a new optimizer saves that one plain; before, the wrapper
     * was kept by optimizer object and followed it into the second model.
     */
    @Test
    void theWrapperStaysWithTheModelItWasLoadedInto(@TempDir Path dir) throws Exception {
        try (Model m = load(keras3Real("lso.keras"));
             Sequential other = new Sequential(new Dense(1).inputShape(2))) {
            other.compile(m.optimizer(), Losses.mse());
            Map<?, ?> opt = savedOptimizer(other, dir.resolve("other.keras"));
            assertEquals("Adam", opt.get("class_name"), "" + opt);
            assertEquals(null, ((Map<?, ?>) opt.get("config")).get("loss_scale_factor"));
            Path own = dir.resolve("own.keras");
            m.save(own);
            try (ZipFile z = new ZipFile(own.toFile())) {
                Map<?, ?> config = (Map<?, ?>) Json.parse(new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8));
                assertEquals("LossScaleOptimizer", ((Map<?, ?>) ((Map<?, ?>) config.get("compile_config")).get("optimizer")).get("class_name"));
            }
            m.compile(new Adam(0.01), Losses.mse());
            Path recompiled = dir.resolve("recompiled.h5");
            m.save(recompiled);
            try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(recompiled)) {
                Map<?, ?> o = (Map<?, ?>) ((Map<?, ?>) Json.parse(Hdf5Arrays.stringAttribute(h, "training_config"))).get("optimizer_config");
                assertEquals("Adam", o.get("class_name"), "" + o);
            }
        }
    }

    /**
     * jrnn's .h5 keeps the wrapper's four variables as Keras 3's .h5 lists them (its own four first, in
     * jrnn_state/optimizer_weights): a model trained from lso.keras 148 steps (counter (3 + 148) mod 50 = 1, scale 1024
     * doubled 3 times), saved as .h5 and loaded, saves that counter and scale as .keras, and its own steps count on from
     * there. Before, the .h5 dropped them: a fresh wrapper's 0 and 1024.
     */
    @Test
    void jrnnsH5KeepsTheWrappersCounterAndScale(@TempDir Path dir) throws Exception {
        Tensor x = Npy.read(keras3Real("lso_x.npy")), y = Npy.read(keras3Real("lso_y.npy"));
        try (Model m = load(keras3Real("lso.keras"))) {
            for (int i = 0; i < 148; i++) m.trainOnBatch(x, y);
            m.save(dir.resolve("trained.h5"));
        }
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(dir.resolve("trained.h5"))) {   // the layout: the wrapper's own four first
            List<String> names = Hdf5Arrays.stringList((io.jhdf.api.Group) h.getByPath(KerasExport.STATE_GROUP + "/optimizer_weights"), "weight_names");
            assertEquals(List.of("loss_scale_optimizer/iteration", "loss_scale_optimizer/learning_rate", "loss_scale_optimizer/step_counter",
                    "loss_scale_optimizer/dynamic_scale"), names.subList(0, 4));
            org.junit.jupiter.api.Assertions.assertTrue(names.get(4).startsWith("adam/"), "" + names);
        }
        try (Model m = load(dir.resolve("trained.h5"))) {
            assertEquals(151, m.optimizer().iterations());
            m.save(dir.resolve("back.keras"));
            double[] s = wrapperState(dir.resolve("back.keras"));
            assertEquals(1, s[0], "step_counter");
            assertEquals(8192, s[1], "dynamic_scale");
            for (int i = 0; i < 52; i++) m.trainOnBatch(x, y);   // and jrnn's own steps count on: 53 -> 3, one more doubling
            m.save(dir.resolve("trained.keras"));
            s = wrapperState(dir.resolve("trained.keras"));
            assertEquals(3, s[0], "step_counter");
            assertEquals(16384, s[1], "dynamic_scale");
        }
    }

    /**
     * Doubling stops at the largest float32 the scale reaches (2^127): Keras' next doubling is +Inf, after which it can
     * never train the model (its loss times the scale is non-finite and halving keeps +Inf). A wrapper one step before its
     * wrap at 2^127 keeps 2^127 after the step and the save.
     */
    @Test
    void theScaleStaysFinite(@TempDir Path dir) throws Exception {
        Tensor x = Npy.read(keras3Real("lso_x.npy")), y = Npy.read(keras3Real("lso_y.npy"));
        try (Model m = load(keras3Real("lso.keras"))) {
            m.lossScale(m.lossScale().withVariables(3, 0, 49, 0x1p127f));
            m.trainOnBatch(x, y);
            m.save(dir.resolve("big.keras"));
            double[] s = wrapperState(dir.resolve("big.keras"));
            assertEquals(0x1p127, s[1], "dynamic_scale");
            assertEquals(0, s[0], "step_counter");
        }
    }

    /** Keras 3.15.1's states of make_lso_backup.py (lso_backup_state.json): {@code part} "backup" or "reset". */
    private static Map<?, ?> backupState(String part) throws IOException {
        return (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(keras3Real("lso_backup_state.json")))).get(part);
    }

    /**
     * The wrapper counts its own steps: lso_halved.keras loaded, its inner optimizer's count set to 0, 5 steps give Keras'
     * counter (7 + 5 = 12, make_lso_backup.py "reset"); before, the counter came from the update count's delta since the
     * load (5 - 27 < 0: no step counted, 7 written).
     */
    @Test
    void aResetOfTheUpdateCountLeavesTheCounterCounting(@TempDir Path dir) throws Exception {
        Map<?, ?> reset = backupState("reset");
        Map<?, ?> trained = (Map<?, ?>) reset.get("trained");
        Tensor x = Npy.read(keras3Real("lso_x.npy")), y = Npy.read(keras3Real("lso_y.npy"));
        try (Model m = load(keras3Real("lso_halved.keras"))) {
            m.optimizer().iterations(0);
            for (int i = 0; i < ((Number) reset.get("steps")).intValue(); i++) m.trainOnBatch(x, y);
            assertEquals(number(trained, "inner_iterations"), m.optimizer().iterations());
            m.save(dir.resolve("back.keras"));
            double[] s = wrapperState(dir.resolve("back.keras"));
            assertEquals(number(trained, "step_counter"), s[0], "step_counter");
            assertEquals(number(trained, "dynamic_scale"), s[1], "dynamic_scale");
        }
    }

    /**
     * BackupAndRestore's backup holds the wrapper's four variables and a resume restores them, as Keras' (its
     * load_weights loads every optimizer variable): run 1 fits lso_halved.keras 2 epochs of 2 steps and backs up (counter
     * 11, scale 2^18); run 2 loads lso.keras (counter 3, scale 1024, growth 50), resumes from the backup and fits epoch 3:
     * counter 13, scale 2^18, as make_lso_backup.py's Keras 3.15.1. Before, the backup's four were ignored and the counter
     * came from the update count's delta since lso.keras's load (33 - 3 = 30 steps: counter 33, scale 1024).
     */
    @Test
    void aBackupRestoresTheWrappersCounterAndScale(@TempDir Path dir) throws Exception {
        Map<?, ?> b = backupState("backup");
        int batch = ((Number) b.get("batch_size")).intValue();
        Tensor x = Npy.read(keras3Real("lso_x.npy")), y = Npy.read(keras3Real("lso_y.npy"));
        Path backups = dir.resolve("backups");
        try (Model m = load(keras3Real("lso_halved.keras"))) {
            m.fit(x, y, new dev.jrnn.model.FitOptions().epochs(((Number) b.get("epochs1")).intValue()).batchSize(batch).shuffle(false)
                    .verbose(0).callbacks(new dev.jrnn.model.BackupAndRestore(backups).deleteCheckpoint(false)));
            Map<?, ?> run1 = (Map<?, ?>) b.get("run1_trained");
            assertEquals(number(run1, "step_counter"), m.lossScale().stepCounter(), "run 1 step_counter");
            assertEquals(number(run1, "dynamic_scale"), m.lossScale().dynamicScale(), "run 1 dynamic_scale");
        }
        try (Model m = load(keras3Real("lso.keras"))) {
            Map<?, ?> loaded = (Map<?, ?>) b.get("run2_loaded");
            assertEquals(number(loaded, "step_counter"), m.lossScale().stepCounter(), "run 2 loaded step_counter");
            m.fit(x, y, new dev.jrnn.model.FitOptions().epochs(((Number) b.get("epochs2")).intValue()).batchSize(batch).shuffle(false)
                    .verbose(0).callbacks(new dev.jrnn.model.BackupAndRestore(backups)));
            Map<?, ?> resumed = (Map<?, ?>) b.get("run2_resumed");
            assertEquals(number(resumed, "inner_iterations"), m.optimizer().iterations());
            assertEquals(number(resumed, "step_counter"), m.lossScale().stepCounter(), "step_counter");
            assertEquals(number(resumed, "dynamic_scale"), m.lossScale().dynamicScale(), "dynamic_scale");
            m.save(dir.resolve("back.keras"));
            double[] s = wrapperState(dir.resolve("back.keras"));
            assertEquals(number(resumed, "step_counter"), s[0], "saved step_counter");
            assertEquals(number(resumed, "dynamic_scale"), s[1], "saved dynamic_scale");
        }
    }

    /**
     * StoredState keeps a copy of the wrapper's four variables and refuses any other count, naming them; its toString says
     * the file keeps them. Before, an empty list was stored as given and its lossScale ended in a bare
     * IndexOutOfBoundsException, and a list changed after the record was made changed the record.
     */
    @Test
    void storedStateHoldsTheWrappersFourVariables() {
        Tensor one = Tensor.wrap(new float[] {1}, 1);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new KerasImport.StoredState(null, null, p -> null, null, false, new ArrayList<>()));
        assertEquals("StoredState: lossScaleVars must hold the wrapper's 4 variables (iteration, learning_rate, step_counter,"
                + " dynamic_scale), got 0", e.getMessage());
        List<KerasOptimizerState.Var> own = new ArrayList<>(List.of(new KerasOptimizerState.Var("iteration", one, true, 1L),
                new KerasOptimizerState.Var("learning_rate", one, true),
                new KerasOptimizerState.Var("step_counter", Tensor.wrap(new float[] {5}, 1), true, 5L),
                new KerasOptimizerState.Var("dynamic_scale", Tensor.wrap(new float[] {64}, 1), true)));
        KerasImport.StoredState stored = new KerasImport.StoredState(null, null, p -> null, null, false, own);
        own.clear();
        dev.jrnn.model.LossScale ls = stored.lossScale(dev.jrnn.model.LossScale.dynamic("x", 2, 30));
        assertEquals(5, ls.stepCounter());
        assertEquals(64f, ls.dynamicScale());
        assertEquals("StoredState[metadata none, trainingConfig none, optimizer none, firstWriter false, LossScaleOptimizer"
                + " variables present]", stored.toString());
    }

    /**
     * A file's dynamic_growth_steps that is not a whole number >= 1 is taken, as Keras 3.15.1 takes it (make_lso_growth.py,
     * lso_growth_state.json): lso.keras with growth 0 or 2.5 loads compiled with its wrapper, 60 steps count the counter on
     * from 3 to 63 without a doubling (Keras doubles when the counter equals growth - 1) and the save writes the growth back
     * as the file had it. Before, the load refused the wrapper ("LossScale.dynamic: dynamicGrowthSteps must be >= 1"),
     * loaded the model uncompiled and dropped its optimizer state; 2.5 was cut to 2.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0", "2.5"})
    void aGrowthKerasNeverReachesIsTakenAsKerasTakesIt(String growth, @TempDir Path dir) throws Exception {
        Map<?, ?> state = (Map<?, ?>) Json.parse(Files.readString(keras3Real("lso_growth_state.json")));
        Map<?, ?> expected = (Map<?, ?>) state.get(growth);
        Path edited = dir.resolve("g.keras");
        try (ZipFile in = new ZipFile(keras3Real("lso.keras").toFile());
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(edited))) {
            for (java.util.zip.ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] data = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("config.json")) {
                    data = new String(data, StandardCharsets.UTF_8).replace("\"dynamic_growth_steps\": 50", "\"dynamic_growth_steps\": " + growth)
                            .getBytes(StandardCharsets.UTF_8);
                    org.junit.jupiter.api.Assertions.assertTrue(new String(data, StandardCharsets.UTF_8).contains("\"dynamic_growth_steps\": " + growth));
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(data);
                out.closeEntry();
            }
        }
        Tensor x = Npy.read(keras3Real("lso_x.npy")), y = Npy.read(keras3Real("lso_y.npy"));
        try (Model m = load(edited)) {
            Map<?, ?> loaded = (Map<?, ?>) expected.get("loaded");
            assertEquals(number(loaded, "step_counter"), m.lossScale().stepCounter());
            for (int i = 0; i < ((Number) state.get("steps")).intValue(); i++) m.trainOnBatch(x, y);
            Map<?, ?> trained = (Map<?, ?>) expected.get("trained");
            assertEquals(number(trained, "inner_iterations"), m.optimizer().iterations());
            Path back = dir.resolve("back.keras");
            m.save(back);
            double[] s = wrapperState(back);
            assertEquals(number(trained, "step_counter"), s[0], "step_counter");
            assertEquals(number(trained, "dynamic_scale"), s[1], "dynamic_scale");
            try (ZipFile z = new ZipFile(back.toFile())) {
                Map<?, ?> config = (Map<?, ?>) Json.parse(new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8));
                Object written = ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) config.get("compile_config")).get("optimizer")).get("config")).get("dynamic_growth_steps");
                assertEquals(expected.get("written_growth"), written);
            }
        }
    }

    /**
     * A backup with the wrapper's variables resumed into a model without a wrapper, or the reverse, skips the optimizer's
     * state with a warning and leaves the optimizer as it was: its update count, moments and loss scale (Keras 3.15.1:
     * "Skipping variable loading for optimizer 'adam_1', because it has 6 variables whereas the saved optimizer has 10
     * variables", none loaded; /tmp/review-smalls2/lso_n2.py). Before, both were silent, and later the inner optimizer's
     * count and moments were restored.
     */
    @Test
    void aBackupAndAModelThatDisagreeOnTheWrapperWarn(@TempDir Path dir) throws Exception {
        Tensor x = Npy.read(keras3Real("lso_x.npy")), y = Npy.read(keras3Real("lso_y.npy"));
        Path wrappedBackups = dir.resolve("wrapped"), plainBackups = dir.resolve("plain");
        dev.jrnn.model.FitOptions one = new dev.jrnn.model.FitOptions().epochs(1).batchSize(2).shuffle(false).verbose(0);
        try (Model m = load(keras3Real("lso.keras"))) {
            m.fit(x, y, one.callbacks(new dev.jrnn.model.BackupAndRestore(wrappedBackups).deleteCheckpoint(false)));
            m.compile(new Adam(0.01), Losses.mse());   // drops the wrapper
            m.fit(x, y, new dev.jrnn.model.FitOptions().epochs(1).batchSize(2).shuffle(false).verbose(0)
                    .callbacks(new dev.jrnn.model.BackupAndRestore(plainBackups).deleteCheckpoint(false)));
        }
        try (Model m = load(keras3Real("lso.keras"))) {   // five weights: Adam's 2 + 2 * 5 variables, as Keras counts them
            m.compile(new Adam(0.01), Losses.mse());
            for (int i = 0; i < 3; i++) m.trainOnBatch(x, y);
            String w = resumedUnchanged(m, x, y, wrappedBackups);
            org.junit.jupiter.api.Assertions.assertTrue(w.contains("Skipping the optimizer's state: the backup's optimizer has "
                    + "16 variables (with a LossScaleOptimizer's 4), the model's 12, as Keras 3.15.1 skips it"), w);
        }
        try (Model m = load(keras3Real("lso.keras"))) {
            m.trainOnBatch(x, y);
            dev.jrnn.model.LossScale before = m.lossScale();
            String w = resumedUnchanged(m, x, y, plainBackups);
            org.junit.jupiter.api.Assertions.assertTrue(w.contains("Skipping the optimizer's state: the backup's optimizer has "
                    + "12 variables, the model's 16 (with a LossScaleOptimizer's 4), as Keras 3.15.1 skips it"), w);
            assertEquals(before, m.lossScale());
        }
    }

    /** Resumes {@code m} from {@code backups} (whose one epoch is done: nothing trains), asserts its optimizer unchanged, and gives the warnings. */
    private static String resumedUnchanged(Model m, Tensor x, Tensor y, Path backups) throws Exception {
        long iterations = m.optimizer().iterations();
        Map<String, float[]> state = m.optimizer().state();
        org.junit.jupiter.api.Assertions.assertTrue(iterations > 0 && !state.isEmpty(), "trained before the resume");
        String w = LogCapture.warnings(KerasImport.class.getName(), () -> m.fit(x, y, new dev.jrnn.model.FitOptions().epochs(1)
                .batchSize(2).shuffle(false).verbose(0).callbacks(new dev.jrnn.model.BackupAndRestore(backups)))).toString();
        assertEquals(iterations, m.optimizer().iterations(), "the optimizer's update count");
        Map<String, float[]> after = m.optimizer().state();
        assertEquals(state.keySet(), after.keySet());
        state.forEach((slot, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(v, after.get(slot), slot));
        return w;
    }

    /** A negative step counter is refused as an int64 as it was as a float; before, the int64 -1 was taken. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aNegativeCounterIsRefused(boolean int64) throws Exception {
        try (Model m = load(keras3Real("lso.keras"))) {
            Tensor one = Tensor.wrap(new float[] {1}, 1);
            List<KerasOptimizerState.Var> own = List.of(new KerasOptimizerState.Var("iteration", one, true, 1L),
                    new KerasOptimizerState.Var("learning_rate", one, true),
                    new KerasOptimizerState.Var("step_counter", Tensor.wrap(new float[] {-1}, 1), true, int64 ? -1L : null),
                    new KerasOptimizerState.Var("dynamic_scale", one, true));
            KerasFormatException e = org.junit.jupiter.api.Assertions.assertThrows(KerasFormatException.class, () -> KerasLossScale.resume(m, own));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("step_counter"), e.getMessage());
        }
    }

    /**
     * keras3_real/lso_halved.keras (make_lso_halved.py): Keras halved its scale on overflowing float16 steps, so its
     * counter (7), scale (2^18) and update count (27) are not functions of one another. A load and save keeps them; 15
     * steps, by trainOnBatch or by fit, give Keras' own after 15 finite steps (counter 2, scale 2^19: one wrap at
     * growth 20). Before the wrapper's variables were read from the file, the save wrote 0 and 2^40.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "trainOnBatch", "fit"})
    void aKerasHalvedScaleIsKeptAndAdvanced(String training, @TempDir Path dir) throws Exception {
        Map<?, ?> state = (Map<?, ?>) Json.parse(Files.readString(keras3Real("lso_halved_state.json")));
        Map<?, ?> expected = (Map<?, ?>) state.get(training.equals("none") ? "loaded" : "trained");
        int steps = ((Number) state.get("steps")).intValue();
        Tensor x = Npy.read(keras3Real("lso_x.npy")), y = Npy.read(keras3Real("lso_y.npy"));
        try (Model m = load(keras3Real("lso_halved.keras"))) {
            if (training.equals("trainOnBatch")) for (int i = 0; i < steps; i++) m.trainOnBatch(x, y);
            if (training.equals("fit")) m.fit(x, y, new dev.jrnn.model.FitOptions().epochs(steps).batchSize(x.shape()[0]).verbose(0));
            assertEquals(number(expected, "inner_iterations"), m.optimizer().iterations());
            m.save(dir.resolve("back.keras"));
            double[] s = wrapperState(dir.resolve("back.keras"));
            assertEquals(number(expected, "step_counter"), s[0], "step_counter");
            assertEquals(number(expected, "dynamic_scale"), s[1], "dynamic_scale");
        }
    }
}
