package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.layers.Trace;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fit with captured-and-replayed train steps gives bit for bit the losses and weights of eager fit. The
 * capture here is {@link RecordingBackend}'s (CPU calls recorded and replayed with frozen arguments, as a
 * CUDA graph freezes them), so every host-side value that would go stale in a CUDA graph (Adam's t, the
 * dropout draw, the learning rate, a freed buffer) shows up as a difference. The CUDA version is
 * CudaFitParityTest (@Tag("gpu")).
 */
class GraphReplayTest {
    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    @AfterAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    record Run(History history, List<Tensor> weights, List<Double> batchLosses) {}

    static Run fit(Backend be, Supplier<Model> make, List<Tensor> xs, List<Tensor> ys, FitOptions o) {
        Jrnn.setBackend(be);
        Jrnn.clearSession();
        Jrnn.setSeed(1234);
        Model m = make.get();
        List<Double> batchLosses = new ArrayList<>();
        o.callbacks(new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                batchLosses.add(logs.loss());
            }
        });
        History h = m.fit(xs, ys, o);
        return new Run(h, m.getWeights(), batchLosses);
    }

    static void assertSame(Run eager, Run graphed) {
        Map<String, List<Double>> a = eager.history().history(), b = graphed.history().history();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertEquals(a.get(k), b.get(k), "history " + k);
        assertEquals(eager.batchLosses(), graphed.batchLosses(), "per-batch losses");
        assertEquals(eager.weights().size(), graphed.weights().size());
        for (int i = 0; i < eager.weights().size(); i++) {
            float[] x = eager.weights().get(i).data(), y = graphed.weights().get(i).data();
            for (int j = 0; j < x.length; j++) {
                assertEquals(Float.floatToRawIntBits(x[j]), Float.floatToRawIntBits(y[j]),
                        "weight " + i + "[" + j + "]: eager " + x[j] + ", replayed " + y[j]);
            }
        }
    }

    /**
     * Fits {@code make} on the CPU eagerly and on a {@link RecordingBackend} (captured and replayed), asserts the two fits
     * equal bit for bit, and returns the recording backend for its capture and replay counts.
     */
    static RecordingBackend replaysAsEager(Supplier<Model> make, Tensor x, Tensor y, Supplier<FitOptions> opts) {
        Run eager = fit(Backends.cpu(), make, List.of(x), List.of(y), opts.get());
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        assertSame(eager, fit(rec, make, List.of(x), List.of(y), opts.get()));
        return rec;
    }

    /** GRU(5) on (4, 2) steps into Dense(1), compiled with mse and the optimizer {@code opt} makes. */
    private static Supplier<Model> gru(Supplier<dev.jrnn.optim.Optimizer> opt) {
        return () -> {
            Sequential m = new Sequential(new GRU(5).inputShape(4, 2), new Dense(1));
            m.compile(opt.get(), "mse");
            return m;
        };
    }

    static Tensor uniform(SplittableRandom r, double lo, double hi, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(lo, hi);
        return Tensor.of(d, shape);
    }

    @Test
    void lstmWithDropoutAdamClipnormReplaysExactly() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = uniform(r, -1, 1, 11, 5, 3), y = uniform(r, -1, 1, 11, 1);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new LSTM(8).returnSequences(true).inputShape(5, 3), new Dropout(0.3),
                    new LSTM(6), new Dense(1));
            m.compile(new Adam(0.01).clipnorm(0.5f), "mse");
            return m;
        };
        // batch 4 on 11 samples: sizes 4, 4, 3 -> two captured shapes
        FitOptions o = new FitOptions().epochs(4).batchSize(4).verbose(0).seed(5);
        Run eager = fit(Backends.cpu(), make, List.of(x), List.of(y), o);
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        Run graphed = fit(rec, make, List.of(x), List.of(y), new FitOptions().epochs(4).batchSize(4).verbose(0).seed(5));
        assertSame(eager, graphed);
        assertEquals(2, rec.captures, "one graph per batch size");
        assertEquals(0, rec.failedCaptures);
        assertTrue(rec.replays >= 4 * 3 - 2, "replays " + rec.replays);
        assertEquals(0, rec.openGraphs(), "fit closes its graphs");
        Run off = fit(new RecordingBackend(Backends.cpu()), make, List.of(x), List.of(y),
                new FitOptions().epochs(4).batchSize(4).verbose(0).seed(5).cudaGraphs(false));
        assertSame(eager, off);
    }

    @Test
    void maskedEmbeddingBidirectionalTimeDistributedReplaysExactly() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 9, t = 6, vocab = 11;
        float[] ids = new float[n * t];
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(t);
            for (int s = 0; s < len; s++) ids[i * t + s] = 1 + r.nextInt(vocab - 1);   // 0 = padding
        }
        float[] cls = new float[n * t];
        for (int i = 0; i < cls.length; i++) cls[i] = r.nextInt(4);
        Tensor x = Tensor.of(ids, n, t), y = Tensor.of(cls, n, t, 1);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new Embedding(vocab, 5).maskZero(true).inputShape(t),
                    new Bidirectional(new GRU(4).returnSequences(true)), new TimeDistributed(new Dense(4)));
            m.compile(new SGD(0.1).momentum(0.9), "sparse_categorical_crossentropy_from_logits");
            return m;
        };
        Run eager = fit(Backends.cpu(), make, List.of(x), List.of(y), new FitOptions().epochs(3).batchSize(4).verbose(0).seed(2));
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        Run graphed = fit(rec, make, List.of(x), List.of(y), new FitOptions().epochs(3).batchSize(4).verbose(0).seed(2));
        assertSame(eager, graphed);
        assertEquals(2, rec.captures);
    }

    @Test
    void lengthsAndMaskingWithValidationReplayExactly() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 8, t = 5;
        Tensor x = uniform(r, -1, 1, n, t, 2), y = uniform(r, -1, 1, n, t, 1);
        int[] lengths = {5, 1, 3, 4, 2, 5, 3, 2};
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new Masking(0.0).inputShape(t, 2), new LSTM(4).returnSequences(true),
                    new TimeDistributed(new Dense(1)));
            m.compile(new Adam(0.02), "mse");
            return m;
        };
        Supplier<FitOptions> opts = () -> new FitOptions().epochs(3).batchSize(3).verbose(0).seed(7).lengths(lengths)
                .validationSplit(0.25);
        Run eager = fit(Backends.cpu(), make, List.of(x), List.of(y), opts.get());
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        Run graphed = fit(rec, make, List.of(x), List.of(y), opts.get());
        assertSame(eager, graphed);
        assertTrue(eager.history().history().containsKey("val_loss"));
        assertTrue(rec.captures >= 1);
    }

    /** A stateful model's fit: resets in onBatchEnd and onEpochEnd, between replays, on the state buffers the graph holds. */
    static Supplier<FitOptions> statefulOptions(int epochs) {
        return () -> new FitOptions().epochs(epochs).verbose(0).shuffle(false).callbacks(new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch == 1) model.resetStates();
            }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { model.resetStates(); }
        });
    }

    static Supplier<Model> statefulModel() {
        return () -> {
            Sequential m = new Sequential(new LSTM(5).returnSequences(true).stateful(true).batchInputShape(2, 4, 3),
                    new Bidirectional(new GRU(3).stateful(true)), new Dense(1));
            m.compile(new Adam(0.02), "mse");
            return m;
        };
    }

    @Test
    void statefulLayersCarryAndResetTheirStatesAcrossReplays() {
        SplittableRandom r = new SplittableRandom(12);
        Tensor x = uniform(r, -1, 1, 8, 4, 3), y = uniform(r, -1, 1, 8, 1);
        Run eager = fit(Backends.cpu(), statefulModel(), List.of(x), List.of(y), statefulOptions(3).get());
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        Run graphed = fit(rec, statefulModel(), List.of(x), List.of(y), statefulOptions(3).get());
        assertSame(eager, graphed);
        assertEquals(1, rec.captures, "one batch size");
        assertEquals(0, rec.failedCaptures);
        assertTrue(rec.replays >= 3 * 4 - 2, "replays " + rec.replays);
        // the carried states change the numbers: without the resets the same fit ends elsewhere
        Run noResets = fit(rec, statefulModel(), List.of(x), List.of(y), new FitOptions().epochs(3).verbose(0).shuffle(false));
        assertTrue(!eager.batchLosses().equals(noResets.batchLosses()), "resetStates had no effect");
    }

    @Test
    void aLearningRateChangeRecapturesTheStep() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor x = uniform(r, -1, 1, 8, 4, 2), y = uniform(r, -1, 1, 8, 1);
        Supplier<Model> make = gru(() -> new Adam(0.05));
        Supplier<FitOptions> opts = () -> new FitOptions().epochs(4).batchSize(2).verbose(0).seed(1)
                .callbacks(new Callback() {
                    @Override
                    public void onEpochBegin(int epoch, Model model) {
                        model.optimizer().learningRate(0.05f / (epoch + 1));   // a schedule
                    }
                });
        RecordingBackend rec = replaysAsEager(make, x, y, opts);
        assertEquals(4, rec.captures, "re-captured after each learning-rate change");
    }

    /**
     * Gradient accumulation and EMA queue other ops on other calls (accumulate or update, the EMA's first iteration, an
     * overwrite every 2 updates): each phase gets its own graph, replayed only in its phase, so replay is eager bit for bit
     * (30 calls of 3 steps: phases first+accumulate, first+update, overwrite+accumulate, overwrite+update, accumulate, update;
     * the first+update one runs once, eagerly; each other is captured once).
     */
    @Test
    void gradientAccumulationAndEmaReplayOneGraphPerPhase() {
        SplittableRandom r = new SplittableRandom(8);
        Tensor x = uniform(r, -1, 1, 10, 4, 2), y = uniform(r, -1, 1, 10, 1);
        Supplier<Model> make = gru(() -> new Adam(0.02).clipnorm(0.5).gradientAccumulationSteps(3).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(2));
        RecordingBackend rec = replaysAsEager(make, x, y, () -> new FitOptions().epochs(6).batchSize(2).verbose(0).seed(2));
        assertEquals(4, rec.captures, "one graph per phase (the first update's calls run eagerly: no graph for them)");
        assertTrue(rec.replays >= 30 - 2 * 6, "replays " + rec.replays);
    }

    /**
     * Keras' broadcasting Multiply()([seq (B, T, F), weights (B, T, 1)]) is captured once and replayed: its gather indices
     * are made and uploaded once, not at every step (an upload inside a capture broke the capture, and the model ran
     * eagerly from then on: the review's finding).
     */
    @Test
    void aBroadcastingMergeIsCapturedOnce() {
        SplittableRandom r = new SplittableRandom(12);
        Tensor x = uniform(r, -1, 1, 8, 4, 3), y = uniform(r, -1, 1, 8, 1);
        Supplier<Model> make = () -> {
            Input in = Input.shape(4, 3);
            dev.jrnn.layers.Node w = new Dense(1).activation("sigmoid").apply(in);
            dev.jrnn.layers.Node weighted = new dev.jrnn.layers.Multiply().apply(in, w);
            Model m = new Model(in, new Dense(1).apply(new GRU(5).apply(weighted)));
            m.compile(new Adam(0.02), "mse");
            return m;
        };
        RecordingBackend rec = replaysAsEager(make, x, y, () -> new FitOptions().epochs(3).batchSize(4).verbose(0).seed(1));
        assertEquals(1, rec.captures, "captured once");
        assertTrue(rec.replays >= 3, "replays " + rec.replays);
    }

    /**
     * An output compiled without a loss (Keras' loss=[None, "mse"]) writes no loss in the captured step: its column stays
     * unread, and the replayed fit is the eager one (targets given for the output with a loss only).
     */
    @Test
    void anOutputWithoutALossIsCapturedAndReplayed() {
        SplittableRandom r = new SplittableRandom(14);
        Tensor x = uniform(r, -1, 1, 8, 4, 3), y = uniform(r, -1, 1, 8, 1);
        Supplier<Model> make = () -> {
            Input in = Input.shape(4, 3);
            dev.jrnn.layers.Node h = new GRU(5).apply(in);
            Model m = new Model(in, List.of(h, new Dense(1).apply(h)));
            m.compile(new Adam(0.02), java.util.Arrays.asList(null, "mse"));
            return m;
        };
        RecordingBackend rec = replaysAsEager(make, x, y, () -> new FitOptions().epochs(3).batchSize(4).verbose(0).seed(1));
        assertEquals(1, rec.captures, "captured once");
        assertTrue(rec.replays >= 3, "replays " + rec.replays);
    }

    /** Permute and Dot (which permutes one input) keep their gather indices too: a model with them is captured once. */
    @Test
    void permuteAndDotAreCapturedOnce() {
        SplittableRandom r = new SplittableRandom(13);
        Tensor x = uniform(r, -1, 1, 8, 4, 3), y = uniform(r, -1, 1, 8, 1);
        Supplier<Model> make = () -> {
            Input in = Input.shape(4, 3);
            dev.jrnn.layers.Node p = new dev.jrnn.layers.Permute(2, 1).apply(in);   // (3, 4)
            dev.jrnn.layers.Node d = new dev.jrnn.layers.Dot(2).apply(p, p);          // (3, 3)
            Model m = new Model(in, new Dense(1).apply(new GRU(5).apply(d)));
            m.compile(new Adam(0.02), "mse");
            return m;
        };
        RecordingBackend rec = replaysAsEager(make, x, y, () -> new FitOptions().epochs(3).batchSize(4).verbose(0).seed(1));
        assertEquals(1, rec.captures, "captured once");
    }

    /** A LearningRateScheduler that sets the rate the optimizer already has keeps the captured step (one capture, not one per epoch). */
    @Test
    void aSchedulerSettingTheSameRateKeepsTheGraph() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor x = uniform(r, -1, 1, 8, 4, 2), y = uniform(r, -1, 1, 8, 1);
        Supplier<Model> make = gru(() -> new Adam(0.05));
        Supplier<FitOptions> opts = () -> new FitOptions().epochs(4).batchSize(2).verbose(0).seed(1)
                .callbacks(new LearningRateScheduler((epoch, lr) -> lr));
        RecordingBackend rec = replaysAsEager(make, x, y, opts);
        assertEquals(1, rec.captures, "the same rate every epoch: captured once");
    }

    /**
     * A schedule whose rate moves at every step (ExponentialDecay without staircase) changes the optimizer's settings
     * before every step: the step runs eagerly (once the capture after the warm-up saw it change) rather than being
     * captured once per step (a capture and instantiation
     * per step costs more than the eager step); a staircase schedule still captures once per stair. The losses are the
     * eager fit's in both.
     */
    @Test
    void aRateThatMovesEveryStepRunsEagerly() {
        SplittableRandom r = new SplittableRandom(7);
        Tensor x = uniform(r, -1, 1, 8, 4, 2), y = uniform(r, -1, 1, 8, 1);
        for (boolean staircase : new boolean[] {false, true}) {
            Supplier<Model> make = gru(() -> new Adam(new dev.jrnn.optim.schedules.ExponentialDecay(0.05, 4, 0.5).staircase(staircase)));
            Supplier<FitOptions> opts = () -> new FitOptions().epochs(3).batchSize(2).verbose(0).seed(1);
            RecordingBackend rec = replaysAsEager(make, x, y, opts);
            if (staircase) assertEquals(3, rec.captures, "one capture per stair of 4 steps (12 steps)");
            else assertEquals(1, rec.captures, "the step after the warm-up only, not one capture per step");
        }
    }

    /**
     * A model frozen whole for its first epoch (the optimizer holds no state then) and unfrozen by a callback: the first
     * step on the regrouped store runs eagerly, so the optimizer's state (Adagrad's accumulator, filled with 0.1) is made
     * outside the capture; made inside it, every replay would fill it again.
     */
    @Test
    void aModelUnfrozenInTheMiddleOfFitReplaysAsEager() {
        SplittableRandom r = new SplittableRandom(8);
        Tensor x = uniform(r, -1, 1, 8, 4, 2), y = uniform(r, -1, 1, 8, 1);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new GRU(5).inputShape(4, 2), new Dense(1));
            for (Layer l : m.layers()) l.trainable(false);
            m.compile(new dev.jrnn.optim.Adagrad(0.1), "mse");
            return m;
        };
        Supplier<FitOptions> opts = () -> new FitOptions().epochs(3).batchSize(2).verbose(0).seed(1)
                .callbacks(new Callback() {
                    @Override
                    public void onEpochBegin(int epoch, Model model) {
                        if (epoch == 1) for (Layer l : model.layers()) l.trainable(true);
                    }
                });
        RecordingBackend rec = replaysAsEager(make, x, y, opts);
        assertTrue(rec.captures >= 2 && rec.replays >= 4, "captured before and after the unfreeze: " + rec.captures + ", " + rec.replays);
    }

    /**
     * Another model's freeze and unfreeze after every batch leave this model's captured step as it is (one capture for the
     * one batch shape); before, any layer's flag anywhere in the JVM dropped the graph, so each step captured again.
     */
    @Test
    void anotherModelsFreezeKeepsThisModelsGraph() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor x = uniform(r, -1, 1, 8, 4, 2), y = uniform(r, -1, 1, 8, 1);
        Layer elsewhere = new Dense(3);
        Supplier<Model> make = gru(Adam::new);
        Supplier<FitOptions> opts = () -> new FitOptions().epochs(3).batchSize(2).verbose(0).seed(1)
                .callbacks(new Callback() {
                    @Override
                    public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                        elsewhere.trainable(!elsewhere.trainable());
                    }
                });
        RecordingBackend rec = replaysAsEager(make, x, y, opts);
        assertEquals(1, rec.captures, "12 steps of one shape: one capture");
        assertEquals(11, rec.replays, "every step after the warm-up replayed (the captured one too)");
    }

    /**
     * A BatchNormalization without weights (center and scale off) frozen by a callback: no weight changes side, yet the
     * step must run on the moving statistics from then on, so the graph captured in training mode is dropped.
     */
    @Test
    void aFreezeOfThisModelsWeightlessBatchNormalizationRecaptures() {
        SplittableRandom r = new SplittableRandom(10);
        Tensor x = uniform(r, -1, 1, 8, 4, 2), y = uniform(r, -1, 1, 8, 1);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new GRU(5).returnSequences(true).inputShape(4, 2),
                    new dev.jrnn.layers.BatchNormalization().center(false).scale(false).name("bn"), new GRU(3), new Dense(1));
            m.compile("adam", "mse");
            return m;
        };
        Supplier<FitOptions> opts = () -> new FitOptions().epochs(3).batchSize(2).verbose(0).seed(1)
                .callbacks(new Callback() {
                    @Override
                    public void onEpochBegin(int epoch, Model model) {
                        if (epoch == 1) model.getLayer("bn").trainable(false);
                    }
                });
        RecordingBackend rec = replaysAsEager(make, x, y, opts);
        assertEquals(2, rec.captures, "captured in training mode, then again once frozen");
    }

    /** A layer that reads its input back to the host in the middle of a step (not capturable). */
    static final class HostPeek extends Layer {
        @Override
        public String kerasClass() { return "HostPeek"; }

        @Override
        public List<int[]> computeOutputShapes(List<int[]> in) { return List.of(in.get(0).clone()); }

        @Override
        protected void createParams(List<int[]> in) {}

        @Override
        protected void initParams(SplittableRandom rng) {}

        @Override
        public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
            DTensor x = inputs.get(0);
            build(List.of(java.util.Arrays.copyOfRange(x.shape(), 1, x.rank())));
            Backend be = backend();
            be.download(x.buf(), 0, new float[1], 0, 1);   // synchronizes
            DTensor y = DTensor.zeros(be, x.shape());
            be.copy(x.buf(), 0, y.buf(), 0, x.size());
            return new Trace() {
                @Override
                public List<DTensor> outputs() { return List.of(y); }

                @Override
                public List<DTensor> backward(List<DTensor> dOut) {
                    DTensor dx = DTensor.zeros(be, x.shape());
                    if (dOut.get(0) != null) be.copy(dOut.get(0).buf(), 0, dx.buf(), 0, x.size());
                    return List.of(dx);
                }

                @Override
                public void close() {
                    y.close();
                }
            };
        }
    }

    @Test
    void aStepThatSynchronizesFallsBackToEagerOnce() throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = uniform(r, -1, 1, 6, 3, 2), y = uniform(r, -1, 1, 6, 1);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new LSTM(3).returnSequences(true).inputShape(3, 2), new HostPeek(), new LSTM(2),
                    new Dense(1));
            m.compile(new Adam(0.01), "mse");
            return m;
        };
        Run eager = fit(Backends.cpu(), make, List.of(x), List.of(y), new FitOptions().epochs(3).batchSize(2).verbose(0).seed(3));
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        // the one warning goes to a list here, not to the test output
        Run[] replayed = new Run[1];
        List<String> warnings = dev.jrnn.LogCapture.records(Model.class.getName(), () ->
                replayed[0] = fit(rec, make, List.of(x), List.of(y), new FitOptions().epochs(3).batchSize(2).verbose(0).seed(3)))
                .stream().map(w -> w.getLevel() + " " + w.getMessage()).toList();
        Run graphed = replayed[0];
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("WARNING ") && warnings.get(0).contains("could not be captured into a CUDA graph"),
                warnings.get(0));
        assertSame(eager, graphed);
        assertEquals(1, rec.failedCaptures, "tried once, then eager");
        assertEquals(0, rec.captures);
    }

    @Test
    void metricsRunEagerlyAndNonFiniteLossStillStopsFit() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = uniform(r, -1, 1, 6, 3, 2), y = uniform(r, 0, 1, 6, 1);
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        Jrnn.setBackend(rec);
        Sequential m = new Sequential(new LSTM(3).inputShape(3, 2), new Dense(1).activation("sigmoid"));
        m.compile(new Adam(0.01), "binary_crossentropy", "accuracy");
        m.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0));
        assertEquals(0, rec.captures, "metrics read predictions back: no graph");

        Sequential bad = new Sequential(new LSTM(3).inputShape(3, 2), new Dense(1));
        bad.compile(new Adam(1e30), "mse");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> bad.fit(x, Tensor.full(1e30f, 6, 1), new FitOptions().epochs(3).batchSize(1).verbose(0)));
        assertTrue(e.getMessage().contains("the loss became"), e.getMessage());
        assertEquals(0, rec.openGraphs(), "graphs closed when fit throws");
    }

    /** Trains until it diverges; returns the exception and the weights fit left. */
    static Object[] diverge(Backend be, boolean perBatch) {
        Jrnn.setBackend(be);
        Jrnn.clearSession();
        Jrnn.setSeed(77);
        Sequential m = new Sequential(new LSTM(4).inputShape(4, 2), new Dense(1));
        m.compile(new SGD(3e10), "mse");
        FitOptions o = new FitOptions().epochs(30).batchSize(4).verbose(0).shuffle(false);
        if (perBatch) {
            o.callbacks(new Callback() {
                @Override
                public void onBatchEnd(int batch, BatchLogs logs, Model model) { logs.loss(); }   // read at once: fit stops at the failing batch
            });
        }
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> m.fit(Tensor.full(0.5f, 16, 4, 2), Tensor.full(1e18f, 16, 1), o));
        return new Object[] {e, m.getWeights(), m.optimizer().iterations()};
    }

    @Test
    void divergenceStopsAtTheSameBatchWithTheSameWeightsWhenReplayedAndReadLate() {
        Object[] eager = diverge(Backends.cpu(), true);   // read after every batch: stops right there
        RecordingBackend rec = new RecordingBackend(Backends.cpu());
        Object[] late = diverge(rec, false);              // replayed, read at the end of the epoch
        NonFiniteException a = (NonFiniteException) eager[0], b = (NonFiniteException) late[0];
        assertEquals(a.epoch(), b.epoch());
        assertEquals(a.batch(), b.batch());
        assertEquals(a.quantity(), b.quantity());
        assertEquals(a.getMessage(), b.getMessage());
        assertEquals(eager[2], late[2], "optimizer iterations count only the applied updates");
        @SuppressWarnings("unchecked") List<Tensor> wa = (List<Tensor>) eager[1], wb = (List<Tensor>) late[1];
        for (int i = 0; i < wa.size(); i++) {
            float[] x = wa.get(i).data(), y = wb.get(i).data();
            for (int j = 0; j < x.length; j++) assertEquals(Float.floatToRawIntBits(x[j]), Float.floatToRawIntBits(y[j]), "weight " + i);
        }
        assertTrue(rec.captures >= 1 && rec.replays >= 1, "the failing epoch ran replayed steps");
    }
}
