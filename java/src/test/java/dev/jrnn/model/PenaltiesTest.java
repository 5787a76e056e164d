package dev.jrnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.distributed.InProcessGroup;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.regularizers.Constraints;
import dev.jrnn.regularizers.Regularizer;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keras' regularizers and constraints in training: the loss Keras logs (its docstring's 5.25; evaluate includes the
 * penalty as Keras' compute_loss), a float64 gradient check of the regularized objective, SGD and Adam steps against
 * hand-computed updates with the penalty's gradient, constraints after the update, Bidirectional's backward copy, and
 * data-parallel ranks adding the penalty once.
 */
class PenaltiesTest {
    private static final SplittableRandom RND = new SplittableRandom(3);

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
    }

    private static Tensor random(int... shape) {
        float[] v = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (RND.nextDouble() * 2 - 1);
        return Tensor.wrap(v, shape);
    }

    private static float[] fill(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    /**
     * keras.regularizers docstring: Dense(5, kernel 'ones', kernel L1(0.01), activity L2(0.01)) on 2 * ones(5, 5):
     * kernel 0.01 * 25 = 0.25, activity 0.01 * 25 * 10^2 / 5 = 5.0; SGD(0).
     */
    private static Sequential docstringModel() {
        Dense d = new Dense(5).kernelRegularizer(Regularizers.l1(0.01)).activityRegularizer(Regularizers.l2(0.01));
        Sequential m = new Sequential(d);
        m.build(5);
        d.kernel().set(Tensor.wrap(fill(25, 1f), 5, 5));
        m.compile(new SGD(0), "mse");
        return m;
    }

    @Test
    void kerasDocstringExampleLogsFivePointTwentyFive() {
        Sequential m = docstringModel();
        Tensor x = Tensor.wrap(fill(25, 2f), 5, 5), y = Tensor.wrap(fill(25, 10f), 5, 5);   // the mse is 0
        assertEquals(5.25, m.evaluate(x, y), 1e-5, "evaluate adds model.losses, as Keras' compute_loss");
        assertEquals(5.25, m.trainOnBatch(x, y), 1e-5, "the logged training loss includes the penalty");
        History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(5).verbose(0).validationData(x, y));
        assertEquals(5.25, h.history().get("loss").get(0), 1e-5);
        assertEquals(5.25, h.history().get("val_loss").get(0), 1e-5);
    }

    @Test
    void withSeveralOutputsThePenaltyJoinsTheTotalLossOnly() {
        Input in = Input.shape(2);
        Dense a = new Dense(1).name("a").useBias(false).kernelRegularizer(Regularizers.l2(0.5));
        Dense b = new Dense(1).name("b").useBias(false);
        Model m = new Model(in, List.of(a.apply(in), b.apply(in)));
        a.kernel().set(Tensor.wrap(new float[] {1, 2}, 2, 1));   // penalty 0.5 * (1 + 4) = 2.5
        b.kernel().set(Tensor.wrap(new float[] {1, -1}, 2, 1));
        m.compile(new SGD(0), List.of("mse", "mse"), List.of(1.0, 2.0));
        Tensor x = Tensor.wrap(new float[] {1, 1, 2, 0}, 2, 2), zero = Tensor.wrap(new float[2], 2, 1);
        // a: 3 and 2, mse 6.5; b: 0 and 2, mse 2
        var logs = m.evaluateAll(List.of(x), List.of(zero, zero), 2, null);
        assertEquals(6.5, logs.get("a_loss"), 1e-5);
        assertEquals(2, logs.get("b_loss"), 1e-5);
        assertEquals(6.5 + 2 * 2 + 2.5, logs.get("loss"), 1e-5);
    }

    @Test
    void conv1dKernelsPenaltyAndConstraintCoverItsThreeAxes() {
        Conv1D c = new Conv1D(2, 2).kernelRegularizer(Regularizers.l2(0.3));
        Sequential m = new Sequential(c);
        m.build(4, 3);
        m.compile(new SGD(0), "mse");
        Tensor x = random(2, 4, 3), y = random(2, 3, 2);
        double withPenalty = m.evaluate(x, y);
        float[] k = c.kernel().get().data();   // [2 taps, 3 channels, 2 filters]
        double pen = 0;
        for (float v : k) pen += 0.3 * v * v;
        c.kernelRegularizer(null);
        assertEquals(pen, withPenalty - m.evaluate(x, y), 1e-5);
        c.kernelConstraint(Constraints.maxNorm(0.3, 0, 1));   // Keras' advice for a conv kernel: each filter's norm
        m.trainOnBatch(x, y);   // lr 0: the update changes nothing, the constraint projects
        float[] p = c.kernel().get().data();
        for (int f = 0; f < 2; f++) {
            double n = 0;
            for (int i = f; i < k.length; i += 2) n += (double) k[i] * k[i];
            n = Math.sqrt(n);
            for (int i = f; i < k.length; i += 2) assertEquals(k[i] * Math.min(n, 0.3) / (1e-7 + n), p[i], 1e-6, "kernel value " + i);
        }
    }

    /** The objective of a Dense(tanh) with L1L2 kernel, L2 bias and L1L2 activity penalties under mse, in float64. */
    private static double objective(double[] x, double[] w, double[] b, double[] y, int B, int I, int O) {
        double mse = 0, act = 0, pen = 0;
        for (int r = 0; r < B; r++) {
            for (int o = 0; o < O; o++) {
                double z = b[o];
                for (int i = 0; i < I; i++) z += x[r * I + i] * w[i * O + o];
                double a = Math.tanh(z), e = a - y[r * O + o];
                mse += e * e;
                act += 0.02 * Math.abs(a) + 0.03 * a * a;
            }
        }
        for (double v : w) pen += 0.01 * Math.abs(v) + 0.05 * v * v;
        for (double v : b) pen += 0.04 * v * v;
        return mse / (B * O) + act / B + pen;
    }

    @Test
    void gradientOfThePenalisedLossMatchesFloat64CentralDifferences() {
        int B = 4, I = 3, O = 2;
        Dense d = new Dense(O).activation("tanh").kernelRegularizer(Regularizers.l1l2(0.01, 0.05))
                .biasRegularizer(Regularizers.l2(0.04)).activityRegularizer(Regularizers.l1l2(0.02, 0.03));
        Sequential m = new Sequential(d);
        m.build(I);
        Tensor x = random(B, I), y = random(B, O), b0 = random(O);
        d.bias().set(b0);
        Tensor w0 = d.kernel().get();
        m.compile(new SGD(1), "mse");
        m.trainOnBatch(x, y);
        double[] xd = toDouble(x.data()), yd = toDouble(y.data()), w = toDouble(w0.data()), b = toDouble(b0.data());
        float[] w1 = d.kernel().get().data(), b1 = d.bias().get().data();
        double[][] vars = {w, b};
        float[][] before = {w0.data(), b0.data()}, after = {w1, b1};
        String[] names = {"kernel", "bias"};
        double h = 1e-6;
        for (int v = 0; v < 2; v++) {
            double[] a = vars[v];
            for (int k = 0; k < a.length; k++) {
                double keep = a[k];
                a[k] = keep + h;
                double up = objective(xd, w, b, yd, B, I, O);
                a[k] = keep - h;
                double down = objective(xd, w, b, yd, B, I, O);
                a[k] = keep;
                assertEquals((up - down) / (2 * h), before[v][k] - after[v][k], 2e-5, names[v] + "[" + k + "] gradient");
            }
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** A {@code kind} model with the same initial weights every call; {@code reg} on every weight of the recurrent layer (null: none). */
    private static Sequential rnn(String kind, Regularizer reg) {
        Jrnn.setSeed(9);
        RecurrentLayer l = switch (kind) {
            case "LSTM" -> new LSTM(3);
            case "GRU" -> new GRU(3);
            default -> new SimpleRNN(3);
        };
        l.kernelRegularizer(reg).recurrentRegularizer(reg).biasRegularizer(reg);
        Sequential m = new Sequential(l, new Dense(2));
        m.build(4, 2);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LSTM", "GRU", "SimpleRNN"})
    void sgdAndAdamStepsAddThePenaltysGradientToTheLosss(String kind) {
        Tensor x = random(6, 4, 2), y = random(6, 2);
        Regularizer reg = Regularizers.l1l2(0.003, 0.02);
        Sequential plain = rnn(kind, null);
        List<Tensor> w0 = plain.getWeights();
        plain.compile(new SGD(1), "mse");
        plain.trainOnBatch(x, y);
        List<Tensor> gLoss = new ArrayList<>();   // the loss's gradient alone: w0 - w1 with lr 1
        for (int k = 0; k < w0.size(); k++) gLoss.add(minus(w0.get(k), plain.getWeights().get(k)));

        Sequential sgd = rnn(kind, reg);
        sgd.compile(new SGD(0.1), "mse");
        sgd.trainOnBatch(x, y);
        Sequential adam = rnn(kind, reg);
        adam.compile(new Adam(0.01), "mse");
        adam.trainOnBatch(x, y);
        // Adam's first step is lr * sign(g) whatever g's size; with epsilon 1 it is about 0.0316 * lr * g: the size counts
        Sequential wide = rnn(kind, reg);
        wide.compile(new Adam(1).epsilon(1), "mse");
        wide.trainOnBatch(x, y);
        for (int k = 0; k < w0.size(); k++) {
            float[] w = w0.get(k).data(), gl = gLoss.get(k).data();
            float[] s = sgd.getWeights().get(k).data(), a = adam.getWeights().get(k).data(), a1 = wide.getWeights().get(k).data();
            boolean rnnWeight = k < 3;   // kernel, recurrent_kernel, bias; the Dense has none
            for (int i = 0; i < w.length; i++) {
                double g = gl[i] + (rnnWeight ? 0.003 * Math.signum(w[i]) + 2 * 0.02 * w[i] : 0);
                assertEquals(w[i] - 0.1 * g, s[i], 2e-6, "SGD weight " + k + "[" + i + "]");
                // Keras 3 Adam's first step: m = 0.1 g, v = 0.001 g^2, lr * sqrt(1 - 0.999) / (1 - 0.9) * m / (sqrt(v) + 1e-7)
                double m1 = 0.1 * g, v1 = 0.001 * g * g;
                double adamW = w[i] - 0.01 * Math.sqrt(0.001) / 0.1 * m1 / (Math.sqrt(v1) + 1e-7);
                assertEquals(adamW, a[i], 2e-6, "Adam weight " + k + "[" + i + "]");
                double wideW = w[i] - Math.sqrt(0.001) / 0.1 * m1 / (Math.sqrt(v1) + 1);
                assertEquals(wideW, a1[i], 1e-6, "Adam (epsilon 1) weight " + k + "[" + i + "]");
            }
        }
    }

    private static Tensor minus(Tensor a, Tensor b) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.data()[i] - b.data()[i];
        return Tensor.wrap(r, a.shape());
    }

    @Test
    void constraintsProjectTheWeightsAfterTheUpdate() {
        Tensor x = random(5, 3), y = random(5, 4);
        Supplier<Dense> dense = () -> new Dense(4);
        Jrnn.setSeed(2);
        Dense free = dense.get();
        Sequential plain = new Sequential(free);
        plain.build(3);
        plain.compile(new SGD(0.5), "mse");
        plain.trainOnBatch(x, y);
        Jrnn.setSeed(2);
        Dense held = dense.get().kernelConstraint(Constraints.maxNorm(0.6)).biasConstraint(Constraints.nonNeg());
        Sequential m = new Sequential(held);
        m.build(3);
        m.compile(new SGD(0.5), "mse");
        m.trainOnBatch(x, y);
        float[] k = free.kernel().get().data(), kc = held.kernel().get().data();
        for (int o = 0; o < 4; o++) {   // MaxNorm(0.6, axis 0): each unit's column scaled to min(norm, 0.6) / (1e-7 + norm)
            double norm = 0;
            for (int i = 0; i < 3; i++) norm += (double) k[i * 4 + o] * k[i * 4 + o];
            norm = Math.sqrt(norm);
            double f = Math.min(norm, 0.6) / (1e-7 + norm);
            for (int i = 0; i < 3; i++) assertEquals(k[i * 4 + o] * f, kc[i * 4 + o], 1e-6, "kernel[" + i + ", " + o + "]");
        }
        float[] b = free.bias().get().data(), bc = held.bias().get().data();
        for (int o = 0; o < 4; o++) assertEquals(Math.max(b[o], 0), bc[o], 0, "bias[" + o + "]");
    }

    @Test
    void bidirectionalsBackwardCopyTakesTheRegularizer() {
        LSTM inner = new LSTM(2).kernelRegularizer(Regularizers.l2(0.5));
        Sequential m = new Sequential(new Bidirectional(inner), new Dense(1).useBias(false));
        m.build(3, 2);
        m.layers().get(1).setWeights(List.of(Tensor.wrap(new float[4], 4, 1)));   // predictions 0: the mse is mean(y^2) = 0
        m.compile(new SGD(0), "mse");
        List<Tensor> ws = m.getWeights();   // forward kernel, recurrent, bias, backward kernel, recurrent, bias, dense
        double pen = 0;
        for (int k : new int[] {0, 3}) for (float v : ws.get(k).data()) pen += 0.5 * v * v;
        assertEquals(pen, m.evaluate(random(2, 3, 2), Tensor.wrap(new float[2], 2, 1)), 1e-5 * pen);
    }

    @Test
    void embeddingsPenaltyCoversTheWholeTable() {
        Embedding e = new Embedding(6, 2).embeddingsRegularizer(Regularizers.l1(0.1));
        Sequential m = new Sequential(e, new Dense(1).useBias(false));
        m.build(3);
        m.layers().get(1).setWeights(List.of(Tensor.wrap(new float[2], 2, 1)));
        m.compile(new SGD(0), "mse");
        double pen = 0;
        for (float v : e.embeddings().get().data()) pen += 0.1 * Math.abs(v);
        Tensor ids = Tensor.wrap(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        assertEquals(pen, m.evaluate(ids, Tensor.wrap(new float[6], 2, 3, 1)), 1e-5 * pen);
    }

    @Test
    void dataParallelRanksAddThePenaltyOnce() throws Exception {
        // 13 samples: global batches of 8 (4 + 4) and 5 (3 + 2, shard weights 6/5 and 4/5: the activity penalty is a data term)
        Tensor x = random(13, 4, 2), y = random(13, 2);
        Supplier<Sequential> model = () -> {
            Jrnn.setSeed(21);
            Sequential m = new Sequential(new LSTM(3).kernelRegularizer(Regularizers.l2(0.05)).activityRegularizer(Regularizers.l1(0.01)),
                    new Dense(2).biasRegularizer(Regularizers.l1l2(0.01, 0.02)));
            m.build(4, 2);
            m.compile("adam", "mse");
            return m;
        };
        FitOptions o = new FitOptions().epochs(2).verbose(0).shuffle(false);
        Sequential one = model.get();
        History h1 = one.fit(x, y, o.batchSize(8));
        List<Backend> backends = List.of(Backends.cpu(), Backends.cpu());
        List<Sequential> ms = new ArrayList<>();
        for (Backend be : backends) {
            Jrnn.setBackend(be);
            ms.add(model.get());
        }
        InProcessGroup group = new InProcessGroup(backends, 20_000);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<History>> fs = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                fs.add(pool.submit(() -> ms.get(rank).fit(x, y, new FitOptions().epochs(2).verbose(0).shuffle(false).batchSize(4)
                        .distributed(group.rank(rank)))));
            }
            for (int r = 0; r < 2; r++) {
                History h = fs.get(r).get();
                for (int e = 0; e < 2; e++) {
                    double a = h1.history().get("loss").get(e);
                    assertEquals(a, h.history().get("loss").get(e), 2e-6 * Math.abs(a), "rank " + r + " loss of epoch " + e);
                }
                List<Tensor> w1 = one.getWeights(), wr = ms.get(r).getWeights();
                for (int k = 0; k < w1.size(); k++) {
                    float[] p = w1.get(k).data(), q = wr.get(k).data();
                    for (int i = 0; i < p.length; i++) assertEquals(p[i], q[i], 2e-5, "rank " + r + " weight " + k + "[" + i + "]");
                }
            }
        } finally {
            pool.shutdownNow();
            Jrnn.setBackend("cpu");
        }
    }

    /** Keras' evaluate returns the infinite loss (it threw here); training still stops at it, the update skipped. */
    @Test
    void aNonFinitePenaltyIsEvaluatedAsKerasAndFailsTraining() {
        // inputs 0: predictions are the bias, the mse finite; L2(1e30) of a kernel of 1e5s is 1e40, past float32
        Dense d = new Dense(2).name("d").kernelRegularizer(Regularizers.l2(1e30));
        Sequential m = new Sequential(d).name("m");
        m.build(3);
        d.kernel().set(Tensor.wrap(fill(6, 1e5f), 3, 2));
        m.compile(new SGD(0.1), "mse");
        Tensor x = Tensor.wrap(new float[6], 2, 3), y = Tensor.wrap(new float[4], 2, 2);
        assertEquals(Double.POSITIVE_INFINITY, m.evaluate(x, y));
        assertEquals(Double.POSITIVE_INFINITY, m.testOnBatch(x, y));
        List<Tensor> before = m.getWeights();
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> m.trainOnBatch(x, y));
        assertTrue(e.getMessage().contains("the loss became Infinity in trainOnBatch (the regularizers' penalty)"), e.getMessage());
        assertEquals(before, m.getWeights(), "the update was skipped");
        assertEquals(0, m.optimizer().iterations());
    }

    @Test
    void aModelWithoutRulesGetsTheEmptyPlanOnceAndItQueuesNothing() {
        Dense d = new Dense(2);
        Sequential m = new Sequential(d);
        m.build(3);
        m.compile(new SGD(0.1), "mse");
        Setup s = new Setup(m);
        Penalties plan = s.penalties();
        assertTrue(plan.isEmpty());
        assertSame(plan, s.penalties(), "built once, not per step");
        Backend be = s.backend();
        try (dev.jrnn.backend.Buf out = be.alloc(1)) {
            be.fill(out, 0, 1, 7f);
            plan.loss(be, null, null, out, 0, null, true);
            plan.gradients(be, out, 0, null);
            plan.constrain();
            float[] v = new float[1];
            be.download(out, 0, v, 0, 1);
            assertEquals(7f, v[0], "nothing written: the loss log zeroed that column once");
        }
        d.kernelRegularizer(Regularizers.l2(0.1));
        Penalties ruled = s.penalties();
        assertTrue(ruled != plan && ruled.penalises() && !ruled.hasConstraints(), "a new rule makes a new plan");
        assertSame(ruled, s.penalties());
        new Dense(4).kernelRegularizer(Regularizers.l1(0.5));   // a rule on another model's layer bumps the global version
        assertSame(ruled, s.penalties(), "the same rules keep the plan (and the CUDA graphs captured with it)");
        d.kernelRegularizer(null);
        assertTrue(s.penalties().isEmpty());
        Tensor x = random(4, 3), y = random(4, 2);
        double plain = m.evaluate(x, y);
        d.kernelRegularizer(Regularizers.l2(0.1));
        double pen = 0;
        for (float v : d.kernel().get().data()) pen += 0.1 * v * v;
        assertEquals(plain + pen, m.evaluate(x, y), 1e-5, "the penalty joins the loss");
        d.kernelRegularizer(null);
        assertEquals(plain, m.evaluate(x, y), 1e-6, "and leaves it: the reused rows read 0 again");
        History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0).shuffle(false).callbacks(new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                d.kernelRegularizer(epoch == 0 ? Regularizers.l2(50) : null);
            }
        }));
        assertTrue(h.history().get("loss").get(1) > 1 + h.history().get("loss").get(0), "epoch 2 has the big penalty: " + h.history());
    }

    @Test
    void aRegularizerSetDuringACapturedFitIsCapturedAnew() {
        Tensor x = random(16, 3), y = random(16, 2);
        List<List<Double>> losses = new ArrayList<>();
        List<List<Tensor>> weights = new ArrayList<>();
        RecordingBackend rb = new RecordingBackend(Backends.cpu());
        for (Backend be : List.of(Backends.cpu(), rb)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(8);
            Dense d = new Dense(2).kernelRegularizer(Regularizers.l1(0.01));
            Sequential m = new Sequential(new Dense(4).activation("tanh"), d);
            m.build(3);
            m.compile(new SGD(0.1), "mse");
            History h = m.fit(x, y, new FitOptions().epochs(3).batchSize(4).verbose(0).shuffle(false).callbacks(new Callback() {
                @Override
                public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                    if (epoch == 0) d.kernelRegularizer(Regularizers.l1l2(0.02, 0.5));   // the captured step has L1(0.01)
                    else d.biasRegularizer(Regularizers.l2(0.3));
                }
            }));
            losses.add(h.history().get("loss"));
            weights.add(m.getWeights());
        }
        Jrnn.setBackend("cpu");
        assertTrue(rb.captures >= 3 && rb.replays >= 6, "captured once per rule set and replayed: " + rb.captures + ", " + rb.replays);
        for (int e = 0; e < 3; e++) assertEquals(losses.get(0).get(e), losses.get(1).get(e), 1e-6, "loss of epoch " + e);
        for (int k = 0; k < weights.get(0).size(); k++) {
            assertArrayEquals(weights.get(0).get(k).data(), weights.get(1).get(k).data(), 1e-6f, "weight " + k);
        }
    }

    @Test
    void frozenLayersAreNotPenalisedButTheirActivityIs() {
        Dense frozen = new Dense(2).useBias(false).kernelRegularizer(Regularizers.l2(0.5)).activityRegularizer(Regularizers.l1(0.1));
        frozen.trainable(false);
        Dense top = new Dense(2).useBias(false);
        Sequential m = new Sequential(frozen, top);
        m.build(2);
        frozen.kernel().set(Tensor.wrap(new float[] {1, 2, 3, 4}, 2, 2));
        top.kernel().set(Tensor.wrap(new float[4], 2, 2));   // predictions 0
        m.compile(new SGD(0), "mse");
        Tensor x = Tensor.wrap(new float[] {1, 0, 0, 1}, 2, 2), zero = Tensor.wrap(new float[4], 2, 2);
        // Keras: _get_regularization_losses covers trainable weights only; the activity penalty is in __call__:
        // outputs [[1, 2], [3, 4]], 0.1 * 10 / 2 = 0.5
        assertEquals(0.5, m.evaluate(x, zero), 1e-6);
        frozen.trainable(true);
        m.compile(new SGD(0), "mse");
        assertEquals(0.5 + 0.5 * 30, m.evaluate(x, zero), 1e-5, "trainable again: its kernel counts");
    }

    @Test
    void evaluateReadsTheTrainableFlagsAsTheyAreNotAsAtTheLastStep() {
        // Keras' compute_loss asks the layers for their trainable weights' penalties at each call: a freeze or unfreeze
        // after compile counts at once, also before any training step regroups the store
        Dense frozen = new Dense(2).useBias(false).kernelRegularizer(Regularizers.l2(0.5)).activityRegularizer(Regularizers.l1(0.1));
        Dense top = new Dense(2).useBias(false);
        Sequential m = new Sequential(frozen, top);
        m.build(2);
        frozen.kernel().set(Tensor.wrap(new float[] {1, 2, 3, 4}, 2, 2));
        top.kernel().set(Tensor.wrap(new float[4], 2, 2));
        m.compile(new SGD(0), "mse");
        Tensor x = Tensor.wrap(new float[] {1, 0, 0, 1}, 2, 2), zero = Tensor.wrap(new float[4], 2, 2);
        assertEquals(0.5 + 0.5 * 30, m.evaluate(x, zero), 1e-5, "trainable: kernel and activity");
        frozen.trainable(false);
        assertEquals(0.5, m.evaluate(x, zero), 1e-6, "frozen after compile: the activity only");
        assertEquals(0.5, m.testOnBatch(x, zero), 1e-6, "testOnBatch alike");
        frozen.trainable(true);
        assertEquals(0.5 + 0.5 * 30, m.evaluate(x, zero), 1e-5, "unfrozen again");
        m.fit(x, zero, new FitOptions().epochs(1).batchSize(2).verbose(0));   // SGD(0): the weights stay
        frozen.trainable(false);
        assertEquals(0.5, m.evaluate(x, zero), 1e-6, "frozen after a step");
        Dense plain = new Dense(2).useBias(false);
        Dense ruled = new Dense(2).useBias(false).kernelRegularizer(Regularizers.l2(0.5));
        ruled.trainable(false);
        Sequential n = new Sequential(plain, ruled);
        n.build(2);
        plain.kernel().set(Tensor.wrap(new float[] {1, 0, 0, 1}, 2, 2));
        ruled.kernel().set(Tensor.wrap(new float[] {0, 0, 0, 1}, 2, 2));
        n.compile(new SGD(0), "mse");
        assertEquals(0.0, n.evaluate(x, Tensor.wrap(new float[] {0, 0, 0, 1}, 2, 2)), 1e-7, "compiled frozen: no penalty");
        ruled.trainable(true);
        assertEquals(0.5, n.evaluate(x, Tensor.wrap(new float[] {0, 0, 0, 1}, 2, 2)), 1e-6, "unfrozen after compile: 0.5 * 1");
    }

    @Test
    void aSharedLayersWeightsArePenalisedOnceItsActivityOncePerCall() {
        Input in = Input.shape(2);
        Dense shared = new Dense(2).useBias(false).kernelRegularizer(Regularizers.l2(0.5)).activityRegularizer(Regularizers.l1(0.1));
        Node twice = shared.apply(shared.apply(in));
        Dense out = new Dense(1).useBias(false);
        Model m = new Model(in, out.apply(twice));
        shared.kernel().set(Tensor.wrap(new float[] {1, 1, 0, 1}, 2, 2));   // [[1, 1], [0, 1]]
        out.kernel().set(Tensor.wrap(new float[2], 2, 1));
        m.compile(new SGD(0), "mse");
        Tensor x = Tensor.wrap(new float[] {1, 2}, 1, 2), zero = Tensor.wrap(new float[1], 1, 1);
        // kernel 0.5 * 3 once; x W = [1, 3] (0.1 * 4), then [1, 4] (0.1 * 5): batch of 1
        assertEquals(1.5 + 0.4 + 0.5, m.evaluate(x, zero), 1e-6);
    }

    @Test
    void anActivityPenaltyOnAStackedRnnsFirstLayerReachesItsGradient() {
        Tensor x = random(4, 6, 2), y = random(4, 1);
        List<List<Tensor>> after = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        Backend stacking = new RecordingBackend(Backends.cpu()).overlapForks(true).minForkRows(1);
        for (Backend be : List.of(Backends.cpu(), stacking)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(17);
            Sequential m = new Sequential(new LSTM(3).returnSequences(true).activityRegularizer(Regularizers.l1l2(0.05, 0.2)),
                    new LSTM(3), new Dense(1));
            m.build(6, 2);
            m.compile(new SGD(0.5), "mse");
            losses.add(m.trainOnBatch(x, y));
            after.add(m.getWeights());
        }
        Jrnn.setBackend("cpu");
        assertEquals(losses.get(0), losses.get(1), 1e-6);
        for (int k = 0; k < after.get(0).size(); k++) assertArrayEquals(after.get(0).get(k).data(), after.get(1).get(k).data(), 1e-6f, "weight " + k);
    }

    @Test
    void sampleWeightsWeighTheDataLossNotThePenalty() {
        Sequential m = docstringModel();
        Tensor x = Tensor.wrap(fill(25, 2f), 5, 5), y = Tensor.wrap(fill(25, 10f), 5, 5), w = Tensor.wrap(fill(5, 3f), 5);
        assertEquals(5.25, m.evaluateAll(List.of(x), List.of(y), 5, null, w).get("loss"), 1e-5, "Keras' docstring case, weights 3");
        assertEquals(5.25, m.trainOnBatch(x, y, w), 1e-5);
        Tensor y1 = Tensor.wrap(fill(25, 11f), 5, 5);   // mse 1, weighted by 3 (sum over batch size): 3 + 5.25
        assertEquals(8.25, m.testOnBatch(x, y1, w), 1e-5);
    }
}
