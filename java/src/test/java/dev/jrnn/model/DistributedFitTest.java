package dev.jrnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Communicator;
import dev.jrnn.backend.DistributedException;
import dev.jrnn.data.Dataset;
import dev.jrnn.distributed.InProcessGroup;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel fit with threads standing for ranks ({@link InProcessGroup}): N ranks with batch b against one
 * process with batch N·b (losses and weights to float32 rounding: the gradients are averaged in another order),
 * ragged last batches, a Dataset's batches, several gradient buckets, and the failures: a rank that throws or stalls
 * ends fit on every rank with a message naming it; checkpoints come from rank 0 only.
 */
class DistributedFitTest {
    private static final int T = 5, F = 3;
    private static final SplittableRandom DATA = new SplittableRandom(7);
    private static final Tensor X = random(43, T, F), Y = random(43, 2);

    @AfterAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static Tensor random(int... shape) {
        return random(DATA, shape);
    }

    private static Tensor random(SplittableRandom rnd, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return Tensor.wrap(v, shape);
    }

    /** The same model (same initial weights on every call) on {@code be}, built and compiled. */
    private static Sequential model(Backend be) {
        Jrnn.setBackend(be);
        Jrnn.setSeed(42);
        Sequential m = new Sequential(new LSTM(6).returnSequences(true), new LSTM(4), new Dense(2));
        m.build(T, F);
        m.compile("adam", "mse");
        return m;
    }

    record Result(History history, List<Tensor> weights, Throwable failure) {}

    /** What rank {@code rank} runs on its model with its communicator. */
    interface RankFit {
        History fit(int rank, Sequential m, Communicator c) throws Exception;
    }

    /** Each rank's model (built here, on this thread) trained on a thread of its own. */
    private static List<Result> ranks(int n, long timeoutMs, RankFit fit) throws InterruptedException {
        return ranks(n, timeoutMs, DistributedFitTest::model, fit);
    }

    /** As above, each rank's model made by {@code make} on its backend. */
    private static List<Result> ranks(int n, long timeoutMs, java.util.function.Function<Backend, Sequential> make, RankFit fit)
            throws InterruptedException {
        List<Backend> backends = new ArrayList<>();
        List<Sequential> models = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            backends.add(Backends.cpu());
            models.add(make.apply(backends.get(r)));
        }
        InProcessGroup group = new InProcessGroup(backends, timeoutMs);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<History>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit(() -> fit.fit(rank, models.get(rank), group.rank(rank))));
            }
            List<Result> out = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                try {
                    out.add(new Result(fs.get(r).get(), models.get(r).getWeights(), null));
                } catch (ExecutionException e) {
                    out.add(new Result(null, null, e.getCause()));
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static FitOptions options() {
        return new FitOptions().epochs(3).verbose(0).seed(11);
    }

    private static void assertClose(Result one, Result rank, String what) {
        List<Double> a = one.history().history().get("loss"), b = rank.history().history().get("loss");
        assertEquals(a.size(), b.size(), what + ": epochs");
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 2e-6 * Math.abs(a.get(i)), what + ": loss of epoch " + i);
        for (int w = 0; w < one.weights().size(); w++) {
            float[] p = one.weights().get(w).data(), q = rank.weights().get(w).data();
            for (int k = 0; k < p.length; k++) assertEquals(p[k], q[k], 2e-5 * Math.max(1, Math.abs(p[k])), what + ": weight " + w + "[" + k + "]");
        }
    }

    /** Every rank ended without a failure and computed what the one process did. */
    private static void assertRanksClose(Result one, List<Result> rs) {
        for (int r = 0; r < rs.size(); r++) {
            assertEquals(null, rs.get(r).failure(), "rank " + r);
            assertClose(one, rs.get(r), "rank " + r);
        }
    }

    private static Result single(FitOptions o, int batch) {
        Sequential m = model(Backends.cpu());
        return new Result(m.fit(X, Y, o.batchSize(batch)), m.getWeights(), null);
    }

    @Test
    void nRanksWithBatchBTrainAsOneProcessWithBatchNb() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // 43 samples, 3 ranks x 4: three global batches of 12, then one of 7 split 3/2/2 (weights 9/7, 6/7, 6/7)
            Result one = single(options(), 12);
            List<Result> rs = ranks(3, 20_000, (r, m, c) -> m.fit(X, Y, options().batchSize(4).distributed(c, 256)));
            assertRanksClose(one, rs);
        });
    }

    /**
     * A loss with reduction "sum": the global batch's sum, as Keras adds the replicas' gradients; 3 ranks of 4 (the last
     * batch of 7 split 3/2/2) end with one process's weights at batch 12 (SGD, which sees the gradient's scale).
     */
    @Test
    void aSumReductionTrainsAsOneProcessOnTheGlobalBatch() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            java.util.function.Function<Backend, Sequential> make = be -> {
                Sequential m = model(be);
                m.compile(new dev.jrnn.optim.SGD(0.01), dev.jrnn.backend.Loss.MSE.reduction("sum"));
                return m;
            };
            Sequential s = make.apply(Backends.cpu());
            s.fit(X, Y, options().batchSize(12));
            List<Result> rs = ranks(3, 20_000, make, (r, m, c) -> m.fit(X, Y, options().batchSize(4).distributed(c, 256)));
            for (Result r : rs) {
                assertEquals(null, r.failure());
                for (int w = 0; w < s.getWeights().size(); w++) {
                    float[] p = s.getWeights().get(w).data(), q = r.weights().get(w).data();
                    for (int k = 0; k < p.length; k++) assertEquals(p[k], q[k], 2e-5 * Math.max(1, Math.abs(p[k])), "weight " + w + "[" + k + "]");
                }
            }
        });
    }

    /** Metrics' states add over the ranks: weighted metrics (per-sample weights, zeros too) log on 3 ranks what one process logs. */
    @Test
    void weightedMetricsAddOverTheRanks() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            float[] w = new float[43];
            for (int i = 0; i < w.length; i++) w[i] = (i % 4) * 0.5f;
            Tensor sw = Tensor.of(w, 43);
            java.util.function.Function<Backend, Sequential> make = be -> {
                Sequential m = model(be);
                m.compile("adam", "mse", "mae", WeightedMetrics.of("mae", "root_mean_squared_error"));
                return m;
            };
            Sequential s = make.apply(Backends.cpu());
            Result one = new Result(s.fit(X, Y, options().sampleWeight(sw).batchSize(12)), s.getWeights(), null);
            List<Result> rs = ranks(3, 20_000, make, (r, m, c) -> m.fit(X, Y, options().sampleWeight(sw).batchSize(4).distributed(c, 256)));
            assertRanksClose(one, rs);
            for (Result r : rs) {
                assertEquals(one.history().history().keySet(), r.history().history().keySet());
                for (String k : List.of("mae", "weighted_mae", "root_mean_squared_error")) {
                    List<Double> a = one.history().get(k), b = r.history().get(k);
                    for (int e = 0; e < a.size(); e++) assertEquals(a.get(e), b.get(e), 2e-6 * Math.abs(a.get(e)), k + " of epoch " + e);
                }
            }
            assertTrue(Math.abs(one.history().get("mae").get(0) - one.history().get("weighted_mae").get(0)) > 1e-4, "the weights count");
        });
    }

    /** BatchNormalization's moving statistics, each rank's from its own shard, are averaged at each epoch's end: every rank ends alike. */
    @Test
    void movingStatisticsAreTheSameOnEveryRank() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            java.util.function.Function<Backend, Sequential> make = be -> {
                Jrnn.setBackend(be);
                Jrnn.setSeed(42);
                Sequential m = new Sequential(new LSTM(4).returnSequences(true), new dev.jrnn.layers.BatchNormalization().momentum(0.5),
                        new LSTM(3), new Dense(2));
                m.build(T, F);
                m.compile("adam", "mse");
                return m;
            };
            List<Result> rs = ranks(2, 20_000, make, (r, m, c) -> m.fit(X, Y, options().batchSize(4).distributed(c, 256)));
            for (Result r : rs) assertEquals(null, r.failure());
            List<Tensor> a = rs.get(0).weights(), b = rs.get(1).weights();
            for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k).data(), b.get(k).data(), 1e-6f, "weight " + k);
        });
    }

    /** stepsPerEpoch on tensors: the ranks' epochs of n global batches go on across passes as one process's do. */
    @Test
    void stepsPerEpochOnTensorsGoesOnAcrossPassesOnEveryRank() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // 4 global batches of 12 per pass (the last of 7): epochs of 3 take 0 1 2 | 3 | 0 1 2 (a fresh shuffle)
            Result[] one = new Result[1];
            List<List<Result>> rs = new ArrayList<>();
            // epoch 2 runs out of data: one warning from the single process, one from rank 0 only (Keras warns at any verbosity)
            String warned = DatasetBatchesTest.stderrOf(() -> {
                one[0] = single(options().stepsPerEpoch(3), 12);
                rs.add(ranks(3, 20_000, (r, m, c) -> m.fit(X, Y, options().stepsPerEpoch(3).batchSize(4).distributed(c, 256))));
            });
            assertEquals(2, warned.split("ran out of data in epoch 2", -1).length - 1, warned);
            assertRanksClose(one[0], rs.get(0));
        });
    }

    @Test
    void sampleWeightsFollowEachRanksShare() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            float[] w = new float[43];
            for (int i = 0; i < w.length; i++) w[i] = (i % 5) * 0.5f;   // zero weights too
            Tensor sw = Tensor.of(w, 43);
            Result one = single(options().sampleWeight(sw), 12);
            List<Result> rs = ranks(3, 20_000, (r, m, c) -> m.fit(X, Y, options().sampleWeight(sw).batchSize(4).distributed(c, 256)));
            assertRanksClose(one, rs);
        });
    }

    /** AUC and F1 over ragged batches on 3 ranks: the ranks' confusion counts summed give the one process's epoch logs. */
    @Test
    void aucAndF1OfRaggedRanksAreTheOneProcesss() throws Exception {
        float[] yb = Y.data().clone();
        for (int i = 0; i < yb.length; i++) yb[i] = yb[i] > 0 ? 1 : 0;
        Tensor y = Tensor.of(yb, 43, 2);
        java.util.function.Function<Backend, Sequential> make = be -> {
            Jrnn.setBackend(be);
            Jrnn.setSeed(42);
            Sequential m = new Sequential(new LSTM(6), new Dense(2).activation("sigmoid"));
            m.build(T, F);
            // named: each rank's model is made on its own thread, where a default would be numbered auc_1, auc_2, ...
            m.compile("adam", "binary_crossentropy", new dev.jrnn.losses.Auc().name("auc"), dev.jrnn.losses.FBetaScore.f1().average("macro"));
            return m;
        };
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Sequential single = make.apply(Backends.cpu());
            History one = single.fit(X, y, options().batchSize(12));   // the last global batch of 7 split 3/2/2
            List<Result> rs = ranks(3, 20_000, make, (r, m, c) -> m.fit(X, y, options().batchSize(4).distributed(c, 256)));
            for (int r = 0; r < 3; r++) {
                assertEquals(null, rs.get(r).failure(), "rank " + r);
                for (String k : List.of("auc", "f1_score")) {
                    List<Double> a = one.history().get(k), b = rs.get(r).history().history().get(k);
                    assertEquals(a.size(), b.size(), k);
                    for (int e = 0; e < a.size(); e++) assertEquals(a.get(e), b.get(e), 1e-9, "rank " + r + " " + k + " epoch " + e);
                }
            }
            double auc = one.history().get("auc").get(2);
            assertTrue(auc > 0 && auc < 1 && one.history().get("f1_score").get(2) > 0, "nontrivial metrics: " + one.history());
        });
    }

    /** A sequence-to-sequence model: per-timestep weights need a sequence output. */
    private static Sequential sequenceModel(Backend be) {
        Jrnn.setBackend(be);
        Jrnn.setSeed(43);
        Sequential m = new Sequential(new LSTM(6).returnSequences(true), new dev.jrnn.layers.TimeDistributed(new Dense(2)));
        m.build(T, F);
        m.compile("adam", "mse");
        return m;
    }

    @Test
    void perTimestepWeightsFollowEachRanksShare() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Tensor ys = random(43, T, 2);
            float[] w = new float[43 * T];
            for (int i = 0; i < w.length; i++) w[i] = (i % 7) * 0.5f;   // zero weights too
            Tensor sw = Tensor.of(w, 43, T);
            Sequential m = sequenceModel(Backends.cpu());
            Result one = new Result(m.fit(X, ys, options().sampleWeight(sw).batchSize(12)), m.getWeights(), null);
            List<Result> rs = ranks(3, 20_000, DistributedFitTest::sequenceModel,
                    (r, mr, c) -> mr.fit(X, ys, options().sampleWeight(sw).batchSize(4).distributed(c, 256)));
            assertRanksClose(one, rs);
        });
    }

    @Test
    void aDatasetsWeightsFollowEachRanksShare() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Tensor ys = random(43, T, 2);
            float[] w = new float[43 * T];
            for (int i = 0; i < w.length; i++) w[i] = (i % 7) * 0.5f;
            Tensor sw = Tensor.of(w, 43, T);
            FitOptions o = new FitOptions().epochs(2).verbose(0);
            Sequential m = sequenceModel(Backends.cpu());
            Result one = new Result(m.fit(Dataset.fromTensors(X, ys, sw).batch(10), o), m.getWeights(), null);
            // the global batches of 10 split 5/5, the last one of 3 split 2/1: each rank's rows keep their weights
            List<Result> rs = ranks(2, 20_000, DistributedFitTest::sequenceModel, (r, mr, c) ->
                    mr.fit(Dataset.fromTensors(X, ys, sw).batch(10), new FitOptions().epochs(2).verbose(0).distributed(c)));
            assertRanksClose(one, rs);
        });
    }

    @Test
    void aDatasetsBatchesAreTheGlobalOnes() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            FitOptions o = new FitOptions().epochs(2).verbose(0);
            Sequential m = model(Backends.cpu());
            Result one = new Result(m.fit(Dataset.fromTensors(X, Y).batch(10), o), m.getWeights(), null);
            // 43 = 4 x 10 + 3: the short last batch is split 2/1 between the two ranks
            List<Result> rs = ranks(2, 20_000, (r, mm, c) ->
                    mm.fit(Dataset.fromTensors(X, Y).batch(10), new FitOptions().epochs(2).verbose(0).distributed(c)));
            for (int r = 0; r < 2; r++) assertClose(one, rs.get(r), "rank " + r);
        });
    }

    @Test
    void gradientsAreCutIntoBucketsFromTheLastLayerBack() {
        Sequential m = model(Backends.cpu());
        m.fit(X, Y, new FitOptions().verbose(0).epochs(1));
        Parameters ps = m.parameters();
        InProcessGroup g = new InProcessGroup(List.of(ps.backend), 1000);
        // LSTM 1: 3x24 + 6x24 + 24, LSTM 2: 6x16 + 4x16 + 16, Dense: 4x2 + 2: one bucket per parameter at 1 float
        assertEquals(8, new GradientBuckets(g.rank(0), m.graph().run(true), ps, 1).count());
        assertEquals(1, new GradientBuckets(g.rank(0), m.graph().run(true), ps, Long.MAX_VALUE / 8).count());
        assertEquals(3, new GradientBuckets(g.rank(0), m.graph().run(true), ps, 160).count(),
                "Dense and LSTM 2 (186 floats), LSTM 1's bias and recurrent kernel (168), its kernel (72)");
    }

    @Test
    void bucketsStartInOrderAsSoonAsTheBackwardPassCompletesThem() {
        Sequential m = model(Backends.cpu());
        m.fit(X, Y, new FitOptions().verbose(0).epochs(1));
        Parameters ps = m.parameters();
        List<String> calls = new ArrayList<>();
        Communicator c = new InProcessGroup(List.of(ps.backend), 1000).rank(0);
        Communicator recording = new Communicator() {
            public int rank() { return 0; }
            public int size() { return 1; }
            public dev.jrnn.backend.Backend backend() { return ps.backend; }
            public void allReduce(dev.jrnn.backend.Buf b, long off, long n, Op op) { calls.add("reduce " + off + "+" + n); }
            public void broadcast(dev.jrnn.backend.Buf b, long off, long n, int root) { calls.add("broadcast"); }
            public void join() { calls.add("join"); }
            public void abort(String reason) { c.abort(reason); }
            public void onAbort(java.util.function.Consumer<String> l) { c.onAbort(l); }
            public String abortReason() { return c.abortReason(); }
            public void close() {}
        };
        // calls 0, 1, 2 = LSTM 1, LSTM 2, Dense; buckets of 160 floats as in gradientsAreCutIntoBuckets...
        GradientBuckets g = new GradientBuckets(recording, m.graph().run(true), ps, 160);
        g.start();
        g.readyFrom(2);
        assertEquals(List.of(), calls, "Dense alone does not complete the last bucket (LSTM 2's weights are in it)");
        g.readyFrom(1);
        assertEquals(List.of("reduce " + (ps.trainableSize - 186) + "+186"), calls, "Dense and LSTM 2 are done: their bucket starts");
        g.readyFrom(0);
        g.finish();
        assertEquals(List.of("reduce " + (ps.trainableSize - 186) + "+186", "reduce 72+168", "reduce 0+72", "join"), calls);
    }

    /**
     * The reviewer's model: a nested call whose unused-branch calls (u0, u1) sit before a listed one (u2), with sh_bn
     * shared by enc and the outer path, so the training pass runs [s, e1, e2, u2, sh_bn, sh_bn, h0, head] of the
     * graph's [s, e1, e2, u0, u1, u2, sh_bn, sh_bn, h0, head] (with an activity regularizer on {@code u1}, it runs u0
     * and u1 too).
     */
    private static Model nestedUnusedBranch(Dense u1) {
        Jrnn.setBackend(Backends.cpu());
        Jrnn.setSeed(42);
        Input x = Input.shape(3).name("x");
        Node hs = new Dense(8).name("s").apply(x);
        BatchNormalization bn = new BatchNormalization();
        bn.name("sh_bn");
        Model enc = new Model(x, List.of(new Dense(8).name("e2").apply(new Dense(8).name("e1").apply(hs)),
                u1.apply(new Dense(3).name("u0").apply(hs)), bn.apply(new Dense(8).name("u2").apply(hs))));
        enc.name("enc");
        Node a = Input.shape(3).name("a");
        Model m = new Model(a, new Dense(1).name("head").apply(new Dense(8).name("h0").apply(bn.apply(enc.applyAll(List.of(a)).get(0)))));
        m.compile("sgd", "mse");
        return m;
    }

    /**
     * A communicator of one rank that copies each bucket when its all-reduce starts and, at join, names those whose
     * values changed since: on NCCL such a bucket would be summed before the backward pass completed it.
     */
    private static final class BucketRecorder implements Communicator {
        private final Backend be;
        private final Communicator aborts;
        private final List<Object[]> started = new ArrayList<>();
        final List<String> incomplete = new ArrayList<>();
        int checked;

        BucketRecorder(Backend be) {
            this.be = be;
            this.aborts = new InProcessGroup(List.of(be), 1000).rank(0);
        }

        public int rank() { return 0; }
        public int size() { return 1; }
        public Backend backend() { return be; }
        public void allReduce(dev.jrnn.backend.Buf b, long off, long n, Op op) {
            float[] v = new float[(int) n];
            be.download(b, off, v, 0, (int) n);
            started.add(new Object[] {b, off, v});
        }
        public void broadcast(dev.jrnn.backend.Buf b, long off, long n, int root) {}
        public void join() {
            for (Object[] s : started) {
                float[] then = (float[]) s[2], now = new float[then.length];
                be.download((dev.jrnn.backend.Buf) s[0], (long) s[1], now, 0, now.length);
                if (!java.util.Arrays.equals(then, now)) incomplete.add("bucket at " + s[1] + "+" + now.length);
                checked++;
            }
            started.clear();
        }
        public void abort(String reason) { aborts.abort(reason); }
        public void onAbort(java.util.function.Consumer<String> l) { aborts.onAbort(l); }
        public String abortReason() { return aborts.abortReason(); }
        public void close() {}
    }

    /** An unused-branch call before a listed one: each bucket starts only when the pass that runs has completed it. */
    @Test
    void bucketsStartWhenCompleteWhenTheTrainingPassLeavesOutUnusedCalls() {
        try (Model m = nestedUnusedBranch(new Dense(3).name("u1"))) {
            assertTrue(m.graph().run(true).calls().size() < m.graph().calls.size(), "the pass leaves out u0 and u1");
            BucketRecorder rec = new BucketRecorder(m.parameters().backend);
            m.fit(random(new SplittableRandom(3), 8, 3), random(new SplittableRandom(4), 8, 1),
                    new FitOptions().epochs(1).batchSize(4).verbose(0).shuffle(false).distributed(rec, 4));
            assertTrue(rec.checked > 2 * 10, "a bucket per parameter, two steps: " + rec.checked);
            assertEquals(List.of(), rec.incomplete);
        }
    }

    /** u1's regularizer removed mid-fit: the pass leaves out u0 and u1 from then on, and the buckets are cut again. */
    @Test
    void bucketsAreCutAgainWhenARegularizerChangesTheCallsThePassRuns() {
        Dense u1 = new Dense(3).name("u1").activityRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.1));
        try (Model m = nestedUnusedBranch(u1)) {
            int all = m.graph().calls.size();
            assertEquals(all, m.graph().run(true).calls().size(), "u1's penalty: the pass runs every call");
            BucketRecorder rec = new BucketRecorder(m.parameters().backend);
            m.fit(random(new SplittableRandom(3), 8, 3), random(new SplittableRandom(4), 8, 1),
                    new FitOptions().epochs(2).batchSize(4).verbose(0).shuffle(false).distributed(rec, 4)
                            .callbacks(new Callback() {
                                @Override
                                public void onEpochBegin(int epoch, Model model) {
                                    if (epoch == 1) u1.activityRegularizer(null);
                                }
                            }));
            assertTrue(m.graph().run(true).calls().size() < all, "without it, the pass leaves them out");
            assertTrue(rec.checked > 4 * 10, "a bucket per parameter, four steps: " + rec.checked);
            assertEquals(List.of(), rec.incomplete);
        }
    }

    /** A callback that runs {@code action} on rank 1 when epoch 1 begins. */
    private static Callback atRank1Epoch1(int rank, Runnable action) {
        return new Callback() {
            @Override
            public void onEpochBegin(int epoch, Model model) {
                if (rank == 1 && epoch == 1) action.run();
            }
        };
    }

    @Test
    void callbacksSpeakOnRankZeroOnlyAndToItsOut() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            java.io.ByteArrayOutputStream[] outs = {new java.io.ByteArrayOutputStream(), new java.io.ByteArrayOutputStream()};
            List<Result> rs = ranks(2, 20_000, (r, m, c) -> m.fit(X, Y, options().epochs(1).batchSize(4).distributed(c)
                    .out(new java.io.PrintStream(outs[r], true, java.nio.charset.StandardCharsets.UTF_8))
                    .callbacks(new LearningRateScheduler((epoch, lr) -> 0.01).verbose(1))));
            for (Result res : rs) assertNull(res.failure());
            assertEquals("\nEpoch 1: LearningRateScheduler setting learning rate to 0.01.\n",
                    outs[0].toString(java.nio.charset.StandardCharsets.UTF_8).replace("\r\n", "\n"));
            assertEquals("", outs[1].toString(java.nio.charset.StandardCharsets.UTF_8), "rank 1 is silent");
        });
    }

    @Test
    void aRankThatFailsEndsFitOnEveryRankNamingIt() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            List<Result> rs = ranks(2, 20_000, (r, m, c) -> m.fit(X, Y, options().batchSize(4).distributed(c)
                    .callbacks(atRank1Epoch1(r, () -> {
                        throw new IllegalStateException("disk full");
                    }))));
            assertEquals("disk full", rs.get(1).failure().getMessage(), "the failing rank throws its own error");
            DistributedException e = assertInstanceOf(DistributedException.class, rs.get(0).failure());
            assertEquals("rank 1 failed: java.lang.IllegalStateException: disk full", e.getMessage());
        });
    }

    @Test
    void aRankThatStallsTimesTheOthersOutNamingIt() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            List<Result> rs = ranks(2, 300, (r, m, c) -> m.fit(X, Y, options().batchSize(4).distributed(c)
                    .callbacks(atRank1Epoch1(r, () -> {
                        try {
                            Thread.sleep(1500);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }))));
            for (int r = 0; r < 2; r++) {
                DistributedException e = assertInstanceOf(DistributedException.class, rs.get(r).failure(), "rank " + r);
                assertTrue(e.getMessage().startsWith("rank(s) [1] did not reach "), e.getMessage());
            }
        });
    }

    @Test
    void onlyRankZeroWritesCheckpointsAndAllSeeTheSameLogs(@TempDir Path dir) throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            List<List<Map<String, Double>>> logs = List.of(new ArrayList<>(), new ArrayList<>());
            List<Result> rs = ranks(2, 20_000, (r, m, c) -> m.fit(X, Y, options().batchSize(4).distributed(c)
                    .callbacks(new ModelCheckpoint(dir.resolve("rank" + r + "-{epoch}.keras").toString()))
                    .onEpochEnd((epoch, l) -> logs.get(r).add(Map.copyOf(l)))));
            try (var files = Files.list(dir)) {
                assertEquals(List.of("rank0-1.keras", "rank0-2.keras", "rank0-3.keras"),
                        files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            assertEquals(logs.get(0), logs.get(1), "the logs are the means over both ranks");
            assertEquals(rs.get(0).history().history(), rs.get(1).history().history());
        });
    }
    @Test
    void aStopAskedForByOneRankEndsFitOnEveryRankAfterTheSameEpoch() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // rank 1 alone asks, in a batch of epoch 1 (batch losses differ between ranks): both end after epoch 1
            List<Result> rs = ranks(2, 20_000, (r, m, c) -> m.fit(X, Y, options().epochs(4).batchSize(4).distributed(c)
                    .callbacks(new Callback() {
                        @Override
                        public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                            if (r == 1 && batch == 2) model.stopTraining(true);
                        }
                    })));
            for (Result res : rs) {
                assertNull(res.failure(), "no rank waits for the other");
                assertEquals(1, res.history().history().get("loss").size(), "every rank stops after epoch 1");
            }
            for (int w = 0; w < rs.get(0).weights().size(); w++) {
                assertArrayEquals(rs.get(0).weights().get(w).data(), rs.get(1).weights().get(w).data(), "weights " + w);
            }
        });
    }
}
