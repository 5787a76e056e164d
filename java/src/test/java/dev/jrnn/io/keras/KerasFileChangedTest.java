package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.io.FileFaults;
import dev.jrnn.io.FileFaultsSeam;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Nadam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Keras file truncated while a load reads it (a deploy step that overwrites the file in place, as {@code cp} does): the
 * load ends in an IOException naming the file and saying it changed, never the JVM's InternalError of a mapped page that
 * is gone (which {@code catch (IOException | RuntimeException e)} misses) nor a claim that the file is damaged. The cut
 * comes deterministically between the mapping and a read: a state reader truncates the file and then reads the state
 * {@link Model#save} keeps below {@code jrnn_state/} (a Nadam model's moments), not read before.
 */
class KerasFileChangedTest {
    @TempDir
    Path tmp;

    /** A model whose file holds state below jrnn_state/ that only the state reader reads. */
    private static Sequential model() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();   // the layer names, which the .h5's state paths hold: lstm, dense
        Jrnn.setSeed(4);
        Sequential m = new Sequential(new LSTM(6).inputShape(5, 3), new Dense(2));
        m.compile(new Nadam(0.01f), "mse");
        m.trainOnBatch(Tensor.full(0.5f, 4, 5, 3), Tensor.full(0.2f, 4, 2));
        return m;
    }

    /** {@link #model()} saved as {@code name} in the test's folder. */
    private Path saved(String name) throws IOException {
        Path file = tmp.resolve(name);
        try (Sequential m = model()) {
            m.save(file);
        }
        return file;
    }

    private static void truncate(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Loads {@code file}, cutting it to nothing once mapped and then reading {@code path} below jrnn_state/. */
    private static IOException loadCut(Path file, String path) {
        return assertThrows(IOException.class, () -> KerasImport.load(file, (m, stored) -> {
            truncate(file);
            stored.array(path);
        }));
    }

    /**
     * The read that faulted is read again (the file changed under it): the file, empty now, is refused for what it is,
     * naming it; never the JVM's InternalError of the mapped page, which escaped before.
     */
    private static void saysChanged(IOException e, Path file) {
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("the file changed or was truncated while being read")
                || e.getMessage().contains("(empty file)"), e.getMessage());
    }

    @Test
    void kerasZipTruncatedUnderItsMappingIsAnIOException() throws IOException {
        Path file = saved("m.keras");
        // the stored model.weights.h5 is parsed from a mapping of the file: a page past the cut faults (InternalError before)
        IOException e = loadCut(file, "optimizer/m");
        saysChanged(e, file);
    }

    @Test
    void h5TruncatedWhileReadIsAnIOExceptionSayingSo() throws IOException {
        Path file = saved("m.h5");
        // jhdf maps each piece of an .h5 as it reads it: past the cut it cannot (before: "not a readable Keras file")
        IOException e = loadCut(file, "optimizer_weights/nadam/lstm_lstm_cell_kernel_momentum");
        saysChanged(e, file);
    }

    @Test
    void aLoadThatSucceedsWhileTheFileIsWrittenInPlaceIsRefused() throws IOException {
        Path file = saved("m.keras");
        Model[] loaded = new Model[1];
        // a writer appends while the load reads (the bytes read may be a mix of two versions): refused, the model closed
        IOException e = assertThrows(IOException.class, () -> KerasImport.load(file, (m, stored) -> {
            loaded[0] = m;
            try {
                Files.write(file, new byte[] {1}, StandardOpenOption.APPEND);
            } catch (IOException x) {
                throw new AssertionError(x);
            }
        }));
        saysChanged(e, file);
        assertThrows(IllegalStateException.class, () -> loaded[0].predict(Tensor.full(0.3f, 2, 5, 3)), "closed");
    }

    @Test
    void theSameFileLoadsWhenLeftAlone() throws IOException {
        Path file = tmp.resolve("m.keras");
        float[] before;
        try (Sequential m = model()) {
            m.save(file);
            before = m.predict(Tensor.full(0.3f, 2, 5, 3)).data();
        }
        try (Model back = Models.load(file)) {
            assertArrayEquals(before, back.predict(Tensor.full(0.3f, 2, 5, 3)).data());
        }
    }

    /**
     * A load read again because the file was written under its first read warns once, from the read that gave the model
     * (each try of FileFaults.read repeated the load's warnings: here lora_rank's twice).
     */
    @Test
    void aLoadReadAgainWarnsOnce() throws Exception {
        Path saved = tmp.resolve("m.keras"), f = tmp.resolve("lora.keras"), next = tmp.resolve("next.keras");
        try (Sequential m = model()) {
            m.save(saved);
        }
        KerasFixtures.withConfig(saved, f, t -> t.replace("\"units\": 2", "\"units\": 2, \"lora_rank\": 2"));
        Files.copy(f, next);
        int[] reads = {0};
        java.util.List<String> warnings = dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), () -> {
            try (Model m = KerasImport.load(f, (built, stored) -> {
                if (reads[0]++ > 0) return;
                try {   // written in place (the same bytes): a rename would leave the load's open file whole, not read again
                    Files.write(f, Files.readAllBytes(next));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })) {
                assertTrue(m.layers().size() >= 2);
            }
        });
        assertEquals(2, reads[0], "read again after the replace");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("lora_rank"), warnings.get(0));
    }

    /**
     * A save that renames a new file over the path while a load reads it (a service's hot reload beside its save loop):
     * the load reads the file it opened, whole, and gives the old model, as the GUIDE says. The rename comes
     * deterministically mid-load, before the state reader reads the optimizer's moments from the file and before the
     * CRC check reads the rest of it. Before, the load was read again (the path's identity had moved) and gave the new
     * model, or, when saves kept coming, was refused as "changed while being read"; and the zip reader opened the path
     * more than once per load, so one load could read two versions.
     */
    @Test
    void aLoadDuringASaveThatRenamesOverThePathGivesTheOldModel() throws IOException {
        Path file = tmp.resolve("live.keras");
        float[][] oldMoment = {null};
        try (Sequential a = model()) {
            a.save(file);
        }
        KerasImport.load(file, (m, stored) -> oldMoment[0] = stored.array("optimizer/m").data()).close();
        assertArrayEquals(oldMoment[0], saveDuringLoad(file, true), "the state read after the rename is the old file's");
    }

    /**
     * As {@link #aLoadDuringASaveThatRenamesOverThePathGivesTheOldModel}, for a Keras 2 {@code .h5}: mapped through the
     * file the load holds open, the load reads one version and gives the old model, read once (the rename comes once
     * the file is parsed, before the reader returns). Before, jhdf and the header opened the path themselves, and the
     * load was read again and gave the new model.
     */
    @Test
    void anH5LoadDuringASaveThatRenamesOverThePathGivesTheOldModel() throws IOException {
        Path file = tmp.resolve("live.h5");
        try (Sequential a = model()) {
            a.save(file);
        }
        saveDuringLoad(file, false);
    }

    /**
     * Loads {@code file} (holding {@link #model()}) while another model's save renames a new file over the path from
     * inside the load: the load reads once and gives the old model, the next load the new one. Returns the optimizer
     * moment the load read after the rename where {@code moment}, else null.
     */
    private float[] saveDuringLoad(Path file, boolean moment) throws IOException {
        Tensor x = Tensor.full(0.3f, 2, 5, 3);
        float[] old;
        try (Model before = Models.load(file)) {
            old = before.predict(x).data();
        }
        int[] reads = {0};
        float[][] seen = {null};
        try (Sequential b = seeded(12)) {
            b.compile(new Nadam(0.5f), "mse");
            b.trainOnBatch(Tensor.full(0.1f, 4, 5, 3), Tensor.full(0.9f, 4, 2));
            assertTrue(!java.util.Arrays.equals(old, b.predict(x).data()), "two different models");
            try (Model back = KerasImport.load(file, (m, stored) -> {
                reads[0]++;
                try {
                    b.save(file);   // jrnn's save: a temporary file renamed over the path
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (moment) seen[0] = stored.array("optimizer/m").data();
            })) {
                assertEquals(1, reads[0], "read once: the rename left the opened file whole");
                assertArrayEquals(old, back.predict(x).data(), "the old model");
            }
            try (Model now = Models.load(file)) {
                assertArrayEquals(b.predict(x).data(), now.predict(x).data(), "the next load gives the new one");
            }
        }
        return seen[0];
    }

    /** A Sequential of {@link #model()}'s layers, uncompiled, its weights from {@code seed}. */
    private static Sequential seeded(long seed) {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(seed);
        return new Sequential(new LSTM(6).inputShape(5, 3), new Dense(2));
    }

    /**
     * loadWeights of a file written in place under its first read (a rename over the path now leaves the opened file
     * whole: no read again) reads it again and sets the new file's weights, a .keras and a Keras 2 layout .h5 alike.
     * Before, the arrays of each try were appended to one list: the model got the first (old) file's weights, and an
     * .h5's Keras 2 reordering ran past its layers (IndexOutOfBoundsException).
     */
    @Test
    void loadWeightsOfAFileReplacedUnderItsReadSetsTheNewFilesWeights() throws IOException {
        for (String name : new String[] {"w.keras", "w.h5"}) replacedDuringLoadWeights(name, false);
    }

    /**
     * loadWeights of a .keras or .h5 during which a save renames another file over the path: it reads the file it
     * opened, once, and sets the old file's weights. Before, loadWeights read the path again and set the new file's.
     */
    @Test
    void loadWeightsDuringARenameOverThePathSetsTheOpenedFilesWeights() throws IOException {
        for (String name : new String[] {"r.keras", "r.h5"}) replacedDuringLoadWeights(name, true);
    }

    /**
     * loadWeights of {@code name} (a model seeded 11) into a third model while its state reader, on the first read, puts
     * another model's file (seeded 12) at the path: written in place (the file the load holds changes: read again, the new
     * weights) or renamed over it (the load keeps the file it opened: read once, the old weights).
     */
    private void replacedDuringLoadWeights(String name, boolean rename) throws IOException {
        Path f = tmp.resolve(name), next = tmp.resolve("next_" + name);
        Tensor x = Tensor.full(0.3f, 2, 5, 3);
        float[] old, now;
        try (Sequential a = seeded(11); Sequential b = seeded(12)) {
            a.save(f);
            b.save(next);
            old = a.predict(x).data();
            now = b.predict(x).data();
        }
        assertTrue(!java.util.Arrays.equals(old, now), "two different models");
        int[] reads = {0};
        try (Sequential target = seeded(13)) {
            KerasImport.loadWeights(target, f, (m, stored) -> {
                if (reads[0]++ > 0) return;
                try {
                    if (rename) Files.move(next, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    else Files.write(f, Files.readAllBytes(next));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals(rename ? 1 : 2, reads[0], name + (rename ? ": read once" : ": read again after the replace"));
            assertArrayEquals(rename ? old : now, target.predict(x).data(), name + (rename ? ": the opened file's weights" : ": the new file's weights"));
        }
    }

    /**
     * Model.loadWeights while a save loop renames a .keras and a .safetensors of the same model over the path in turn:
     * the format check and the read go through one open, so each load sets the weights of one file or is refused as
     * changed while read, never a format error from handing one reader the other's file. Before, the format check opened
     * the path on its own and a rename between it and the read gave "not a safetensors file" or a zip reader's error.
     */
    @Test
    void loadWeightsBesideASaveLoopSwitchingFormatsReadsOneFile() throws Exception {
        Path f = tmp.resolve("w.bin"), k = tmp.resolve("w.keras"), st = tmp.resolve("w.safetensors");
        try (Sequential a = seeded(11)) {
            a.save(k);
            a.saveWeights(st);
        }
        Files.copy(k, f);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> died = new java.util.concurrent.atomic.AtomicReference<>();
        int[] renames = {0};
        Thread saves = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    Path t = tmp.resolve("t" + (i % 2));
                    Files.copy(i % 2 == 0 ? st : k, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.move(t, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    renames[0]++;
                }
            } catch (Throwable e) {
                died.set(e);
            }
        });
        java.util.List<String> wrong = new java.util.ArrayList<>();
        int loaded = 0;
        saves.start();
        try (Sequential target = seeded(13)) {
            for (int n = 0; n < 300; n++) {
                try {
                    target.loadWeights(f);
                    loaded++;
                } catch (IOException | RuntimeException e) {
                    if (!String.valueOf(e.getMessage()).contains("changed or was truncated while being read")) wrong.add(e.toString());
                }
            }
        } finally {
            stop.set(true);
            saves.join();
        }
        assertEquals(null, died.get(), "the save loop");
        assertTrue(renames[0] > 0, "no rename");
        assertTrue(wrong.isEmpty(), wrong.size() + " of 300 loads failed otherwise: " + wrong.subList(0, Math.min(3, wrong.size())));
        assertTrue(loaded > 0, "no load completed");
    }

    /**
     * loadWeights of a .keras over which a .safetensors of other weights is renamed right after the read's first open
     * sets the .keras file's weights: the format check and the read go through that one open. Before, the check's read
     * ended there and the load opened the path again: it set the renamed file's weights.
     */
    @Test
    void loadWeightsOfAFileRenamedOverAfterTheOpenReadsTheOpenedOne() throws Exception {
        Path f = tmp.resolve("r.keras"), st = tmp.resolve("r.safetensors");
        float[] expected;
        Tensor x = Tensor.full(0.3f, 2, 5, 3);
        try (Sequential a = seeded(11); Sequential b = seeded(17)) {
            a.save(f);
            expected = a.predict(x).data();
            b.saveWeights(st);
        }
        try (Sequential target = seeded(13)) {
            FileFaultsSeam.at("opened", () -> FileFaultsSeam.rename(st, f), () -> {
                target.loadWeights(f);
                return null;
            });
            assertArrayEquals(expected, target.predict(x).data());
        }
        assertFalse(Files.exists(st), "renamed over the path");
    }
}
