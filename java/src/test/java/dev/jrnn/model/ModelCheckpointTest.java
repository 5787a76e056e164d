package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void filePatternsFormatAsPython() {
        Map<String, Double> logs = Map.of("loss", 0.123456, "val_loss", 1.5, "accuracy", 0.875);
        assertEquals("m-07-0.12.keras", ModelCheckpoint.format("m-{epoch:02d}-{loss:.2f}.keras", 7, logs));
        assertEquals("e3_1.500e+00_0.875", ModelCheckpoint.format("e{epoch}_{val_loss:.3e}_{accuracy}", 3, logs));
        assertEquals("  12", ModelCheckpoint.format("{epoch:4d}", 12, logs));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.format("{val_acc:.2f}", 1, logs));
        assertTrue(e.getMessage().contains("val_acc") && e.getMessage().contains("loss"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m-{epoch:.2d}"));
        assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m").saveFreq("batch"));
        // Keras: save_freq=2 fills {batch} with the batch within its epoch from 1 (batch + 1), {epoch} from 1
        assertEquals("m-03-b2-0.12.keras", ModelCheckpoint.format("m-{epoch:02d}-b{batch}-{loss:.2f}.keras", 3, 2, logs));
        assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m").mode("best"));
    }

    /** Python rounds a float's exact binary value half to even and strips g's zeros; Java's Formatter rounds its shortest decimal half up. */
    @Test
    void numbersFormatAsPythonsFormatDoes() {
        Map<String, Double> logs = new java.util.HashMap<>(Map.of("val_loss", 0.145, "loss", 1.2e-05, "a", 0.5, "b", 12.0, "c", 0.125,
                "d", -0.001, "e", 0.000123456, "f", 1.005));
        logs.put("n", Double.NaN);
        logs.put("m", -1.5);
        // Python: '{val_loss:.2f}|{loss}|...'.format(val_loss=0.145, loss=1.2e-05, a=0.5, b=12.0, c=0.125, d=-0.001, ...)
        assertEquals("0.14|1.2e-05|0.5|1.2e+01|0.12|0000.500|-0.00| 1.235e-04|12|1.0|7.0|1.2e+01|nan|007", ModelCheckpoint.format(
                "{val_loss:.2f}|{loss}|{a:.3g}|{b:.2}|{c:.2f}|{a:08.3f}|{d:.2f}|{e:10.3e}|{b:g}|{f:.3}|{epoch:.1f}|{b:.1e}|{n:.2f}|{epoch:03}",
                7, logs));
        assertEquals("-0001.50 00000nan", ModelCheckpoint.format("{m:08.2f} {n:08.2f}", 1, logs));
    }

    /**
     * Python's str.format escapes: a doubled brace is a literal one (the names below are Python's own, from
     * '}}{{{epoch}}}'.format(epoch=3) and so on); a single brace and "d" on a float are refused, as Python raises
     * ValueError ("Single '}' encountered in format string", "Unknown format code 'd' for object of type 'float'"), where
     * jrnn kept "{{" as it was, put the value inside "{{loss}}" and rounded {loss:d}.
     */
    @Test
    void bracesAndIntegerSpecsFollowPythonsFormat() {
        Map<String, Double> logs = Map.of("loss", 0.125);
        assertEquals("run{1}-1.keras", ModelCheckpoint.format("run{{1}}-{epoch}.keras", 1, logs));
        assertEquals("x{loss}-1.keras", ModelCheckpoint.format("x{{loss}}-{epoch}.keras", 1, logs));
        assertEquals("}{3}", ModelCheckpoint.format("}}{{{epoch}}}", 3, logs));
        assertEquals("{0.12}", ModelCheckpoint.format("{{{loss:.2f}}}", 1, logs));
        for (String p : new String[] {"m}{epoch}", "m{{epoch}", "m{"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint(p), p);
            assertTrue(e.getMessage().contains("holds a single '") && e.getMessage().contains("write a literal brace twice"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m-{loss:03d}.keras"));
        assertEquals("ModelCheckpoint: format spec '03d' of {loss}: loss is a float, which Python's format refuses with 'd' (Keras: "
                + "Unknown format code 'd' for object of type 'float'); use e.g. .0f", e.getMessage());
        new ModelCheckpoint("m-{epoch:03d}-{batch:d}.keras");   // ints take it
    }

    private static Sequential model() {
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(4, 2), new Dense(1));
        m.compile(new dev.jrnn.optim.Adam(0.05), "mse");
        return m;
    }

    private static final SplittableRandom R = new SplittableRandom(3);
    private static final Tensor X = ModelFilesTest.random(R, 12, 4, 2);
    private static final Tensor Y = ModelFilesTest.random(R, 12, 1);

    /**
     * Keras 3's {@code verbose=1} (keras.io's weather tutorial sets it): ModelCheckpoint's messages, from
     * model_checkpoint.py's {@code _should_save_model} and {@code _save_model}, the best None before the first save.
     */
    @Test
    void verboseSaysWhatKerasSays() {
        try (Sequential m = model()) {
            String best = dir.resolve("best.weights.h5").toString(), every = dir.resolve("e{epoch}.keras").toString();
            ModelCheckpoint b = new ModelCheckpoint(best).saveBestOnly(true).saveWeightsOnly(true).verbose(1);
            ModelCheckpoint e = new ModelCheckpoint(every).verbose(1);
            String out = printed(() -> {
                b.onEpochEnd(0, Map.of("val_loss", 0.2929181), m);
                b.onEpochEnd(1, Map.of("val_loss", 0.3), m);
                b.onEpochEnd(2, Map.of("val_loss", 0.125), m);
                e.onEpochEnd(0, Map.of("val_loss", 0.3), m);
                new ModelCheckpoint(best).saveBestOnly(true).saveWeightsOnly(true).onEpochEnd(3, Map.of("val_loss", 0.1), m);
            });
            assertEquals("\nEpoch 1: val_loss improved from None to 0.29292, saving model to " + best + "\n"
                    + "\nEpoch 1: finished saving model to " + best + "\n"
                    + "\nEpoch 2: val_loss did not improve from 0.29292\n"
                    + "\nEpoch 3: val_loss improved from 0.29292 to 0.12500, saving model to " + best + "\n"
                    + "\nEpoch 3: finished saving model to " + best + "\n"
                    + "\nEpoch 1: saving model to " + dir.resolve("e1.keras") + "\n"
                    + "\nEpoch 1: finished saving model to " + dir.resolve("e1.keras") + "\n", out);
            assertEquals("ModelCheckpoint: verbose must be >= 0, got -1",
                    assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint(best).verbose(-1)).getMessage());
        }
    }

    /**
     * Keras 3's {@code _should_save_model}: with save_best_only and the monitored value not logged (val_loss without
     * validation data) it warns and saves anyway ({@code return True}), where jrnn saved nothing.
     */
    @Test
    void saveBestOnlyWithoutTheMonitoredValueSavesAsKeras3() {
        try (Sequential m = model()) {
            ModelCheckpoint b = new ModelCheckpoint(dir.resolve("m-{epoch}.keras").toString()).saveBestOnly(true);
            java.io.PrintStream err = System.err;
            java.io.ByteArrayOutputStream warned = new java.io.ByteArrayOutputStream();
            try {
                System.setErr(new java.io.PrintStream(warned, true, java.nio.charset.StandardCharsets.UTF_8));
                m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).verbose(0).callbacks(b));
            } finally {
                System.setErr(err);
            }
            assertEquals("ModelCheckpoint: can save best model only with val_loss available, logs have [loss]; saving every time, as Keras 3\n",
                    warned.toString(java.nio.charset.StandardCharsets.UTF_8).replace("\r\n", "\n"), "one warning for the fit");
            assertTrue(Files.exists(dir.resolve("m-1.keras")) && Files.exists(dir.resolve("m-2.keras")));
            assertEquals(dir.resolve("m-2.keras"), b.lastSaved());
            assertTrue(Double.isNaN(b.best()), "no monitored value seen");
        }
    }

    private static String printed(Runnable r) {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setOut(out);
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    /** As Keras: a NaN monitored value is never an improvement (NaN < best is false), so nothing is saved for it. */
    @Test
    void aNanMonitoredValueIsNotTheBest() {
        try (Sequential m = model()) {
            ModelCheckpoint best = new ModelCheckpoint(dir.resolve("b-{epoch}.keras").toString()).saveBestOnly(true);
            best.onEpochEnd(0, Map.of("val_loss", Double.NaN), m);
            assertEquals(null, best.lastSaved());
            best.onEpochEnd(1, Map.of("val_loss", 0.5), m);
            best.onEpochEnd(2, Map.of("val_loss", Double.NaN), m);
            assertEquals(dir.resolve("b-2.keras"), best.lastSaved());
            assertEquals(0.5, best.best());
            assertTrue(Files.exists(dir.resolve("b-2.keras")) && !Files.exists(dir.resolve("b-1.keras")) && !Files.exists(dir.resolve("b-3.keras")));
        }
    }

    @Test
    void everyEpochOrOnlyTheBest() throws IOException {
        Jrnn.setSeed(1);
        try (Sequential m = model()) {
            ModelCheckpoint all = new ModelCheckpoint(dir.resolve("all-{epoch}.keras").toString());
            ModelCheckpoint best = new ModelCheckpoint(dir.resolve("best-{epoch:02d}-{val_loss:.4f}.keras").toString()).saveBestOnly(true);
            ModelCheckpoint weights = new ModelCheckpoint(dir.resolve("w.safetensors").toString()).saveWeightsOnly(true)
                    .monitor("loss").mode("min").saveBestOnly(true);
            // every epoch's weights; after epoch 2 the weights are scrambled, so that epoch 3 is worse than the best
            List<List<Tensor>> perEpoch = new java.util.ArrayList<>();
            Callback record = new Callback() {
                @Override
                public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                    perEpoch.add(model.getWeights());
                    if (epoch == 1) {
                        SplittableRandom r = new SplittableRandom(5);
                        List<Tensor> bad = new java.util.ArrayList<>();
                        for (Tensor w : model.getWeights()) {
                            float[] d = w.data().clone();
                            for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-3, 3);
                            bad.add(Tensor.of(d, w.shape()));
                        }
                        model.setWeights(bad);
                    }
                }
            };
            History h = m.fit(X, Y, new FitOptions().epochs(4).batchSize(4).verbose(0).seed(2).validationSplit(0.25)
                    .callbacks(all, best, weights, record));
            for (int e = 1; e <= 4; e++) assertTrue(Files.exists(dir.resolve("all-" + e + ".keras")));
            List<Double> val = h.get("val_loss");
            long improved = 0;
            double b = Double.POSITIVE_INFINITY;
            for (double v : val) if (v < b) { b = v; improved++; }
            assertTrue(improved < val.size(), "an epoch that is not the best: " + val);
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(improved, s.filter(p -> p.getFileName().toString().startsWith("best-")).count());
            }
            assertEquals(b, best.best());
            assertTrue(best.lastSaved().getFileName().toString().endsWith(String.format(java.util.Locale.ROOT, "%.4f.keras", b)));
            try (Model last = Models.load(dir.resolve("all-4.keras"))) {
                assertArrayEquals(m.predict(X).data(), last.predict(X).data());
            }
            // the best-only weights file holds the weights of the epoch with the lowest loss
            List<Double> loss = h.get("loss");
            int bestEpoch = loss.indexOf(loss.stream().min(Double::compare).orElseThrow());
            assertTrue(bestEpoch < loss.size() - 1, "the best epoch is not the last, or saving every epoch would pass: " + loss);
            m.loadWeights(dir.resolve("w.safetensors"));
            List<Tensor> got = m.getWeights(), want = perEpoch.get(bestEpoch);
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).data(), got.get(i).data(), "weight " + i);
        }
    }

    @Test
    void aFilepathNamingAValueFitWillNotLogFailsBeforeTheFirstUpdate() throws IOException {
        Jrnn.setSeed(1);
        try (Sequential m = model()) {
            List<Tensor> before = m.getWeights();
            ModelCheckpoint noVal = new ModelCheckpoint(dir.resolve("m-{epoch}-{val_loss:.3f}.keras").toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).verbose(0).callbacks(noVal)));
            assertEquals("ModelCheckpoint: the filepath names {val_loss}, but fit will log only epoch and [loss] "
                    + "(val_ values need validationData or validationSplit)", e.getMessage());
            ModelCheckpoint typo = new ModelCheckpoint(dir.resolve("m-{los}.keras").toString());
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).verbose(0).validationSplit(0.25).callbacks(typo)));
            assertEquals("ModelCheckpoint: the filepath names {los}, but fit will log only epoch and [loss, val_loss]", e.getMessage());
            List<Tensor> after = m.getWeights();
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).toArray(), after.get(i).toArray());
            assertEquals(0, m.optimizer().iterations());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(0, files.count());
            }
            // a whole model under a weights-file name, which Keras reads as weights only, refused before training
            ModelCheckpoint h5 = new ModelCheckpoint(dir.resolve("m-{epoch}.weights.h5").toString());
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).verbose(0).callbacks(h5)));
            assertTrue(e.getMessage().startsWith("ModelCheckpoint: the file name must end in .keras"), e.getMessage());
            assertEquals(0, m.optimizer().iterations());
            // with validation data the same pattern is fine
            m.fit(X, Y, new FitOptions().epochs(1).batchSize(4).verbose(0).validationSplit(0.25).callbacks(noVal));
            assertTrue(Files.isRegularFile(noVal.lastSaved()), String.valueOf(noVal.lastSaved()));
        }
    }

    @Test
    void aFailingWriteStopsFitWithTheFileAndEpochAndKeepsThePreviousFile() throws IOException {
        Jrnn.setSeed(1);
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        try (Sequential m = model()) {
            ModelCheckpoint c = new ModelCheckpoint(blocker.resolve("m.keras").toString());
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).verbose(0).callbacks(c)));
            assertTrue(e.getMessage().contains("m.keras") && e.getMessage().contains("epoch 1"), e.getMessage());
            assertEquals("x", Files.readString(blocker));
        }
    }

    /** Rows {@code from..to-1} of {@code t}. */
    private static Tensor rows(Tensor t, int from, int to) {
        int[] shape = t.shape().clone();
        int stride = (int) (t.size() / shape[0]);
        shape[0] = to - from;
        return Tensor.of(java.util.Arrays.copyOfRange(t.data(), from * stride, to * stride), shape);
    }

    private static void assertWeights(List<Tensor> want, Path file, String what) {
        try (Sequential loaded = model()) {
            loaded.loadWeights(file);
            List<Tensor> got = loaded.getWeights();
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).data(), got.get(i).data(), what + ", weight " + i);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Keras' save_freq=2 with 3 batches an epoch: the count runs across epoch boundaries (saves after global batches 2, 4,
     * 6, 8 of 9: epoch 1 batch 2, epoch 2 batches 1 and 3, epoch 3 batch 2), none at an epoch's end; each file holds the
     * weights after its batch, as a twin trained by trainOnBatch on the same batches has them, and its name the epoch's
     * running loss (the mean of the twin's batch losses so far in that epoch).
     */
    @Test
    void everyNBatchesCountsAcrossEpochsAndSavesThatBatchsWeights() throws IOException {
        Jrnn.setSeed(1);
        try (Sequential m = model()) {
            ModelCheckpoint c = new ModelCheckpoint(dir.resolve("e{epoch}-b{batch:02d}-{loss:.4f}.safetensors").toString())
                    .saveWeightsOnly(true).saveFreq(2);
            m.fit(X, Y, new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0).callbacks(c));
            Jrnn.setSeed(1);
            try (Sequential twin = model()) {
                List<String> want = new java.util.ArrayList<>();
                java.util.Map<String, List<Tensor>> weights = new java.util.HashMap<>();
                int seen = 0;
                for (int e = 1; e <= 3; e++) {
                    double sum = 0;
                    for (int b = 1; b <= 3; b++) {
                        sum += twin.trainOnBatch(rows(X, 4 * (b - 1), 4 * b), rows(Y, 4 * (b - 1), 4 * b));
                        if (++seen % 2 == 0) {
                            String name = String.format(java.util.Locale.ROOT, "e%d-b%02d-%.4f.safetensors", e, b, sum / b);
                            want.add(name);
                            weights.put(name, twin.getWeights());
                        }
                    }
                }
                assertEquals(List.of("e1-b02", "e2-b01", "e2-b03", "e3-b02"), want.stream().map(n -> n.substring(0, 6)).toList());
                assertEquals(want.stream().sorted().toList(), files());
                for (String name : want) assertWeights(weights.get(name), dir.resolve(name), name);
                assertEquals(dir.resolve(want.get(3)), c.lastSaved());
            }
        }
    }

    /**
     * The count goes on over a later fit with the same callback, as Keras' counter set when the callback is made: saveFreq 2
     * over two fits of one 3-batch epoch saves after fit 1's batch 2, then fit 2's batches 1 and 3.
     */
    @Test
    void theBatchCountGoesOnOverALaterFitWithTheSameCallback() throws IOException {
        Jrnn.setSeed(1);
        try (Sequential m = model()) {
            ModelCheckpoint c = new ModelCheckpoint(dir.resolve("f{epoch}-b{batch}.safetensors").toString()).saveWeightsOnly(true).saveFreq(2);
            m.fit(X, Y, new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0).callbacks(c));
            assertEquals(List.of("f1-b2.safetensors"), files());
            List<Tensor> afterFour = null, afterSix = null;
            Jrnn.setSeed(1);
            try (Sequential twin = model()) {
                for (int i = 0; i < 6; i++) {
                    int b = i % 3;
                    twin.trainOnBatch(rows(X, 4 * b, 4 * b + 4), rows(Y, 4 * b, 4 * b + 4));
                    if (i == 3) afterFour = twin.getWeights();
                    if (i == 5) afterSix = twin.getWeights();
                }
            }
            java.nio.file.Files.delete(dir.resolve("f1-b2.safetensors"));
            m.fit(X, Y, new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0).callbacks(c));
            assertEquals(List.of("f1-b1.safetensors", "f1-b3.safetensors"), files());
            assertWeights(afterFour, dir.resolve("f1-b1.safetensors"), "the fourth batch over both fits");
            assertWeights(afterSix, dir.resolve("f1-b3.safetensors"), "the sixth batch over both fits");
        }
    }

    /**
     * A Dataset with stepsPerEpoch 2 resumed at initialEpoch 1: as Keras the count starts at the callback's creation, so
     * saveFreq 3 saves after the resumed run's third batch (epoch 3, batch 1), and a whole model there loads and predicts
     * as the twin after those batches (the skipped epoch read the Dataset's batches 0 and 1, so the run reads 2, 0, 1).
     */
    @Test
    void aResumedDatasetFitCountsFromItsFirstBatch() throws IOException {
        Jrnn.setSeed(1);
        try (Sequential m = model()) {
            ModelCheckpoint c = new ModelCheckpoint(dir.resolve("m-{epoch}-{batch}.keras").toString()).saveFreq(3);
            m.fit(dev.jrnn.data.Dataset.fromTensors(X, Y).batch(4).repeat(), new FitOptions().epochs(3).initialEpoch(1).stepsPerEpoch(2)
                    .verbose(0).callbacks(c));
            assertEquals(List.of("m-3-1.keras"), files());
            Jrnn.setSeed(1);
            try (Sequential twin = model(); Model saved = Models.load(dir.resolve("m-3-1.keras"))) {
                for (int b : new int[] {2, 0, 1}) twin.trainOnBatch(rows(X, 4 * b, 4 * b + 4), rows(Y, 4 * b, 4 * b + 4));
                assertArrayEquals(twin.predict(X).data(), saved.predict(X).data());
                assertEquals(3, saved.optimizer().iterations());
            }
        }
    }

    /**
     * saveBestOnly every batch compares the monitored value of the batch logs (the epoch's running loss) as Keras: a file
     * for each batch whose running loss is below every earlier one and below initialValueThreshold.
     */
    @Test
    void bestOnlyEveryBatchComparesTheRunningMonitor() throws IOException {
        Jrnn.setSeed(1);
        try (Sequential m = model()) {
            List<Double> running = new java.util.ArrayList<>();
            Callback record = new Callback() {
                @Override
                public void onBatchEnd(int batch, BatchLogs logs, Model model) { running.add(logs.logs().get("loss")); }
            };
            ModelCheckpoint c = new ModelCheckpoint(dir.resolve("b-{epoch}-{batch}.safetensors").toString()).saveWeightsOnly(true)
                    .saveFreq(1).saveBestOnly(true).monitor("loss");
            m.fit(X, Y, new FitOptions().epochs(4).batchSize(4).shuffle(false).verbose(0).callbacks(record, c));
            assertEquals(12, running.size());
            List<String> want = new java.util.ArrayList<>();
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < running.size(); i++) {
                if (running.get(i) < best) {
                    best = running.get(i);
                    want.add("b-" + (i / 3 + 1) + "-" + (i % 3 + 1) + ".safetensors");
                }
            }
            assertTrue(want.size() > 1 && want.size() < running.size(), "some batches improve, some do not: " + running);
            assertEquals(want.stream().sorted().toList(), files());
            assertEquals(best, c.best());
            // a threshold below every running value: nothing is saved
            double min = running.stream().min(Double::compare).orElseThrow();
            ModelCheckpoint none = new ModelCheckpoint(dir.resolve("t-{epoch}-{batch}.safetensors").toString()).saveWeightsOnly(true)
                    .saveFreq(1).saveBestOnly(true).monitor("loss").initialValueThreshold(min / 1e6);
            m.fit(X, Y, new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0).callbacks(none));
            assertEquals(null, none.lastSaved());
            assertEquals(min / 1e6, none.best());
        }
    }

    /**
     * initialValueThreshold between the values, on the per-epoch path: only an epoch better than the threshold and than
     * every saved one before it is saved (Keras' initial_value_threshold is the starting best), in mode min and mode max.
     */
    @Test
    void aThresholdBetweenTheValuesSavesOnlyTheEpochsPastIt() throws IOException {
        Jrnn.setSeed(1);
        List<Double> losses;
        try (Sequential twin = model()) {
            losses = twin.fit(X, Y, new FitOptions().epochs(4).batchSize(4).shuffle(false).verbose(0)).get("loss");
        }
        double threshold = (losses.get(0) + losses.get(1)) / 2;   // the first epoch is above it, the next ones (falling) below
        for (String mode : new String[] {"min", "max"}) {
            Jrnn.setSeed(1);
            try (Sequential m = model()) {
                String stem = "th-" + mode + "-{epoch}.safetensors";
                ModelCheckpoint c = new ModelCheckpoint(dir.resolve(stem).toString()).saveWeightsOnly(true).saveBestOnly(true)
                        .monitor("loss").mode(mode).initialValueThreshold(threshold);
                m.fit(X, Y, new FitOptions().epochs(4).batchSize(4).shuffle(false).verbose(0).callbacks(c));
                List<String> want = new java.util.ArrayList<>();
                double best = threshold;
                for (int e = 0; e < 4; e++) {
                    boolean better = mode.equals("min") ? losses.get(e) < best : losses.get(e) > best;
                    if (better) {
                        best = losses.get(e);
                        want.add("th-" + mode + "-" + (e + 1) + ".safetensors");
                    }
                }
                List<String> got = files().stream().filter(f -> f.startsWith("th-" + mode)).toList();
                assertEquals(want, got, mode + " " + losses);
                assertTrue(mode.equals("max") ? got.size() <= 1 : got.size() >= 1 && !got.contains("th-min-1.safetensors"), got.toString());
            }
        }
    }

    /** What a per-batch checkpoint cannot fill or compare is refused before the first update, the model untouched. */
    @Test
    void perBatchRefusalsComeBeforeTraining() throws IOException {
        Jrnn.setSeed(1);
        try (Sequential m = model()) {
            List<Tensor> before = m.getWeights();
            java.util.function.Supplier<FitOptions> val = () -> new FitOptions().epochs(2).batchSize(4).verbose(0).validationSplit(0.25);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(X, Y,
                    val.get().callbacks(new ModelCheckpoint(dir.resolve("m-{val_loss}.keras").toString()).saveFreq(2))));
            assertEquals("ModelCheckpoint: the filepath names {val_loss}, but fit will log only epoch, batch and [loss] "
                    + "(a save every N batches has the batch logs, without val_ values)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(X, Y,
                    val.get().callbacks(new ModelCheckpoint(dir.resolve("m-{batch}.keras").toString()))));
            assertEquals("ModelCheckpoint: the filepath names {batch}, but fit will log only epoch and [loss, val_loss] "
                    + "({batch} needs saveFreq(int), a save every N batches)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(X, Y,
                    val.get().callbacks(new ModelCheckpoint(dir.resolve("m.keras").toString()).saveFreq(2).saveBestOnly(true))));
            assertEquals("ModelCheckpoint: saveBestOnly with saveFreq 2 compares the monitor in the batch logs, which hold only [loss], "
                    + "not val_loss (monitor a training value, e.g. loss)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m.keras").saveFreq(0));
            assertEquals("ModelCheckpoint: saveFreq must be >= 1 batch (or \"epoch\"), got 0", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m.keras").saveFreq("batch"));
            assertEquals("ModelCheckpoint: saveFreq must be \"epoch\" or a number of batches (saveFreq(int)), got \"batch\"", e.getMessage());
            List<Tensor> after = m.getWeights();
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), after.get(i).data());
            assertEquals(0, m.optimizer().iterations());
            assertEquals(List.of(), files());
            // saveFreq("epoch") after a number goes back to epoch ends
            ModelCheckpoint back = new ModelCheckpoint(dir.resolve("e{epoch}.keras").toString()).saveFreq(2).saveFreq("epoch");
            m.fit(X, Y, new FitOptions().epochs(1).batchSize(4).verbose(0).callbacks(back));
            assertEquals(List.of("e1.keras"), files());
        }
    }

    @Test
    void aFailingPerBatchWriteNamesTheFileEpochAndBatch() throws IOException {
        Jrnn.setSeed(1);
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        try (Sequential m = model()) {
            ModelCheckpoint c = new ModelCheckpoint(blocker.resolve("m.keras").toString()).saveFreq(2);
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).verbose(0).callbacks(c)));
            assertTrue(e.getMessage().contains("m.keras") && e.getMessage().contains("at epoch 1 batch 2:"), e.getMessage());
            assertEquals(2, m.optimizer().iterations(), "fit stopped at the failing save");
            assertEquals("x", Files.readString(blocker));
        }
    }

    /**
     * Saves after every batch of a captured-and-replayed fit ({@link dev.jrnn.backend.RecordingBackend}, which replays as a
     * CUDA graph does) hold bit for bit the weights an eager fit's saves hold: a save between replays reads the updated
     * weights.
     */
    @Test
    void perBatchSavesBetweenReplayedStepsMatchEagerOnes() throws IOException {
        dev.jrnn.backend.RecordingBackend rec = new dev.jrnn.backend.RecordingBackend(dev.jrnn.backend.Backends.cpu());
        try {
            for (String run : List.of("eager", "replayed")) {
                Jrnn.setBackend(run.equals("eager") ? dev.jrnn.backend.Backends.cpu() : rec);
                Jrnn.clearSession();
                Jrnn.setSeed(1);
                try (Sequential m = model()) {
                    m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).seed(3).verbose(0)
                            .callbacks(new ModelCheckpoint(dir.resolve(run + "-{epoch}-{batch}.safetensors").toString()).saveWeightsOnly(true).saveFreq(1)));
                }
            }
        } finally {
            Jrnn.setBackend("cpu");
        }
        assertTrue(rec.replays >= 4, "replayed steps: " + rec.replays);
        for (int e = 1; e <= 2; e++) {
            for (int b = 1; b <= 3; b++) {
                assertArrayEquals(Files.readAllBytes(dir.resolve("eager-" + e + "-" + b + ".safetensors")),
                        Files.readAllBytes(dir.resolve("replayed-" + e + "-" + b + ".safetensors")), e + "/" + b);
            }
        }
    }
}
