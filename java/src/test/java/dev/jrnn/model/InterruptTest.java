package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
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

    /** The weights after {@code epochs} whole epochs of 6 batches of 4, in order. */
    private static List<Tensor> afterEpochs(int epochs) {
        try (Sequential ref = model()) {
            ref.fit(X, Y, new FitOptions().epochs(epochs).batchSize(4).shuffle(false).verbose(0));
            return ref.getWeights();
        }
    }

    private static void sameWeights(List<Tensor> want, Model m) {
        List<Tensor> got = m.getWeights();
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).data(), got.get(i).data(), "weight " + i);
    }

    private void stoppedAfterThreeBatches(Sequential m, IllegalStateException e) throws IOException {
        assertTrue(e.getMessage().startsWith(MESSAGE.replace("sequential", m.name())), e.getMessage());
        assertTrue(Thread.interrupted(), "the interrupt flag stays set");
        sameWeights(afterThreeBatches(), m);
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

    /**
     * A network timeout is an InterruptedIOException's subclass, not an interrupt: fit throws the callback's failure, not
     * the interrupt's message, and leaves the flag clear (it was reported as an interrupt and the flag set).
     */
    @Test
    void aSocketTimeoutIsAFailureNotAnInterrupt() {
        java.io.UncheckedIOException timeout = new java.io.UncheckedIOException(new java.net.SocketTimeoutException("Read timed out"));
        try (Sequential m = model()) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> m.fit(X, Y,
                    new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0).callbacks(new Callback() {
                        @Override
                        public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                            if (batch == 2) throw timeout;
                        }
                    })));
            assertFalse(Thread.currentThread().isInterrupted(), "the interrupt flag stays clear");
            assertFalse(String.valueOf(e.getMessage()).contains("interrupted (Thread.interrupt)"), e.getMessage());
            boolean found = false;
            for (Throwable t = e; t != null && !found; t = t.getCause()) found = t == timeout;
            assertTrue(found, "the callback's failure is what fit throws: " + e);
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

    /** Whether an interrupt's exception is in {@code e}'s cause chain (a save refused on the interrupted thread). */
    private static boolean interruptInChain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof InterruptedIOException) return true;
        return false;
    }

    /** Every regular file under {@code dir} and its bytes. */
    private static java.util.Map<String, byte[]> files(Path dir) throws IOException {
        java.util.Map<String, byte[]> m = new java.util.TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return m;
    }

    private static void sameFiles(java.util.Map<String, byte[]> want, java.util.Map<String, byte[]> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what + ": the files (no temp file left)");
        for (String k : want.keySet()) assertArrayEquals(want.get(k), got.get(k), what + ": " + k + " as it was");
    }

    /**
     * An interrupt that lands in an epoch's onEpochEnd before a saving callback: the save is refused on the interrupted
     * thread, and fit stops with its own interrupt exception, the save's failure as cause (it threw the callback's
     * UncheckedIOException); the previous checkpoint or backup stays as it was.
     */
    @Test
    void anInterruptThatMakesAnEpochEndSaveFailStopsFitAsAnInterrupt() throws IOException {
        for (String saver : List.of("checkpoint", "weights", "backup")) {
            Path dir = Files.createDirectory(tmp.resolve(saver));
            Callback cb = switch (saver) {
                case "checkpoint" -> new ModelCheckpoint(dir.resolve("ck.keras").toString());
                case "weights" -> new ModelCheckpoint(dir.resolve("ck.weights.h5").toString()).saveWeightsOnly(true);
                default -> new BackupAndRestore(dir.resolve("backup"));
            };
            java.util.Map<String, byte[]> before = new java.util.TreeMap<>();
            Callback interrupter = new Callback() {
                @Override
                public void onEpochEnd(int epoch, java.util.Map<String, Double> logs, Model model) {
                    if (epoch != 1) return;
                    try {
                        before.putAll(files(dir));   // epoch 1's save
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    Thread.currentThread().interrupt();
                }
            };
            try (Sequential m = model()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(X, Y,
                        new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0).callbacks(interrupter, cb)), saver);
                assertTrue(e.getMessage().startsWith(m.name() + ".fit: interrupted (Thread.interrupt) in the onEpochEnd callbacks of epoch 2/3; "
                        + "the model holds the weights of the last completed batch"), e.getMessage());
                assertTrue(interruptInChain(e), saver + ": the refused save is the cause");
                assertTrue(Thread.interrupted(), "the interrupt flag stays set");
                assertFalse(before.isEmpty(), saver + " saved at epoch 1");
                sameFiles(before, files(dir), saver);
                sameWeights(afterEpochs(2), m);
            }
        }
    }

    /**
     * An interrupt that lands while fit validates, on tensors or a Dataset of any prefetch depth: fit stops there with its
     * own exception (it finished validating on tensors and ended in the checkpoint's I/O failure, and on a prefetching
     * Dataset in the bare "BatchStream: interrupted while waiting"); no checkpoint of the epoch is written.
     */
    @Test
    void anInterruptDuringValidationStopsFitAsAnInterrupt() throws IOException {
        Callback interrupter = new Callback() {
            @Override
            public void onTestBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch == 0) Thread.currentThread().interrupt();
            }
        };
        List<Tensor> afterOne = afterEpochs(1);
        for (String val : List.of("tensors", "dataset", "dataset prefetch(0)")) {
            Path ck = tmp.resolve("ck.keras");
            FitOptions o = new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0)
                    .callbacks(interrupter, new ModelCheckpoint(ck.toString()));
            if (val.equals("tensors")) o.validationData(X, Y);
            else o.validationData(val.equals("dataset") ? Dataset.fromTensors(X, Y).batch(4) : Dataset.fromTensors(X, Y).batch(4).prefetch(0));
            try (Sequential m = model()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(X, Y, o), val);
                assertTrue(e.getMessage().startsWith(m.name() + ".fit: interrupted (Thread.interrupt) while validating after epoch 1/3; "
                        + "the model holds the weights of the last completed batch and can be used or fit again"), val + ": " + e.getMessage());
                assertTrue(Thread.interrupted(), "the interrupt flag stays set");
                assertFalse(Files.exists(ck), val + ": no checkpoint of the epoch");
                sameWeights(afterOne, m);
            }
        }
    }

    /**
     * An interrupt during an epoch's last batch: fit stops after it, before the epoch's end (no validation, no onEpochEnd:
     * no CSV row, no checkpoint, as Keras' KeyboardInterrupt in the last step), and says so; it named "batch 7" of a
     * 6-batch epoch.
     */
    @Test
    void anInterruptDuringTheLastBatchStopsBeforeTheEpochsEnd() throws IOException {
        Path csv = tmp.resolve("log.csv"), ck = tmp.resolve("ck.keras");
        Callback interrupter = new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch == 5) Thread.currentThread().interrupt();
            }
        };
        try (Sequential m = model()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(X, Y, new FitOptions().epochs(3).batchSize(4)
                    .shuffle(false).verbose(0).validationData(X, Y).callbacks(interrupter, new CSVLogger(csv), new ModelCheckpoint(ck.toString()))));
            assertTrue(e.getMessage().startsWith(m.name() + ".fit: interrupted (Thread.interrupt) after the last batch (6) of epoch 1/3, before its end "
                    + "(validation and onEpochEnd did not run); the model holds the weights of the last completed batch"), e.getMessage());
            assertTrue(Thread.interrupted(), "the interrupt flag stays set");
            assertTrue(Files.readAllLines(csv).stream().noneMatch(l -> l.startsWith("0,")), "no CSV row of the epoch");
            assertFalse(Files.exists(ck), "no checkpoint of the epoch");
            sameWeights(afterEpochs(1), m);
        }
    }

    /**
     * A callback that catches the interrupt's InterruptedException (clearing the flag) and throws: fit stops as interrupted,
     * the callback's exception as cause, and sets the flag again (it threw the callback's exception, the flag cleared).
     */
    @Test
    void aCallbackFailureTheInterruptCausedStopsFitAsOneAndKeepsTheFlag() throws IOException {
        Callback waits = new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch != 2) return;
                Thread.currentThread().interrupt();   // as a cancel landing during the wait below
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException("the wait ended", e);
                }
            }
        };
        try (Sequential m = model()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(X, Y,
                    new FitOptions().epochs(5).batchSize(4).shuffle(false).verbose(0).callbacks(waits)));
            assertTrue(e.getMessage().startsWith(m.name() + ".fit: interrupted (Thread.interrupt) after batch 3 of epoch 1/5; the model holds"),
                    e.getMessage());
            assertEquals("the wait ended", e.getCause().getMessage());
            assertTrue(Thread.interrupted(), "the interrupt flag is set again");
            sameWeights(afterThreeBatches(), m);
        }
    }

    /**
     * A callback's own failure (an I/O error the interrupt did not cause) while the thread's flag happens to be set, at an
     * epoch's end or during validation: fit stops as interrupted, but names the failure at the message's end and keeps it
     * as the cause (the message read as a plain cancel, the real failure lost from it). So also for the validation data's
     * own failure (fit's validation pass stopped, that stop wrapped again by fit: the failure was lost from the message).
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aRealFailureWhileTheFlagIsSetIsNamedInTheInterruptsMessage() {
        for (boolean validating : new boolean[] {false, true}) {
            java.io.UncheckedIOException failure = new java.io.UncheckedIOException(new IOException("disk full writing /backups/m.keras"));
            Callback failing = new Callback() {
                @Override
                public void onEpochEnd(int epoch, java.util.Map<String, Double> logs, Model model) {
                    if (validating) return;
                    Thread.currentThread().interrupt();
                    throw failure;
                }

                @Override
                public void onTestBatchEnd(int batch, BatchLogs logs, Model model) {
                    if (!validating) return;
                    Thread.currentThread().interrupt();
                    throw failure;
                }
            };
            FitOptions o = new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0).callbacks(failing);
            if (validating) o.validationData(X, Y);
            try (Sequential m = model()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(X, Y, o));
                String where = validating ? "while validating after epoch 1/3" : "in the onEpochEnd callbacks of epoch 1/3";
                assertTrue(e.getMessage().startsWith(m.name() + ".fit: interrupted (Thread.interrupt) " + where + "; the model holds"),
                        e.getMessage());
                assertTrue(e.getMessage().endsWith(". It also failed there, maybe for another reason than the interrupt: "
                        + "java.io.UncheckedIOException: java.io.IOException: disk full writing /backups/m.keras"), e.getMessage());
                assertSame(failure, e.getCause());
                assertTrue(Thread.interrupted(), "the interrupt flag stays set");
            }
        }
        // the validation data's own failure (read on fit's thread: prefetch 0), a map setting the flag as it fails
        java.util.concurrent.atomic.AtomicInteger samples = new java.util.concurrent.atomic.AtomicInteger();
        Dataset val = Dataset.fromTensors(X, Y).map(s -> {
            if (samples.incrementAndGet() == 6) {
                Thread.currentThread().interrupt();
                throw new IllegalArgumentException("a bad value in sample 6");
            }
            return s;
        }).batch(4).prefetch(0);
        try (Sequential m = model()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0).validationData(val)));
            assertTrue(e.getMessage().startsWith(m.name() + ".fit: interrupted (Thread.interrupt) while validating after epoch 1/2; "),
                    e.getMessage());
            assertTrue(e.getMessage().contains(". It also failed there, maybe for another reason than the interrupt: dev.jrnn.data.DataException"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("java.lang.IllegalArgumentException: a bad value in sample 6"), e.getMessage());
            boolean kept = false;
            for (Throwable c = e; c != null; c = c.getCause()) kept |= c instanceof dev.jrnn.data.DataException;
            assertTrue(kept, "the data's failure is in the cause chain");
            assertTrue(Thread.interrupted(), "the interrupt flag stays set");
        }
    }

    /**
     * A Dataset reading .npy files ahead on its prefetch thread. An interrupt of fit's thread is fit's interrupt exception,
     * as from tensors. An interrupt aimed at the prefetch thread (a map function's library setting its flag) is no cancel
     * of fit: fit fails with the stream's message naming that thread and the batch, its own thread's flag left clear (fit
     * waited forever: the thread's queueing failed on its flag and it ended without a word).
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void anInterruptOfAFileBackedDatasetsPrefetchThreadIsNamedAndNoCancelOfFit() throws IOException {
        Path xs = tmp.resolve("x.npy"), ys = tmp.resolve("y.npy");
        dev.jrnn.data.Npy.write(xs, X);
        dev.jrnn.data.Npy.write(ys, Y);
        try (Sequential m = model()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(Dataset.fromNpy(xs, ys).batch(4),
                    new FitOptions().epochs(5).verbose(0).callbacks(interruptAfterThirdBatch())));
            stoppedAfterThreeBatches(m, e);
            assertTrue(e.getMessage().endsWith("before saving on this thread"), e.getMessage());
        }
        java.util.concurrent.atomic.AtomicInteger samples = new java.util.concurrent.atomic.AtomicInteger();
        Dataset ds = Dataset.fromNpy(xs, ys).map(s -> {
            if (samples.incrementAndGet() == 10) Thread.currentThread().interrupt();   // sample 10: batch 3
            return s;
        }).batch(4);
        try (Sequential m = model()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(ds, new FitOptions().epochs(2).verbose(0)));
            assertTrue(e.getMessage().startsWith("BatchStream: the prefetch thread jrnn-prefetch"), e.getMessage());
            assertTrue(e.getMessage().contains(" was interrupted (a Thread.interrupt aimed at it, not at the thread reading the batches) "
                    + "while making batch 3 of the epoch; the epoch ends here: java.lang.InterruptedException"), e.getMessage());
            assertFalse(Thread.currentThread().isInterrupted(), "fit's own thread was not interrupted");
            assertEquals(24, m.predict(X).dim(0), "the model is usable");
        }
    }

    /** A cancel's own refusals are not named twice: a stop whose cause the interrupt made ends as the plain message. */
    @Test
    void aFailureTheInterruptCausedIsNotNamedAsAnotherOne() throws IOException {
        try (Sequential m = model()) {
            Dataset ds = Dataset.fromTensors(X, Y).batch(4);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(X, Y, new FitOptions().epochs(3).batchSize(4)
                    .shuffle(false).verbose(0).validationData(ds).callbacks(new Callback() {
                        @Override
                        public void onTestBatchEnd(int batch, BatchLogs logs, Model model) {
                            Thread.currentThread().interrupt();
                        }
                    })));
            assertTrue(e.getMessage().endsWith("before saving on this thread"), e.getMessage());
            assertTrue(Thread.interrupted(), "the interrupt flag stays set");
        }
    }

    /**
     * evaluate and predict stop before their next batch on an interrupt, from tensors or a Dataset of any prefetch depth, with
     * a message naming the model and the call (from tensors and with prefetch(0) they ran on; with the default prefetch they
     * failed with the bare "BatchStream: interrupted while waiting for the next batch"). The calls of one batch run.
     */
    @Test
    void evaluateAndPredictStopOnAnInterruptWhateverTheirSource() throws IOException {
        try (Sequential m = model()) {
            record Source(String name, java.util.function.Supplier<Dataset> ds) {}
            List<Source> sources = List.of(new Source("tensors", null), new Source("dataset", () -> Dataset.fromTensors(X, Y).batch(4)),
                    new Source("dataset prefetch(0)", () -> Dataset.fromTensors(X, Y).batch(4).prefetch(0)));
            for (Source src : sources) {
                for (boolean midway : new boolean[] {false, true}) {
                    Callback interrupter = new Callback() {
                        @Override
                        public void onTestBatchEnd(int batch, BatchLogs logs, Model model) {
                            if (midway && batch == 1) Thread.currentThread().interrupt();
                        }

                        @Override
                        public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) {
                            if (midway && batch == 1) Thread.currentThread().interrupt();
                        }
                    };
                    String where = (midway ? "before batch 3 of 6" : "before batch 1 of 6") + "; nothing is returned";
                    String what = src.name() + (midway ? ", midway" : ", flag set before");
                    List<Tensor> seen = new ArrayList<>();
                    for (String op : List.of("evaluate", "predict")) {
                        seen.clear();
                        if (!midway) Thread.currentThread().interrupt();
                        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                            if (op.equals("evaluate")) {
                                if (src.ds() == null) m.evaluateAll(List.of(X), List.of(Y), 4, null, (List<Tensor>) null, interrupter);
                                else m.evaluateAll(src.ds().get(), interrupter);
                            } else if (src.ds() == null) {
                                m.predictAll(List.of(X), 4, null, interrupter);
                            } else {
                                m.predict(src.ds().get(), outs -> seen.add(outs.get(0)), interrupter);
                            }
                        }, op + " on " + what);
                        assertTrue(e.getMessage().startsWith(m.name() + "." + op + ": interrupted (Thread.interrupt) " + where),
                                op + " on " + what + ": " + e.getMessage());
                        // only predict(Dataset, sink) has the user's sink: no other message names one (evaluate: an outside tester's R2)
                        assertEquals(op.equals("predict") && src.ds() != null, e.getMessage().contains("a sink given to predict has had the batches before it"),
                                op + " on " + what + ": " + e.getMessage());
                        assertTrue(e.getMessage().contains("and the weights are as they were"), e.getMessage());
                        assertTrue(Thread.interrupted(), "the interrupt flag stays set");
                        if (op.equals("predict") && src.ds() != null) assertEquals(midway ? 2 : 0, seen.size(), "the batches the sink had");
                    }
                }
            }
            // a call of one batch runs whole, as fit's step
            Thread.currentThread().interrupt();
            assertEquals(24, m.predictOnBatch(X).dim(0));
            assertTrue(Double.isFinite(m.testOnBatch(X, Y)));
            assertEquals(24, m.call(X, false).dim(0));
            assertTrue(Thread.interrupted());
            assertEquals(24, m.predict(X).dim(0), "the flag cleared, predict runs");
        }
    }

    /**
     * predict's interrupt message says a sink has had the batches only where the user gave one (predict(Dataset, sink),
     * predict(Dataset, steps, sink)), not for predictAll(Dataset, steps) (its own collector), the .npy files, tensors or
     * predictDict; predictDict's message and stateful batch-size refusal name predictDict. Before, every predict form said
     * "a sink given to predict has had the batches before it", and predictDict's said "predict".
     */
    @Test
    void predictsInterruptMessageNamesASinkOnlyWhereTheUserGaveOne() throws IOException {
        String sink = "a sink given to predict has had the batches before it";
        Dense d1 = new Dense(1), d2 = new Dense(1);
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(5, 2);
        dev.jrnn.layers.Node h = new dev.jrnn.layers.Flatten().apply(in);
        try (Sequential m = model(); Model dict = new Model(in, Map.of("b", d1.apply(h), "a", d2.apply(h))).name("dict")) {
            record Form(String name, Model model, String op, boolean userSink, Executable run) {}
            List<List<Tensor>> seen = new ArrayList<>();
            List<Form> forms = List.of(
                    new Form("predict(Dataset, sink)", m, "predict", true, () -> m.predict(Dataset.fromTensors(X, Y).batch(4), seen::add)),
                    new Form("predict(Dataset, steps, sink)", m, "predict", true, () -> m.predict(Dataset.fromTensors(X, Y).batch(4), 3, seen::add)),
                    new Form("predictAll(Dataset, steps)", m, "predict", false, () -> m.predictAll(Dataset.fromTensors(X, Y).batch(4), 3)),
                    new Form("predict(Dataset, npy)", m, "predict", false, () -> m.predict(Dataset.fromTensors(X, Y).batch(4), tmp.resolve("p.npy"))),
                    new Form("predict(Tensor)", m, "predict", false, () -> m.predict(X)),
                    new Form("predictDict(List)", dict, "predictDict", false, () -> dict.predictDict(List.of(X))),
                    new Form("predictDict(Dataset)", dict, "predictDict", false, () -> dict.predictDict(Dataset.fromTensors(X, Y).batch(4))),
                    new Form("predictDict(Dataset, steps)", dict, "predictDict", false, () -> dict.predictDict(Dataset.fromTensors(X, Y).batch(4), 2)));
            for (Form f : forms) {
                Thread.currentThread().interrupt();
                IllegalStateException e = assertThrows(IllegalStateException.class, f.run(), f.name());
                assertTrue(Thread.interrupted(), f.name() + ": the interrupt flag stays set");
                assertTrue(e.getMessage().startsWith(f.model().name() + "." + f.op() + ": interrupted (Thread.interrupt) before batch 1"),
                        f.name() + ": " + e.getMessage());
                assertEquals(f.userSink(), e.getMessage().contains(sink), f.name() + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("nothing is returned"), f.name() + ": " + e.getMessage());
            }
            assertTrue(seen.isEmpty());
            assertTrue(Files.notExists(tmp.resolve("p.npy")), "no .npy file written");
        }
        dev.jrnn.model.Input fixed = dev.jrnn.model.Input.batchShape(4, 5, 2);
        try (Model stateful = new Model(fixed, Map.of("y", new Dense(1).apply(new LSTM(3).stateful(true).apply(fixed)))).name("s")) {
            var e = assertThrows(IllegalArgumentException.class, () -> stateful.predictDict(List.of(X), 3, null));
            assertTrue(e.getMessage().startsWith("s.predictDict: the batch size 3 is incompatible with the batch size 4"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> stateful.predictDict(Tensor.zeros(6, 5, 2)));
            assertTrue(e.getMessage().startsWith("s.predictDict: in a stateful network the number of samples must be a multiple of the batch size 4"),
                    e.getMessage());
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
