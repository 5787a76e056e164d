package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.DeferredCopyQueue;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.data.DataException;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static dev.jrnn.model.DatasetBatchesTest.assertSameWeights;
import static dev.jrnn.model.DatasetBatchesTest.lstm;
import static dev.jrnn.model.DatasetBatchesTest.quiet;
import static dev.jrnn.model.DatasetBatchesTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fit on a Dataset through the {@link DeviceFeed}, on {@link RecordingBackend}s whose copy queue runs each copy
 * as late as its markers allow and reads the host memory only then (and whose CUDA-like capture replays the
 * steps): the same weights and losses, bit for bit, as fit on the same Tensors, so every step read its own batch;
 * every host segment freed after fit and after a failure; the value checks still run on every batch.
 */
class DeviceFeedTest {
    private static final int T = DatasetBatchesTest.T, I = DatasetBatchesTest.I;
    @TempDir Path dir;

    @AfterEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** {@code make}'s model on a fresh RecordingBackend (copy queues on when {@code feed}). */
    private static <M extends Model> M on(boolean feed, Supplier<M> make) {
        Jrnn.setBackend(new RecordingBackend(Backends.cpu()).copyQueues(feed));
        return make.get();
    }

    private static DeferredCopyQueue onlyQueue(Model m) {
        List<DeferredCopyQueue> qs = ((RecordingBackend) m.backend()).queues;
        assertEquals(1, qs.size(), "one copy queue per fit");
        return qs.getFirst();
    }

    @Test
    void mappedNpyThroughTheFeedTrainsExactlyAsTensors() throws IOException {
        Tensor x = random(1, 22, T, I), y = random(2, 22, 1);   // 5 full batches of 4 and one of 2
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        for (boolean graphs : new boolean[] {true, false}) {
            Sequential viaTensors = on(false, () -> lstm(T));
            History h = viaTensors.fit(x, y, quiet().epochs(3).batchSize(4).cudaGraphs(graphs));
            Sequential viaFeed = on(true, () -> lstm(T));
            History hf = viaFeed.fit(Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).batch(4).prefetch(3),
                    quiet().epochs(3).cudaGraphs(graphs));
            assertSameWeights(viaTensors, viaFeed, "graphs " + graphs);
            assertEquals(h.get("loss"), hf.get("loss"), "graphs " + graphs);
            DeferredCopyQueue q = onlyQueue(viaFeed);
            assertEquals(18, q.uploads, "every batch's input went through the copy queue");
            assertEquals(18, q.mainWaits, "every step waited for its copy");
            assertTrue(q.closed, "fit closed the queue");
            assertEquals(0, q.liveHost(), "every host segment freed");
            assertTrue(q.hostAllocs < 18, "host memory is reused across batches: " + q.hostAllocs + " allocations");
            if (graphs) assertTrue(((RecordingBackend) viaFeed.backend()).replays > 0, "the steps were replayed");
        }
    }

    /**
     * A 1-D series' windows come as (B, T) batches; a model whose input is (T, 1) takes them as Keras does
     * ({@code _adjust_input_rank}), through the host path and the feed, training, evaluating and predicting as the
     * (n, T, 1) windows written out by hand. Before, the batches were refused ("has shape (4, 6), the model expects
     * (None, 6, 1)").
     */
    @Test
    void aOneDimensionalSeriesWindowsTrainAModelOfOneFeature() throws IOException {
        int n = 26, w = n - 2 * T + 1;   // windows over the first n - T steps, each with the step T after its start as target
        Tensor series = random(9, n);
        float[] x = new float[w * T], y = new float[w];
        for (int i = 0; i < w; i++) {
            for (int t = 0; t < T; t++) x[i * T + t] = series.data()[i + t];
            y[i] = series.data()[i + T];
        }
        Supplier<Sequential> make = () -> {
            Jrnn.setSeed(4);
            Sequential m = new Sequential(new LSTM(5).inputShape(T, 1), new Dense(1));
            m.compile("adam", "mse");
            return m;
        };
        Tensor xs = Tensor.wrap(x, w, T, 1), ys = Tensor.wrap(y, w, 1);
        for (boolean feed : new boolean[] {false, true}) {
            Sequential viaTensors = on(false, make);
            History h = viaTensors.fit(xs, ys, quiet().epochs(2).batchSize(4));
            Sequential viaSeries = on(feed, make);
            Dataset windows = dev.jrnn.data.Timeseries.of(series.slice(0, n - T), Tensor.wrap(y.clone(), w, 1), T).batchSize(4).dataset();
            History hs = viaSeries.fit(windows, quiet().epochs(2));
            if (feed) assertEquals(8, onlyQueue(viaSeries).uploads, "the 2 x 4 batches went through the feed, at the viewed shape");
            assertEquals(h.get("loss"), hs.get("loss"), "feed " + feed);
            assertSameWeights(viaTensors, viaSeries, "feed " + feed);
            assertEquals(viaTensors.evaluate(xs, ys), viaSeries.evaluate(windows), 1e-7, "feed " + feed);
            float[] p = viaSeries.predict(xs).data();
            List<float[]> parts = new java.util.ArrayList<>();
            viaSeries.predict(windows, outs -> parts.add(outs.get(0).data()));
            float[] q = new float[p.length];
            int at = 0;
            for (float[] part : parts) {
                System.arraycopy(part, 0, q, at, part.length);
                at += part.length;
            }
            assertEquals(p.length, at);
            org.junit.jupiter.api.Assertions.assertArrayEquals(p, q, 1e-6f, "feed " + feed);
        }
    }

    @Test
    void weightedBatchesThroughTheFeedTrainAsWeightedTensorsEagerly() throws IOException {
        Tensor x = random(3, 10, T, I), y = random(4, 10, 1);
        float[] w = new float[10];
        for (int i = 0; i < w.length; i++) w[i] = (i % 4) * 0.75f;
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        Npy.write(dir.resolve("w.npy"), Tensor.of(w, 10));
        Sequential viaTensors = on(false, () -> lstm(T));
        History h = viaTensors.fit(x, y, quiet().epochs(2).batchSize(4).shuffle(false).sampleWeight(Tensor.of(w, 10)));
        Sequential viaFeed = on(true, () -> lstm(T));
        // the weights are copied out of the feed's reused host memory before the next batch is assembled into it
        History hf = viaFeed.fit(Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy"), dir.resolve("w.npy")).batch(4).prefetch(3),
                quiet().epochs(2));
        assertSameWeights(viaTensors, viaFeed, "weighted");
        assertEquals(h.get("loss"), hf.get("loss"));
        assertEquals(6, onlyQueue(viaFeed).uploads);
        assertEquals(0, ((RecordingBackend) viaFeed.backend()).replays, "a weighted step is not replayed from a graph");
    }

    @Test
    void raggedBucketsThroughTheFeedMatchPaddedTensors() throws IOException {
        DatasetBatchesTest.Ragged r = DatasetBatchesTest.Ragged.of(3, 6, 2, 5, 4, 1, 6, 2, 3);
        int[] lens = r.lens();
        long[] off = r.off();
        Tensor values = r.values(), y = r.y(), padded = r.padded();
        Sequential a = on(false, () -> lstm(-1));
        History ha = a.fit(padded, y, quiet().epochs(2).batchSize(2).lengths(lens));
        Sequential b = on(true, () -> lstm(-1));
        // batches of 2 padded to their longest: the slots grow and shrink in use as the timesteps change
        History hb = b.fit(Dataset.fromRagged(values, off, y).batch(2), quiet().epochs(2));
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) {
            for (int j = 0; j < wa.get(i).size(); j++) assertEquals(wa.get(i).data()[j], wb.get(i).data()[j], 1e-6, "weight " + i + "[" + j + "]");
        }
        assertEquals(ha.get("loss").get(1), hb.get("loss").get(1), 1e-6);
        assertEquals(10, onlyQueue(b).uploads);
        assertEquals(0, onlyQueue(b).liveHost());
    }

    @Test
    void aFailureMidEpochFreesTheFeedAndKeepsTheLastGoodWeights() throws IOException {
        Sequential bad = DatasetBatchesTest.nanStopsFit(dir, () -> on(true, () -> lstm(T)));
        DeferredCopyQueue q = onlyQueue(bad);
        assertTrue(q.closed);
        assertEquals(0, q.liveHost());
        assertEquals(q.hostAllocs, q.hostFrees);
    }

    @Test
    void idsAndClassIndicesAreCheckedInEveryBatchOfAShapeAlreadySeen() throws IOException {
        int n = 8, t = 4;
        float[] ids = new float[n * t], cls = new float[n];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 5;
        for (int i = 0; i < n; i++) cls[i] = i % 3;
        ids[6 * t + 1] = 9;   // sample 6 (the fourth batch of two): outside the vocabulary of 5
        Supplier<Sequential> make = () -> {
            Jrnn.setSeed(1);
            Sequential m = new Sequential(new Embedding(5, 2).inputShape(t), new LSTM(3), new Dense(3));
            m.compile("adam", "sparse_categorical_crossentropy");
            return m;
        };
        Sequential m = on(true, make);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(Dataset.fromTensors(Tensor.of(ids, n, t), Tensor.of(cls, n, 1)).batch(2), quiet()));
        assertTrue(e.getMessage().contains("id 9.0") && e.getMessage().contains("sample 6"), e.getMessage());
        assertEquals(0, onlyQueue(m).liveHost());
        ids[6 * t + 1] = 1;
        cls[5] = 3;   // sample 5 (the third batch): class 3 of 3
        Sequential m2 = on(true, make);
        e = assertThrows(IllegalArgumentException.class,
                () -> m2.fit(Dataset.fromTensors(Tensor.of(ids, n, t), Tensor.of(cls, n, 1)).batch(2), quiet()));
        assertTrue(e.getMessage().contains("class index 3.0") && e.getMessage().contains("sample 4"), e.getMessage());
    }

    @Test
    void severalInputsGoThroughTheFeed() throws IOException {
        Supplier<Model> make = () -> {
            Jrnn.setSeed(5);
            Input a = Input.shape(T, I), b = Input.shape(2);
            Node h = new LSTM(4).apply(a);
            Model m = new Model(List.of(a, b), List.of(new Dense(1).apply(h), new Dense(2).apply(b)));
            m.compile("sgd", "mse");
            return m;
        };
        List<Tensor> xs = List.of(random(1, 8, T, I), random(2, 8, 2)), ys = List.of(random(3, 8, 1), random(4, 8, 2));
        Model plain = on(false, make);
        History ht = plain.fit(xs, ys, quiet().batchSize(3).epochs(2));
        Model fed = on(true, make);
        History hd = fed.fit(Dataset.fromTensors(xs, ys).batch(3), quiet().epochs(2));
        assertSameWeights(plain, fed, "two inputs");
        assertEquals(ht.get("loss"), hd.get("loss"));
        assertEquals(12, onlyQueue(fed).uploads);
    }
}
