package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchNormalization in models: a Conv1D/LSTM model trains with it (loss falls, moving statistics move towards the
 * data's), files keep the moving statistics, a frozen layer keeps its weights and statistics through fit, and a
 * captured-and-replayed train step updates the statistics bit for bit as the eager one (GraphReplayTest's harness).
 */
class BatchNormalizationFitTest {
    @TempDir
    Path dir;

    @BeforeEach
    void fresh() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(7);
    }

    @AfterAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Inputs far from zero mean and unit variance (mean 3, deviation 2), a target from their sums. */
    static Tensor[] data(int n, int t, int c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * t * c], y = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < t * c; j++) {
                x[i * t * c + j] = (float) (3 + 2 * r.nextGaussian());
                s += (x[i * t * c + j] - 3) * (j % 2 == 0 ? 1 : -1);
            }
            y[i] = (float) Math.tanh(s / 8);
        }
        return new Tensor[] {Tensor.of(x, n, t, c), Tensor.of(y, n, 1)};
    }

    @Test
    void convLstmModelTrainsAndFilesKeepTheMovingStatistics() throws IOException {
        Tensor[] d = data(64, 8, 3, 1);
        Sequential m = new Sequential(new Conv1D(6, 3).inputShape(8, 3), new BatchNormalization().momentum(0.8).name("bn"),
                new LSTM(5), new BatchNormalization().name("bn_2d"), new Dense(1));
        m.compile(new Adam(0.02), "mse");
        History h = m.fit(List.of(d[0]), List.of(d[1]), new FitOptions().epochs(12).batchSize(16).verbose(0).seed(3));
        List<Double> loss = h.history().get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.6 * loss.get(0), "loss falls: " + loss);
        BatchNormalization bn = (BatchNormalization) m.getLayer("bn");
        float[] mean = bn.getWeights().get(2).data(), var = bn.getWeights().get(3).data();
        for (int c = 0; c < mean.length; c++) {
            assertNotEquals(0f, mean[c], "moving_mean[" + c + "] moved");
            assertNotEquals(1f, var[c], "moving_variance[" + c + "] moved");
        }
        Tensor y = m.predict(d[0]);
        // predict normalizes with the moving statistics, not the batch's: one sample alone predicts as in the batch
        Tensor one = m.predict(Tensor.of(java.util.Arrays.copyOf(d[0].data(), 24), 1, 8, 3));
        assertEquals(y.data()[0], one.data()[0], 1e-6);
        Path keras = dir.resolve("bn.keras"), h5 = dir.resolve("bn.weights.h5");
        m.save(keras);
        m.saveWeights(h5);
        try (Model a = Models.load(keras)) {
            assertEquals(m.getWeights(), a.getWeights());
            assertEquals(y, a.predict(d[0]));
        }
        Jrnn.clearSession();
        Sequential b = new Sequential(new Conv1D(6, 3).inputShape(8, 3), new BatchNormalization().momentum(0.8),
                new LSTM(5), new BatchNormalization(), new Dense(1));
        b.loadWeights(h5);
        assertEquals(m.getWeights(), b.getWeights());
        assertEquals(y, b.predict(d[0]));
        m.close();
        b.close();
    }

    /** Keras 3: a frozen BatchNormalization runs in inference mode in fit; its weights and statistics stay. */
    @Test
    void frozenLayerKeepsItsWeightsAndStatistics() {
        Tensor[] d = data(24, 5, 2, 2);
        BatchNormalization bn = new BatchNormalization().name("bn");
        Sequential m = new Sequential(new LSTM(4).returnSequences(true).inputShape(5, 2), bn, new LSTM(3), new Dense(1));
        m.compile(new Adam(0.05), "mse");
        m.fit(List.of(d[0]), List.of(d[1]), new FitOptions().epochs(1).batchSize(8).verbose(0));
        bn.trainable(false);
        List<Tensor> before = bn.getWeights();
        Tensor y = m.predict(d[0]);
        m.fit(List.of(d[0]), List.of(d[1]), new FitOptions().epochs(2).batchSize(8).verbose(0));
        assertEquals(before, bn.getWeights());
        assertNotEquals(y, m.predict(d[0]), "the other layers trained");
        m.close();
    }

    /** The moving statistics' updates are device operations: a replayed capture gives the eager fit's bits (masked too). */
    @Test
    void capturedStepsReplayTheMovingStatisticsExactly() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 11, t = 5;
        Tensor x = GraphReplayTest.uniform(r, -1, 3, n, t, 2), y = GraphReplayTest.uniform(r, -1, 1, n, t, 1);
        int[] lengths = {5, 1, 3, 4, 2, 5, 3, 2, 5, 4, 1};
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new Masking(0.0).inputShape(t, 2), new BatchNormalization().momentum(0.7),
                    new LSTM(4).returnSequences(true), new BatchNormalization(), new TimeDistributed(new Dense(1)));
            m.compile(new Adam(0.02), "mse");
            return m;
        };
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        GraphReplayTest.Run eager = replayedAsEager(rec, make, x, y, lengths);
        assertEquals(2, rec.captures, "one graph per batch size");
        assertTrue(rec.replays >= 3 * 3 - 2, "replays " + rec.replays);
        float[] movingMean = eager.weights().get(2).data();
        assertNotEquals(0f, movingMean[0], "the statistics moved");
    }

    /**
     * Fits {@code make}'s model for 3 epochs (batches of 4, seed 7) eagerly and through {@code rec} (captured, replayed):
     * the same bits, asserted; the eager run.
     */
    private static GraphReplayTest.Run replayedAsEager(RecordingBackend rec, Supplier<Model> make, Tensor x, Tensor y, int[] lengths) {
        Supplier<FitOptions> opts = () -> new FitOptions().epochs(3).batchSize(4).verbose(0).seed(7).lengths(lengths);
        GraphReplayTest.Run eager = GraphReplayTest.fit(Backends.cpu(), make, List.of(x), List.of(y), opts.get());
        GraphReplayTest.assertSame(eager, GraphReplayTest.fit(rec, make, List.of(x), List.of(y), opts.get()));
        return eager;
    }

    /**
     * TimeDistributed(BatchNormalization) runs once per step in training (Keras 3's loop): its slices, per-step moments
     * and T moving updates are device operations too, so a replayed capture (CUDA's graphs, simulated) gives the eager
     * fit's bits, under a (batch, steps) mask as well.
     */
    @Test
    void capturedStepsReplayTimeDistributedPerStepStatisticsExactly() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 10, t = 4;
        Tensor x = GraphReplayTest.uniform(r, -1, 3, n, t, 2), y = GraphReplayTest.uniform(r, -1, 1, n, 1);
        int[] lengths = {4, 1, 3, 4, 2, 4, 3, 2, 4, 1};
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new Masking(0.0).inputShape(t, 2), new Dense(3),
                    new TimeDistributed(new BatchNormalization().momentum(0.6)), new LSTM(3), new Dense(1));
            m.compile(new Adam(0.02), "mse");
            return m;
        };
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        replayedAsEager(rec, make, x, y, lengths);
        assertTrue(rec.replays >= 3 * 3 - 2, "replays " + rec.replays);
    }

    /**
     * A callback freezing a BatchNormalization mid-fit (one without gamma and beta: no weight changes sides, the
     * parameter store stays) switches it to the moving statistics in replayed steps too, as in eager ones.
     */
    @Test
    void freezingMidFitReachesTheReplayedSteps() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor x = GraphReplayTest.uniform(r, -1, 3, 12, 4, 2), y = GraphReplayTest.uniform(r, -1, 1, 12, 1);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new LSTM(4).returnSequences(true).inputShape(4, 2),
                    new BatchNormalization().center(false).scale(false).name("bn"), new LSTM(3), new Dense(1));
            m.compile(new Adam(0.02), "mse");
            return m;
        };
        Supplier<FitOptions> opts = () -> new FitOptions().epochs(4).batchSize(4).verbose(0).seed(7).callbacks(new Callback() {
            @Override
            public void onEpochEnd(int epoch, java.util.Map<String, Double> logs, Model model) {
                if (epoch == 1) model.getLayer("bn").trainable(false);
            }
        });
        GraphReplayTest.Run eager = GraphReplayTest.fit(Backends.cpu(), make, List.of(x), List.of(y), opts.get());
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        GraphReplayTest.Run graphed = GraphReplayTest.fit(rec, make, List.of(x), List.of(y), opts.get());
        GraphReplayTest.assertSame(eager, graphed);
    }
}
