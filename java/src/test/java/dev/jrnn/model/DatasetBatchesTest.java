package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.data.DataException;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.data.Sample;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fit / evaluate / predict on a Dataset against the same data as Tensors, and its failures. */
class DatasetBatchesTest {
    static final int T = 6, I = 3;
    @TempDir Path dir;

    static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-1, 1);
        return t;
    }

    static Sequential lstm(int timesteps) {
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new LSTM(5).inputShape(timesteps, I), new Dense(1));
        m.compile("adam", "mse");
        return m;
    }

    static void assertSameWeights(Model a, Model b, String what) {
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).data(), wb.get(i).data(), what + ": weight " + i);
    }

    static FitOptions quiet() { return new FitOptions().verbose(0).shuffle(false); }

    @Test
    void fitOnMappedNpyTrainsExactlyAsOnTensors() throws IOException {
        Tensor x = random(1, 10, T, I), y = random(2, 10, 1);
        Sequential viaTensors = lstm(T), viaFile = lstm(T), viaGenerator = lstm(T);
        History h = viaTensors.fit(x, y, quiet().epochs(2).batchSize(4));
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        History hf = viaFile.fit(Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).batch(4), quiet().epochs(2));
        assertSameWeights(viaTensors, viaFile, "npy");
        assertEquals(h.get("loss"), hf.get("loss"));
        // a generator: its batch count is unknown until the epoch ends
        Dataset gen = Dataset.fromIterator(() -> samples(x, y)).batch(4);
        assertEquals(-1, new DatasetBatches(gen, new Setup(viaGenerator), "fit", true, true).batches());
        History hg = viaGenerator.fit(gen, quiet().epochs(2));
        assertSameWeights(viaTensors, viaGenerator, "generator");
        assertEquals(h.get("loss"), hg.get("loss"));
    }

    private static Iterator<Sample> samples(Tensor x, Tensor y) {
        List<Sample> l = new ArrayList<>();
        for (int i = 0; i < x.dim(0); i++) l.add(Sample.of(row(x, i), row(y, i)));
        return l.iterator();
    }

    private static Tensor row(Tensor t, int i) {
        int n = t.size() / t.dim(0);
        int[] s = t.shape();
        return Tensor.of(Arrays.copyOfRange(t.data(), i * n, (i + 1) * n), Arrays.copyOfRange(s, 1, s.length));
    }

    @Test
    void aStreamLongerThanTheLossLogIsReadBackAsItGoes() throws IOException {
        int n = LossLog.UNKNOWN_CAPACITY + 37;
        Tensor x = random(5, n, 2), y = random(6, n, 1);
        Jrnn.setSeed(1);
        Sequential a = new Sequential(new Dense(1).inputShape(2));
        a.compile("sgd", "mse");
        Jrnn.setSeed(1);
        Sequential b = new Sequential(new Dense(1).inputShape(2));
        b.compile("sgd", "mse");
        History ha = a.fit(x, y, quiet().batchSize(1));
        History hb = b.fit(Dataset.fromIterator(() -> samples(x, y)).batch(1), quiet());
        assertSameWeights(a, b, "generator of " + n + " batches");
        assertEquals(ha.get("loss").get(0), hb.get("loss").get(0), 1e-12);
    }

    /** Random sequences of lengths {@code lens} as values + offsets, and the same zero-padded to T; targets y. */
    record Ragged(int[] lens, long[] off, Tensor values, Tensor padded, Tensor y) {
        static Ragged of(int... lens) {
            long[] off = new long[lens.length + 1];
            for (int i = 0; i < lens.length; i++) off[i + 1] = off[i] + lens[i];
            Tensor values = random(7, (int) off[lens.length], I), y = random(8, lens.length, 1);
            Tensor padded = Tensor.zeros(lens.length, T, I);
            for (int i = 0; i < lens.length; i++) {
                System.arraycopy(values.data(), (int) off[i] * I, padded.data(), i * T * I, lens[i] * I);
            }
            return new Ragged(lens, off, values, padded, y);
        }
    }

    @Test
    void raggedBatchesAreMaskedAsFitOptionsLengths() throws IOException {
        Ragged r = Ragged.of(3, 6, 2, 5, 4, 1);
        int[] lens = r.lens();
        long[] off = r.off();
        Tensor values = r.values(), y = r.y(), padded = r.padded();
        Sequential a = lstm(-1), b = lstm(-1);
        History ha = a.fit(padded, y, quiet().epochs(2).batchSize(2).lengths(lens));
        History hb = b.fit(Dataset.fromRagged(values, off, y).batch(2), quiet().epochs(2));
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) {
            for (int j = 0; j < wa.get(i).size(); j++) assertEquals(wa.get(i).data()[j], wb.get(i).data()[j], 1e-6, "weight " + i + "[" + j + "]");
        }
        assertEquals(ha.get("loss").get(1), hb.get("loss").get(1), 1e-6);
        // evaluation with bucketing: the same loss on the same samples as padded to T
        Dataset ragged = Dataset.fromRagged(values, off, y);
        double padLoss = a.evaluateAll(List.of(padded), List.of(y), 32, lens).get("loss");
        assertEquals(padLoss, a.evaluate(ragged.bucketByLength(2, false, 3, 5)), 1e-6);
        assertEquals(padLoss, a.evaluate(ragged.batch(4)), 1e-6);
    }

    /** DatasetFitBench's bucketing, smaller: lengths uniform in [10, 200], its boundaries, against all padded to 200. */
    @Test
    void bucketsOfTheBenchmarkGiveThePaddedLossOnTheSameSamples() throws IOException {
        int n = 48, max = 200, f = 2;
        SplittableRandom r = new SplittableRandom(17);
        int[] lens = new int[n];
        long[] off = new long[n + 1];
        for (int i = 0; i < n; i++) off[i + 1] = off[i] + (lens[i] = r.nextInt(10, max + 1));
        Tensor values = random(18, (int) off[n], f), y = random(19, n, 1);
        Tensor padded = Tensor.zeros(n, max, f);
        for (int i = 0; i < n; i++) System.arraycopy(values.data(), (int) off[i] * f, padded.data(), i * max * f, lens[i] * f);
        Jrnn.setSeed(2);
        Sequential m = new Sequential(new LSTM(4).inputShape(-1, f), new Dense(1));
        m.compile("adam", "mse");
        double padLoss = m.evaluateAll(List.of(padded), List.of(y), 16, lens).get("loss");
        Dataset bucketed = Dataset.fromRagged(values, off, y).shuffle(7).bucketByLength(16, false, 30, 50, 70, 90, 110, 130, 150, 170);
        assertEquals(padLoss, m.evaluate(bucketed), 1e-6);
    }

    @Test
    void evaluateAndPredictMatchTheTensorCalls() throws IOException {
        Tensor x = random(11, 9, T, I), y = random(12, 9, 1);
        Sequential m = lstm(T);
        m.fit(x, y, quiet().batchSize(3));
        Dataset ds = Dataset.fromTensors(x, y).batch(4);
        assertEquals(m.evaluate(x, y), m.evaluate(ds), 1e-7);
        Tensor p = m.predict(x);
        List<float[]> parts = new ArrayList<>();
        m.predict(ds, outs -> parts.add(outs.get(0).data()));
        assertEquals(3, parts.size());
        float[] all = new float[0];
        for (float[] q : parts) {
            int at = all.length;
            all = Arrays.copyOf(all, at + q.length);
            System.arraycopy(q, 0, all, at, q.length);
        }
        assertArrayEquals(p.data(), all);
        Path out = dir.resolve("p.npy");
        assertEquals(9, m.predict(Dataset.fromTensors(x, null).batch(2), out));
        Tensor back = Npy.read(out);
        assertArrayEquals(p.shape(), back.shape());
        assertArrayEquals(p.data(), back.data());
    }

    @Test
    void severalInputsAndOutputs() throws IOException {
        Jrnn.setSeed(5);
        Input a = Input.shape(T, I), b = Input.shape(2);
        Node h = new LSTM(4).apply(a);
        Node o1 = new Dense(1).apply(h), o2 = new Dense(2).apply(b);
        Model m = new Model(List.of(a, b), List.of(o1, o2));
        m.compile("sgd", "mse");
        List<Tensor> w0 = m.getWeights();
        List<Tensor> xs = List.of(random(1, 8, T, I), random(2, 8, 2)), ys = List.of(random(3, 8, 1), random(4, 8, 2));
        List<Tensor> pt = m.predictAll(xs, 32, null);
        Path p1 = dir.resolve("o1.npy"), p2 = dir.resolve("o2.npy");
        m.predict(Dataset.fromTensors(xs, List.of()).batch(3), p1, p2);
        assertArrayEquals(pt.get(0).data(), Npy.read(p1).data());
        assertArrayEquals(pt.get(1).data(), Npy.read(p2).data());
        History ht = m.fit(xs, ys, quiet().batchSize(3).epochs(2));
        List<Tensor> wt = m.getWeights();
        m.setWeights(w0);
        m.compile("sgd", "mse");
        History hd = m.fit(Dataset.fromTensors(xs, ys).batch(3), quiet().epochs(2)
                .validationData(Dataset.fromTensors(xs, ys).batch(5)));
        for (int i = 0; i < wt.size(); i++) assertArrayEquals(wt.get(i).data(), m.getWeights().get(i).data(), "weight " + i);
        assertEquals(ht.get("loss"), hd.get("loss"));
        Map<String, Double> v = m.evaluateAll(xs, ys, 32, null);
        assertEquals(v.get("loss"), hd.history().get("val_loss").get(1), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromTensors(xs, ys.subList(0, 1)).batch(3), quiet()));
    }

    @Test
    void aNaNInTheFileStopsFitNamingItWithTheWeightsOfTheLastGoodBatch() throws IOException {
        nanStopsFit(dir, () -> lstm(T));
    }

    /**
     * A NaN in sample 6 of x.npy (in {@code dir}) stops fit on batches of two naming the file and sample, with the
     * weights of a model of {@code make} trained on the three batches before; returns the failed model.
     */
    static Sequential nanStopsFit(Path dir, java.util.function.Supplier<Sequential> make) throws IOException {
        Tensor x = random(21, 10, T, I), y = random(22, 10, 1);
        x.data()[6 * T * I + 4] = Float.NaN;   // sample 6: the fourth batch of two
        Path xf = dir.resolve("x.npy"), yf = dir.resolve("y.npy");
        Npy.write(xf, x);
        Npy.write(yf, y);
        Sequential good = make.get(), bad = make.get();
        good.fit(Dataset.fromNpy(xf, yf).take(6).batch(2), quiet());
        DataException e = assertThrows(DataException.class, () -> bad.fit(Dataset.fromNpy(xf, yf).batch(2), quiet()));
        assertTrue(e.getMessage().contains("x.npy sample 6") && e.getMessage().contains("NaN"), e.getMessage());
        assertSameWeights(good, bad, "after the failure");
        assertEquals(good.optimizer().iterations(), bad.optimizer().iterations());
        return bad;
    }

    @Test
    void progressBarOfAStreamCountsItsStepsAndSamples() throws IOException {
        Tensor x = random(31, 10, T, I), y = random(32, 10, 1);
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        lstm(T).fit(Dataset.fromIterator(() -> samples(x, y)).batch(4),
                quiet().verbose(2).out(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)));
        String[] lines = buf.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
        assertTrue(lines[1].matches("3/3 - \\d+s - loss: \\S+ - \\d+(ms|us|s)/epoch - \\d+(ms|us|s)/step - \\d+ samples/s"), lines[1]);
    }
}
