package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scalars a fit writes for TensorBoard, read back from the event files, against the fit's History. */
class TensorBoardTest {
    @TempDir Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    record Scalar(String tag, long step, float value) {}

    /** Every scalar of the one event file in {@code run}, in order (the frames' lengths and layout checked on the way). */
    static List<Scalar> read(Path run) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(run)) { files = s.toList(); }
        assertEquals(1, files.size(), "one event file in " + run);
        assertTrue(files.get(0).getFileName().toString().matches("events\\.out\\.tfevents\\.\\d+\\..+\\.\\d+\\.\\d+\\.v2"), files.toString());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(files.get(0))).order(ByteOrder.LITTLE_ENDIAN);
        List<Scalar> out = new ArrayList<>();
        boolean first = true;
        while (b.hasRemaining()) {
            int n = (int) b.getLong();
            b.getInt();
            byte[] e = new byte[n];
            b.get(e);
            b.getInt();
            ByteBuffer m = ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN);
            long step = 0;
            String tag = null, version = null;
            float value = Float.NaN;
            while (m.hasRemaining()) {
                int key = (int) varint(m);
                switch (key) {
                    case (1 << 3) | 1 -> m.getDouble();
                    case 2 << 3 -> step = varint(m);
                    case (3 << 3) | 2 -> version = new String(bytes(m), StandardCharsets.UTF_8);
                    case (5 << 3) | 2 -> {
                        ByteBuffer summary = ByteBuffer.wrap(bytes(m)).order(ByteOrder.LITTLE_ENDIAN);
                        assertEquals((1 << 3) | 2, varint(summary), "Summary.value");
                        ByteBuffer v = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
                        assertEquals((1 << 3) | 2, varint(v), "Value.tag");
                        tag = new String(bytes(v), StandardCharsets.UTF_8);
                        // TensorFlow 2's scalar: tensor { dtype: DT_FLOAT, tensor_shape {}, tensor_content } and the scalars plugin
                        assertEquals((8 << 3) | 2, varint(v), "Value.tensor");
                        ByteBuffer t = ByteBuffer.wrap(bytes(v)).order(ByteOrder.LITTLE_ENDIAN);
                        assertEquals(1 << 3, varint(t), "TensorProto.dtype");
                        assertEquals(1, varint(t), "DT_FLOAT");
                        assertEquals((2 << 3) | 2, varint(t), "TensorProto.tensor_shape");
                        assertEquals(0, bytes(t).length, "a scalar's shape has no dims");
                        assertEquals((4 << 3) | 2, varint(t), "TensorProto.tensor_content");
                        value = ByteBuffer.wrap(bytes(t)).order(ByteOrder.LITTLE_ENDIAN).getFloat();
                        assertEquals((9 << 3) | 2, varint(v), "Value.metadata");
                        assertTrue(new String(bytes(v), StandardCharsets.UTF_8).endsWith("scalars"), "plugin_name scalars");
                    }
                    default -> throw new AssertionError("unexpected field key " + key);
                }
            }
            if (first) assertEquals("brain.Event:2", version, "the first event names the file version");
            else out.add(new Scalar(tag, step, value));
            first = false;
        }
        return out;
    }

    /** The scalars of every event file in {@code run}, a list per file in the order they were opened (their counter). */
    static List<List<Scalar>> readEach(Path run) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(run)) {
            files = s.sorted(java.util.Comparator.comparingInt((Path f) -> Integer.parseInt(f.getFileName().toString().replaceAll(".*\\.(\\d+)\\.v2$", "$1")))).toList();
        }
        List<List<Scalar>> out = new ArrayList<>();
        for (Path f : files) {
            Path one = Files.createTempDirectory("tb");
            Files.copy(f, one.resolve(f.getFileName()));
            out.add(read(one));
            Files.delete(one.resolve(f.getFileName()));
            Files.delete(one);
        }
        return out;
    }

    /**
     * Keras 3.15.1's on_test_end writes evaluation_<name>_vs_iterations (step: optimizer.iterations) on the validation
     * writer, so a standalone evaluate given the callback writes them too, each into a new event file (set_model gives
     * every call new writers), and fit's validation writes them before the epoch's epoch_ values. Seen with Keras 3.15.1
     * and TensorBoard 2.21 (tensorflow backend): evaluate before fit: [evaluation_accuracy_vs_iterations 0,
     * evaluation_loss_vs_iterations 0]; fit of 2 epochs of 3 batches: [evaluation_accuracy 3, evaluation_loss 3,
     * epoch_accuracy 0, epoch_loss 0, evaluation_accuracy 6, evaluation_loss 6, epoch_accuracy 1, epoch_loss 1]; evaluate
     * after it: a third file, step 6.
     */
    @Test
    void evaluateWritesEvaluationScalarsAsKeras3() throws IOException {
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = random(r, 10, 3), y = random(r, 10, 1);
        Sequential m = new Sequential(new Dense(2).inputShape(3), new Dense(1));
        m.compile(new dev.jrnn.optim.SGD(0.05), "mse", "mae");
        TensorBoard tb = new TensorBoard(dir);
        java.util.Map<String, Double> before = m.evaluateAll(List.of(x), List.of(y), 4, null, null, tb);
        List<List<Scalar>> files = readEach(dir.resolve("validation"));
        assertEquals(1, files.size(), "the evaluate's own file");
        assertEquals(List.of(new Scalar("evaluation_loss_vs_iterations", 0, (float) (double) before.get("loss")),
                new Scalar("evaluation_mae_vs_iterations", 0, (float) (double) before.get("mae"))), files.get(0));
        assertTrue(!Files.exists(dir.resolve("train")), "an evaluate writes no train file");

        History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0).validationData(x, y).callbacks(tb));
        files = readEach(dir.resolve("validation"));
        assertEquals(2, files.size(), "the fit's validation file beside the evaluate's");
        List<String> order = files.get(1).stream().map(s -> s.tag() + " " + s.step()).toList();
        assertEquals(List.of("evaluation_loss_vs_iterations 3", "evaluation_mae_vs_iterations 3", "epoch_loss 0", "epoch_mae 0",
                "evaluation_loss_vs_iterations 6", "evaluation_mae_vs_iterations 6", "epoch_loss 1", "epoch_mae 1"), order);
        assertEquals((float) (double) h.get("val_loss").get(1), files.get(1).get(4).value());

        java.util.Map<String, Double> after = m.evaluateAll(List.of(x), List.of(y), 4, null, null, tb);
        files = readEach(dir.resolve("validation"));
        assertEquals(3, files.size(), "each evaluate a new file, as Keras'");
        assertEquals(List.of(new Scalar("evaluation_loss_vs_iterations", 6, (float) (double) after.get("loss")),
                new Scalar("evaluation_mae_vs_iterations", 6, (float) (double) after.get("mae"))), files.get(2));
        assertEquals(1, readEach(dir.resolve("train")).size(), "the fit's train file only");
    }

    /**
     * A fit that throws never reaches onTrainEnd; the next standalone evaluate still writes a validation file of its own
     * (Keras 3.15.1's set_model gives each call new writers) and the failed fit's file is closed with what it had.
     */
    @Test
    void anEvaluateAfterAFailedFitWritesItsOwnFile() throws IOException {
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = random(r, 8, 3), y = random(r, 8, 1);
        Sequential m = new Sequential(new Dense(1).inputShape(3));
        m.compile(new dev.jrnn.optim.SGD(0.05), "mse", "mae");
        TensorBoard tb = new TensorBoard(dir);
        Callback fails = Callback.onEpochEnd((epoch, logs) -> { throw new IllegalStateException("boom"); });
        FitOptions o = new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0).validationData(x, y).callbacks(tb, fails);
        assertEquals("boom", assertThrows(IllegalStateException.class, () -> m.fit(x, y, o)).getMessage());
        java.util.Map<String, Double> after = m.evaluateAll(List.of(x), List.of(y), 4, null, null, tb);
        List<List<Scalar>> files = readEach(dir.resolve("validation"));
        assertEquals(2, files.size(), "the failed fit's validation file and the evaluate's own");
        assertEquals(List.of("evaluation_loss_vs_iterations 2", "evaluation_mae_vs_iterations 2", "epoch_loss 0", "epoch_mae 0"),
                files.get(0).stream().map(s -> s.tag() + " " + s.step()).toList(), "the failed fit's file, closed with its first epoch");
        assertEquals(List.of(new Scalar("evaluation_loss_vs_iterations", 2, (float) (double) after.get("loss")),
                new Scalar("evaluation_mae_vs_iterations", 2, (float) (double) after.get("mae"))), files.get(1));
    }

    /** The files under {@code under} this process holds open (Linux: its /proc/self/fd links). */
    private static List<Path> openFilesUnder(Path under) throws IOException {
        List<Path> r = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(under.toRealPath())) r.add(target);
                } catch (IOException gone) {
                    // the listing's own descriptor, closed since
                }
            }
        }
        return r;
    }

    /**
     * A fit that fails (a later callback throws at the first epoch's end, after this one wrote its train and validation
     * scalars) leaves no event file open: Keras 3.15.1 calls no on_train_end after an exception, and its writers stay
     * open until the callback's next call or the collector; jrnn's loop tells the callback, which closes them with
     * everything written (each scalar was flushed as written). Before, both files stayed open until the next call.
     */
    @Test
    void aFailedFitLeavesNoEventFileOpen() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux' /proc");
        Jrnn.setSeed(4);
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = random(r, 8, 3), y = random(r, 8, 1);
        Sequential m = new Sequential(new Dense(1).inputShape(3));
        m.compile(new dev.jrnn.optim.SGD(0.05), "mse");
        TensorBoard tb = new TensorBoard(dir);
        Callback fails = Callback.onEpochEnd((epoch, logs) -> { throw new IllegalStateException("boom"); });
        Callback open = Callback.onEpochEnd((epoch, logs) -> {
            try {
                assertEquals(2, openFilesUnder(dir).size(), "the train and validation files, open while fit runs");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        FitOptions o = new FitOptions().epochs(2).batchSize(4).verbose(0).validationData(x, y).callbacks(tb, open, fails);
        assertEquals("boom", assertThrows(IllegalStateException.class, () -> m.fit(x, y, o)).getMessage());
        assertEquals(List.of(), openFilesUnder(dir), "no event file left open");
        assertEquals(List.of("epoch_loss 0", "epoch_learning_rate 0"), readEach(dir.resolve("train")).get(0).stream()
                .map(s -> s.tag() + " " + s.step()).toList(), "the train file holds the first epoch");
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] r = new byte[(int) varint(b)];
        b.get(r);
        return r;
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) t.data()[i] = (float) r.nextDouble(-1, 1);
        return t;
    }

    @Test
    void epochAndBatchScalarsAsKeras3NamesThem() throws IOException {
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = random(r, 10, 4, 2), y = random(r, 10, 1);
        Sequential m = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(1));
        m.compile("adam", "mse", "mae");
        List<Double> batchLosses = new ArrayList<>();
        Callback record = new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) { batchLosses.add(logs.loss()); }
        };
        History h = m.fit(x, y, new FitOptions().epochs(3).batchSize(3).shuffle(false).verbose(0).validationSplit(0.2)
                .callbacks(record, new TensorBoard(dir).updateFreq(2)));
        List<Scalar> train = read(dir.resolve("train")), val = read(dir.resolve("validation"));
        List<Scalar> epochLoss = train.stream().filter(s -> s.tag().equals("epoch_loss")).toList();
        assertEquals(3, epochLoss.size());
        for (int e = 0; e < 3; e++) {
            assertEquals(e, epochLoss.get(e).step());
            assertEquals((float) (double) h.get("loss").get(e), epochLoss.get(e).value());
            Scalar mae = train.stream().filter(s -> s.tag().equals("epoch_mae") && s.step() == 0).findFirst().orElseThrow();
            assertEquals((float) (double) h.get("mae").get(0), mae.value());
        }
        assertEquals(3, train.stream().filter(s -> s.tag().equals("epoch_learning_rate") && s.value() == 0.001f).count());
        // 8 training samples in batches of 3: 3 batches per epoch, 9 in all; batch_loss at batches 2, 4, 6, 8, the
        // running mean of its epoch's batch losses weighted by their sizes (3, 3, 2)
        List<Scalar> batch = train.stream().filter(s -> s.tag().equals("batch_loss")).toList();
        assertEquals(List.of(2L, 4L, 6L, 8L), batch.stream().map(Scalar::step).toList());
        double epoch1 = (batchLosses.get(3) * 3 + batchLosses.get(4) * 3 + batchLosses.get(5) * 2) / 8;
        assertEquals((float) epoch1, batch.get(2).value(), 1e-6f, "batch 6 ends epoch 1: its mean is the epoch's");
        assertEquals((float) ((batchLosses.get(0) * 3 + batchLosses.get(1) * 3) / 6), batch.get(0).value(), 1e-6f, "batch 2: two of epoch 0");
        // Keras 3 writes every batch-log entry: the metrics' running values too, the epoch's at its last batch
        List<Scalar> batchMae = train.stream().filter(s -> s.tag().equals("batch_mae")).toList();
        assertEquals(List.of(2L, 4L, 6L, 8L), batchMae.stream().map(Scalar::step).toList());
        assertEquals((float) (double) h.get("mae").get(1), batchMae.get(2).value(), 1e-6f, "batch 6 ends epoch 1");
        List<Scalar> valLoss = val.stream().filter(s -> s.tag().equals("epoch_loss")).toList();
        assertEquals(3, valLoss.size());
        assertEquals((float) (double) h.get("val_loss").get(2), valLoss.get(2).value());
        List<Scalar> vsIterations = val.stream().filter(s -> s.tag().equals("evaluation_loss_vs_iterations")).toList();
        assertEquals(List.of(3L, 6L, 9L), vsIterations.stream().map(Scalar::step).toList(), "step: the optimizer's iterations");
        assertTrue(val.stream().noneMatch(s -> s.tag().startsWith("epoch_val_")), "the val_ prefix is dropped");
    }

    /** With gradient accumulation Keras' optimizer.iterations counts the updates: 3 batches an epoch, 3 steps, one update each. */
    @Test
    void evaluationVsIterationsCountsTheUpdatesUnderGradientAccumulation() throws IOException {
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = random(r, 10, 4, 2), y = random(r, 10, 1);
        Sequential m = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(1));
        m.compile(new dev.jrnn.optim.Adam().gradientAccumulationSteps(3), "mse");
        m.fit(x, y, new FitOptions().epochs(3).batchSize(3).shuffle(false).verbose(0).validationSplit(0.2).callbacks(new TensorBoard(dir)));
        List<Scalar> vs = read(dir.resolve("validation")).stream().filter(s -> s.tag().equals("evaluation_loss_vs_iterations")).toList();
        assertEquals(List.of(1L, 2L, 3L), vs.stream().map(Scalar::step).toList());
    }

    /**
     * Keras' TensorBoard writes epoch_learning_rate from the optimizer at its own turn (_collect_learning_rate), over the
     * "learning_rate" a ReduceLROnPlateau before it logged: that holds the epoch's rate, before its reduction. Here it
     * lowers 0.1 by half at epochs 1 and 2 (minDelta 10: no later loss improves), so History has 0.1 0.1 0.05 and
     * TensorBoard 0.1 0.05 0.025, once per epoch.
     */
    @Test
    void theLearningRateIsTheOptimizersAfterAReductionBeforeIt() throws IOException {
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = random(r, 6, 2), y = random(r, 6, 1);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile(new dev.jrnn.optim.SGD(0.1), "mse");
        ReduceLROnPlateau plateau = new ReduceLROnPlateau().monitor("loss").patience(0).factor(0.5).minDelta(10);
        History h = m.fit(x, y, new FitOptions().epochs(3).batchSize(3).verbose(0).callbacks(plateau, new TensorBoard(dir)));
        assertEquals(List.of((double) 0.1f, (double) 0.1f, (double) 0.05f), h.get("learning_rate"));
        List<Scalar> rate = read(dir.resolve("train")).stream().filter(s -> s.tag().equals("epoch_learning_rate")).toList();
        assertEquals(List.of(0L, 1L, 2L), rate.stream().map(Scalar::step).toList());
        assertEquals(List.of(0.1f, 0.05f, 0.025f), rate.stream().map(Scalar::value).toList());
    }

    @Test
    void badSettingsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TensorBoard(dir).updateFreq("step"));
        assertTrue(e.getMessage().contains("updateFreq must be \"epoch\", \"batch\" or a number of batches, got \"step\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TensorBoard(dir).updateFreq(0));
        assertTrue(e.getMessage().contains("updateFreq must be >= 1 batches, got 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorBoard(null));
    }
}
