package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' CSVLogger: the file it writes, byte for byte as Python's csv module writes it. */
class CSVLoggerTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @TempDir
    Path dir;

    private static final Tensor X = Tensor.of(new float[] {1, 2, -1, 0.5f, 0, 1, 2, -2, 1, 1}, 5, 2);
    private static final Tensor Y = Tensor.of(new float[] {1, 0, 0.5f, -1, 0.25f}, 5, 1);

    private static Sequential model(String... metrics) {
        Jrnn.setSeed(4);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile(new SGD(0.1), "mse", (Object[]) metrics);
        return m;
    }

    private static FitOptions options(int epochs, Callback... cbs) {
        return new FitOptions().epochs(epochs).batchSize(2).verbose(0).shuffle(false).callbacks(cbs);
    }

    private static String py(double v) { return PythonFloat.repr(v); }

    private String read(Path f) throws IOException { return Files.readString(f, StandardCharsets.UTF_8); }

    @Test
    void writesSortedKeysAndPythonFloatsWithCrLf() throws IOException {
        Path f = dir.resolve("training.log");
        Sequential m = model("mae");
        History h = m.fit(X, Y, options(2, new CSVLogger(f)).validationSplit(0.4));
        StringBuilder want = new StringBuilder("epoch,loss,mae,val_loss,val_mae\r\n");
        for (int e = 0; e < 2; e++) {
            want.append(e).append(',').append(py(h.get("loss").get(e))).append(',').append(py(h.get("mae").get(e)))
                    .append(',').append(py(h.get("val_loss").get(e))).append(',').append(py(h.get("val_mae").get(e))).append("\r\n");
        }
        assertEquals(want.toString(), read(f));
    }

    @Test
    void withoutValidationTheValColumnsSayNA() throws IOException {
        // Keras adds val_ names for every key when the first epoch has none (validation may start later)
        Path f = dir.resolve("log.csv");
        History h = model().fit(X, Y, options(1, new CSVLogger(f)));
        assertEquals("epoch,loss,val_loss\r\n0," + py(h.get("loss").get(0)) + ",NA\r\n", read(f));
    }

    /**
     * Keras' metrics (the loss tracker too) are float32 variables, and its logs the Python floats of their float32
     * results: the file holds 1.410807490348816 where the epoch's mean in float64 is 1.4108075125. Expected values from
     * a float64 numpy replay of the two epochs (SGD 0.1, batches of 2, 2 and 1 samples, from the weights set here).
     */
    @Test
    void numbersAreTheFloat32ValuesKerasLogs() throws IOException {
        Path f = dir.resolve("log.csv");
        Sequential m = model("mae");
        m.setWeights(List.of(Tensor.of(new float[] {0.5f, -0.25f}, 2, 1), Tensor.of(new float[] {0.1f}, 1)));
        m.fit(X, Y, options(2, new CSVLogger(f)));
        double[][] replay = {{1.4108075125, 0.88745}, {0.031073852913840627, 0.16972092500000002}};   // loss, mae
        List<String> lines = List.of(read(f).split("\r\n"));
        assertEquals("epoch,loss,mae,val_loss,val_mae", lines.get(0));
        for (int e = 0; e < 2; e++) {
            String[] row = lines.get(e + 1).split(",");
            assertEquals(List.of(String.valueOf(e), "NA", "NA"), List.of(row[0], row[3], row[4]));
            for (int k = 0; k < 2; k++) {
                double v = Double.parseDouble(row[k + 1]);
                assertEquals(replay[e][k], v, 1e-6 * replay[e][k], lines.get(e + 1));
                assertEquals((double) (float) v, v, "a float32 value, as Keras logs: " + row[k + 1]);
            }
        }
    }

    @Test
    void appendAddsRowsWithoutASecondHeaderAndResumesTheEpochs() throws IOException {
        Path f = dir.resolve("log.csv");
        Sequential m = model();
        History first = m.fit(X, Y, options(2, new CSVLogger(f)));
        History second = m.fit(X, Y, options(4, new CSVLogger(f).append(true)).initialEpoch(2));
        List<String> lines = List.of(read(f).split("\r\n"));
        assertEquals(5, lines.size());
        assertEquals("epoch,loss,val_loss", lines.get(0));
        assertEquals("1," + py(first.get("loss").get(1)) + ",NA", lines.get(2));
        assertEquals("3," + py(second.get("loss").get(1)) + ",NA", lines.get(4));
        // without append the file starts afresh; appending to an empty file writes the header
        model().fit(X, Y, options(1, new CSVLogger(f)));
        assertEquals(2, read(f).split("\r\n").length);
        Files.writeString(f, "");
        model().fit(X, Y, options(1, new CSVLogger(f).append(true)));
        assertTrue(read(f).startsWith("epoch,loss,val_loss\r\n0,"), read(f));
    }

    @Test
    void separatorAndTheRateOfACallbackBeforeIt() throws IOException {
        Path f = dir.resolve("log.tsv");
        History h = model().fit(X, Y, options(1, new LearningRateScheduler((e, lr) -> lr), new CSVLogger(f).separator("\t")));
        assertEquals("epoch\tlearning_rate\tloss\tval_learning_rate\tval_loss\r\n0\t" + py((double) 0.1f) + "\t"
                + py(h.get("loss").get(0)) + "\tNA\tNA\r\n", read(f));
    }

    @Test
    void aRowIsOnDiskWhenItsEpochEnds() throws IOException {
        Path f = dir.resolve("log.csv");
        List<String> seen = new java.util.ArrayList<>();
        Callback reader = Callback.onEpochEnd((e, l) -> {
            try {
                seen.add(read(f));
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        model().fit(X, Y, options(2, new CSVLogger(f), reader));
        assertEquals(2, seen.get(0).split("\r\n").length);
        assertEquals(3, seen.get(1).split("\r\n").length);
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        assertEquals("CSVLogger: file must be a path, got null",
                assertThrows(IllegalArgumentException.class, () -> new CSVLogger(null)).getMessage());
        assertEquals("CSVLogger: separator must be one character other than a quote or a line end, got \";;\"",
                assertThrows(IllegalArgumentException.class, () -> new CSVLogger(Path.of("a.csv")).separator(";;")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CSVLogger(Path.of("a.csv")).separator(null));
        assertThrows(IllegalArgumentException.class, () -> new CSVLogger(Path.of("a.csv")).separator("\n"));
        // a file that cannot be written: fit fails before its first update, naming the file
        Path f = dir.resolve("no/such/dir/log.csv");
        Sequential m = model();
        float[] w0 = m.getWeights().get(0).toArray();
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> m.fit(X, Y, options(1, new CSVLogger(f))));
        assertTrue(e.getMessage().startsWith("CSVLogger: cannot write " + f), e.getMessage());
        org.junit.jupiter.api.Assertions.assertArrayEquals(w0, m.getWeights().get(0).toArray());
    }

    @Test
    void aValueHoldingTheSeparatorIsQuotedAsPythonsCsvModuleQuotesIt() throws IOException {
        Path f = dir.resolve("dots.csv");
        History h = model().fit(X, Y, options(1, new CSVLogger(f).separator(".")));
        assertEquals("epoch.loss.val_loss\r\n0.\"" + py(h.get("loss").get(0)) + "\".NA\r\n", read(f));
    }

    /**
     * A missing folder: Keras 3.15.1's CSVLogger raises "FileNotFoundError: [Errno 2] No such file or directory:
     * 'knodir4/log.csv'" (the platform tester's k_nodir.py) and makes nothing; jrnn said only "cannot write
     * no_such_dir/log.csv: no_such_dir/log.csv". It now says why, as model.save does, and makes nothing either.
     */
    @Test
    void aMissingFolderIsNamedAsTheReason(@TempDir Path dir) {
        Path file = dir.resolve("no_such_dir").resolve("log.csv");
        Sequential m = new Sequential(Input.shape(2), new Dense(1));
        m.compile(new SGD(0.1), "mse");
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> m.fit(Tensor.zeros(4, 2),
                Tensor.zeros(4, 1), new FitOptions().epochs(1).verbose(0).callbacks(new CSVLogger(file))));
        assertTrue(e.getMessage().startsWith("CSVLogger: cannot write " + file + ": " + file.getParent()
                + ": no such directory to write log.csv in; nothing was made"), e.getMessage());
        assertTrue(!Files.exists(file.getParent()));
    }

    /** A denied write says so, as Python's "[Errno 13] Permission denied: 'x/log.csv'" (root ignores modes: unit-tested). */
    @Test
    void aDeniedWriteSaysPermissionDenied() {
        assertEquals("x/log.csv: permission denied", dev.jrnn.io.FileFaults.why(new java.nio.file.AccessDeniedException("x/log.csv")));
        assertEquals("x/log.csv: no such file or directory", dev.jrnn.io.FileFaults.why(new java.nio.file.NoSuchFileException("x/log.csv")));
        assertEquals("x: disk full", dev.jrnn.io.FileFaults.why(new java.nio.file.FileSystemException("x", null, "disk full")));
    }
}
