package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.BackupAndRestore;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.dataset.ContiguousDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasImport#loadWeights(dev.jrnn.model.Model, Path, KerasImport.StateReader)}, which BackupAndRestore's resume
 * runs: the state reader reads from the same open file before the weights are checked and set, yet a file refused for
 * its weights says so first (as when the state was read by a second open, after the weights had loaded), a damaged
 * member is refused with the CRC's message before either, and a refused resume logs nothing about state it never
 * restored. Keras' LSTM(n) kernel on 5 features is (5, 4n) (its weights' shapes, as Keras 3.15.1's
 * {@code keras.layers.LSTM(8).build((None, 4, 5))} makes them: kernel (5, 32), recurrent_kernel (8, 32), bias (32,)).
 */
class LoadWeightsStateTest {
    private static final String LOGGER = KerasImport.class.getName();

    @TempDir
    Path dir;
    CpuBackend be;

    @BeforeEach
    void cpu() {
        be = CpuBackend.create();
        Jrnn.setBackend(be);
    }

    @AfterEach
    void back() {
        Jrnn.setBackend("cpu");
        be.close();
    }

    private static Sequential lstm(int units, String optimizer) {
        Sequential m = new Sequential(new LSTM(units).inputShape(4, 5), new Dense(2));
        m.compile(optimizer, "mse");
        return m;
    }

    private static Tensor x() {
        float[] v = new float[2 * 4 * 5];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i);
        return Tensor.wrap(v, 2, 4, 5);
    }

    /** LSTM(16) -> Dense(2) compiled with Adam, after one step, saved as BackupAndRestore's backup of epoch 1. */
    private Path backup() throws IOException {
        Jrnn.setSeed(11);
        Path backups = Files.createDirectories(dir.resolve("backups"));
        try (Sequential m = lstm(16, "adam")) {
            m.trainOnBatch(x(), Tensor.zeros(2, 2));
            m.save(backups.resolve("backup-epoch-1.keras"));
        }
        return backups;
    }

    private static IllegalStateException resumeFails(Sequential m, Path backups) {
        return assertThrows(IllegalStateException.class, () -> m.fit(x(), Tensor.zeros(2, 2),
                new FitOptions().epochs(2).verbose(0).callbacks(new BackupAndRestore(backups))));
    }

    /**
     * A backup of LSTM(16) with Adam resumed into LSTM(8) compiled with SGD: the weights' shapes are refused, not the
     * optimizer's class (before, "optimizer state of Adam for a model compiled with SGD" won: the state reader's refusal
     * was thrown before the weights' shape check); nothing changes.
     */
    @Test
    void aBackupOfAnotherArchitectureIsRefusedForItsShapesFirst() throws IOException {
        Path backups = backup();
        try (Sequential m = lstm(8, "sgd")) {
            List<Tensor> weights = m.getWeights();
            IllegalStateException e = resumeFails(m, backups);
            assertTrue(e.getMessage().matches("(?s).*layer 'lstm(_\\d+)?' weight kernel expected shape \\(5, 32\\), the file has \\(5, 64\\).*"), e.getMessage());
            assertFalse(e.getMessage().contains("optimizer state of Adam"), e.getMessage());
            assertInstanceOf(IllegalArgumentException.class, e.getCause(), "loadWeights' own refusal");
            assertEquals(weights, m.getWeights(), "the weights as they were");
            assertEquals(0, m.optimizer().iterations(), "the optimizer untouched");
        }
        // the public entry: a reader that refuses the state is not heard when the weights do not fit
        Path file = backups.resolve("backup-epoch-1.keras");
        try (Sequential m = lstm(8, "sgd")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasImport.loadWeights(m, file,
                    (model, stored) -> { throw new IllegalStateException("the reader refuses"); }));
            assertTrue(e.getMessage().contains("expected shape (5, 32), the file has (5, 64)"), e.getMessage());
        }
        // and when they fit, its refusal is the IOException naming the file, no weight set
        try (Sequential m = lstm(16, "adam")) {
            List<Tensor> weights = m.getWeights();
            IOException e = assertThrows(IOException.class, () -> KerasImport.loadWeights(m, file,
                    (model, stored) -> { throw new IllegalStateException("the reader refuses"); }));
            assertEquals(file + ": the reader refuses", e.getMessage());
            assertEquals(weights, m.getWeights(), "no weight set");
        }
    }

    /**
     * A refused resume logs no warning about optimizer state it never restored: a backup of LSTM(16) with Adam into
     * LSTM(8) with Adam (the weights refused; before, "the saved optimizer state is for 1442 trainable weights, the model
     * trains 466" was logged first), and into the same model with its LSTM frozen from a backup with one flipped bit (the
     * CRC refuses it; the intact backup logs the warning once: the optimizer trains 34 of the 1442 weights now).
     */
    @Test
    void aRefusedResumeWarnsOfNoState() throws Exception {
        Path backups = backup();
        try (Sequential m = lstm(8, "adam")) {
            List<String> warned = LogCapture.warnings(LOGGER, () -> {
                IllegalStateException e = resumeFails(m, backups);
                assertTrue(e.getMessage().contains("expected shape (5, 32), the file has (5, 64)"), e.getMessage());
            });
            assertEquals(List.of(), warned);
        }
        Path file = backups.resolve("backup-epoch-1.keras");
        byte[] ok = Files.readAllBytes(file);
        long at;
        try (KerasFile kf = KerasFile.open(file)) {
            ContiguousDataset w = (ContiguousDataset) kf.hdf.getByPath("layers/dense/vars/0");
            at = kf.fileOffset(w, w.getBuffer()) + 5;
        }
        byte[] bad = ok.clone();
        bad[(int) at] ^= 0x04;
        Files.write(file, bad);
        try (Sequential m = frozenLstm()) {
            List<Tensor> weights = m.getWeights();
            List<String> warned = LogCapture.warnings(LOGGER, () -> {
                IllegalStateException e = resumeFails(m, backups);
                assertTrue(e.getMessage().contains("zip member model.weights.h5 fails its CRC-32 check"), e.getMessage());
            });
            assertEquals(List.of(), warned);
            assertEquals(weights, m.getWeights(), "nothing changed");
        }
        Files.write(file, ok);
        try (Sequential m = frozenLstm()) {
            List<String> warned = LogCapture.warnings(LOGGER, () -> m.fit(x(), Tensor.zeros(2, 2),
                    new FitOptions().epochs(2).verbose(0).callbacks(new BackupAndRestore(backups))));
            assertEquals(List.of("the saved optimizer state is for 1442 trainable weights, the model trains 34: its moments start afresh"), warned);
        }
    }

    /** {@link #lstm}(16, adam) whose LSTM does not train. */
    private static Sequential frozenLstm() {
        Sequential m = new Sequential(new LSTM(16).inputShape(4, 5).trainable(false), new Dense(2));
        m.compile("adam", "mse");
        return m;
    }

    /**
     * A state reader that refuses the optimizer variables of a member damaged in Adam's moment: the CRC's message is the
     * one thrown (the reader's refusal comes from the damage), and no weight is set; the intact file reads its three
     * Adam slots per weight (m, v and the count) and loads.
     */
    @Test
    void aStateReaderOnADamagedMemberLeavesTheCrcFirst() throws IOException {
        Path file = backup().resolve("backup-epoch-1.keras");
        boolean[] refused = {false};
        KerasImport.StateReader strict = (model, stored) -> {   // Adam's first step leaves m, v and the count small
            for (KerasOptimizerState.Var v : stored.optimizer().vars()) {
                if (!v.value().isFinite() || Math.abs(v.value().data()[0]) > 100) {
                    refused[0] = true;
                    throw new IllegalArgumentException("optimizer " + v.name() + " out of range");
                }
            }
        };
        try (Sequential m = lstm(16, "adam")) {
            KerasImport.loadWeights(m, file, strict);
        }
        byte[] b = Files.readAllBytes(file);
        long at;
        try (KerasFile kf = KerasFile.open(file)) {
            ContiguousDataset moment = (ContiguousDataset) kf.hdf.getByPath("optimizer/vars/2");
            at = kf.fileOffset(moment, moment.getBuffer()) + 3;   // the first float's high byte: its exponent
        }
        b[(int) at] ^= 0x7f;
        Path bad = Files.write(dir.resolve("bad.keras"), b);
        try (Sequential m = lstm(16, "adam")) {
            List<Tensor> weights = m.getWeights();
            IOException e = assertThrows(IOException.class, () -> KerasImport.loadWeights(m, bad, strict));
            assertTrue(e.getMessage().contains("zip member model.weights.h5 fails its CRC-32 check"), e.getMessage());
            assertTrue(refused[0], "the reader refused the damaged moment");
            assertEquals(weights, m.getWeights(), "no weight set");
        }
    }

    /** What a reader saw of a {@link KerasImport.StoredState} while it ran (its arrays are read from the open file). */
    private record Seen(Object metadata, Object trainingConfig, Integer optimizerVars, boolean firstWriter, boolean velocity) {
        static KerasImport.StateReader into(Seen[] seen) {
            return (m, s) -> seen[0] = new Seen(s.metadata(), s.trainingConfig(), s.optimizer() == null ? null : s.optimizer().vars().size(),
                    s.firstWriter(), s.array("optimizer/velocity") != null);
        }
    }

    private static Seen loaded(Path file) throws IOException {
        Seen[] seen = {null};
        KerasImport.load(file, Seen.into(seen)).close();
        return seen[0];
    }

    private static Seen loadedWeights(Path file) throws IOException {
        Seen[] seen = {null};
        try (dev.jrnn.model.Model m = dev.jrnn.model.Models.load(file)) {
            KerasImport.loadWeights(m, file, Seen.into(seen));
        }
        return seen[0];
    }

    /**
     * The record a state reader gets, by load and by loadWeights alike: the file's metadata.json (saved_by "jrnn" in a
     * jrnn file, Keras' keras_version in Keras'), its compile config (the loss in it), Keras' optimizer variables (none
     * below jrnn_state/, 18 in Keras 3.15.1's seq.keras: its Adam's count and rate and two moments for each of its 8
     * weights), the arrays below jrnn_state/ (RMSprop's velocity in the v2 and v3 files) and the first-writer verdict
     * (the v2 file of 2026-12-04/05 only). A .weights.h5 has none of them. No test read trainingConfig or firstWriter
     * before: storedState(...) could have swapped two of them unnoticed.
     */
    @Test
    void aStateReaderGetsWhatTheFileSaysAboutItself() throws Exception {
        Path v2 = Path.of(LoadWeightsStateTest.class.getResource("/dev/jrnn/model/oldjrnn/v2_rmsprop_cm.keras").toURI());
        Path v3 = Path.of(LoadWeightsStateTest.class.getResource("/dev/jrnn/model/oldjrnn/v3_rmsprop_cm.keras").toURI());
        Path keras = GeneratedKerasFilesTest.keras3Real("seq.keras");
        for (Seen s : List.of(loaded(v2), loadedWeights(v2), loaded(v3), loadedWeights(v3))) {
            assertTrue(s.metadata() instanceof java.util.Map<?, ?> md && "jrnn".equals(md.get("saved_by")), String.valueOf(s.metadata()));
            assertTrue(s.trainingConfig() instanceof java.util.Map<?, ?> tc && "mean_squared_error".equals(tc.get("loss")), String.valueOf(s.trainingConfig()));
            assertEquals(null, s.optimizerVars());
            assertTrue(s.velocity());
        }
        assertTrue(loaded(v2).firstWriter());
        assertTrue(loadedWeights(v2).firstWriter());
        assertFalse(loaded(v3).firstWriter());
        assertFalse(loadedWeights(v3).firstWriter());
        for (Seen s : List.of(loaded(keras), loadedWeights(keras))) {
            assertTrue(s.metadata() instanceof java.util.Map<?, ?> md && "3.15.1".equals(md.get("keras_version")) && !md.containsKey("saved_by"),
                    String.valueOf(s.metadata()));
            assertTrue(s.trainingConfig() instanceof java.util.Map<?, ?> tc && tc.containsKey("loss") && tc.containsKey("optimizer"),
                    String.valueOf(s.trainingConfig()));
            assertEquals(18, s.optimizerVars());
            assertFalse(s.firstWriter());
            assertFalse(s.velocity());
        }
        // kept past its reader, the record's arrays are gone with the closed file; its toString is short
        KerasImport.StoredState[] kept = {null};
        KerasImport.load(v3, (m, stored) -> kept[0] = stored).close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> kept[0].array("optimizer/velocity"));
        assertEquals("StoredState.array called after the reader returned: the file is closed", closed.getMessage());
        assertEquals("StoredState[metadata present, trainingConfig present, optimizer none, firstWriter false]", kept[0].toString());
        Path weights = dir.resolve("seq.weights.h5");
        try (dev.jrnn.model.Model m = dev.jrnn.model.Models.load(keras)) {
            m.saveWeights(weights);
            Seen[] seen = {null};
            KerasImport.loadWeights(m, weights, Seen.into(seen));
            assertEquals(new Seen(null, null, 18, false, false), seen[0]);   // the optimizer's variables, as Keras' save_weights
        }
    }
}
