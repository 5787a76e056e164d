package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallbackTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keeps every batch's logs; reads the loss inside onBatchEnd only when {@code reads}. */
    static final class Keeper implements Callback {
        final boolean reads;
        final List<BatchLogs> logs = new ArrayList<>();
        final List<Double> losses = new ArrayList<>();

        Keeper(boolean reads) { this.reads = reads; }

        /** The logs of the first batch of one epoch of fit on {@code (x, y)}, after fit returned. */
        BatchLogs logsOf(Model m, Tensor x, Tensor y) {
            m.fit(x, y, new FitOptions().epochs(1).batchSize(2).verbose(0).shuffle(false).callbacks(this));
            return logs.get(0);
        }

        @Override
        public void onBatchEnd(int batch, BatchLogs l, Model model) {
            assertEquals(logs.size() % 2, batch, "batches count from 0 in each epoch");
            logs.add(l);
            if (reads) losses.add(l.loss());
        }
    }

    /**
     * Keras' on_train_batch_begin: called before each batch's step, so a per-batch warmup of the learning rate set there
     * trains that batch (as a loop of trainOnBatch with the rate set before each), and in order with onBatchEnd.
     */
    @Test
    void onBatchBeginRunsBeforeEachStepSoAWarmupSetThereTrainsThatBatch() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 2), y = Tensor.of(new float[] {1, 0, 1, 0, 1}, 5, 1);
        List<String> order = new ArrayList<>();
        Callback warmup = new Callback() {
            int seen;

            @Override
            public void onBatchBegin(int batch, Model model) {
                order.add("begin " + batch);
                model.optimizer().learningRate(0.01 * ++seen);
            }

            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) { order.add("end " + batch); }
        };
        Jrnn.setSeed(2);
        Sequential fitted = new Sequential(new Dense(1).inputShape(2));
        fitted.compile(new SGD(0.5), "mse");
        Jrnn.setSeed(2);
        Sequential manual = new Sequential(new Dense(1).inputShape(2));
        manual.compile(new SGD(0.5), "mse");
        fitted.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0).shuffle(false).callbacks(warmup));
        int step = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int from = 0; from < 5; from += 2) {
                manual.optimizer().learningRate(0.01 * ++step);
                int to = Math.min(5, from + 2);
                manual.trainOnBatch(x.slice(from, to), y.slice(from, to));
            }
        }
        assertEquals(manual.getWeights(), fitted.getWeights());
        assertEquals(List.of("begin 0", "end 0", "begin 1", "end 1", "begin 2", "end 2", "begin 0", "end 0", "begin 1", "end 1",
                "begin 2", "end 2"), order);
    }

    /**
     * Keras' on_train_batch_end logs: the loss and the metrics of the epoch so far (their running means), which the epoch's
     * logs equal after its last batch; {@link BatchLogs#loss()} stays the batch's own.
     */
    @Test
    void batchLogsGiveTheEpochsRunningLossAndMetricsAsKeras() {
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new Dense(1).activation("sigmoid").inputShape(2));
        m.compile(new SGD(0.1), "binary_crossentropy", "accuracy", "mae");
        Tensor x = Tensor.of(new float[] {1, 2, -3, 4, 5, -6, 7, 8, -9, 1}, 5, 2), y = Tensor.of(new float[] {1, 0, 1, 0, 1}, 5, 1);
        List<java.util.Map<String, Double>> seen = new ArrayList<>();
        List<Double> own = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        Callback c = new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch == 1) own.add(logs.loss());   // the batch's own loss read first, then the running logs
                seen.add(logs.logs());
                if (batch != 1) own.add(logs.loss());
                sizes.add(logs.size());
            }
        };
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(2).verbose(0).shuffle(false).callbacks(c));
        assertEquals(List.of("accuracy", "loss", "mae"), List.copyOf(seen.get(0).keySet()));
        // the running loss: the batches' losses so far weighed by their sizes
        double sum = 0, n = 0;
        for (int b = 0; b < 3; b++) {
            sum += own.get(b) * sizes.get(b);
            n += sizes.get(b);
            assertEquals(sum / n, seen.get(b).get("loss"), 1e-6, "batch " + b);
        }
        assertEquals(own.get(0), seen.get(0).get("loss"), 1e-9);
        for (String k : List.of("accuracy", "loss", "mae")) assertEquals(h.get(k).get(0), seen.get(2).get(k), 1e-9, k);
        // independently: a twin from the same weights stepped by trainOnBatchAll (each batch's metrics before its update),
        // their running means weighed by batch size are the logs each onBatchEnd saw
        Jrnn.setSeed(3);
        Sequential twin = new Sequential(new Dense(1).activation("sigmoid").inputShape(2));
        twin.compile(new SGD(0.1), "binary_crossentropy", "accuracy", "mae");
        double[] sums = new double[3];
        double rows = 0;
        for (int b = 0; b < 3; b++) {
            int from = 2 * b, to = Math.min(5, from + 2);
            Map<String, Double> one = twin.trainOnBatchAll(List.of(x.slice(from, to)), List.of(y.slice(from, to)));
            rows += to - from;
            List<String> keys = List.of("accuracy", "loss", "mae");
            for (int k = 0; k < 3; k++) {
                sums[k] += one.get(keys.get(k)) * (to - from);
                assertEquals(sums[k] / rows, seen.get(b).get(keys.get(k)), 1e-6, keys.get(k) + " after batch " + b);
            }
        }
        // read after the callback returned: gone, as the loss
        Keeper late = new Keeper(false);
        BatchLogs kept = late.logsOf(m, x.slice(0, 4), y.slice(0, 4));
        assertTrue(assertThrows(IllegalStateException.class, kept::logs).getMessage().contains("inside onBatchEnd"));
    }

    @Test
    void overridingOnBatchEndIsEnoughToBeCalledAfterEveryBatch() {
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse");
        Keeper reads = new Keeper(true), ignores = new Keeper(false);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2), y = Tensor.of(new float[] {1, 0, 1, 0}, 4, 1);
        History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0).shuffle(false).callbacks(ignores, reads));
        assertEquals(4, reads.losses.size(), "two batches in each of two epochs");
        assertEquals(4, ignores.logs.size(), "called without asking, whether it reads the loss or not");
        // the epoch's loss is the sample-weighted mean of its batches' losses (equal batches: the plain mean)
        assertEquals((reads.losses.get(0) + reads.losses.get(1)) / 2, h.get("loss").get(0), 1e-6);
        assertEquals(2, ignores.logs.get(0).size());
        // the other callback read it first in the same batch: the same value, read once
        for (int i = 0; i < 4; i++) assertEquals(reads.losses.get(i), reads.logs.get(i).loss());
        // a loss nobody read during its onBatchEnd is not kept
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Keeper(false).logsOf(m, x, y).loss());
        assertTrue(e.getMessage().contains("read the loss inside onBatchEnd"), e.getMessage());
    }

    @Test
    void aLossNobodyReadsStaysOnTheDeviceUntilTheEpochEnds() {
        // diverging training: reading the loss stops fit at the failing batch; not reading it, at the epoch's end
        int[] calls = new int[2];
        NonFiniteException[] thrown = new NonFiniteException[2];
        for (int reads = 0; reads < 2; reads++) {
            Jrnn.clearSession();
            Jrnn.setSeed(3);
            Sequential m = new Sequential(new SimpleRNN(5).inputShape(4, 2), new Dense(1));
            m.compile(new SGD(1e12), "mse");
            boolean read = reads == 1;
            int k = reads;
            Callback cb = new Callback() {
                @Override
                public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                    calls[k]++;
                    if (read) logs.loss();
                }
            };
            thrown[k] = assertThrows(NonFiniteException.class, () -> m.fit(Tensor.full(0.5f, 16, 4, 2), Tensor.full(1e18f, 16, 1),
                    new FitOptions().epochs(50).batchSize(4).verbose(0).shuffle(false).callbacks(cb)));
        }
        assertEquals(thrown[0].epoch(), thrown[1].epoch());
        assertEquals(thrown[0].batch(), thrown[1].batch(), "the same failing batch either way");
        assertEquals(thrown[1].epoch() * 4 + thrown[1].batch() + 1, calls[1], "stopped in the failing batch's onBatchEnd");
        assertEquals((thrown[0].epoch() + 1) * 4, calls[0], "every batch of the failing epoch ran (its updates skipped)");
    }
    @Test
    void aStopAskedForInOnBatchEndEndsTheEpochAfterThatBatch() {
        // Keras checks stop_training after every batch; the epoch's logs, validation and onEpochEnd still come
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse");
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 2), y = Tensor.of(new float[] {1, 0, 1, 0, 1}, 5, 1);
        List<Double> losses = new ArrayList<>();
        List<Integer> epochsEnded = new ArrayList<>();
        Callback stopper = new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                losses.add(logs.loss());
                if (batch == 1) model.stopTraining(true);
            }

            @Override
            public void onEpochEnd(int epoch, java.util.Map<String, Double> logs, Model model) { epochsEnded.add(epoch); }
        };
        History h = m.fit(x, y, new FitOptions().epochs(3).batchSize(1).verbose(0).shuffle(false)
                .validationData(x, y).callbacks(stopper));
        assertEquals(2, m.optimizer().iterations(), "batches 0 and 1 of 5, then the stop");
        assertEquals(List.of(0), epochsEnded);
        assertEquals(1, h.get("loss").size());
        assertEquals(1, h.get("val_loss").size(), "the stopped epoch is still validated");
        assertEquals((losses.get(0) + losses.get(1)) / 2, h.get("loss").get(0), 1e-6, "the epoch's loss is over the batches it ran");
    }
    /**
     * Keras' loop is range(initial_epoch, epochs): at or past the end no epoch runs, the callbacks get on_train_begin
     * and on_train_end, nothing is printed and History is empty (jrnn used to refuse initialEpoch > epochs).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {3, 5})
    void resumingAtOrPastTheLastEpochTrainsNothingAsKeras(int initialEpoch) {
        trainsNothing(3, initialEpoch);
    }

    /**
     * Keras 3.15.1's fit(epochs=0) (checked): on_train_begin and on_train_end only, History {} with params epochs 0,
     * iterations 0, the weights as they were (jrnn refused epochs 0 before session 21).
     */
    @Test
    void zeroEpochsTrainNothingAsKeras() {
        History h = trainsNothing(0, 0);
        assertEquals("{'verbose': 1, 'epochs': 0, 'steps': 1}", h.params().toString());
    }

    private static History trainsNothing(int epochs, int initialEpoch) {
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse");
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), y = Tensor.of(new float[] {1, 0}, 2, 1);
        float[] before = m.getWeights().get(0).toArray();
        List<String> hooks = new ArrayList<>();
        Callback cb = new Callback() {
            @Override
            public void onTrainBegin(Model model) { hooks.add("begin"); }

            @Override
            public void onEpochBegin(int epoch, Model model) { hooks.add("epoch " + epoch); }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { hooks.add("end " + epoch); }

            @Override
            public void onTrainEnd(Model model) { hooks.add("end"); }
        };
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        History h = m.fit(x, y, new FitOptions().epochs(epochs).initialEpoch(initialEpoch).verbose(1).callbacks(cb)
                .validationSplit(0.5).out(new java.io.PrintStream(printed, true)));
        assertTrue(h.history().isEmpty(), h.history().toString());
        assertEquals(List.of("begin", "end"), hooks);
        assertEquals("", printed.toString());
        assertEquals(0, m.optimizer().iterations());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, m.getWeights().get(0).toArray());
        return h;
    }

    /** Records every hook it gets as "name:hook args". */
    static final class Recorder implements Callback {
        final String name;
        final List<String> hooks;

        Recorder(String name, List<String> hooks) { this.name = name; this.hooks = hooks; }

        @Override public void onTrainBegin(Model model) { hooks.add(name + ":train_begin"); }
        @Override public void onEpochBegin(int epoch, Model model) { hooks.add(name + ":epoch_begin " + epoch); }
        @Override public void onBatchEnd(int batch, BatchLogs logs, Model model) { hooks.add(name + ":batch_end " + batch); }
        @Override public void onEpochEnd(int epoch, java.util.Map<String, Double> logs, Model model) {
            hooks.add(name + ":epoch_end " + epoch + " " + logs.keySet());
        }
        @Override public void onTrainEnd(Model model) { hooks.add(name + ":train_end"); }
    }

    @Test
    void hooksComeInKerasOrderOncePerStepAndAfterInitialEpoch() {
        Jrnn.setSeed(2);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse", "mae");
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2), y = Tensor.of(new float[] {1, 0, 1}, 3, 1);
        List<String> hooks = new ArrayList<>();
        History h = m.fit(x, y, new FitOptions().epochs(3).initialEpoch(1).batchSize(2).verbose(0).shuffle(false)
                .validationData(x, y).callbacks(new Recorder("a", hooks), new Recorder("b", hooks)));
        List<String> want = new ArrayList<>(List.of("a:train_begin", "b:train_begin"));
        for (int e = 1; e < 3; e++) {
            want.addAll(List.of("a:epoch_begin " + e, "b:epoch_begin " + e));
            for (int b = 0; b < 2; b++) want.addAll(List.of("a:batch_end " + b, "b:batch_end " + b));
            want.addAll(List.of("a:epoch_end " + e + " [loss, mae, val_loss, val_mae]", "b:epoch_end " + e + " [loss, mae, val_loss, val_mae]"));
        }
        want.addAll(List.of("a:train_end", "b:train_end"));
        assertEquals(want, hooks);
        // Keras' History.epoch holds the epochs trained: 1 and 2 after initial_epoch=1
        assertEquals(List.of(1, 2), h.epochs());
        assertEquals(List.of("loss", "mae", "val_loss", "val_mae"), new ArrayList<>(h.history().keySet()));
        assertEquals(2, h.get("val_loss").size());
        assertEquals(m.evaluate(x, y), h.last("val_loss"), 1e-6);
    }

    /**
     * Keras' evaluate inside fit calls on_test_begin, on_test_batch_begin/end and on_test_end on fit's callbacks, after the
     * epoch's batches and before on_epoch_end, in the epochs that validate (validation_freq 2: the second); on_test_end's
     * logs are the val_ values without the prefix, and the last batch's running logs equal them.
     */
    @Test
    void validationCallsTheTestHooksAsKerasEvaluateInsideFit() {
        Jrnn.setSeed(2);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse", "mae");
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2), y = Tensor.of(new float[] {1, 0, 1}, 3, 1);
        List<String> hooks = new ArrayList<>();
        List<java.util.Map<String, Double>> testEnd = new ArrayList<>(), lastBatch = new ArrayList<>();
        List<Double> batchLosses = new ArrayList<>();
        Callback cb = new Callback() {
            @Override public void onEpochBegin(int epoch, Model model) { hooks.add("epoch_begin " + epoch); }
            @Override public void onBatchEnd(int batch, BatchLogs logs, Model model) { hooks.add("batch_end " + batch); }
            @Override public void onTestBegin(Model model) { hooks.add("test_begin"); }
            @Override public void onTestBatchBegin(int batch, Model model) { hooks.add("test_batch_begin " + batch); }
            @Override public void onTestBatchEnd(int batch, BatchLogs logs, Model model) {
                hooks.add("test_batch_end " + batch + " " + logs.size());
                batchLosses.add(logs.loss());
                if (batch == 1) lastBatch.add(logs.logs());
            }
            @Override public void onTestEnd(java.util.Map<String, Double> logs, Model model) {
                hooks.add("test_end " + logs.keySet());
                testEnd.add(logs);
                logs.put("loss", -1.0);   // a copy, as Keras' pythonify_logs gives: the epoch's val_loss keeps its value
            }
            @Override public void onEpochEnd(int epoch, java.util.Map<String, Double> logs, Model model) { hooks.add("epoch_end " + epoch); }
        };
        History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0).shuffle(false).validationData(x, y)
                .validationFreq(2).callbacks(cb));
        assertEquals(List.of("epoch_begin 0", "batch_end 0", "batch_end 1", "epoch_end 0",
                "epoch_begin 1", "batch_end 0", "batch_end 1", "test_begin", "test_batch_begin 0", "test_batch_end 0 2",
                "test_batch_begin 1", "test_batch_end 1 1", "test_end [loss, mae]", "epoch_end 1"), hooks);
        assertEquals(h.last("val_mae"), testEnd.get(0).get("mae"));
        assertEquals(h.last("val_mae"), lastBatch.get(0).get("mae"));
        assertEquals(h.last("val_loss"), lastBatch.get(0).get("loss"));
        // the validation batches' own losses, by hand from the predictions after the last update: samples 0 1 | 2
        float[] p = m.predict(x).toArray();
        double b0 = (Math.pow(p[0] - 1, 2) + Math.pow(p[1], 2)) / 2, b1 = Math.pow(p[2] - 1, 2);
        assertEquals(b0, batchLosses.get(0), 1e-6);
        assertEquals(b1, batchLosses.get(1), 1e-6);
        assertEquals((2 * b0 + b1) / 3, h.last("val_loss"), 1e-6);
    }

    @Test
    void aThrowingCallbackFailsFitWithItsOwnExceptionAndTheModelTrainsOnAfter() {
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(4, 2), new Dense(1));
        m.compile(new SGD(0.05), "mse");
        Tensor x = Tensor.full(0.5f, 8, 4, 2), y = Tensor.full(0.25f, 8, 1);
        IllegalStateException boom = new IllegalStateException("callback boom");
        Callback thrower = new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch == 1) throw boom;
            }
        };
        assertTrue(boom == assertThrows(IllegalStateException.class,
                () -> m.fit(x, y, new FitOptions().epochs(2).batchSize(4).verbose(0).callbacks(thrower))));
        assertEquals(2, m.optimizer().iterations(), "both steps of the first epoch ran before the throw");
        assertTrue(!m.stopTraining(), "the failed fit leaves no stop request behind");
        // the model is whole: a new fit trains it on and its history is that fit's
        History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(4).verbose(0));
        assertEquals(List.of(0, 1), h.epochs());
        assertEquals(6, m.optimizer().iterations());
        assertTrue(Double.isFinite(h.last("loss")));
    }
}
