package dev.jrnn.data;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' timeseries_dataset_from_array: the windows and targets of its docstring examples, a mapped file, a fit. */
class TimeseriesTest {
    @TempDir Path dir;

    /** 0, 1, ..., n-1 as a (n, 1) series. */
    private static Tensor arange(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return Tensor.of(d, n, 1);
    }

    /** Every batch of epoch 0, inputs then targets (null without targets), flattened per sample. */
    private static List<float[][]> samples(Dataset ds) throws IOException {
        List<float[][]> out = new ArrayList<>();
        try (BatchStream s = ds.epoch(0)) {
            while (s.hasNext()) {
                try (Batch b = s.next()) {
                    Tensor x = b.input(0);
                    Tensor y = b.targetCount() > 0 ? b.target(0) : null;
                    int n = x.dim(0), xw = x.size() / n;
                    for (int i = 0; i < n; i++) {
                        float[] xi = java.util.Arrays.copyOfRange(x.data(), i * xw, (i + 1) * xw);
                        float[] yi = y == null ? null : java.util.Arrays.copyOfRange(y.data(), i * (y.size() / n), (i + 1) * (y.size() / n));
                        out.add(new float[][] {xi, yi});
                    }
                }
            }
        }
        return out;
    }

    private static float[] steps(int from, int count, int every) {
        float[] r = new float[count];
        for (int k = 0; k < count; k++) r[k] = from + k * every;
        return r;
    }

    @Test
    void kerasExample1WindowsEveryOtherStep() throws IOException {
        // indices 0..98, sequence_length=10, sampling_rate=2, sequence_stride=3: [0 2 .. 18], [3 5 .. 21], ..., last [78 .. 96]
        Timeseries t = Timeseries.of(arange(99), null, 10).samplingRate(2).sequenceStride(3).batchSize(8);
        assertEquals(27, t.windows());
        List<float[][]> s = samples(t.dataset());
        assertEquals(27, s.size());
        assertArrayEquals(steps(0, 10, 2), s.get(0)[0]);
        assertArrayEquals(steps(3, 10, 2), s.get(1)[0]);
        assertArrayEquals(steps(6, 10, 2), s.get(2)[0]);
        assertArrayEquals(steps(78, 10, 2), s.get(26)[0]);
    }

    @Test
    void kerasExample2ThePastTenStepsPredictTheNext() throws IOException {
        Tensor data = arange(100);
        Dataset ds = Timeseries.of(data.slice(0, 90), data.slice(10, 100), 10).dataset();
        List<float[][]> s = samples(ds);
        assertEquals(81, s.size());
        for (int i = 0; i < s.size(); i++) {
            assertArrayEquals(steps(i, 10, 1), s.get(i)[0], "window " + i);
            assertArrayEquals(new float[] {i + 10}, s.get(i)[1], "target " + i);
        }
        try (BatchStream b = ds.epoch(0); Batch first = b.next()) {
            assertArrayEquals(new int[] {81, 10, 1}, first.input(0).shape(), "Keras' batch_size 128 takes all 81");
            assertArrayEquals(new int[] {81, 1}, first.target(0).shape());
        }
    }

    @Test
    void kerasExample3NonOverlappingSamplesAndStartEndIndices() throws IOException {
        List<float[][]> s = samples(Timeseries.of(arange(100), null, 20).sequenceStride(20).dataset());
        assertEquals(5, s.size());
        assertArrayEquals(steps(20, 20, 1), s.get(1)[0]);
        // start 10, end 50 (exclusive), windows of 5: starts 10..45, targets[start]
        Tensor targets = Tensor.of(steps(1000, 100, 1), 100);
        List<float[][]> part = samples(Timeseries.of(arange(100), targets, 5).startIndex(10).endIndex(50).dataset());
        assertEquals(36, part.size());
        assertArrayEquals(steps(10, 5, 1), part.get(0)[0]);
        assertArrayEquals(steps(45, 5, 1), part.get(35)[0]);
        assertArrayEquals(new float[] {1045}, part.get(35)[1]);
    }

    @Test
    void aMappedNpyGivesTheSameWindowsAndShuffleIsAPermutationOfThem() throws IOException {
        Tensor series = arange(60), y = Tensor.of(steps(500, 60, 1), 60);
        Path xf = dir.resolve("series.npy"), yf = dir.resolve("targets.npy");
        Npy.write(xf, series);
        Npy.write(yf, y);
        List<float[][]> inMemory = samples(Timeseries.of(series, y, 7).sequenceStride(2).batchSize(5).dataset());
        List<float[][]> mapped = samples(Timeseries.of(xf, yf, 7).sequenceStride(2).batchSize(5).dataset());
        assertEquals(inMemory.size(), mapped.size());
        for (int i = 0; i < mapped.size(); i++) {
            assertArrayEquals(inMemory.get(i)[0], mapped.get(i)[0], "window " + i);
            assertArrayEquals(inMemory.get(i)[1], mapped.get(i)[1], "target " + i);
        }
        List<float[][]> shuffled = samples(Timeseries.of(xf, yf, 7).sequenceStride(2).batchSize(5).shuffle(3).dataset());
        Set<Float> starts = new HashSet<>();
        boolean moved = false;
        for (int i = 0; i < shuffled.size(); i++) {
            float start = shuffled.get(i)[0][0];
            assertArrayEquals(new float[] {500 + start}, shuffled.get(i)[1], "a shuffled window keeps its target");
            starts.add(start);
            moved |= start != inMemory.get(i)[0][0];
        }
        assertEquals(inMemory.size(), starts.size(), "every window once");
        assertTrue(moved, "shuffled");
    }

    @Test
    void anLstmLearnsTheNextStepOfASineFromItsWindows() throws IOException {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(3);
        int n = 300;
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) Math.sin(i * 0.1);
        Tensor series = Tensor.of(d, n, 1);
        Dataset train = Timeseries.of(series.slice(0, n - 12), series.slice(12, n), 12).batchSize(32).shuffle(1).dataset();
        Sequential m = new Sequential(new LSTM(16).inputShape(12, 1), new Dense(1));
        m.compile("adam", "mse");
        History h = m.fit(train, new FitOptions().epochs(8).verbose(0));
        List<Double> loss = h.get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.5 * loss.get(0), "the loss falls: " + loss);
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        Tensor s = arange(20);
        assertThrows(IllegalArgumentException.class, () -> Timeseries.of((Tensor) null, null, 3));
        String[][] cases = {
                {"sequenceLength must be >= 1, got 0"}, {"sequenceStride must be >= 1, got 0"}, {"samplingRate must be >= 1, got -1"},
                {"startIndex must be lower than the series' 20 steps, got 20"}, {"endIndex must be at most the series' 20 steps, got 21"},
                {"endIndex 5 must be higher than startIndex 5"}, {"spans 21 steps", "no window fits"}, {"batchSize must be >= 1, got 0"}};
        List<org.junit.jupiter.api.function.Executable> calls = List.of(
                () -> Timeseries.of(s, null, 0), () -> Timeseries.of(s, null, 3).sequenceStride(0),
                () -> Timeseries.of(s, null, 3).samplingRate(-1), () -> Timeseries.of(s, null, 3).startIndex(20).dataset(),
                () -> Timeseries.of(s, null, 3).endIndex(21).dataset(), () -> Timeseries.of(s, null, 3).startIndex(5).endIndex(5).dataset(),
                () -> Timeseries.of(s, null, 11).samplingRate(2).dataset(), () -> Timeseries.of(s, null, 3).batchSize(0));
        for (int k = 0; k < calls.size(); k++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, calls.get(k));
            for (String w : cases[k]) assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
        }
    }

    /** evaluate, predict and evaluate's steps on the windows equal the same calls on the windows cut out by hand (stride, rate, start, end). */
    @Test
    void evaluateAndPredictOnTheWindowsEqualTheWindowsCutByHand() throws IOException {
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(2));
        m.compile("sgd", "mse", "mae");
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        Tensor s = Tensor.zeros(50, 2), tg = Tensor.zeros(50, 2);
        for (int i = 0; i < 100; i++) { s.data()[i] = (float) r.nextDouble(-1, 1); tg.data()[i] = (float) r.nextDouble(-1, 1); }
        Timeseries ts = Timeseries.of(s, tg, 4).samplingRate(2).sequenceStride(3).startIndex(5).endIndex(45).batchSize(4);
        int n = (int) ts.windows();
        assertEquals(12, n, "Keras: 45 - 5 - (4 - 1) * 2 = 34 starts, every 3rd");
        float[] xv = new float[n * 8], yv = new float[n * 2];
        for (int i = 0; i < n; i++) {
            int start = 5 + i * 3;
            for (int t = 0; t < 4; t++) for (int f = 0; f < 2; f++) xv[i * 8 + t * 2 + f] = s.get(start + t * 2, f);
            for (int f = 0; f < 2; f++) yv[i * 2 + f] = tg.get(start, f);
        }
        Tensor x = Tensor.of(xv, n, 4, 2), y = Tensor.of(yv, n, 2);
        assertEquals(m.evaluateAll(List.of(x), List.of(y), 4, null), m.evaluateAll(ts.dataset()));
        assertEquals(m.evaluateAll(List.of(x.slice(0, 8)), List.of(y.slice(0, 8)), 4, null), m.evaluateAll(ts.dataset(), 2));
        m.predict(ts.dataset(), dir.resolve("p.npy"));
        assertEquals(m.predict(x), Npy.read(dir.resolve("p.npy")));
    }
}
