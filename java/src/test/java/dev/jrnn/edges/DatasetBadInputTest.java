package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Batch;
import dev.jrnn.data.DataException;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.data.Npz;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad data files for dev.jrnn.data: each fails with an IOException naming the file and the problem. */
class DatasetBadInputTest {
    @TempDir Path dir;

    private Path good(String name, int n) throws IOException {
        Path p = dir.resolve(name);
        float[] d = new float[n * 4];
        for (int i = 0; i < d.length; i++) d[i] = i;
        Npy.write(p, Tensor.of(d, n, 2, 2));
        return p;
    }

    private static void fails(Executable e, String... words) {
        Throwable t = assertThrows(Throwable.class, e);
        assertTrue(t instanceof IOException || t instanceof UncheckedIOException, "an IOException, got " + t);
        for (String w : words) assertTrue(t.getMessage().contains(w), "'" + w + "' in: " + t.getMessage());
    }

    /** A .npy with the given header dict and {@code dataBytes} zero bytes of data. */
    private Path withDict(String name, String dict, int dataBytes) throws IOException {
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + d.length + 1 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (d.length + 1)).put(d).put((byte) '\n');
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void truncatedHeader() throws IOException {
        Path p = good("t.npy", 3);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, 40));
        fails(() -> Dataset.fromNpy(p, null), "t.npy", "truncated .npy header");
        Files.write(p, Arrays.copyOf(all, 7));
        fails(() -> Dataset.fromNpy(p, null), "t.npy", "not a .npy file");
    }

    @Test
    void truncatedData() throws IOException {
        Path p = good("d.npy", 3);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length - 4));
        fails(() -> Dataset.fromNpy(p, null), "d.npy", "truncated", "needs 48 data bytes, found 44");
    }

    @Test
    void corruptHeaders() throws IOException {
        fails(() -> Dataset.fromNpy(withDict("a.npy", "{'descr': '<f4', 'fortran_order': False}", 0), null), "a.npy", "no valid 'shape'");
        fails(() -> Dataset.fromNpy(withDict("b.npy", "not a dict", 0), null), "b.npy", "not a dict");
        fails(() -> Dataset.fromNpy(withDict("c.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 0), null),
                "c.npy", "'x' is not an integer");
        Path p = good("m.npy", 2);
        byte[] all = Files.readAllBytes(p);
        all[1] = 'X';
        Files.write(p, all);
        fails(() -> Dataset.fromNpy(p, null), "m.npy", "magic");
        all[1] = 'N';
        all[6] = 9;
        Files.write(p, all);
        fails(() -> Dataset.fromNpy(p, null), "m.npy", "version 9");
    }

    @Test
    void unsupportedDtypes() throws IOException {
        fails(() -> Dataset.fromNpy(withDict("u.npy", "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", 24), null),
                "u.npy", "unsupported dtype '<U3'");
        fails(() -> Dataset.fromNpy(withDict("s.npy", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8), null),
                "s.npy", "structured");
        fails(() -> Dataset.fromNpy(withDict("o.npy", "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16), null),
                "o.npy", "unsupported dtype");
    }

    @Test
    void integersAndFloat64ConvertOnlyWhenAsked() throws IOException {
        Path p = withDict("i.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1), }", 16);
        Dataset ds = Dataset.fromNpy(p, null).batch(2);
        fails(() -> ds.epoch(0), "i.npy", "INT64", "asFloat32");
        try (BatchStream s = ds.asFloat32().epoch(0); Batch b = s.next()) {
            assertArrayEquals(new float[] {0, 0}, b.input(0).toArray());
        }
    }

    @Test
    void differentSampleCounts() throws IOException {
        Path x = good("x.npy", 5), y = good("y.npy", 4);
        fails(() -> Dataset.fromNpy(x, y), "x.npy", "y.npy", "has 5", "has 4");
    }

    /** A path of a jar's file system, which cannot be memory-mapped: refused before anything is read, naming the argument. */
    @Test
    void aJarPathIsRefusedNamingTheArgument() throws IOException {
        Path x = good("x.npy", 3), jar = dir.resolve("d.jar");
        try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(java.net.URI.create("jar:" + jar.toUri()),
                java.util.Map.of("create", "true"))) {
            Path in = Files.copy(x, fs.getPath("/x.npy"));
            for (var c : List.<Executable>of(() -> Dataset.fromShards(fs.getPath("/"), List.of("x"), List.of()),
                    () -> Dataset.fromRaggedNpy(in, x, null), () -> Dataset.fromNpy(x, x, in))) {
                String m = assertThrows(IllegalArgumentException.class, c).getMessage();
                assertTrue(m.matches("Dataset\\.from\\w+: (dir|values|sampleWeight) \\(/(x\\.npy)?\\) lies on a 'jar' file system .*"
                        + "copy it to a file of the default file system first.*"), m);
            }
        }
    }

    @Test
    void compressedNpzAndBadZip() throws IOException {
        Path p = dir.resolve("junk.npz");
        Files.write(p, new byte[100]);
        fails(() -> Dataset.fromNpz(p, List.of("x"), List.of()), "junk.npz", "not a zip");
        fails(() -> Npz.headers(p), "junk.npz");
    }

    @Test
    void badRaggedOffsets() throws IOException {
        Path v = good("v.npy", 6);
        Path o = dir.resolve("o.npy");
        Npy.write(o, Tensor.of(new float[] {0, 2, 6}, 3));
        fails(() -> Dataset.fromRaggedNpy(v, o, null), "o.npy", "1-d integer");
        Path oi = withDict("oi.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", 0);
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(4).putLong(3);
        Files.write(oi, b.array(), StandardOpenOption.APPEND);
        fails(() -> Dataset.fromRaggedNpy(v, oi, null), "oi.npy", "offsets decrease at index 2");
    }

    @Test
    void fileChangedBetweenEpochs() throws IOException {
        Path x = good("x.npy", 6);
        Dataset ds = Dataset.fromNpy(x, null).batch(3);
        try (BatchStream s = ds.epoch(0)) {
            while (s.hasNext()) s.next().close();
        }
        Files.setLastModifiedTime(x, FileTime.fromMillis(Files.getLastModifiedTime(x).toMillis() + 5000));
        fails(() -> ds.epoch(1), "x.npy", "the file changed or was truncated while being read: expected the file as opened (");
    }

    @Test
    void fileTruncatedWhileMapped() throws IOException {
        Path x = good("x.npy", 4096);   // 64 KiB of data: pages past the cut fault
        Dataset ds = Dataset.fromNpy(x, null).batch(1024).prefetch(1);
        try (BatchStream s = ds.epoch(0)) {
            try (FileChannel ch = FileChannel.open(x, StandardOpenOption.WRITE)) {
                ch.truncate(4096);
            }
            Throwable t = assertThrows(UncheckedIOException.class, () -> {
                while (s.hasNext()) s.next().close();
            });
            assertTrue(t.getMessage().contains("x.npy") && t.getMessage().contains("truncated"), t.getMessage());
        }
    }

    // ---- the same failures reaching Model.fit / evaluate / predict: clear errors, the model and files as they were ----

    /** Samples of shape (2, 2) as {@link #good} writes them, to one Dense output per step. */
    private static Sequential model() {
        Jrnn.setSeed(9);
        Sequential m = new Sequential(new LSTM(3).inputShape(2, 2), new Dense(1));
        m.compile("adam", "mse");
        return m;
    }

    private Path targets(String name, int n) throws IOException {
        Path p = dir.resolve(name);
        Npy.write(p, Tensor.zeros(n, 1));
        return p;
    }

    private static void unchanged(Model m, List<Tensor> before) {
        List<Tensor> now = m.getWeights();
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), now.get(i).data(), "weight " + i);
    }

    @Test
    void fitOnBadFilesChangesNothing() throws IOException {
        Sequential m = model();
        List<Tensor> w = m.getWeights();
        FitOptions quiet = new FitOptions().verbose(0);
        Path x3 = dir.resolve("x3.npy");
        Npy.write(x3, Tensor.zeros(4, 2, 3));   // three features, the model takes two
        Throwable t = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromNpy(x3, targets("y.npy", 4)).batch(2), quiet));
        assertTrue(t.getMessage().contains("(2, 2, 3)") && t.getMessage().contains("x3.npy sample 0"), t.getMessage());
        t = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromNpy(good("x.npy", 4), null).batch(2), quiet));
        assertTrue(t.getMessage().contains("0 target(s)"), t.getMessage());
        Path i8 = withDict("i.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2, 2), }", 64);
        fails(() -> m.fit(Dataset.fromNpy(i8, targets("y2.npy", 2)), quiet), "i.npy", "asFloat32");
        t = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromNpy(good("x4.npy", 4), targets("y4.npy", 4)),
                new FitOptions().lengths(1, 2, 1, 2)));
        assertTrue(t.getMessage().contains("lengths"), t.getMessage());
        unchanged(m, w);
        assertEquals(0, m.optimizer().iterations());
    }

    @Test
    void aFileChangedDuringFitStopsItAtTheNextEpoch() throws IOException {
        Path x = good("x.npy", 6), y = targets("y.npy", 6);
        Sequential m = model(), oneEpoch = model();
        oneEpoch.fit(Dataset.fromNpy(x, y).batch(3), new FitOptions().verbose(0));
        FitOptions o = new FitOptions().verbose(0).epochs(3).onEpochEnd((epoch, logs) -> {
            try {
                Files.setLastModifiedTime(x, FileTime.fromMillis(Files.getLastModifiedTime(x).toMillis() + 5000));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Dataset ds = Dataset.fromNpy(x, y).batch(3);
        fails(() -> m.fit(ds, o), "x.npy", "the file changed or was truncated while being read: expected the file as opened (");
        unchanged(m, oneEpoch.getWeights());
    }

    @Test
    void aFileTruncatedInTheMiddleOfAnEpochStopsFitAfterWholeSteps() throws IOException {
        Path x = good("x.npy", 4096), y = targets("y.npy", 4096);   // 64 KiB of samples, 16 batches of 256
        Sequential m = model();
        FitOptions o = new FitOptions().verbose(0).shuffle(false).callbacks(new dev.jrnn.model.Callback() {
            @Override
            public void onBatchEnd(int batch, dev.jrnn.model.BatchLogs logs, Model model) {
                if (batch != 0) return;
                try (FileChannel ch = FileChannel.open(x, StandardOpenOption.WRITE)) {
                    ch.truncate(4096);   // the header and 250 samples are left
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        fails(() -> m.fit(Dataset.fromNpy(x, y).batch(256).prefetch(1), o), "x.npy", "truncated");
        // every step either ran whole or not at all: the weights are those of the steps that ran, on their batches
        long steps = m.optimizer().iterations();
        assertTrue(steps >= 1 && steps < 16, steps + " steps");
        Tensor all = Tensor.of(new float[4096 * 4], 4096, 2, 2);
        for (int i = 0; i < all.size(); i++) all.data()[i] = i;
        Sequential ref = model();
        ref.fit(all.slice(0, (int) steps * 256), Tensor.zeros((int) steps * 256, 1), new FitOptions().verbose(0).shuffle(false).batchSize(256));
        unchanged(m, ref.getWeights());
    }

    @Test
    void predictToAFileFromABadDatasetLeavesTheOldFile() throws IOException {
        Sequential m = model();
        Path out = dir.resolve("p.npy");
        Npy.write(out, Tensor.zeros(1, 1));
        byte[] before = Files.readAllBytes(out);
        Tensor x = Tensor.zeros(6, 2, 2);
        x.data()[5 * 4] = Float.POSITIVE_INFINITY;   // sample 5, in the last batch
        Npy.write(dir.resolve("inf.npy"), x);
        // predict passes NaN and Inf through as Keras; a Dataset's own checkFinite still fails its batch
        Throwable t = assertThrows(DataException.class, () -> m.predict(Dataset.fromNpy(dir.resolve("inf.npy"), null).checkFinite(true).batch(2), out));
        assertTrue(t.getMessage().contains("inf.npy sample 5"), t.getMessage());
        assertArrayEquals(before, Files.readAllBytes(out));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList());
        }
        Throwable n = assertThrows(IllegalArgumentException.class, () -> m.predict(Dataset.fromNpy(good("g.npy", 2), null), out, out));
        assertTrue(n.getMessage().contains("one .npy path per output (1)"), n.getMessage());
    }

    /** A FIFO (or a directory) in place of a data or model file is refused by name before it is opened, not read forever. */
    @Test
    void aFifoOrADirectoryIsRefusedBeforeOpening(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("pipe.npy");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            for (Path p : List.of(fifo, dir)) {
                for (Executable read : List.<Executable>of(() -> Npy.read(p), () -> Npy.header(p), () -> Npz.headers(p),
                        () -> Dataset.fromNpy(p, null), () -> Dataset.fromNpz(p, List.of("x"), List.of()),
                        () -> dev.jrnn.model.Models.load(p))) {
                    IOException e = assertThrows(IOException.class, read);
                    assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains(p == dir ? "is a directory"
                            : "not a regular file"), e.getMessage());
                }
            }
        });
    }
}
