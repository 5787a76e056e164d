package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.dataset.ContiguousDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a .keras zip's weights are reached: a stored model.weights.h5 is mapped and its floats read by position from the
 * file, a deflated one is read into memory; both load the same model, and a load holds one copy of the weights.
 */
class KerasFileTest {
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

    /** LSTM(3) -> Dense(2) on (4, 5) inputs, the Dense bias set to {bias, 0.25}; saved to {@code file}. */
    private Path saved(String file, float bias) throws IOException {
        Jrnn.setSeed(11);
        try (Sequential m = new Sequential(new LSTM(3).inputShape(4, 5), new Dense(2))) {
            m.layers().get(1).setWeights(List.of(m.layers().get(1).getWeights().get(0), Tensor.of(new float[] {bias, 0.25f}, 2)));
            Path p = dir.resolve(file);
            m.save(p);
            return p;
        }
    }

    private static Tensor input() {
        float[] x = new float[2 * 4 * 5];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
        return Tensor.wrap(x, 2, 4, 5);
    }

    @Test
    void storedWeightsAreReadFromWhereTheyLieInTheFile() throws IOException {
        Path f = saved("m.keras", 1234.5f);
        byte[] bytes = Files.readAllBytes(f);
        try (KerasFile kf = KerasFile.open(f)) {
            ContiguousDataset bias = (ContiguousDataset) kf.hdf.getByPath("layers/dense/vars/1");
            long at = kf.fileOffset(bias, bias.getBuffer());
            assertTrue(at > 0, "inside the zip, past its first member: " + at);
            assertEquals(1234.5f, ByteBuffer.wrap(bytes, (int) at, 8).order(ByteOrder.LITTLE_ENDIAN).getFloat());
            assertEquals(0.25f, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat((int) at + 4));
        }
    }

    @Test
    void aDeflatedWeightsMemberLoadsAsTheStoredOne() throws IOException {
        Path stored = saved("stored.keras", 0.5f);
        Path deflated = dir.resolve("deflated.keras");
        try (ZipFile in = new ZipFile(stored.toFile()); OutputStream os = Files.newOutputStream(deflated);
             ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));   // deflated, as Python's zipfile may write it
                in.getInputStream(e).transferTo(out);
                out.closeEntry();
            }
        }
        try (KerasFile kf = KerasFile.open(deflated)) {
            ContiguousDataset bias = (ContiguousDataset) kf.hdf.getByPath("layers/dense/vars/1");
            assertEquals(-1, kf.fileOffset(bias, bias.getBuffer()), "in memory: nothing to read by position");
        }
        try (Model a = Models.load(stored); Model b = Models.load(deflated)) {
            assertArrayEquals(a.predict(input()).data(), b.predict(input()).data());
            for (int i = 0; i < a.getWeights().size(); i++) assertArrayEquals(a.getWeights().get(i).data(), b.getWeights().get(i).data());
        }
    }

    @Test
    void nanOrInfInStoredWeightsIsRefused() throws IOException {
        Path f = saved("m.keras", 1234.5f);
        byte[] ok = Files.readAllBytes(f);
        int at = -1;
        for (int i = 0; i + 8 <= ok.length && at < 0; i++) {
            ByteBuffer b = ByteBuffer.wrap(ok, i, 8).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getFloat() == 1234.5f && b.getFloat() == 0.25f) at = i;
        }
        assertTrue(at > 0, "the bias in the file");
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            byte[] b = ok.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, bad);
            StoredMembers.restoreCrc(b, "model.weights.h5");   // a file written so (its CRC right): the NaN check, not the CRC's, refuses it
            Path p = Files.write(dir.resolve("bad.keras"), b);
            IOException e = assertThrows(IOException.class, () -> Models.load(p).close());
            assertTrue(e.getMessage().contains("layer 'dense") && e.getMessage().contains("weight bias holds NaN or Inf"), e.getMessage());
            assertEquals(0, be.liveBuffers(), "the half-filled model was closed");
        }
    }

    /**
     * loadWeights of a legacy .h5 whose arrays fit the model but hold a NaN says so and nothing else: the by-name advice
     * (partial loading) and the by-structure one (build the same architecture) are for arrays of other counts or shapes.
     * Before, both were appended to any failure, the NaN's included.
     */
    @Test
    void aNaNInAFittingWeightsFileGetsNoAdviceAboutItsStructure() throws IOException {
        Path p = dir.resolve("w.h5");
        Jrnn.setSeed(11);
        try (Sequential m = new Sequential(new LSTM(3).name("enc").inputShape(4, 5), new Dense(2).name("out"))) {
            m.layers().get(1).setWeights(List.of(m.layers().get(1).getWeights().get(0), Tensor.of(new float[] {1234.5f, 0.25f}, 2)));
            m.save(p);
        }
        byte[] b = Files.readAllBytes(p);
        int at = -1;
        for (int i = 0; i + 8 <= b.length && at < 0; i++) {
            ByteBuffer w = ByteBuffer.wrap(b, i, 8).order(ByteOrder.LITTLE_ENDIAN);
            if (w.getFloat() == 1234.5f && w.getFloat() == 0.25f) at = i;
        }
        assertTrue(at > 0, "the bias in the file");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, Float.NaN);
        Files.write(p, b);
        for (boolean byName : new boolean[] {false, true}) {
            try (Sequential m = new Sequential(new LSTM(3).name("enc").inputShape(4, 5), new Dense(2).name("out"))) {
                List<Tensor> before = m.getWeights();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(p, byName));
                String msg = e.getMessage();
                assertTrue(msg.contains("layer 'out' weight bias holds NaN or Inf"), msg);
                assertTrue(!msg.contains("loading by name is strict") && !msg.contains("build the same architecture"), msg);
                assertEquals(before, m.getWeights(), "a failed load changes nothing");
            }
        }
    }

    @Test
    void aLoadedModelHoldsOneCopyOfItsWeights() throws IOException {
        Path f = saved("m.keras", 0.5f);
        try (Model m = Models.load(f)) {
            // the model's store and a few floats of other state; before: values and gradients, four copies during the load
            assertTrue(be.liveFloats() < 2 * m.countParams(), "one copy of the weights: " + be.liveFloats() + " floats for "
                    + m.countParams() + " weights");
            long loaded = be.liveFloats();
            m.predict(input());
            m.compile("adam", "mse");
            m.fit(input(), Tensor.zeros(2, 2), new FitOptions().epochs(1).batchSize(2).verbose(0));
            assertTrue(be.liveFloats() >= loaded + m.countParams(), "training allocated the gradients");
        }
        assertEquals(0, be.liveBuffers());
    }

    /**
     * A name written as the JSON escape \\ud800 (valid UTF-8 text; Python's json.loads reads a lone surrogate): Keras
     * 3.15.1 loads some (an Input's, the model's) and not others ({@code hostile/keras_says_surrogates_*.txt}, from
     * {@code hostile/make_lone_surrogates.py}); jrnn refuses each, naming where it lies and saying what Keras does.
     * Before, the refusal was jrnn's own ("layer name is not valid Unicode (a lone surrogate)"), saying nothing of Keras.
     */
    @Test
    void aLoneSurrogateInTheConfigIsRefusedSayingWhatKerasDoes() throws Exception {
        Jrnn.setBackend("cpu");
        String[][] cases = {
            {"lone_surrogate_input.keras", "zip member config.json", "config.layers[0].config.name (\"x\\ud800\")"},
            {"lone_surrogate_layer.keras", "zip member config.json", "config.layers[2].config.name (\"d\\ud800\")"},
            {"lone_surrogate_model.keras", "zip member config.json", "config.name (\"m\\ud800\")"},
            {"lone_surrogate_layer.h5", "the model_config attribute", "model_config.config.layers[2].config.name (\"d\\ud800\")"},
        };
        for (String[] c : cases) {
            Path f = Path.of(KerasFileTest.class.getResource("/dev/jrnn/io/keras/hostile/" + c[0]).toURI());
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Models.load(f), c[0]);
            assertEquals(f + ": " + c[1] + " holds a string with a lone surrogate (the JSON escape \\ud800 and its kin: valid "
                    + "JSON, which Keras reads) at " + c[2] + ": refused, as jrnn's names are saved as UTF-8, which cannot hold "
                    + "one. Keras 3.15.1 loads and runs such an Input name, loads such a model name (TensorFlow then fails to "
                    + "predict), refuses such a name of a layer with weights on TensorFlow (UnicodeEncodeError; JAX loads it, then "
                    + "fails to predict) and an unknown identifier (an activation) everywhere: rename it in the file", e.getMessage());
        }
    }

    /**
     * loadWeights reads the weights only: a config's lone surrogate is no concern of it, and it loads all four files, as
     * Keras 3.15.1's load_weights and main did (the refusal ran on every open, so loadWeights and a BackupAndRestore
     * resume refused them).
     */
    @Test
    void loadWeightsIgnoresALoneSurrogateInTheConfig() throws Exception {
        for (String name : new String[] {"lone_surrogate_input.keras", "lone_surrogate_layer.keras", "lone_surrogate_model.keras",
                "lone_surrogate_layer.h5"}) {
            Path f = Path.of(KerasFileTest.class.getResource("/dev/jrnn/io/keras/hostile/" + name).toURI());
            try (Sequential m = new Sequential(new LSTM(2).inputShape(3, 2), new Dense(1))) {
                List<Tensor> before = m.getWeights();
                m.loadWeights(f);
                assertTrue(!before.equals(m.getWeights()), name + ": the weights were set");
            }
        }
    }

    /**
     * A load leaves the file neither mapped nor open once it returns (D3 of the "leaks" tester): jhdf's maps and the
     * stored member's mapping lasted until a GC, so a deleted file kept its disk space and Windows could not replace it.
     * Checked without a GC, for .keras and .h5, Models.load and loadWeights, and after the file is deleted.
     */
    @Test
    void aLoadedFileIsNeitherMappedNorOpenAfterTheLoad() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "Linux' /proc");
        for (String name : List.of("m.keras", "m.h5")) {
            Path f = saved(name, 0.5f);
            assertEquals(List.of(), held(f), name + " after save");
            Tensor expected;
            try (Model m = Models.load(f)) {
                assertEquals(List.of(), held(f), name + " after Models.load, the model open");
                expected = m.predict(input());
            }
            Jrnn.setSeed(3);
            try (Sequential m = new Sequential(new LSTM(3).inputShape(4, 5), new Dense(2))) {
                m.loadWeights(f);
                assertEquals(List.of(), held(f), name + " after loadWeights");
                assertArrayEquals(expected.data(), m.predict(input()).data(), name + ": the weights read before the unmapping");
            }
            Files.delete(f);
            assertEquals(List.of(), held(f), name + " deleted: nothing holds its disk space");
        }
    }

    /**
     * An .h5 jrnn does not map (over {@link FileMapping#limit}, 2 GiB, or on a file system that cannot map: FUSE
     * direct_io) is parsed by jhdf through reads by position: no mapping of the file while it is open, none after, and
     * the same weights as through the mapping. (Before, such a file went to jhdf's HdfFile(Path), whose maps lasted
     * until a GC.)
     */
    @Test
    void anUnmappedH5IsReadByPositionWithTheSameWeights() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "Linux' /proc");
        Path f = saved("m.h5", 0.5f);
        Tensor expected;
        try (Model m = Models.load(f)) {
            expected = m.predict(input());
        }
        long limit = FileMapping.limit;
        FileMapping.limit = 0;
        try {
            try (KerasFile kf = KerasFile.open(f)) {
                assertEquals(List.of(), mapped(f), "open, read by position");
                assertTrue(kf.hdf.getChild("model_weights") != null, "parsed");
            }
            try (Model m = Models.load(f)) {
                assertEquals(List.of(), held(f), "after Models.load, the model open");
                assertArrayEquals(expected.data(), m.predict(input()).data());
            }
        } finally {
            FileMapping.limit = limit;
        }
    }

    /**
     * A StoredState kept past the reader says the file is closed; it does not call the file damaged (an array below
     * jrnn_state/: a trained Nadam's in a .keras, a never-trained Adam's in an .h5).
     */
    @Test
    void aStoredStateReadAfterTheLoadSaysTheFileIsClosed() throws IOException {
        Jrnn.setSeed(5);
        for (String name : List.of("n.keras", "n.h5")) {
            Path f = dir.resolve(name);
            try (Sequential m = new Sequential(new LSTM(3).inputShape(4, 5), new Dense(2))) {
                m.compile(new dev.jrnn.optim.Nadam(0.01), "mse");
                if (name.endsWith(".keras")) m.trainOnBatch(input(), Tensor.wrap(new float[4], 2, 2));
                else m.compile(new dev.jrnn.optim.Adam(0.01), "mse");
                m.save(f);
            }
            KerasImport.StoredState[] kept = new KerasImport.StoredState[1];
            String[] slot = new String[1];
            try (Sequential m = new Sequential(new LSTM(3).inputShape(4, 5), new Dense(2))) {
                m.compile(name.endsWith(".keras") ? new dev.jrnn.optim.Nadam(0.01) : new dev.jrnn.optim.Adam(0.01), "mse");
                KerasImport.loadWeights(m, f, (mm, s) -> {
                    kept[0] = s;
                    for (String p : List.of("optimizer/m", "optimizer_weights/adam/learning_rate")) if (slot[0] == null && s.array(p) != null) slot[0] = p;
                });
            }
            assertTrue(slot[0] != null, name + ": an array below jrnn_state/ read during the load " + kept[0]);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept[0].array(slot[0]), name);
            assertEquals("StoredState.array called after the reader returned: the file is closed", e.getMessage());
        }
    }

    @Test
    void aFileMappingClosesOnceAndKeepsTheFirstFailure() throws IOException {
        Path f = saved("m.h5", 0.5f);
        FileMapping m = FileMapping.map(f, 0, Files.size(f));
        m.close();
        m.close();   // as a channel's second close: nothing
        FileMapping.closeAfter(m, new IOException("first"));   // nothing either: already closed
        assertThrows(IllegalStateException.class, () -> m.bytes.get(0));
    }

    /** Lines of /proc/self/maps that name {@code file}. */
    private static List<String> mapped(Path file) throws IOException {
        String name = file.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(name)).toList();
    }

    /** Lines of /proc/self/maps and links of /proc/self/fd that name {@code file} (a deleted one's too). */
    private static List<String> held(Path file) throws IOException {
        String name = file.toAbsolutePath().toString();
        List<String> r = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) if (line.contains(name)) r.add(line);
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.equals(name) || target.equals(name + " (deleted)")) r.add(fd + " -> " + target);
                } catch (IOException gone) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        return r;
    }
}
