package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' sample_weight and class_weight: sum(w * loss) / batch size, as Keras' sum_over_batch_size reduction. */
class SampleWeightsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return t;
    }

    private static Sequential dense(int out) {
        Jrnn.setSeed(21);
        Sequential m = new Sequential(new Dense(out).inputShape(3));
        m.compile(new SGD(0.1), "mse");
        return m;
    }

    private static FitOptions once() {
        return new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0);
    }

    /**
     * A weight a FitOptions setter checked ({@code checked}) is not checked again before the build: checkedFor counts it
     * and hands it back as it is (it made a new Given, its values scanned again); an unchecked one is checked once, and a
     * built model's call leaves every check to resolve.
     */
    @Test
    void checkedForChecksTheValuesOnlyOfAnUncheckedWeightBeforeTheBuild() {
        List<Tensor> xs = List.of(Tensor.zeros(4, 3));
        SampleWeights.Given given = SampleWeights.Given.shared("t", "sampleWeight", Tensor.full(1, 4));
        SampleWeights.Given checked = given.valuesChecked("t", "sampleWeight");
        assertSame(checked, checked.checkedFor("t", "sampleWeight", xs, false));
        SampleWeights.Given now = given.checkedFor("t", "sampleWeight", xs, false);
        assertTrue(now.checked());
        assertSame(given, given.checkedFor("t", "sampleWeight", xs, true));
        SampleWeights.Given negative = SampleWeights.Given.shared("t", "sampleWeight", Tensor.full(-1, 4));
        assertEquals("t: sampleWeight must be finite and >= 0, got -1.0 at sample 0",
                assertThrows(IllegalArgumentException.class, () -> negative.checkedFor("t", "sampleWeight", xs, false)).getMessage());
    }

    /** Per-sample mse of the model's predictions before training. */
    private static double[] perSampleMse(Model m, Tensor x, Tensor y) {
        float[] p = m.predict(x).toArray(), t = y.toArray();
        int n = x.dim(0), c = p.length / n;
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) l[i] += Math.pow((double) p[i * c + j] - t[i * c + j], 2) / c;
        }
        return l;
    }

    @Test
    void theLossIsTheWeightedSumOverTheBatchSize() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = random(r, 4, 3), y = random(r, 4, 2);
        float[] w = {2, 0, 1, 0.5f};
        Sequential m = dense(2);
        double[] l = perSampleMse(m, x, y);
        // fit logs the loss of the step, computed before its update: one batch of all four
        History h = m.fit(x, y, once().sampleWeight(Tensor.of(w, 4)));
        double want = (2 * l[0] + 0 * l[1] + l[2] + 0.5 * l[3]) / 4;
        assertEquals(want, h.get("loss").get(0), 1e-6);
    }

    @Test
    void aWeightOfTwoTrainsAsTheSampleTwiceAndZeroAsNotAtAll() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = random(r, 4, 3), y = random(r, 4, 2);
        Sequential weighted = dense(2), duplicated = dense(2);
        weighted.fit(x, y, once().sampleWeight(Tensor.of(new float[] {2, 0, 1, 1}, 4, 1)));
        // samples 0, 0, 2, 3: the same sum over a batch of the same size
        float[] xd = x.toArray(), yd = y.toArray(), x2 = xd.clone(), y2 = yd.clone();
        System.arraycopy(xd, 0, x2, 3, 3);
        System.arraycopy(yd, 0, y2, 2, 2);
        duplicated.fit(Tensor.of(x2, 4, 3), Tensor.of(y2, 4, 2), once());
        List<Tensor> a = weighted.getWeights(), b = duplicated.getWeights();
        for (int t = 0; t < a.size(); t++) {
            float[] p = a.get(t).toArray(), q = b.get(t).toArray();
            for (int i = 0; i < p.length; i++) assertEquals(q[i], p[i], 1e-6, "weight " + t + "[" + i + "]");
        }
    }

    @Test
    void classWeightWeighsEachSampleByItsTargetsClassAndNotTheValidation() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = random(r, 6, 3);
        Tensor y = Tensor.of(new float[] {0, 2, 1, 2, 0, 1}, 6);
        Jrnn.setSeed(22);
        Sequential m = new Sequential(new Dense(3).activation("softmax").inputShape(3));
        m.compile(new SGD(0.1), "sparse_categorical_crossentropy");
        float[] p = m.predict(x).toArray();
        Map<Integer, Double> cw = Map.of(1, 3.0, 2, 0.5);   // class 0 not given: 1
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0).classWeight(cw).validationSplit(1 / 3.0));
        double want = 0;
        for (int i = 0; i < 4; i++) {
            int c = (int) y.data()[i];
            want += (c == 1 ? 3.0 : c == 2 ? 0.5 : 1.0) * -Math.log(p[i * 3 + c]);
        }
        assertEquals(want / 4, h.get("loss").get(0), 1e-5);
        // the held-out samples (the last two) are evaluated unweighted, as Keras
        double val = m.evaluate(Tensor.of(java.util.Arrays.copyOfRange(x.data(), 12, 18), 2, 3), Tensor.of(new float[] {0, 1}, 2));
        assertEquals(val, h.get("val_loss").get(0), 1e-6);
    }

    @Test
    void sampleWeightsMultiplyAMask() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = random(r, 4, 5, 2), y = random(r, 4, 5, 1);
        int[] lengths = {5, 3, 4, 2};
        float[] w = {1, 2, 0.5f, 3};
        Jrnn.setSeed(23);
        Sequential m = new Sequential(new LSTM(3).returnSequences(true).inputShape(5, 2), new dev.jrnn.layers.TimeDistributed(new Dense(1)));
        m.compile(new SGD(0.05), "mse");
        float[] p = m.predict(x, lengths).toArray(), t = y.toArray();
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0).lengths(lengths)
                .sampleWeight(Tensor.of(w, 4)));
        // Keras' apply_mask: the valid steps weigh total / valid, times the sample's weight; the mean divides by total
        double sum = 0;
        int valid = 0;
        for (int b = 0; b < 4; b++) {
            for (int s = 0; s < lengths[b]; s++) {
                sum += w[b] * Math.pow((double) p[b * 5 + s] - t[b * 5 + s], 2);
                valid++;
            }
        }
        assertEquals(sum / valid, h.get("loss").get(0), 1e-5);
    }

    @Test
    void badWeightsAreRefusedNamingTheParameter() {
        Tensor x = Tensor.zeros(4, 3), y = Tensor.zeros(4, 2);
        Sequential m = dense(2);
        List<float[]> before = m.getWeights().stream().map(Tensor::toArray).toList();
        assertEquals("m.fit: sampleWeight holds 3 weights, x holds 4 samples; give one weight per sample",
                assertThrows(IllegalArgumentException.class, () -> m.name("m").fit(x, y, once().sampleWeight(Tensor.full(1, 3)))).getMessage());
        assertEquals("m.fit: give sampleWeight or classWeight, not both (as Keras)", assertThrows(IllegalArgumentException.class,
                () -> m.fit(x, y, once().sampleWeight(Tensor.full(1, 4)).classWeight(Map.of(0, 2.0)))).getMessage());
        assertEquals("FitOptions: sampleWeight must be finite and >= 0, got -1.0 at sample 1", assertThrows(IllegalArgumentException.class,
                () -> once().sampleWeight(Tensor.of(new float[] {1, -1}, 2))).getMessage());
        // one weight per loss element (n, T, inner) is taken, and refused where the output has no such axes
        assertEquals("m.fit: sampleWeight has shape (4, 2, 2), one weight per loss element, but output " + m.layers().get(0).name()
                        + " (None, 2) has one loss per sample; give (4) (one per sample)",
                assertThrows(IllegalArgumentException.class, () -> m.fit(x, y, once().sampleWeight(Tensor.full(1, 4, 2, 2)))).getMessage());
        assertEquals("FitOptions: classWeight of class 1 must be finite and >= 0, got NaN", assertThrows(IllegalArgumentException.class,
                () -> once().classWeight(Map.of(1, Double.NaN))).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(Dataset.fromTensors(x, y).batch(2), new FitOptions().verbose(0).sampleWeight(Tensor.full(1, 4))));
        assertTrue(e.getMessage().contains("FitOptions.sampleWeight (give the weights in the dataset"), e.getMessage());
        List<float[]> after = m.getWeights().stream().map(Tensor::toArray).toList();
        for (int i = 0; i < before.size(); i++) org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i), after.get(i));
    }

    @Test
    void weightsStayWithTheirSamplesThroughTheShuffleAndTheValidationSplit() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = random(r, 6, 3), y = random(r, 6, 2);
        float[] w = {3, 0, 1, 0.25f, 2, 0.5f};
        Sequential m = dense(2);
        double[] l = perSampleMse(m, x, y);
        // one shuffled batch of the four training samples: the sum is the same in any order, if each keeps its weight
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(4).shuffle(true).seed(9).verbose(0)
                .sampleWeight(Tensor.of(w, 6)).validationSplit(1 / 3.0));
        double want = 0;
        for (int i = 0; i < 4; i++) want += w[i] * l[i];
        assertEquals(want / 4, h.get("loss").get(0), 1e-6);
        // the held-out samples 4 and 5 keep their weights: val_loss after the epoch is their weighted mean
        double[] after = perSampleMse(m, x, y);
        assertEquals((w[4] * after[4] + w[5] * after[5]) / 2, h.get("val_loss").get(0), 1e-6);
    }

    @Test
    void evaluateWeighsTheLossAsFitDoes() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor x = random(r, 5, 3), y = random(r, 5, 2);
        float[] w = {1, 0, 2, 0.5f, 3};
        Sequential m = dense(2);
        m.compile(new SGD(0.1), "mse", "mae");
        double[] l = perSampleMse(m, x, y);
        Map<String, Double> logs = m.evaluateAll(List.of(x), List.of(y), 2, null, Tensor.of(w, 5));
        double want = 0;
        for (int i = 0; i < 5; i++) want += w[i] * l[i];
        // batches of 2, 2 and 1: each sum(w * loss) / its size, averaged by size, is the sum over all / 5
        assertEquals(want / 5, logs.get("loss"), 1e-6);
        assertEquals(m.evaluateAll(List.of(x), List.of(y), 2, null).get("mae"), logs.get("mae"), 0, "metrics unweighted");
        assertEquals("sequential.evaluate: sampleWeight holds 4 weights, x holds 5 samples; give one weight per sample",
                assertThrows(IllegalArgumentException.class, () -> m.name("sequential").evaluateAll(List.of(x), List.of(y), 2, null,
                        Tensor.full(1, 4))).getMessage());
    }

    // ---- per-timestep (temporal) weights, shape (n, T): Keras 3 multiplies them into the per-step loss (n, T)

    private static final int T = 4;

    /** LSTM over (T, 2) returning sequences, then a Dense(2) per step: a sequence output (n, T, 2). */
    private static Sequential sequenceModel(double lr, dev.jrnn.layers.Layer... first) {
        Jrnn.setSeed(24);
        List<dev.jrnn.layers.Layer> ls = new java.util.ArrayList<>(List.of(first));
        ls.add(new LSTM(3).returnSequences(true));
        ls.add(new dev.jrnn.layers.TimeDistributed(new Dense(2)));
        Sequential m = new Sequential(ls.toArray(new dev.jrnn.layers.Layer[0]));
        m.build(T, 2);
        m.compile(new SGD(lr), "mse");
        return m;
    }

    /** The per-step mse (n, T) of {@code m}'s predictions (length-masked when {@code lengths} is not null). */
    private static double[][] perStepMse(Model m, Tensor x, Tensor y, int[] lengths) {
        float[] p = m.predict(x, lengths).toArray(), t = y.toArray();
        int n = x.dim(0), k = y.dim(2);
        double[][] l = new double[n][T];
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < T; s++) {
                for (int j = 0; j < k; j++) l[i][s] += Math.pow((double) p[(i * T + s) * k + j] - t[(i * T + s) * k + j], 2) / k;
            }
        }
        return l;
    }

    private static float[] stepWeights(SplittableRandom r, int n) {
        float[] w = new float[n * T];
        for (int i = 0; i < w.length; i++) w[i] = i % 5 == 0 ? 0 : (float) (r.nextDouble() * 3);   // zero weights too
        return w;
    }

    /** Sequences x (n, T, 2), targets y (n, T, 2) and per-step weights w (n * T, some 0), drawn from {@code seed}. */
    private record Steps(Tensor x, Tensor y, float[] w) {}

    private static Steps steps(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = random(r, n, T, 2), y = random(r, n, T, 2);
        return new Steps(x, y, stepWeights(r, n));
    }

    @Test
    void temporalWeightsWeighEachStepAndTheMeanDividesByEveryStep() {
        int n = 7;
        Steps d = steps(7, n);
        Tensor x = d.x(), y = d.y();
        float[] w = d.w();
        Sequential m = sequenceModel(0);   // learning rate 0: every batch sees the same weights, so the epoch's loss is one sum
        double[][] l = perStepMse(m, x, y, null);
        // shuffled batches of 3, 3 and 1: each weight must travel with its sample and step
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(3).shuffle(true).seed(3).verbose(0).sampleWeight(Tensor.of(w, n, T)));
        // Keras' sum_over_batch_size: each batch's sum / (b * T), averaged over the batches by their size
        double want = maskedWeightedMean(l, w, everyStep(n));
        assertEquals(want, h.get("loss").get(0), 1e-6);
        // (n, T, 1) is the same weights; evaluate weighs as fit does
        assertEquals(want, m.evaluateAll(List.of(x), List.of(y), 3, null, Tensor.of(w, n, T, 1)).get("loss"), 1e-6);
    }

    @Test
    void aZeroStepWeightDropsTheStepFromTheGradientAndAConstantRowIsAPerSampleWeight() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 6;
        Tensor x = random(r, n, T, 2), y = random(r, n, T, 2);
        float[] w = new float[n * T];
        for (int i = 0; i < w.length; i++) w[i] = (i * 7) % 3 == 0 ? 0 : 1;
        Sequential weighted = sequenceModel(0.2), targetAtPrediction = sequenceModel(0.2);
        // a zero-weighted step contributes as a step whose target is the prediction: loss 0, gradient 0, same divisor
        float[] p = targetAtPrediction.predict(x).toArray(), yd = y.toArray().clone();
        for (int i = 0; i < n * T; i++) if (w[i] == 0) System.arraycopy(p, i * 2, yd, i * 2, 2);
        FitOptions one = new FitOptions().epochs(1).batchSize(n).shuffle(true).seed(4).verbose(0);
        History a = weighted.fit(x, y, one.sampleWeight(Tensor.of(w, n, T)));
        History b = targetAtPrediction.fit(x, Tensor.of(yd, n, T, 2), new FitOptions().epochs(1).batchSize(n).shuffle(true).seed(4).verbose(0));
        assertEquals(b.get("loss").get(0), a.get("loss").get(0), 1e-6);
        assertSameWeights(weighted, targetAtPrediction, 1e-6);
        // each sample's steps all weighing c_i trains as the per-sample weight c_i
        float[] c = {2, 0, 1, 0.5f, 3, 1};
        float[] rowsOfC = new float[n * T];
        for (int i = 0; i < n * T; i++) rowsOfC[i] = c[i / T];
        Sequential temporal = sequenceModel(0.2), perSample = sequenceModel(0.2);
        FitOptions o = new FitOptions().epochs(2).batchSize(4).shuffle(true).seed(5).verbose(0);
        temporal.fit(x, y, o.sampleWeight(Tensor.of(rowsOfC, n, T)));
        perSample.fit(x, y, o.sampleWeight(Tensor.of(c, n)));
        assertSameWeights(temporal, perSample, 1e-6);
    }

    private static void assertSameWeights(Model a, Model b, double tol) {
        List<Tensor> p = a.getWeights(), q = b.getWeights();
        for (int t = 0; t < p.size(); t++) {
            float[] u = p.get(t).toArray(), v = q.get(t).toArray();
            for (int i = 0; i < u.length; i++) assertEquals(v[i], u[i], tol, "weight " + t + "[" + i + "]");
        }
    }

    /** Every step of {@code n} samples valid (no mask). */
    private static boolean[][] everyStep(int n) {
        boolean[][] v = new boolean[n][T];
        for (boolean[] row : v) java.util.Arrays.fill(row, true);
        return v;
    }

    /** Keras' apply_mask then sum_over_batch_size: sum over the valid steps of w * loss, over the batch's valid steps. */
    private static double maskedWeightedMean(double[][] l, float[] w, boolean[][] valid) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < l.length; i++) {
            for (int s = 0; s < T; s++) {
                if (!valid[i][s]) continue;
                sum += w[i * T + s] * l[i][s];
                count++;
            }
        }
        return sum / count;
    }

    @Test
    void temporalWeightsMultiplyALengthMaskAndAMaskingMask() {
        int n = 5;
        Steps d = steps(9, n);
        Tensor x = d.x(), y = d.y();
        float[] w = d.w();
        int[] lengths = {4, 2, 3, 1, 4};
        boolean[][] valid = new boolean[n][T];
        for (int i = 0; i < n; i++) for (int s = 0; s < lengths[i]; s++) valid[i][s] = true;
        Sequential m = sequenceModel(0);
        double[][] l = perStepMse(m, x, y, lengths);
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(n).shuffle(true).seed(6).verbose(0).lengths(lengths)
                .sampleWeight(Tensor.of(w, n, T)));
        assertEquals(maskedWeightedMean(l, w, valid), h.get("loss").get(0), 1e-6);
        // a Masking layer's mask: the same steps zeroed in x are padding
        float[] xd = x.toArray().clone();
        for (int i = 0; i < n; i++) for (int s = lengths[i]; s < T; s++) java.util.Arrays.fill(xd, (i * T + s) * 2, (i * T + s + 1) * 2, 0f);
        Tensor xm = Tensor.of(xd, n, T, 2);
        Sequential masked = sequenceModel(0, new dev.jrnn.layers.Masking(0.0));
        double[][] lm = perStepMse(masked, xm, y, null);
        History hm = masked.fit(xm, y, new FitOptions().epochs(1).batchSize(n).shuffle(true).seed(6).verbose(0).sampleWeight(Tensor.of(w, n, T)));
        assertEquals(maskedWeightedMean(lm, w, valid), hm.get("loss").get(0), 1e-6);
    }

    /**
     * A TimeDistributed RNN's (batch, T, inner, units) output takes weights one per loss element, (n, T, inner), as Keras'
     * apply_mask (checked in TrainStepTest against Keras' numbers); (n, T) weights, which Keras 3.15.1 refuses there too
     * ("[2,3] vs [2,3,4]"), are refused naming the shapes that fit (the message said the output was no sequence of 3 steps),
     * before the call and, for a data set's weights, at the step.
     */
    @Test
    void weightsOnAnOutputOfMoreAxesAreOnePerLossElement() throws Exception {
        java.nio.file.Path f = java.nio.file.Path.of(SampleWeightsTest.class.getResource("td_mask/lstm_seq.keras").toURI());
        try (Model m = Models.load(f)) {
            m.name("m").compile(new SGD(0.1f), "mse");
            Tensor x = Tensor.zeros(2, 3, 4, 5), y = Tensor.zeros(2, 3, 4, 2);
            String out = m.layers().get(m.layers().size() - 1).name();
            List<float[]> before = m.getWeights().stream().map(Tensor::toArray).toList();
            String fits = "; give (2) (one per sample) or (2, 3, 4) (one per loss element)";
            assertEquals("m.fit: sampleWeight has shape (2, 3), one weight per timestep: (n, T) weights weigh a (batch, T, units)"
                            + " output; output " + out + " (None, 3, 4, 2) has one loss element per (step, inner step)" + fits,
                    assertThrows(IllegalArgumentException.class, () -> m.fit(x, y, once().sampleWeight(Tensor.full(1, 2, 3)))).getMessage());
            assertEquals("m.evaluate: sampleWeight has shape (2, 3, 5), one weight per loss element, but output " + out
                            + " (None, 3, 4, 2) has one loss element per (step, inner step)" + fits,
                    assertThrows(IllegalArgumentException.class,
                            () -> m.evaluateAll(List.of(x), List.of(y), 2, null, Tensor.full(1, 2, 3, 5))).getMessage());
            assertEquals("m.evaluate: the dataset's sample weight has shape (2, 3), one weight per timestep: (n, T) weights weigh a"
                            + " (batch, T, units) output; output " + out + " (None, 3, 4, 2) has one loss element per (step, inner step)" + fits
                            + " (in the batch starting at input 0 sample 0)",
                    assertThrows(IllegalArgumentException.class,
                            () -> m.evaluate(Dataset.fromTensors(x, y, Tensor.full(1, 2, 3)).batch(2))).getMessage());
            List<float[]> after = m.getWeights().stream().map(Tensor::toArray).toList();
            for (int i = 0; i < before.size(); i++) org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i), after.get(i));
            // one per loss element, and the same with a trailing axis of 1, train
            assertTrue(Double.isFinite(m.trainOnBatch(x, y, Tensor.full(1, 2, 3, 4))));
            assertTrue(Double.isFinite(m.trainOnBatch(x, y, Tensor.full(1, 2, 3, 4, 1))));
        }
    }

    @Test
    void temporalWeightsNeedASequenceOutputOfTheirSteps() {
        Model m = dense(2).name("m");
        Tensor x = Tensor.zeros(4, 3), y = Tensor.zeros(4, 2);
        assertEquals("m.fit: sampleWeight has shape (4, 3), one weight per timestep, but output " + m.layers().get(0).name()
                        + " (None, 2) is not a sequence of 3 steps; give one weight per sample, shape (4)",
                assertThrows(IllegalArgumentException.class, () -> m.fit(x, y, once().sampleWeight(Tensor.zeros(4, 3)))).getMessage());
        Model s = sequenceModel(0.1).name("s");
        Tensor xs = Tensor.zeros(2, T, 2), ys = Tensor.zeros(2, T, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.fit(xs, ys, once().sampleWeight(Tensor.zeros(2, T + 1))));
        assertTrue(e.getMessage().contains("is not a sequence of 5 steps"), e.getMessage());
        // both shapes that work are named (it offered only the per-sample one)
        assertTrue(e.getMessage().endsWith("; give (2, 4) (one per timestep) or (2) (one per sample)"), e.getMessage());
    }

    // ---- trainOnBatch / testOnBatch: Keras' train_on_batch(x, y, sample_weight, class_weight) returns the weighted loss before the update

    @Test
    void trainOnBatchWeighsTheLossAndTheStepAsFitDoes() {
        SplittableRandom r = new SplittableRandom(10);
        Tensor x = random(r, 5, 3), y = random(r, 5, 2);
        float[] w = {2, 0, 1, 0.5f, 3};
        Sequential onBatch = dense(2), fitted = dense(2);
        double[] l = perSampleMse(onBatch, x, y);
        double want = 0;
        for (int i = 0; i < 5; i++) want += w[i] * l[i];
        assertEquals(want / 5, onBatch.testOnBatch(x, y, Tensor.of(w, 5)), 1e-6, "testOnBatch");
        assertEquals(want / 5, onBatch.testOnBatch(List.of(x), List.of(y), Tensor.of(w, 5, 1)).get("loss"), 1e-6);
        assertEquals(want / 5, onBatch.trainOnBatch(x, y, Tensor.of(w, 5)), 1e-6, "trainOnBatch: the loss before the update");
        // one step on the whole batch, shuffled: the same update as fit's single batch
        fitted.fit(x, y, new FitOptions().epochs(1).batchSize(5).shuffle(true).seed(1).verbose(0).sampleWeight(Tensor.of(w, 5)));
        assertSameWeights(onBatch, fitted, 1e-6);
        // testOnBatch left the weights alone: after the step, it gives the weighted loss of the new predictions
        double[] after = perSampleMse(onBatch, x, y);
        double now = 0;
        for (int i = 0; i < 5; i++) now += w[i] * after[i];
        assertEquals(now / 5, onBatch.testOnBatch(x, y, Tensor.of(w, 5)), 1e-6);
    }

    @Test
    void trainOnBatchTakesTemporalWeightsAndClassWeights() {
        int n = 3;
        Steps d = steps(11, n);
        Tensor x = d.x(), y = d.y();
        float[] w = d.w();
        Sequential m = sequenceModel(0.1);
        double[][] l = perStepMse(m, x, y, null);
        assertEquals(maskedWeightedMean(l, w, everyStep(n)), m.trainOnBatch(x, y, Tensor.of(w, n, T)), 1e-6);

        Tensor xc = random(new SplittableRandom(11), 4, 3), yc = Tensor.of(new float[] {0, 2, 1, 2}, 4);
        Jrnn.setSeed(22);
        Sequential c = new Sequential(new Dense(3).activation("softmax").inputShape(3));
        c.compile(new SGD(0.1), "sparse_categorical_crossentropy");
        float[] p = c.predict(xc).toArray();
        double want = 0;
        for (int i = 0; i < 4; i++) {
            int k = (int) yc.data()[i];
            want += (k == 2 ? 4.0 : 1.0) * -Math.log(p[i * 3 + k]);
        }
        assertEquals(want / 4, c.trainOnBatch(List.of(xc), List.of(yc), null, Map.of(2, 4.0)), 1e-5);
        assertEquals("c.trainOnBatch: give sampleWeight or classWeight, not both (as Keras)", assertThrows(IllegalArgumentException.class,
                () -> c.name("c").trainOnBatch(List.of(xc), List.of(yc), Tensor.full(1, 4), Map.of(2, 4.0))).getMessage());
    }

    // ---- validation_data=(x_val, y_val, w_val)

    @Test
    void weightedValidationDataWeighsValLoss() {
        SplittableRandom r = new SplittableRandom(12);
        Tensor x = random(r, 6, 3), y = random(r, 6, 2), vx = random(r, 5, 3), vy = random(r, 5, 2);
        float[] vw = {1, 0, 2.5f, 0.5f, 3};
        Sequential m = dense(2);
        // validation in batches of 2, 2 and 1: the size-weighted mean of the batches' sum(w * loss) / b is sum(w * loss) / n
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(2).shuffle(true).seed(2).verbose(0)
                .validationData(vx, vy, Tensor.of(vw, 5)));
        double[] l = perSampleMse(m, vx, vy);
        double want = 0;
        for (int i = 0; i < 5; i++) want += vw[i] * l[i];
        assertEquals(want / 5, h.get("val_loss").get(0), 1e-6);
        // the unweighted form after the weighted one drops the weights
        History plain = m.fit(x, y, new FitOptions().epochs(1).batchSize(2).verbose(0).validationData(vx, vy, Tensor.of(vw, 5))
                .validationData(vx, vy));
        assertEquals(m.evaluate(vx, vy), plain.get("val_loss").get(0), 1e-6);
    }

    @Test
    void weightedValidationDataPerTimestep() {
        SplittableRandom r = new SplittableRandom(13);
        int n = 4;
        Tensor x = random(r, n, T, 2), y = random(r, n, T, 2), vx = random(r, 3, T, 2), vy = random(r, 3, T, 2);
        float[] vw = stepWeights(r, 3);
        Sequential m = sequenceModel(0.1);
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(2).verbose(0).validationData(List.of(vx), List.of(vy), Tensor.of(vw, 3, T)));
        double[][] l = perStepMse(m, vx, vy, null);
        assertEquals(maskedWeightedMean(l, vw, everyStep(3)), h.get("val_loss").get(0), 1e-6);
        Model named = m.name("s");
        assertEquals("s.fit (validation data): sampleWeight holds 2 weights, x holds 3 samples; give one weight per sample",
                assertThrows(IllegalArgumentException.class, () -> named.fit(x, y, new FitOptions().verbose(0)
                        .validationData(vx, vy, Tensor.full(1, 2)))).getMessage());
    }

    // ---- one weight tensor per output: Keras' sample_weight=[w1, w2] or {"name": w}

    /** Input (3) to outputs "a" Dense(2) and "b" Dense(1), mse on both, loss weights 1 and 0.5. */
    private static Model twoOutputs(double lr) {
        Jrnn.setSeed(25);
        Input in = Input.shape(3);
        Model m = new Model(in, List.of(new Dense(2).name("a").apply(in), new Dense(1).name("b").apply(in)));
        m.compile(new SGD(lr), List.of("mse", "mse"), List.of(1.0, 0.5));
        return m;
    }

    /** Per-sample mse of output {@code k}. */
    private static double[] perSampleMse(Model m, Tensor x, Tensor y, int k) {
        float[] p = m.predictAll(x).get(k).toArray(), t = y.toArray();
        int n = x.dim(0), c = p.length / n;
        double[] l = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) l[i] += Math.pow((double) p[i * c + j] - t[i * c + j], 2) / c;
        return l;
    }

    private static double weighted(float[] w, double[] l) {
        double s = 0;
        for (int i = 0; i < l.length; i++) s += (w == null ? 1 : w[i]) * l[i];
        return s / l.length;
    }

    @Test
    void oneWeightTensorPerOutputWeighsThatOutputsLoss() {
        SplittableRandom r = new SplittableRandom(14);
        int n = 5;
        Tensor x = random(r, n, 3), ya = random(r, n, 2), yb = random(r, n, 1);
        float[] wa = {2, 0, 1, 0.5f, 3}, wb = {0, 1, 4, 1, 0.25f};
        Model m = twoOutputs(0);   // learning rate 0: the epoch's loss is one weighted sum
        double[] la = perSampleMse(m, x, ya, 0), lb = perSampleMse(m, x, yb, 1);
        FitOptions o = new FitOptions().epochs(1).batchSize(2).shuffle(true).seed(8).verbose(0);
        History h = m.fit(List.of(x), List.of(ya, yb), o.sampleWeight(List.of(Tensor.of(wa, n), Tensor.of(wb, n, 1))));
        // Keras: each output's loss weighted by its own sample weights, then by its loss weight; <output>_loss without the latter
        assertEquals(weighted(wa, la) + 0.5 * weighted(wb, lb), h.get("loss").get(0), 1e-6);
        assertEquals(weighted(wa, la), h.get("a_loss").get(0), 1e-6);
        assertEquals(weighted(wb, lb), h.get("b_loss").get(0), 1e-6);
        // a null entry, or a null value by name, is unweighted (Keras' None); a map that leaves an output out is refused, as Keras 3.15.1 refuses it
        h = m.fit(List.of(x), List.of(ya, yb), o.sampleWeight(java.util.Arrays.asList(null, Tensor.of(wb, n))));
        assertEquals(weighted(null, la) + 0.5 * weighted(wb, lb), h.get("loss").get(0), 1e-6);
        Map<String, Tensor> bNull = new java.util.HashMap<>();
        bNull.put("a", Tensor.of(wa, n));
        bNull.put("b", null);
        h = m.fit(List.of(x), List.of(ya, yb), o.sampleWeight(bNull));
        assertEquals(weighted(wa, la) + 0.5 * weighted(null, lb), h.get("loss").get(0), 1e-6);
        // every entry null, in a list or a map: unweighted, as Keras 3.15.1 takes [None, None] and {"a": None, "b": None}
        // (jrnn refused both: "holds no weights")
        double unweighted = weighted(null, la) + 0.5 * weighted(null, lb);
        Map<String, Tensor> allNull = new java.util.HashMap<>();
        allNull.put("a", null);
        allNull.put("b", null);
        h = m.fit(List.of(x), List.of(ya, yb), o.sampleWeight(java.util.Arrays.asList(null, null)));
        assertEquals(unweighted, h.get("loss").get(0), 1e-6);
        h = m.fit(List.of(x), List.of(ya, yb), o.sampleWeight(allNull));
        assertEquals(unweighted, h.get("loss").get(0), 1e-6);
        assertEquals(unweighted, m.evaluateAll(List.of(x), List.of(ya, yb), 2, null, java.util.Arrays.asList(null, null)).get("loss"), 1e-6);
        assertEquals(unweighted, m.testOnBatch(List.of(x), List.of(ya, yb), java.util.Arrays.asList(null, null)).get("loss"), 1e-6);
        FitOptions onlyA = o.sampleWeight(Map.of("a", Tensor.of(wa, n)));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.fit(List.of(x), List.of(ya, yb), onlyA));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("sampleWeight by output name needs every output's key [a, b], got [a], without [b]"),
                e.getMessage());
        // one tensor weighs every output
        h = m.fit(List.of(x), List.of(ya, yb), o.sampleWeight(Tensor.of(wa, n)));
        assertEquals(weighted(wa, la) + 0.5 * weighted(wa, lb), h.get("loss").get(0), 1e-6);
        // evaluate, testOnBatch, trainOnBatch and the validation data take the same lists
        List<Tensor> both = List.of(Tensor.of(wa, n), Tensor.of(wb, n));
        double want = weighted(wa, la) + 0.5 * weighted(wb, lb);
        assertEquals(want, m.evaluateAll(List.of(x), List.of(ya, yb), 2, null, both).get("loss"), 1e-6);
        assertEquals(want, m.testOnBatch(List.of(x), List.of(ya, yb), both).get("loss"), 1e-6);
        h = m.fit(List.of(x), List.of(ya, yb), new FitOptions().epochs(1).verbose(0).validationData(List.of(x), List.of(ya, yb), both));
        assertEquals(want, h.get("val_loss").get(0), 1e-6);
        assertEquals(want, m.trainOnBatch(List.of(x), List.of(ya, yb), both), 1e-6);
    }

    @Test
    void perOutputWeightsTrainEachOutputAsDuplicatedSamples() {
        SplittableRandom r = new SplittableRandom(15);
        Tensor x = random(r, 4, 3), ya = random(r, 4, 2), yb = random(r, 4, 1);
        Model weighted = twoOutputs(0.1), duplicated = twoOutputs(0.1);
        // output a: sample 0 twice, sample 1 dropped, as sample 0 copied over sample 1 in the data; output b: sample 1 dropped
        // only, so b's target for the copy in row 1 is the copy's own prediction (loss and gradient 0)
        float[] pb = duplicated.predictAll(x).get(1).toArray();
        weighted.fit(List.of(x), List.of(ya, yb), new FitOptions().epochs(1).batchSize(4).shuffle(true).seed(1).verbose(0)
                .sampleWeight(List.of(Tensor.of(new float[] {2, 0, 1, 1}, 4), Tensor.of(new float[] {1, 0, 1, 1}, 4))));
        float[] xd = x.toArray().clone(), yad = ya.toArray().clone(), ybd = yb.toArray().clone();
        System.arraycopy(xd, 0, xd, 3, 3);
        System.arraycopy(yad, 0, yad, 2, 2);
        ybd[1] = pb[0];
        duplicated.fit(List.of(Tensor.of(xd, 4, 3)), List.of(Tensor.of(yad, 4, 2), Tensor.of(ybd, 4, 1)),
                new FitOptions().epochs(1).batchSize(4).shuffle(true).seed(1).verbose(0));
        assertSameWeights(weighted, duplicated, 1e-6);
    }

    // ---- a Dataset of (x, y, w), as tf.data's from_tensor_slices((x, y, w))

    @Test
    void aDatasetsWeightsWeighItsBatchesAsFitOnTensorsDoes() throws Exception {
        SplittableRandom r = new SplittableRandom(16);
        int n = 7;
        Tensor x = random(r, n, 3), y = random(r, n, 2);
        float[] w = {2, 0, 1, 0.5f, 3, 1, 0.25f};
        Sequential m = dense(2);
        double[] l = perSampleMse(m, x, y);
        m.compile(new SGD(0), "mse");   // learning rate 0: the epoch's loss is one weighted sum, whatever the order
        History h = m.fit(Dataset.fromTensors(x, y, Tensor.of(w, n)).shuffle(3).batch(3), new FitOptions().epochs(2).verbose(0));
        assertEquals(weighted(w, l), h.get("loss").get(1), 1e-6, "the second epoch's shuffle too");
        assertEquals(weighted(w, l), m.evaluate(Dataset.fromTensors(x, y, Tensor.of(w, n, 1)).batch(2)), 1e-6);
        // trains as the same weights given to fit on tensors, batch for batch
        Sequential a = dense(2), b = dense(2);
        a.fit(Dataset.fromTensors(x, y, Tensor.of(w, n)).batch(3), new FitOptions().epochs(2).verbose(0));
        b.fit(x, y, new FitOptions().epochs(2).batchSize(3).shuffle(false).verbose(0).sampleWeight(Tensor.of(w, n)));
        assertSameWeights(a, b, 1e-6);
        // a map keeps each sample's weight; weighted validation batches weigh val_loss
        History hv = m.fit(Dataset.fromTensors(x, y, Tensor.of(w, n)).map(smp -> smp.with(smp.inputs(), smp.targets())).batch(2),
                new FitOptions().verbose(0).validationData(Dataset.fromTensors(x, y, Tensor.of(w, n)).batch(4)));
        assertEquals(weighted(w, l), hv.get("loss").get(0), 1e-6);
        assertEquals(weighted(w, l), hv.get("val_loss").get(0), 1e-6);
        // predict has no loss to weigh: the weights are ignored, as Keras' predict ignores them
        List<Tensor> out = new java.util.ArrayList<>();
        assertEquals(n, m.predict(Dataset.fromTensors(x, y, Tensor.of(w, n)).batch(3), ps -> out.add(ps.get(0))));
        assertEquals(java.util.Arrays.toString(m.predict(x).toArray()),
                java.util.Arrays.toString(out.stream().map(Tensor::toArray).reduce(new float[0], SampleWeightsTest::concat)));
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void aGeneratorsRaggedSequencesWithWeightsPerStep() throws Exception {
        int n = 3;
        int[] lengths = {4, 2, 3};
        Steps d = steps(17, n);
        Tensor x = d.x(), y = d.y();
        float[] w = d.w();
        List<dev.jrnn.data.Sample> samples = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = lengths[i];
            samples.add(dev.jrnn.data.Sample.sequence(Tensor.of(java.util.Arrays.copyOfRange(x.data(), i * T * 2, (i * T + len) * 2), len, 2),
                    Tensor.of(java.util.Arrays.copyOfRange(y.data(), i * T * 2, (i * T + len) * 2), len, 2),
                    Tensor.of(java.util.Arrays.copyOfRange(w, i * T, i * T + len), len)));
        }
        boolean[][] valid = new boolean[n][T];
        for (int i = 0; i < n; i++) for (int s = 0; s < lengths[i]; s++) valid[i][s] = true;
        Jrnn.setSeed(24);
        Sequential m = new Sequential(new LSTM(3).returnSequences(true), new dev.jrnn.layers.TimeDistributed(new Dense(2)));
        m.build(-1, 2);
        m.compile(new SGD(0), "mse");
        double[][] l = perStepMse(m, x, y, lengths);
        // one batch padded to 4 steps: the padding is masked (its zero weights do not count either)
        History h = m.fit(Dataset.fromIterator(samples::iterator).batch(n), new FitOptions().verbose(0));
        assertEquals(maskedWeightedMean(l, w, valid), h.get("loss").get(0), 1e-6);
    }

    @Test
    void aDatasetsWeightsPerOutput() throws Exception {
        SplittableRandom r = new SplittableRandom(18);
        int n = 5;
        Tensor x = random(r, n, 3), ya = random(r, n, 2), yb = random(r, n, 1);
        float[] wa = {2, 0, 1, 0.5f, 3}, wb = {0, 1, 4, 1, 0.25f};
        Model m = twoOutputs(0);
        double[] la = perSampleMse(m, x, ya, 0), lb = perSampleMse(m, x, yb, 1);
        History h = m.fit(Dataset.fromTensors(List.of(x), List.of(ya, yb), List.of(Tensor.of(wa, n), Tensor.of(wb, n))).shuffle(2).batch(2),
                new FitOptions().verbose(0));
        assertEquals(weighted(wa, la) + 0.5 * weighted(wb, lb), h.get("loss").get(0), 1e-6);
        // a null entry leaves that output unweighted, as FitOptions.sampleWeight(List) takes it
        History u = m.fit(Dataset.fromTensors(List.of(x), List.of(ya, yb), java.util.Arrays.asList(Tensor.of(wa, n), null)).batch(5),
                new FitOptions().verbose(0));
        float[] ones = {1, 1, 1, 1, 1};
        assertEquals(weighted(wa, la) + 0.5 * weighted(ones, lb), u.get("loss").get(0), 1e-6);
    }

    /** Review: a skipped output (null target) of unknown steps with per-timestep weights: its weight is not checked, nothing throws. */
    @Test
    void aSkippedOutputOfUnknownStepsTakesSharedStepWeights() {
        Jrnn.setSeed(12);
        Input in = Input.shape(-1, 2);
        Node h = new LSTM(3).returnSequences(true).apply(in);
        Model m = new Model(in, List.of(new dev.jrnn.layers.TimeDistributed(new Dense(1)).name("a").apply(h),
                new dev.jrnn.layers.TimeDistributed(new Dense(1)).name("b").apply(h)));
        m.compile(new SGD(0.1), "mse");
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = random(r, 4, T, 2), ya = random(r, 4, T, 1), w = Tensor.full(2, 4, T);
        double loss = m.fit(List.of(x), java.util.Arrays.asList(ya, null), once().sampleWeight(w)).history().get("loss").get(0);
        assertTrue(Double.isFinite(loss), "loss " + loss);
    }
}
