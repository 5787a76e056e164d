package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thread.interrupt (a cancelled Future, an executor's shutdownNow) and a model: fit stops between two batches whatever its
 * data's source, the model usable; a load or save on a thread whose flag is set is an InterruptedIOException naming the
 * file, never a claim that a good file is damaged nor jhdf's unchecked exception, the flag kept and the old file as it was.
 */
class InterruptTest {
    @TempDir
    Path tmp;

    static final Tensor X, Y;

    static {
        float[] x = new float[24 * 5 * 2], y = new float[24];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(0.37 * i);
        for (int i = 0; i < y.length; i++) y[i] = x[i * 10 + 3];
        X = Tensor.wrap(x, 24, 5, 2);
        Y = Tensor.wrap(y, 24, 1);
    }

    @AfterEach
    void clearFlag() {
        Thread.interrupted();   // a failed assertion must not leave the flag for the next test
    }

    private static Sequential model() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(8);
        Sequential m = new Sequential(new LSTM(4).inputShape(5, 2), new Dense(1));
        m.compile("adam", "mse");
        return m;
    }

    /** Interrupts its own thread at the end of batch 3 (index 2) of the first epoch. */
    private static Callback interruptAfterThirdBatch() {
        return new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch == 2) Thread.currentThread().interrupt();
            }
        };
    }

    private static final String MESSAGE = "sequential.fit: interrupted (Thread.interrupt) before batch 4 of epoch 1/5; the model holds "
            + "the weights of the last completed batch and can be used or fit again. The thread's interrupt flag stays set: clear it "
            + "(Thread.interrupted()) before saving on this thread";

    /** The weights after three batches of 4: a fit of the first 12 rows in order, one epoch. */
    private static List<Tensor> afterThreeBatches() {
        try (Sequential ref = model()) {
            ref.fit(X.slice(0, 12), Y.slice(0, 12), new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0));
            return ref.getWeights();
        }
    }

    private void stoppedAfterThreeBatches(Sequential m, IllegalStateException e) throws IOException {
        assertTrue(e.getMessage().startsWith(MESSAGE.replace("sequential", m.name())), e.getMessage());
        assertTrue(Thread.interrupted(), "the interrupt flag stays set");
        List<Tensor> want = afterThreeBatches(), got = m.getWeights();
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).data(), got.get(i).data(), "weight " + i);
        // usable: predicts, saves and fits on once the flag is cleared
        assertEquals(24, m.predict(X).dim(0));
        m.save(tmp.resolve("after.keras"));
        History h = m.fit(X, Y, new FitOptions().epochs(1).batchSize(4).verbose(0));
        assertTrue(Double.isFinite(h.history().get("loss").get(0)));
    }

    @Test
    void fitFromTensorsStopsBetweenBatches() throws IOException {
        try (Sequential m = model()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(X, Y,
                    new FitOptions().epochs(5).batchSize(4).shuffle(false).verbose(0).callbacks(interruptAfterThirdBatch())));
            stoppedAfterThreeBatches(m, e);
        }
    }

    @Test
    void fitFromADatasetStopsAlike() throws IOException {
        try (Sequential m = model()) {
            Dataset ds = Dataset.fromTensors(X, Y).batch(4);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(ds,
                    new FitOptions().epochs(5).verbose(0).callbacks(interruptAfterThirdBatch())));
            stoppedAfterThreeBatches(m, e);
        }
    }

    @Test
    void aFitStartedWithTheFlagSetChangesNothing() {
        try (Sequential m = model()) {
            List<Tensor> before = m.getWeights();
            boolean[] began = new boolean[1];
            Thread.currentThread().interrupt();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(X, Y, new FitOptions().epochs(2).verbose(0)
                    .callbacks(new Callback() {
                        @Override
                        public void onTrainBegin(Model model) {
                            began[0] = true;
                        }
                    })));
            assertTrue(e.getMessage().startsWith(m.name() + ".fit: interrupted (Thread.interrupt) before it started;"), e.getMessage());
            assertTrue(Thread.interrupted());
            assertFalse(began[0], "no callback ran");
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), m.getWeights().get(i).data());
        }
    }

    private static final List<String> MODEL_FILES = List.of("m.keras", "m.h5"), WEIGHT_FILES = List.of("w.weights.h5", "w.h5", "w.safetensors");

    private static void saysInterrupted(IOException e, Path file) {
        assertTrue(e instanceof InterruptedIOException, "an InterruptedIOException, got " + e);
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("the thread was interrupted (Thread.interrupt), the file is not at fault"),
                e.getMessage());
    }

    @Test
    void aLoadOnAnInterruptedThreadSaysSoAndBlamesNoFile() throws IOException {
        try (Sequential m = model()) {
            for (String n : MODEL_FILES) m.save(tmp.resolve(n));
            for (String n : WEIGHT_FILES) m.saveWeights(tmp.resolve(n));
            for (String n : Stream.concat(MODEL_FILES.stream(), WEIGHT_FILES.stream()).toList()) {
                Path p = tmp.resolve(n);
                Thread.currentThread().interrupt();
                IOException e = assertThrows(IOException.class, () -> {
                    if (n.startsWith("m.")) Models.load(p).close();
                    else m.loadWeights(p);
                }, n);
                saysInterrupted(e, p);
                assertTrue(e.getMessage().startsWith(p + ": not read:"), e.getMessage());
                assertTrue(Thread.interrupted(), n + ": the interrupt flag stays set");
                if (n.startsWith("m.")) Models.load(p).close();   // the file is good
                else m.loadWeights(p);
            }
        }
    }

    @Test
    void aSaveOnAnInterruptedThreadSaysSoAndLeavesTheOldFile() throws IOException {
        try (Sequential m = model()) {
            for (String n : Stream.concat(MODEL_FILES.stream(), WEIGHT_FILES.stream()).toList()) {
                Path p = tmp.resolve(n);
                boolean whole = n.startsWith("m.");
                if (whole) m.save(p);
                else m.saveWeights(p);
                byte[] before = Files.readAllBytes(p);
                m.fit(X, Y, new FitOptions().epochs(1).batchSize(8).verbose(0));   // other weights to save
                Thread.currentThread().interrupt();
                IOException e = assertThrows(IOException.class, () -> {
                    if (whole) m.save(p);
                    else m.saveWeights(p);
                }, n);
                saysInterrupted(e, p);
                assertTrue(e.getMessage().startsWith(m.name() + (whole ? ".save(" : ".saveWeights(") + p + "): not saved:"), e.getMessage());
                assertTrue(e.getMessage().contains("the previous file, if any, is unchanged"), e.getMessage());
                assertTrue(Thread.interrupted(), n + ": the interrupt flag stays set");
                assertArrayEquals(before, Files.readAllBytes(p), n + " as it was");
            }
            try (Stream<Path> left = Files.list(tmp)) {
                List<String> names = new ArrayList<>(left.map(f -> f.getFileName().toString()).toList());
                names.sort(null);
                assertEquals(List.of("m.h5", "m.keras", "w.h5", "w.safetensors", "w.weights.h5"), names, "no temp file left");
            }
        }
    }

    /**
     * The data and history writers say what the model saves say on an interrupted thread (they threw a bare
     * ClosedByInterruptException, no file named), and leave the old file and no temp file.
     */
    @Test
    void theDataAndHistoryWritersOnAnInterruptedThreadSaySoAndLeaveTheOldFile() throws IOException {
        History h = new History();
        h.add(0, java.util.Map.of("loss", 0.5));
        dev.jrnn.data.TextVectorization tv = new dev.jrnn.data.TextVectorization();
        tv.vocabulary(List.of("a", "b"));
        record Writer(String who, String name) {}
        List<Writer> writers = List.of(new Writer("Npy.write", "x.npy"), new Writer("Npy.writeInt64", "o.npy"),
                new Writer("SafeTensors.write", "t.safetensors"), new Writer("History.toCsv", "h.csv"),
                new Writer("History.plot", "h.png"), new Writer("TextVectorization.saveVocabulary", "v.txt"));
        for (Writer w : writers) {
            Path p = tmp.resolve(w.name());
            dev.jrnn.io.FileFaults.Write write = switch (w.who()) {
                case "Npy.write" -> () -> dev.jrnn.data.Npy.write(p, X);
                case "Npy.writeInt64" -> () -> dev.jrnn.data.Npy.writeInt64(p, new long[] {0, 3, 5});
                case "SafeTensors.write" -> () -> dev.jrnn.io.SafeTensors.write(p, java.util.Map.of("x", X), null);
                case "History.toCsv" -> () -> h.toCsv(p);
                case "History.plot" -> () -> h.plot(p);
                default -> () -> tv.saveVocabulary(p);
            };
            write.run();
            byte[] before = Files.readAllBytes(p);
            h.add(1, java.util.Map.of("loss", 0.25));   // other content for the history's files
            Thread.currentThread().interrupt();
            IOException e = assertThrows(IOException.class, write::run, w.who());
            saysInterrupted(e, p);
            assertTrue(e.getMessage().startsWith(w.who() + "(" + p + "): not saved:"), e.getMessage());
            assertTrue(e.getMessage().contains("the previous file, if any, is unchanged"), e.getMessage());
            assertTrue(Thread.interrupted(), w.who() + ": the interrupt flag stays set");
            assertArrayEquals(before, Files.readAllBytes(p), w.name() + " as it was");
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(writers.size(), left.count(), "no temp file left");
        }
    }

    /** The streaming .npy writer too: an interrupt between appends names it and the file, and leaves the old file. */
    @Test
    void theStreamingNpyWriterOnAnInterruptedThreadSaysSoAndLeavesTheOldFile() throws IOException {
        Path p = tmp.resolve("pred.npy");
        dev.jrnn.data.Npy.write(p, X);
        byte[] before = Files.readAllBytes(p);
        dev.jrnn.data.NpyWriter w = dev.jrnn.data.NpyWriter.open(p, X.shape()[1], X.shape()[2]);
        w.append(X);
        Thread.currentThread().interrupt();
        IOException e = assertThrows(IOException.class, () -> w.append(X));
        saysInterrupted(e, p);
        assertTrue(e.getMessage().startsWith("NpyWriter.append(" + p + "): not saved:"), e.getMessage());
        assertTrue(Thread.interrupted(), "the interrupt flag stays set");
        assertThrows(IllegalStateException.class, () -> w.append(X), "no append after a failed one");
        w.close();   // drops the rows written: the target stays as it was
        assertArrayEquals(before, Files.readAllBytes(p), "pred.npy as it was");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(1, left.count(), "no temp file left");
        }
    }

    @Test
    void anInterruptDuringASaveIsAnInterruptedIOException() {
        Path p = tmp.resolve("w.bin");
        // as an interrupt that lands while the bytes are written: the channel closes itself (ClosedByInterruptException)
        IOException e = assertThrows(IOException.class, () -> dev.jrnn.io.FileFaults.save("sequential.saveWeights", p,
                () -> dev.jrnn.io.AtomicFiles.write(p, out -> {
                    Thread.currentThread().interrupt();
                    out.write(new byte[1 << 17]);
                })));
        saysInterrupted(e, p);
        assertTrue(Thread.interrupted());
        assertFalse(Files.exists(p));
        assertTrue(Arrays.stream(tmp.toFile().list()).noneMatch(f -> f.endsWith(".tmp")), "no temp file left");
    }
}
