package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Identity;
import dev.jrnn.model.BackupAndRestore;
import dev.jrnn.model.CSVLogger;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.ModelCheckpoint;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.model.TensorBoard;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A save into a directory that does not exist, as Keras 3.15.1 (JAX) does it: {@code model.save("no/dir/m.keras")} and
 * {@code save_weights("no/dir/w.weights.h5")} raise FileNotFoundError and make nothing, as np.save does; the legacy
 * {@code model.save("no/dir/m.h5")} makes the directories (legacy_h5_format.save_model_to_hdf5), and so do
 * ModelCheckpoint (its file's directory) and BackupAndRestore (its backup directory, removed again at the end); CSVLogger
 * does not (Python's open). Printed by:
 * <pre>
 * m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]); m.compile("sgd", "mse")
 * m.save("/tmp/kno/such/dir/m.keras")            # FileNotFoundError; /tmp/kno exists: False
 * m.save("/tmp/kno/such/dir/m.h5")               # saved; the directories exist
 * m.save_weights("/tmp/kno/such/dir/w.weights.h5")   # (in a fresh /tmp/kno) FileNotFoundError; not made
 * m.fit(x, y, callbacks=[ModelCheckpoint("/tmp/kno/ck/m.keras")])   # made: ['ck', 'ck/m.keras']
 * m.fit(x, y, callbacks=[BackupAndRestore("/tmp/kno/backup")])      # made: [] (made, then deleted at the end)
 * m.fit(x, y, callbacks=[CSVLogger("/tmp/kno/csv/log.csv")])        # FileNotFoundError
 * np.save("/tmp/kno/x/a.npy", np.zeros(2))                          # FileNotFoundError
 * </pre>
 */
class MissingDirectoryTest {
    @TempDir
    Path tmp;

    static final Tensor X = Tensor.full(0.5f, 4, 3), Y = Tensor.full(0.1f, 4, 2);

    private static Sequential model() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.compile("sgd", "mse");
        return m;
    }

    /** A NoSuchFileException naming the missing directory and the file, and nothing made below {@code top}. */
    private static void missing(Executable save, Path top, Path file, String who) {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, save, file.toString());
        assertTrue(e.getMessage().startsWith(file.getParent() + ": " + (who == null ? "" : who + "(" + file + "): ")
                + "no such directory to write " + file.getFileName() + " in"), e.getMessage());
        assertFalse(Files.exists(top), "nothing made: " + top);
    }

    @Test
    void aSaveOrAWeightsSaveIntoAMissingDirectoryMakesNothing() {
        Path top = tmp.resolve("kno");
        Path dir = top.resolve("such").resolve("dir");
        try (Sequential m = model()) {
            Path keras = dir.resolve("m.keras");
            missing(() -> m.save(keras), top, keras, m.name() + ".save");
            for (String n : new String[] {"w.weights.h5", "w.h5", "w.safetensors"}) {
                Path w = dir.resolve(n);
                missing(() -> m.saveWeights(w), top, w, m.name() + ".saveWeights");
            }
            Path npy = top.resolve("x").resolve("a.npy");
            missing(() -> Npy.write(npy, Tensor.zeros(2)), top, npy, "Npy.write");   // named as the model saves are
        }
    }

    @Test
    void aLegacyH5SaveMakesItsDirectoriesAsKeras3Does() throws IOException {
        Path dir = tmp.resolve("kno").resolve("such").resolve("dir");
        try (Sequential m = model()) {
            for (String n : new String[] {"m.h5", "m.hdf5"}) {
                m.save(dir.resolve(n));
                Models.load(dir.resolve(n)).close();
            }
        }
        // a model the layout cannot hold is refused before any directory is made
        Path other = tmp.resolve("other").resolve("m.h5");
        try (Sequential m = new Sequential(new Dense(2).inputShape(3), new Identity().name("same"))) {
            assertThrows(IllegalArgumentException.class, () -> m.save(other));
        }
        assertFalse(Files.exists(other.getParent()));
    }

    @Test
    void callbacksMakeTheirDirectoriesAsKerasOnesDo() throws IOException {
        try (Sequential m = model()) {
            Path ck = tmp.resolve("ck").resolve("m-{epoch}.keras"), w = tmp.resolve("ckw").resolve("w.weights.h5");
            Path backup = tmp.resolve("deep").resolve("backup"), logs = tmp.resolve("tb").resolve("run1");
            m.fit(X, Y, new FitOptions().epochs(2).verbose(0).callbacks(new ModelCheckpoint(ck.toString()),
                    new ModelCheckpoint(w.toString()).saveWeightsOnly(true), new BackupAndRestore(backup), new TensorBoard(logs)));
            assertTrue(Files.isRegularFile(tmp.resolve("ck").resolve("m-2.keras")));
            assertTrue(Files.isRegularFile(w));
            assertFalse(Files.exists(backup), "made, then deleted with its backups as fit ended");
            assertTrue(Files.isDirectory(logs));
            // CSVLogger writes with Python's open(), which makes no directory
            Path csv = tmp.resolve("csv").resolve("log.csv");
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(1).verbose(0).callbacks(new CSVLogger(csv))));
            assertInstanceOf(NoSuchFileException.class, e.getCause());
            assertFalse(Files.exists(csv.getParent()));
        }
    }
}
