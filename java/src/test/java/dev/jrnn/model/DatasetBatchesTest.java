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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

    /** A test body that may throw. */
    interface Body {
        void run() throws Exception;
    }

    /** What {@code body} printed to System.err: a short epoch's "ran out of data" warning, which Keras gives at any verbosity. */
    static String stderrOf(Body body) throws Exception {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(before);
        }
        return err.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

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
        assertEquals(-1, new DatasetBatches(gen, new Setup(viaGenerator), DatasetBatches.Use.FIT, true).batches());
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

    /** Keras takes class_weight with a tf.data dataset too: each batch's samples weighed by their targets' classes, not the validation's. */
    @Test
    void classWeightWeighsADatasetsBatchesAsItWeighsTensors() throws IOException {
        Tensor x = random(1, 10, T, I), y = Tensor.of(new float[] {0, 1, 1, 0, 2, 1, 0, 2, 2, 1}, 10, 1);
        Map<Integer, Double> cw = Map.of(0, 0.5, 1, 3.0);   // class 2 unlisted: weight 1
        Sequential viaTensors = lstm(T), viaDataset = lstm(T);
        History h = viaTensors.fit(x, y, quiet().epochs(2).batchSize(4).classWeight(cw).validationData(x, y));
        History d = viaDataset.fit(Dataset.fromTensors(x, y).batch(4), quiet().epochs(2).classWeight(cw)
                .validationData(Dataset.fromTensors(x, y).batch(4)));
        assertEquals(h.history(), d.history());
        assertSameWeights(viaTensors, viaDataset, "classWeight on a dataset");
        Sequential unweighted = lstm(T);
        unweighted.fit(Dataset.fromTensors(x, y).batch(4), quiet().epochs(2));
        assertFalse(Arrays.equals(unweighted.getWeights().get(0).data(), viaDataset.getWeights().get(0).data()), "the class weights weigh");
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
        // one epoch: no "Epoch 1/1" line (Keras prints it only for several epochs)
        assertTrue(lines[0].matches("3/3 - \\d+s - loss: \\S+ - \\d+(ms|us|s)/epoch - \\d+(ms|us|s)/step - \\d+ samples/s"), lines[0]);
    }

    /** fit must not run forever on {@code repeat()}: stepsPerEpoch bounds its epochs, evaluate and predict refuse it. */
    @Test
    void anEndlessDatasetTrainsStepsPerEpochBatchesGoingOnAcrossEpochs() throws IOException {
        Tensor x = random(41, 10, T, I), y = random(42, 10, 1);
        Dataset endless = Dataset.fromTensors(x, y).repeat().batch(4);
        assertTrue(endless.endless());
        assertTrue(!Dataset.fromTensors(x, y).repeat().take(3).endless() && !Dataset.fromTensors(x, y).repeat(2).endless());
        Sequential m = lstm(T), ref = lstm(T);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(endless, quiet()));
            assertTrue(e.getMessage().contains("endless") && e.getMessage().contains("stepsPerEpoch"), e.getMessage());
            for (org.junit.jupiter.api.function.Executable never : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> m.evaluate(endless), () -> m.predict(endless, outs -> {}), () -> m.predict(endless, dir.resolve("p.npy")),
                    () -> m.fit(Dataset.fromTensors(x, y).batch(4), quiet().validationData(endless)))) {
                e = assertThrows(IllegalArgumentException.class, never);
                assertTrue(e.getMessage().contains("endless") && e.getMessage().contains("take("), e.getMessage());
            }
            assertEquals(0, m.optimizer().iterations());
            // 3 epochs of 2 batches of 4 go on through the passes: the 24 samples of three passes, in batches of 4
            History h = m.fit(endless, quiet().epochs(3).stepsPerEpoch(2));
            assertEquals(3, h.get("loss").size());
            assertEquals(6, m.optimizer().iterations());
            ref.fit(Dataset.fromTensors(x, y).repeat(3).take(24).batch(4), quiet());
            assertSameWeights(ref, m, "stepsPerEpoch on repeat()");
            // the stream that went on across epochs is closed with fit, also when a callback throws in the middle
            List<Thread> before = prefetchThreads();
            assertThrows(IllegalStateException.class, () -> m.fit(endless.prefetch(2), quiet().epochs(2).stepsPerEpoch(3)
                    .callbacks(new Callback() {
                        @Override
                        public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                            if (batch == 1) throw new IllegalStateException("a callback fails");
                        }
                    })));
            List<Thread> after = new ArrayList<>(prefetchThreads());
            after.removeAll(before);
            assertEquals(List.of(), after, "prefetch threads left running");
        });
    }

    private static List<Thread> prefetchThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("jrnn-prefetch")).toList();
    }

    /**
     * tf.data's operations after batch: fit on {@code batch(4).repeat()} with stepsPerEpoch takes the batched passes (each
     * ending with its own batch of 2, going on across epochs as Keras' steps_per_epoch), on {@code batch(4).take(2)} the
     * first two batches each epoch, as trainOnBatch on the same batches cut by hand; evaluate and predict read only the
     * batches {@code skip} and {@code take} keep; an endless one is refused by predict as before.
     */
    @Test
    void batchesRepeatedTakenAndSkippedAfterBatchTrainAsTheSameBatchesCutByHand() throws IOException {
        Tensor x = random(61, 10, T, I), y = random(62, 10, 1);
        int[][] cuts = {{0, 4}, {4, 8}, {8, 10}};
        Dataset repeated = Dataset.fromTensors(x, y).batch(4).repeat();
        assertTrue(repeated.endless());
        Sequential m = lstm(T), hand = lstm(T);
        History h = m.fit(repeated, quiet().epochs(3).stepsPerEpoch(2));   // [0,4) [4,8) | [8,10) [0,4) | [4,8) [8,10)
        assertEquals(3, h.get("loss").size());
        assertEquals(6, m.optimizer().iterations());
        for (int s = 0; s < 6; s++) hand.trainOnBatch(x.slice(cuts[s % 3][0], cuts[s % 3][1]), y.slice(cuts[s % 3][0], cuts[s % 3][1]));
        assertSameWeights(hand, m, "batch(4).repeat() with stepsPerEpoch");

        Dataset taken = Dataset.fromTensors(x, y).batch(4).take(2);
        assertEquals(2, taken.batchesPerEpoch());
        Sequential t = lstm(T), hand2 = lstm(T);
        assertEquals(2, t.fit(taken, quiet().epochs(2)).get("loss").size());   // [0,4) [4,8) | [0,4) [4,8)
        assertEquals(4, t.optimizer().iterations());
        for (int s = 0; s < 4; s++) hand2.trainOnBatch(x.slice(cuts[s % 2][0], cuts[s % 2][1]), y.slice(cuts[s % 2][0], cuts[s % 2][1]));
        assertSameWeights(hand2, t, "batch(4).take(2)");

        assertEquals(t.evaluate(x.slice(4, 10), y.slice(4, 10)), t.evaluate(Dataset.fromTensors(x, y).batch(4).skip(1)), 1e-6);
        List<float[]> parts = new ArrayList<>();
        t.predict(Dataset.fromTensors(x, null).batch(4).repeat().skip(4).take(1), outs -> parts.add(outs.get(0).data().clone()));
        assertEquals(1, parts.size());
        assertArrayEquals(t.predict(x.slice(4, 8)).data(), parts.get(0), "the fifth batch of the passes: samples 4..7");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.predict(repeated, outs -> {}));
        assertTrue(e.getMessage().contains("endless"), e.getMessage());
    }

    /**
     * A finite dataset with stepsPerEpoch, as Keras' steps_per_epoch: the batches go on from one epoch to the next, an
     * epoch that runs out of data ends short and the next starts a fresh pass; a resumed run (initialEpoch) skips the
     * batches the epochs before it took, so it trains as the uninterrupted one.
     */
    @Test
    void stepsPerEpochOnAFiniteDatasetGoesOnAndStartsAFreshPassWhenItRunsOut() throws Exception {
        String warned = stderrOf(() -> {
            Tensor x = random(43, 10, T, I), y = random(44, 10, 1);
            Dataset three = Dataset.fromTensors(x, y).batch(4);   // 3 batches per pass
            Sequential m = lstm(T), ref = lstm(T);
            History h = m.fit(three, quiet().epochs(3).stepsPerEpoch(2));   // batches 0 1 | 2 | 0 1
            assertEquals(3, h.get("loss").size());
            assertEquals(5, m.optimizer().iterations());
            ref.fit(three, quiet());
            ref.fit(Dataset.fromTensors(x, y).take(8).batch(4), quiet());
            assertSameWeights(ref, m, "finite data with stepsPerEpoch");

            Dataset shuffled = Dataset.fromTensors(x, y).shuffle(5).repeat().batch(3);
            Sequential whole = lstm(T), resumed = lstm(T);
            History hw = whole.fit(shuffled, quiet().epochs(3).stepsPerEpoch(2));
            resumed.fit(shuffled, quiet().epochs(1).stepsPerEpoch(2));
            History hr = resumed.fit(shuffled, quiet().epochs(3).initialEpoch(1).stepsPerEpoch(2));
            assertSameWeights(whole, resumed, "resumed at epoch 1");
            assertEquals(hw.get("loss").subList(1, 3), hr.get("loss"));
            // a resume across the end of a finite pass (shuffled anew each pass): epochs 0 1 | 2 (short) | fresh pass 0 1
            Dataset finite = Dataset.fromTensors(x, y).shuffle(10).batch(4);
            Sequential straight = lstm(T);
            History hs = straight.fit(finite, quiet().epochs(4).stepsPerEpoch(2));
            for (int at = 1; at <= 3; at++) {
                Sequential part = lstm(T);
                part.fit(finite, quiet().epochs(at).stepsPerEpoch(2));
                History hp = part.fit(finite, quiet().epochs(4).initialEpoch(at).stepsPerEpoch(2));
                assertSameWeights(straight, part, "resumed at epoch " + at + " of a finite dataset");
                assertEquals(hs.get("loss").subList(at, 4), hp.get("loss"), "resumed at epoch " + at);
            }
        });
        assertTrue(warned.contains("ran out of data in epoch 2 after fewer than stepsPerEpoch 2 batches"), warned);
    }

    /** stepsPerEpoch with tensors trains as with a Dataset of the same batches; without a batch size, ceil(n / steps) as Keras. */
    @Test
    void stepsPerEpochWithTensorsGoesOnAsWithADataset() throws Exception {
        String warned = stderrOf(() -> {
            Tensor x = random(60, 10, T, I), y = random(61, 10, 1);
            Sequential viaTensors = lstm(T), viaDataset = lstm(T);
            History ht = viaTensors.fit(x, y, quiet().epochs(3).batchSize(4).stepsPerEpoch(2));   // batches 0 1 | 2 | 0 1
            History hd = viaDataset.fit(Dataset.fromTensors(x, y).batch(4), quiet().epochs(3).stepsPerEpoch(2));
            assertEquals(5, viaTensors.optimizer().iterations());
            assertEquals(hd.get("loss"), ht.get("loss"));
            // the short epoch warns once, as Keras' "Your input ran out of data" (a Python warning: also with verbose 0)
            String err = stderrOf(() -> lstm(T).fit(x, y, quiet().epochs(3).batchSize(4).stepsPerEpoch(2).verbose(0)));
            assertEquals(1, err.split("ran out of data", -1).length - 1, err);
            assertTrue(err.contains("ran out of data in epoch 2 after fewer than stepsPerEpoch 2 batches"), err);
            assertSameWeights(viaDataset, viaTensors, "tensors or a Dataset with stepsPerEpoch");
            Sequential keras = lstm(T), four = lstm(T);
            keras.fit(x, y, quiet().epochs(2).stepsPerEpoch(3));   // no batchSize: ceil(10 / 3) = 4, batches 0 1 2 | 0 1 2
            four.fit(x, y, quiet().epochs(2).batchSize(4));
            assertEquals(6, keras.optimizer().iterations());
            assertSameWeights(four, keras, "Keras' batch size for steps_per_epoch: ceil(samples / steps)");
            // a resumed fit skips the batches the epochs before it took, as with a Dataset
            Sequential straight = lstm(T), part = lstm(T);
            History hs = straight.fit(x, y, quiet().epochs(4).batchSize(4).stepsPerEpoch(2).seed(7).shuffle(true));
            part.fit(x, y, quiet().epochs(2).batchSize(4).stepsPerEpoch(2).seed(7).shuffle(true));
            History hp = part.fit(x, y, quiet().epochs(4).initialEpoch(2).batchSize(4).stepsPerEpoch(2).seed(7).shuffle(true));
            assertSameWeights(straight, part, "resumed at epoch 2 (after a short epoch, into a fresh shuffled pass)");
            assertEquals(hs.get("loss").subList(2, 4), hp.get("loss"));
        });
        assertTrue(warned.contains("ran out of data"), warned);   // the other short epochs' too
    }

    /**
     * validationSteps beyond the validation data: Keras' EpochIterator warns "Your input ran out of data" (at any
     * verbosity, once) and validates on the batches there are; jrnn did the latter without a word.
     */
    @Test
    void validationStepsBeyondTheDataWarnOnceAndValidateOnWhatThereIs() throws Exception {
        Tensor x = random(70, 8, T, I), y = random(71, 8, 1), vx = random(72, 6, T, I), vy = random(73, 6, 1);
        Sequential beyond = lstm(T), exact = lstm(T);
        History[] h = new History[2];
        String err = stderrOf(() -> h[0] = beyond.fit(x, y, quiet().epochs(2).batchSize(4).validationData(vx, vy).validationSteps(5)));
        assertEquals(1, err.split("ran out", -1).length - 1, err);
        assertTrue(err.contains("validation data ran out in epoch 1 after fewer than validationSteps 5 batches"), err);
        assertEquals("", stderrOf(() -> h[1] = exact.fit(x, y, quiet().epochs(2).batchSize(4).validationData(vx, vy).validationSteps(2))),
                "6 samples in batches of 4 are 2 batches: no warning");
        assertEquals(h[1].get("val_loss"), h[0].get("val_loss"), "the same 2 batches validated");
    }

    /** Keras' validation_steps and evaluate's steps: the first n batches, from the start of the data every time. */
    @Test
    void validationStepsAndEvaluateStepsTakeTheFirstBatches() throws IOException {
        Tensor x = random(56, 8, T, I), y = random(57, 8, 1), vx = random(58, 6, T, I), vy = random(59, 6, 1);
        Tensor firstX = Tensor.zeros(4, T, I), firstY = Tensor.zeros(4, 1);
        System.arraycopy(vx.data(), 0, firstX.data(), 0, firstX.data().length);
        System.arraycopy(vy.data(), 0, firstY.data(), 0, 4);
        Dataset endless = Dataset.fromTensors(vx, vy).repeat().batch(2);
        Sequential m = lstm(T);
        History h = m.fit(Dataset.fromTensors(x, y).batch(4), quiet().epochs(2).validationData(endless).validationSteps(2));
        double onFirstFour = m.evaluate(firstX, firstY);
        assertEquals(onFirstFour, h.history().get("val_loss").get(1), 1e-6, "the last validation: the first 2 batches of 2");
        assertEquals(onFirstFour, m.evaluateAll(endless, 2).get("loss"), 1e-6, "evaluate(steps=2) of an endless set");
        assertEquals(m.evaluate(vx, vy), m.evaluateAll(Dataset.fromTensors(vx, vy).batch(2), 10).get("loss"), 1e-6,
                "more steps than batches: all of them");
        // tensors: the first batch of batchSize 4, as a Dataset of them would give
        Sequential t = lstm(T);
        History ht = t.fit(x, y, quiet().epochs(2).batchSize(4).validationData(vx, vy).validationSteps(1));
        assertEquals(t.evaluate(firstX, firstY), ht.history().get("val_loss").get(1), 1e-6, "tensor validation: the first batch");
        Sequential d = lstm(T);
        History hd = d.fit(x, y, quiet().epochs(2).batchSize(4).validationData(Dataset.fromTensors(vx, vy).batch(4)).validationSteps(1));
        assertEquals(ht.history().get("val_loss"), hd.history().get("val_loss"), "tensors or a Dataset: the same validation");
        // no batchSize: Keras validates in ceil(6 / 2) = 3 per batch, so 2 steps cover all 6 validation samples
        Sequential all = lstm(T);
        History ha = all.fit(x, y, quiet().epochs(1).validationData(vx, vy).validationSteps(2));
        assertEquals(all.evaluate(vx, vy), ha.history().get("val_loss").get(0), 1e-6, "validation over every sample");
    }

    /** A validation set the model cannot take fails before the first epoch trains (tf.data would after it), the model unchanged. */
    @Test
    void aValidationDatasetOfTheWrongShapeFailsBeforeTraining() throws IOException {
        Tensor x = random(47, 8, T, I), y = random(48, 8, 1);
        Dataset wrongFeatures = Dataset.fromTensors(random(49, 4, T, I + 1), random(50, 4, 1)).batch(2),
                twoTargets = Dataset.fromTensors(List.of(random(51, 4, T, I)), List.of(random(52, 4, 1), random(53, 4, 1))).batch(2),
                generator = Dataset.fromIterator(() -> samples(random(54, 4, T, I), random(55, 4, 2))).batch(2);
        for (Dataset bad : List.of(wrongFeatures, twoTargets, generator)) {
            Sequential m = lstm(T), untouched = lstm(T);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(Dataset.fromTensors(x, y).batch(4), quiet().epochs(2).validationData(bad)));
            assertTrue(e.getMessage().contains("validation data"), e.getMessage());
            IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(x, y, quiet().epochs(2).batchSize(4).validationData(bad)));
            assertEquals(e.getMessage(), t.getMessage(), "tensors or a dataset to train on: the same refusal");
            assertEquals(0, m.optimizer().iterations(), "no step ran");
            assertSameWeights(untouched, m, "refused before training");
        }
    }

    /** No batch at all (take(0), every sample dropped, an empty generator) is an error naming it, not a loss of 0. */
    @Test
    void anEmptyDatasetIsRefusedInsteadOfGivingALossOfZero() throws IOException {
        Tensor x = random(45, 10, T, I), y = random(46, 10, 1);
        Sequential m = lstm(T);
        List<Tensor> w = m.getWeights();
        Dataset none = Dataset.fromTensors(x, y).take(0).batch(4), dropped = Dataset.fromTensors(x, y).batch(16, true),
                emptyGenerator = Dataset.fromIterator(java.util.Collections::emptyIterator).batch(4);
        Path out = dir.resolve("p.npy");
        for (Dataset d : List.of(none, dropped, emptyGenerator)) {
            for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> m.fit(d, quiet()), () -> m.evaluate(d), () -> m.predict(d, out),
                    () -> m.fit(Dataset.fromTensors(x, y).batch(4), quiet().validationData(d)))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
                assertTrue(e.getMessage().contains("no batch"), e.getMessage());
            }
        }
        assertTrue(!java.nio.file.Files.exists(out), "no predictions file for no data");
        // refused before training: where the size is known, and the empty generator's validation from its first read
        assertEquals(0, m.optimizer().iterations());
        assertThrows(IllegalArgumentException.class, () -> lstm(T).fit(none, quiet()));
        // a generator whose supplier hands back the same, spent iterator: its second epoch is empty, and says why
        Iterator<Sample> once = samples(x, y);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lstm(T).fit(Dataset.fromIterator(() -> once).batch(4), quiet().epochs(2)));
        assertTrue(e.getMessage().contains("no batch in epoch 1") && e.getMessage().contains("fresh iterator"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm(T).fit(emptyGenerator, quiet().epochs(2).stepsPerEpoch(3)));
        assertTrue(e.getMessage().contains("no batch in epoch 0"), e.getMessage());
        Sequential fresh = lstm(T);
        assertThrows(IllegalArgumentException.class, () -> fresh.fit(emptyGenerator, quiet()));
        assertEquals(0, fresh.optimizer().iterations());
        assertSameWeights(lstm(T), fresh, "an empty generator trains nothing");
        assertEquals(w.size(), m.getWeights().size());
    }

    /** Keras builds a Sequential without an input shape on the first batch it sees: a dataset's too (ragged: any length). */
    @Test
    void anUnbuiltSequentialIsBuiltFromTheDatasetsFirstBatch() throws IOException {
        Tensor x = random(47, 10, T, I), y = random(48, 10, 1);
        Sequential built = lstm(T);
        History hb = built.fit(Dataset.fromTensors(x, y).batch(4), quiet().epochs(2));
        Jrnn.setSeed(3);
        Sequential lazy = new Sequential(new LSTM(5), new Dense(1));
        lazy.compile("adam", "mse");
        History hl = lazy.fit(Dataset.fromTensors(x, y).batch(4), quiet().epochs(2));
        assertEquals(hb.get("loss"), hl.get("loss"));
        assertSameWeights(built, lazy, "built from the dataset");
        Jrnn.setSeed(3);
        Sequential forPredict = new Sequential(new LSTM(5), new Dense(1));
        List<float[]> parts = new ArrayList<>();
        assertEquals(10, forPredict.predict(Dataset.fromTensors(x, null).batch(4), outs -> parts.add(outs.get(0).data())));
        assertArrayEquals(Arrays.copyOf(lstm(T).predict(x).data(), 4), parts.get(0));
        Jrnn.setSeed(3);
        Sequential forEvaluate = new Sequential(new LSTM(5), new Dense(1));
        forEvaluate.compile("adam", "mse");
        double lazyLoss = forEvaluate.evaluate(Dataset.fromTensors(x, y).batch(4));   // builds, drawing the weights of seed 3
        assertEquals(lstm(T).evaluate(x, y), lazyLoss, 1e-7);

        Ragged r = Ragged.of(3, 6, 2, 5, 4, 1);
        Jrnn.setSeed(3);
        Sequential ragged = new Sequential(new LSTM(5), new Dense(1));
        ragged.compile("adam", "mse");
        ragged.fit(Dataset.fromRagged(r.values(), r.off(), r.y()).batch(2), quiet());   // first batch padded to 6, later ones to 5
        assertArrayEquals(new int[] {2, 1}, ragged.predict(Tensor.zeros(2, 9, I)).shape(), "the time axis stays open for ragged data");
        Sequential unbuilt = new Sequential(new LSTM(5), new Dense(1));
        unbuilt.compile("adam", "mse");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> unbuilt.fit((Dataset) null, quiet()));
        assertTrue(e.getMessage().endsWith(".fit: the dataset is null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> unbuilt.evaluate((Dataset) null));
        assertTrue(e.getMessage().endsWith(".evaluate: the dataset is null"), e.getMessage());
        // a data set refused whatever the model (endless, empty) leaves an unbuilt model unbuilt
        e = assertThrows(IllegalArgumentException.class, () -> unbuilt.fit(Dataset.fromTensors(x, y).repeat().batch(4), quiet()));
        assertTrue(e.getMessage().contains("endless"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> unbuilt.fit(Dataset.fromTensors(x, y).take(0).batch(4), quiet()));
        assertTrue(e.getMessage().contains("gives no batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> unbuilt.fit(Dataset.fromTensors(x, y).batch(4),
                quiet().validationData(Dataset.fromTensors(x, y).repeat().batch(4))));
        assertTrue(e.getMessage().contains("validation data") && e.getMessage().contains("endless"), e.getMessage());
        assertFalse(unbuilt.isBuilt());
    }

    /** A stateful model's dataset must give batches of the fixed size only: a smaller last batch is refused before any step. */
    @Test
    void aStatefulModelRefusesADatasetWithASmallerLastBatchBeforeAnyStep() throws IOException {
        Tensor x = random(49, 10, T, I), y = random(50, 10, 1);
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new LSTM(5).stateful(true).batchInputShape(4, T, I), new Dense(1));
        m.compile("adam", "mse");
        List<Tensor> w = m.getWeights();
        for (Dataset d : List.of(Dataset.fromTensors(x, y).batch(4), Dataset.fromTensors(x, y).batch(2, true))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(d, quiet()));
            assertTrue(e.getMessage().contains("batch(4, true)") && e.getMessage().contains("lstm"), e.getMessage());
            assertTrue(e.getMessage().contains("rebatch(4, true)"), e.getMessage());
        }
        // the hint a batched dataset can follow (outside tester timeseries: batch(4, true) of it throws 'already batched')
        Sequential fresh = new Sequential(new LSTM(5).stateful(true).batchInputShape(4, T, I), new Dense(1));
        fresh.compile("adam", "mse");
        fresh.fit(Dataset.fromTensors(x, y).batch(4).rebatch(4, true), quiet());
        assertEquals(2, fresh.optimizer().iterations());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.evaluate(Dataset.fromTensors(x, y).batch(4)));
        assertTrue(e.getMessage().contains("evaluate") && e.getMessage().contains("10 samples"), e.getMessage());
        assertEquals(0, m.optimizer().iterations());
        for (int i = 0; i < w.size(); i++) assertArrayEquals(w.get(i).data(), m.getWeights().get(i).data(), "weight " + i);
        // after batch: the batch of 2 ending each pass comes in an endless repeat, or shuffled into the first two; it failed at
        // that step, with the steps before it trained
        for (Dataset d : List.of(Dataset.fromTensors(x, y).batch(4).repeat(), Dataset.fromTensors(x, y).batch(4).shuffle(1).take(2),
                Dataset.fromTensors(x, y).batch(4).skip(1).repeat(2))) {
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(d, quiet().stepsPerEpoch(3)));
            assertTrue(e.getMessage().contains("batch(4, true)") && e.getMessage().contains("smaller"), e.getMessage());
        }
        assertEquals(0, m.optimizer().iterations());
        for (int i = 0; i < w.size(); i++) assertArrayEquals(w.get(i).data(), m.getWeights().get(i).data(), "weight " + i);
        m.fit(Dataset.fromTensors(x, y).batch(4, true), quiet());
        assertEquals(2, m.optimizer().iterations());
        m.fit(Dataset.fromTensors(x, y).batch(4).take(2), quiet());   // the batch of 2 taken away
        m.fit(Dataset.fromTensors(x, y).batch(4, true).repeat(), quiet().stepsPerEpoch(3));
        assertEquals(7, m.optimizer().iterations());
    }

    /**
     * FitOptions.batchSize with a dataset (whose batches are its own, 32 unless batched) is refused, not silently ignored;
     * so are validationLengths (a validation dataset's batches carry their own).
     */
    @Test
    void aBatchSizeOrValidationLengthsGivenWithADatasetAreRefused() throws IOException {
        Tensor x = random(51, 10, T, I), y = random(52, 10, 1);
        Sequential m = lstm(T);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(Dataset.fromTensors(x, y), quiet().batchSize(4)));
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("Dataset.batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromTensors(x, y),
                quiet().validationData(Dataset.fromTensors(x, y)).validationLengths(6, 6, 6, 6, 6, 6, 6, 6, 6, 6)));
        assertTrue(e.getMessage().contains("FitOptions.validationLengths") && e.getMessage().contains("does not apply"), e.getMessage());
        assertEquals(0, m.optimizer().iterations());
    }

    /** A file NumPy wrote (make_reference.py in the data tests' resources), copied into {@code dir}. */
    private Path numpyFile(String name) throws IOException {
        Path p = dir.resolve(name);
        try (java.io.InputStream in = DatasetBatchesTest.class.getResourceAsStream("/dev/jrnn/data/" + name)) {
            java.nio.file.Files.copy(java.util.Objects.requireNonNull(in, name), p);
        }
        return p;
    }

    /** An LSTM on (3, 2) samples with {@code outputs} Dense outputs, the same weights every call. */
    private static Sequential onThreeByTwo(int outputs) {
        Jrnn.setSeed(4);
        Sequential m = new Sequential(new LSTM(3).inputShape(3, 2), new Dense(outputs));
        m.compile("adam", "mse");
        return m;
    }

    /** Big-endian float32 inputs and float64 targets NumPy wrote, and an .npz, train exactly as their arrays read into Tensors. */
    @Test
    void numpyFilesOfOtherDtypesAndByteOrdersTrainAsTheirArrays() throws IOException {
        Path x = numpyFile("f4_be.npy"), y = numpyFile("f8_le.npy"), npz = numpyFile("stored.npz");   // (4, 3, 2) and (4, 3)
        Sequential a = onThreeByTwo(3), b = onThreeByTwo(3);
        History ha = a.fit(Npy.read(x), Npy.read(y), quiet().epochs(2).batchSize(3));   // batches of 3 and 1
        History hb = b.fit(Dataset.fromNpy(x, y).asFloat32().batch(3), quiet().epochs(2));
        assertEquals(ha.get("loss"), hb.get("loss"));
        assertSameWeights(a, b, "big-endian x, float64 y");
        assertEquals(a.evaluate(Npy.read(x), Npy.read(y)), b.evaluate(Dataset.fromNpy(x, y).asFloat32().batch(3)), 1e-7);

        Sequential c = onThreeByTwo(1), d = onThreeByTwo(1);
        float[] ramp = new float[24];
        for (int i = 0; i < ramp.length; i++) ramp[i] = i * 0.5f - 3;
        History hc = c.fit(Tensor.of(ramp, 4, 3, 2), Tensor.of(Arrays.copyOf(ramp, 4), 4, 1), quiet().batchSize(3));
        History hd = d.fit(Dataset.fromNpz(npz, List.of("x"), List.of("y")).batch(3), quiet());
        assertEquals(hc.get("loss"), hd.get("loss"));
        assertSameWeights(c, d, "npz");
    }

    /** The prefetch thread ends with fit: after it returns, after a callback threw in the middle, after an early stop. */
    @Test
    void noPrefetchThreadOutlivesFit() throws IOException {
        Tensor x = random(53, 12, T, I), y = random(54, 12, 1);
        Dataset ds = Dataset.fromTensors(x, y).batch(2).prefetch(1);   // the producer waits on a full queue
        List<Thread> before = prefetchThreads();
        Sequential m = lstm(T);
        m.fit(ds, quiet().epochs(2).validationData(ds));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(ds, quiet().callbacks(new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch == 1) throw new IllegalStateException("a callback fails");
            }
        })));
        assertEquals("a callback fails", e.getMessage());
        long steps = m.optimizer().iterations();
        History h = m.fit(ds, quiet().epochs(5).callbacks(new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { model.stopTraining(true); }
        }));
        assertEquals(1, h.get("loss").size());
        assertEquals(steps + 6, m.optimizer().iterations());
        List<Thread> after = new ArrayList<>(prefetchThreads());
        after.removeAll(before);
        assertEquals(List.of(), after, "prefetch threads left running");
    }

    /**
     * A cache(file) that cannot be written fails fit with an IOException whose own message names the file (FileCache's
     * UncheckedIOException holds one, and fit throws what it holds): its lockfile in a "directory" that is a regular file,
     * and its file's place taken by a directory while the pass is written (the rename fails). Before, fit threw the bare
     * IOException of the file system ("No space left on device" on a full disk), the message naming the cache lost.
     */
    @Test
    void aCacheThatCannotBeWrittenFailsFitWithAnIOExceptionNamingIt() throws IOException {
        Tensor x = random(1, 6, T, I), y = random(2, 6, 1);
        Path plain = java.nio.file.Files.createFile(dir.resolve("plain"));
        Path lock = plain.resolve("c.cache.lockfile");
        Sequential m = lstm(T);
        IOException e = assertThrows(IOException.class, () -> m.fit(Dataset.fromTensors(x, y).cache(plain.resolve("c.cache")).batch(3), quiet().epochs(1)));
        assertTrue(e.getMessage().startsWith("Dataset.cache: could not create " + lock + ": java.nio.file."), e.getMessage());
        assertInstanceOf(java.nio.file.FileSystemException.class, e.getCause(), "the file system's own failure its cause");

        Path f = dir.resolve("taken.cache");
        Dataset taken = Dataset.fromTensors(x, y).map(s -> {
            try {
                java.nio.file.Files.createDirectories(f.resolve("in the way"));   // a non-empty directory where the cache goes
            } catch (IOException io) {
                throw new java.io.UncheckedIOException(io);
            }
            return s;
        }).cache(f).batch(3);
        e = assertThrows(IOException.class, () -> m.fit(taken, quiet().epochs(1)));
        assertTrue(e.getMessage().startsWith("Dataset.cache: could not write " + f + ": java.nio.file."), e.getMessage());
        m.close();
    }
}
