package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.examples.Data;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.BatchLogs;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whole fits on CUDA: the same model, initial weights and data give the CPU's per-epoch losses (1e-4
 * relative), and captured-and-replayed train steps (CUDA graphs) give bit for bit the losses and weights of
 * eager steps. Also one train step of an Embedding + Bidirectional(GRU) + TimeDistributed(Dense) model
 * (loss and every gradient) against the CPU, and the same for recurrent layers with dropout and
 * recurrent_dropout. Skipped without a device.
 */
@Tag("gpu")
class CudaFitParityTest extends CpuCudaBackends {
    record Run(List<Double> losses, List<Tensor> weights, List<Double> batchLosses) {}

    static Run fit(Backend be, long seed, Supplier<? extends Model> make, Tensor x, Tensor y, FitOptions o, boolean perBatch) {
        Jrnn.setBackend(be);
        Jrnn.clearSession();
        Jrnn.setSeed(seed);
        List<Double> batches = new ArrayList<>();
        if (perBatch) {
            o.callbacks(new Callback() {
                @Override
                public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                    batches.add(logs.loss());
                }
            });
        }
        try (Model m = make.get()) {
            History h = m.fit(x, y, o);
            return new Run(h.get("loss"), m.getWeights(), batches);
        } finally {
            Jrnn.setBackend("cpu");
        }
    }

    /** Per-epoch losses equal within {@code tol} relative; prints both columns on failure. */
    static void assertLossesClose(String what, List<Double> ref, List<Double> got, double tol) {
        assertEquals(ref.size(), got.size(), what + ": epochs");
        StringBuilder table = new StringBuilder();
        double worst = 0;
        for (int i = 0; i < ref.size(); i++) {
            double rel = Math.abs(got.get(i) - ref.get(i)) / Math.max(Math.abs(ref.get(i)), 1e-30);
            worst = Math.max(worst, rel);
            table.append(String.format(Locale.ROOT, "%n  epoch %3d  cpu %.9g  cuda %.9g  rel %.2e", i + 1, ref.get(i), got.get(i), rel));
        }
        System.out.println(what + ": worst relative loss difference " + worst + table);
        if (!(worst <= tol)) fail(what + ": per-epoch losses differ by " + worst + " > " + tol + table);
    }

    static void assertBitwise(String what, Run a, Run b) {
        assertEquals(a.losses(), b.losses(), what + ": per-epoch losses");
        assertEquals(a.batchLosses(), b.batchLosses(), what + ": per-batch losses");
        for (int i = 0; i < a.weights().size(); i++) {
            float[] x = a.weights().get(i).data(), y = b.weights().get(i).data();
            for (int j = 0; j < x.length; j++) {
                if (Float.floatToRawIntBits(x[j]) != Float.floatToRawIntBits(y[j])) {
                    fail(what + ": weight " + i + "[" + j + "] " + x[j] + " vs " + y[j]);
                }
            }
        }
    }

    @Test
    void seedLstm50FitMatchesTheCpu() {
        Tensor[] d = Data.counting(10);   // [1, 2, 3] -> 4 ... [10, 11, 12] -> 13
        Supplier<Sequential> make = () -> {
            Sequential m = new Sequential(new LSTM(50).inputShape(3, 1), new Dense(1));
            m.compile("adam", "mse");
            return m;
        };
        Supplier<FitOptions> o = () -> new FitOptions().epochs(15).batchSize(1).verbose(0).seed(11);
        Run onCpu = fit(cpu, 4, make, d[0], d[1], o.get(), false);
        int before = gpu.graphCaptures();
        Run onGpu = fit(gpu, 4, make, d[0], d[1], o.get(), false);
        assertLossesClose("LSTM(50) + Dense(1), Adam, batch 1", onCpu.losses(), onGpu.losses(), 1e-4);
        assertTrue(gpu.graphCaptures() > before, "the train step was captured into a CUDA graph");
        assertEquals(0, gpu.openGraphs(), "fit closes its graphs");
        assertEquals(0, gpu.pool().pinnedBlocks(), "no pool block stays pinned after fit");
    }

    /**
     * Hinge batches alternating 0/1 targets (converted to -1/1) and -1/0/1 ones (kept), replayed from one captured graph:
     * each batch's targets are checked on the device, so the losses are the eager run's bit for bit and the CPU's.
     */
    @Test
    void capturedHingeStepsCheckEveryBatchsTargets() {
        int n = 16, t = 5;
        SplittableRandom r = new SplittableRandom(12);
        float[] xs = new float[n * t * 2], ys = new float[n * 3];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                int v = r.nextInt(2);
                ys[i * 3 + c] = (i / 4) % 2 == 0 ? v : v == 0 ? -1 : 1;   // batches of 4: 0/1, then -1/1, ...
            }
        }
        ys[5 * 3 + 1] = 0;   // a 0 among the -1/1 targets stays 0
        Tensor x = Tensor.of(xs, n, t, 2), y = Tensor.of(ys, n, 3);
        Supplier<Sequential> make = () -> {
            Sequential m = new Sequential(new SimpleRNN(8).inputShape(t, 2), new Dense(3));
            m.compile(new SGD(0.05), "hinge");
            return m;
        };
        Supplier<FitOptions> o = () -> new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0).seed(2);
        int captures = gpu.graphCaptures(), failures = gpu.graphCaptureFailures();
        Run graphed = fit(gpu, 7, make, x, y, o.get(), true);
        assertEquals(failures, gpu.graphCaptureFailures(), "no capture failed");
        assertTrue(gpu.graphCaptures() > captures, "the hinge step was captured");
        Run eager = fit(gpu, 7, make, x, y, o.get().cudaGraphs(false), true);
        assertBitwise("hinge, graphs on vs off", eager, graphed);
        Run onCpu = fit(cpu, 7, make, x, y, o.get(), true);
        assertLossesClose("hinge, batches alternating 0/1 and -1/1 targets (per batch)", onCpu.batchLosses(), graphed.batchLosses(), 1e-4);
    }

    /**
     * Keras' loss options through captured steps: ignore_class on a masked sequence (the ignored steps and the padding both
     * left out of the mean), reduction "sum" and "mean_with_sample_weight", label smoothing, focal gamma / alpha / class
     * balancing and Huber's delta give the CPU's per-batch losses, and graph replay gives the eager steps bit for bit.
     */
    @Test
    void lossOptionsUnderGraphReplayMatchTheCpu() {
        int n = 12, t = 6, classes = 4;
        SplittableRandom r = new SplittableRandom(31);
        float[] xs = new float[n * t * 3], ids = new float[n * t], dense = new float[n * classes], weights = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(5) - 1;   // -1 is the ignored class
        for (int i = 0; i < n; i++) {
            dense[i * classes + r.nextInt(classes)] = 1;
            weights[i] = (float) r.nextDouble(0.2, 2);
            for (int s = t - i % 3; s < t; s++) for (int f = 0; f < 3; f++) xs[(i * t + s) * 3 + f] = 0;   // padded steps
        }
        Tensor x = Tensor.of(xs, n, t, 3);
        record Case(dev.jrnn.backend.Loss loss, Tensor y, boolean sequence) {}
        List<Case> cases = List.of(
                new Case(dev.jrnn.backend.Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(-1), Tensor.of(ids, n, t), true),
                new Case(dev.jrnn.backend.Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(-1).reduction("sum"), Tensor.of(ids, n, t), true),
                new Case(dev.jrnn.backend.Loss.CATEGORICAL_CROSSENTROPY_LOGITS.labelSmoothing(0.2).reduction("mean_with_sample_weight"),
                        Tensor.of(dense, n, classes), false),
                new Case(dev.jrnn.backend.Loss.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS.gamma(1.5).alpha(0.5).labelSmoothing(0.1),
                        Tensor.of(dense, n, classes), false),
                new Case(dev.jrnn.backend.Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS.gamma(3).classBalancing(true).alpha(0.3),
                        Tensor.of(dense, n, classes), false),
                new Case(dev.jrnn.backend.Loss.HUBER.delta(0.3), Tensor.of(dense, n, classes), false));
        for (Case c : cases) {
            Supplier<Sequential> make = () -> {
                Sequential m = new Sequential(new dev.jrnn.layers.Masking(0).inputShape(t, 3), new GRU(8).returnSequences(c.sequence()),
                        c.sequence() ? new TimeDistributed(new Dense(classes)) : new Dense(classes));
                m.compile(new SGD(0.05), c.loss());
                return m;
            };
            Supplier<FitOptions> o = () -> new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0)
                    .sampleWeight(Tensor.of(weights, n));
            Run graphed = fit(gpu, 9, make, x, c.y(), o.get(), true);
            Run eager = fit(gpu, 9, make, x, c.y(), o.get().cudaGraphs(false), true);
            assertBitwise(c.loss() + ", graphs on vs off", eager, graphed);
            Run onCpu = fit(cpu, 9, make, x, c.y(), o.get(), true);
            assertLossesClose(c.loss() + " (per batch)", onCpu.batchLosses(), graphed.batchLosses(), 1e-4);
        }
    }

    /**
     * A custom loss (Keras' MSE as a row function) runs on the host on CUDA too: its fit is not captured and gives the CPU's
     * per-batch losses and the built-in MSE's on the GPU.
     */
    @Test
    void aCustomLossFitsOnTheHostAsTheCpu() {
        int n = 12, t = 5;
        SplittableRandom r = new SplittableRandom(41);
        float[] xs = new float[n * t * 2], ys = new float[n * 2];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < ys.length; i++) ys[i] = (float) r.nextDouble(-1, 1);
        Tensor x = Tensor.of(xs, n, t, 2), y = Tensor.of(ys, n, 2);
        dev.jrnn.backend.Loss custom = dev.jrnn.backend.Loss.custom("my_mse", (yy, p, g) -> {
            double s = 0;
            for (int i = 0; i < p.length; i++) {
                double d = (double) p[i] - yy[i];
                s += d * d / p.length;
                g[i] = (float) (2 * d / p.length);
            }
            return s;
        });
        Supplier<Sequential> mine = () -> {
            Sequential m = new Sequential(new LSTM(6).inputShape(t, 2), new Dense(2));
            m.compile(new SGD(0.05), custom);
            return m;
        };
        Supplier<Sequential> builtIn = () -> {
            Sequential m = new Sequential(new LSTM(6).inputShape(t, 2), new Dense(2));
            m.compile(new SGD(0.05), "mse");
            return m;
        };
        Supplier<FitOptions> o = () -> new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0);
        int captures = gpu.graphCaptures();
        Run onGpu = fit(gpu, 5, mine, x, y, o.get(), true);
        assertEquals(captures, gpu.graphCaptures(), "a custom loss's steps are not captured");
        assertLossesClose("custom MSE, GPU vs CPU (per batch)", fit(cpu, 5, mine, x, y, o.get(), true).batchLosses(), onGpu.batchLosses(), 1e-4);
        assertLossesClose("custom vs built-in MSE on the GPU (per batch)", fit(gpu, 5, builtIn, x, y, o.get(), true).batchLosses(),
                onGpu.batchLosses(), 1e-5);
    }

    @Test
    void manyToOneExampleFitMatchesTheCpu() {
        Tensor[] d = Data.counting(10);
        Supplier<Sequential> make = () -> {
            Sequential m = new Sequential(new SimpleRNN(10).inputShape(3, 1), new Dense(1));
            m.compile("adam", "mse");
            return m;
        };
        Supplier<FitOptions> o = () -> new FitOptions().epochs(20).batchSize(1).verbose(0).seed(4);
        Run onCpu = fit(cpu, 4, make, d[0], d[1], o.get(), false);
        Run onGpu = fit(gpu, 4, make, d[0], d[1], o.get(), false);
        assertLossesClose("many-to-one SimpleRNN(10) + Dense(1)", onCpu.losses(), onGpu.losses(), 1e-4);
    }

    @Test
    void graphReplayGivesExactlyTheEagerLossesAndWeights() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 22, t = 7;
        float[] xs = new float[n * t * 3], ys = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) ys[i] = (float) r.nextDouble(-1, 1);
        Tensor x = Tensor.of(xs, n, t, 3), y = Tensor.of(ys, n, 1);
        Supplier<Sequential> make = () -> {
            Sequential m = new Sequential(new LSTM(32).returnSequences(true).inputShape(t, 3), new Dropout(0.25),
                    new GRU(16), new Dense(1));
            m.compile(new Adam(0.005).clipnorm(1f), "mse");
            return m;
        };
        // batch 8 on 22 samples: sizes 8, 8, 6 -> two graphs; per-batch losses read after every step
        Supplier<FitOptions> o = () -> new FitOptions().epochs(5).batchSize(8).verbose(0).seed(3);
        int captures = gpu.graphCaptures(), failures = gpu.graphCaptureFailures();
        Run graphed = fit(gpu, 21, make, x, y, o.get(), true);
        assertEquals(failures, gpu.graphCaptureFailures(), "no capture failed");
        assertEquals(captures + 2, gpu.graphCaptures(), "one graph per batch size");
        Run eager = fit(gpu, 21, make, x, y, o.get().cudaGraphs(false), true);
        assertEquals(captures + 2, gpu.graphCaptures(), "cudaGraphs(false) captures nothing");
        assertBitwise("graphs on vs off", eager, graphed);
        Run late = fit(gpu, 21, make, x, y, o.get(), false);   // losses read once per epoch
        assertEquals(eager.losses(), late.losses(), "per-epoch losses read late");
        Run onCpu = fit(cpu, 21, make, x, y, o.get(), false);
        assertLossesClose("LSTM + Dropout + GRU + Dense, Adam with clipnorm", onCpu.losses(), graphed.losses(), 1e-4);
        assertEquals(0, gpu.pool().pinnedBlocks());
        assertEquals(0, gpu.pool().bytesHeldForGraphs());
    }

    /**
     * An output compiled without a loss (Keras' loss=[None, "mse"], its target left out): the captured step leaves its loss
     * column unwritten and unread; graphs on and off give the same fit bit for bit, and the CPU's losses.
     */
    @Test
    void anOutputWithoutALossUnderGraphReplayGivesTheEagerFit() {
        SplittableRandom r = new SplittableRandom(10);
        int n = 12, t = 5;
        float[] xs = new float[n * t * 3], ys = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) ys[i] = (float) r.nextDouble(-1, 1);
        Tensor x = Tensor.of(xs, n, t, 3), y = Tensor.of(ys, n, 1);
        Supplier<Model> make = () -> {
            dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(t, 3);
            dev.jrnn.layers.Node h = new GRU(8).apply(in);
            Model m = new Model(in, List.of(h, new Dense(1).apply(h)));
            m.compile(new Adam(0.01), java.util.Arrays.asList(null, "mse"));
            return m;
        };
        Supplier<FitOptions> o = () -> new FitOptions().epochs(4).batchSize(4).verbose(0).seed(3);
        int failures = gpu.graphCaptureFailures();
        Run graphed = fit(gpu, 22, make, x, y, o.get(), true);
        assertEquals(failures, gpu.graphCaptureFailures(), "no capture failed");
        assertBitwise("graphs on vs off", fit(gpu, 22, make, x, y, o.get().cudaGraphs(false), true), graphed);
        assertLossesClose("GRU with an output without a loss", fit(cpu, 22, make, x, y, o.get(), false).losses(), graphed.losses(), 1e-4);
    }

    /**
     * Learning-rate schedules under graph replay (session 13's fix, never run on a GPU before): a rate that moves every
     * step runs eagerly after one capture, a staircase captures once per stair; both give the eager fit's losses and
     * weights bit for bit (a replay with the previous step's rate would not).
     */
    @Test
    void schedulesUnderGraphReplayGiveExactlyTheEagerFit() {
        SplittableRandom r = new SplittableRandom(12);
        int n = 16, t = 6;
        float[] xs = new float[n * t * 3], ys = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) ys[i] = (float) r.nextDouble(-1, 1);
        Tensor x = Tensor.of(xs, n, t, 3), y = Tensor.of(ys, n, 1);
        for (boolean staircase : new boolean[] {false, true}) {
            Supplier<Sequential> make = () -> {
                Sequential m = new Sequential(new LSTM(16).inputShape(t, 3), new Dense(1));
                m.compile(new Adam(new dev.jrnn.optim.schedules.ExponentialDecay(0.01, 4, 0.5).staircase(staircase)), "mse");
                return m;
            };
            Supplier<FitOptions> o = () -> new FitOptions().epochs(3).batchSize(4).verbose(0).seed(3);   // 12 steps
            int captures = gpu.graphCaptures();
            Run graphed = fit(gpu, 22, make, x, y, o.get(), true);
            assertEquals(captures + (staircase ? 3 : 1), gpu.graphCaptures(), "captures, staircase " + staircase);
            Run eager = fit(gpu, 22, make, x, y, o.get().cudaGraphs(false), true);
            assertBitwise("schedule, staircase " + staircase + ", graphs on vs off", eager, graphed);
        }
    }

    /**
     * Gradient accumulation (3 steps) with EMA overwriting every 2 updates under graph replay: one graph per phase (accumulate or
     * update, the EMA's first iteration, an overwrite; 30 calls), whose replays give the eager fit bit for bit (Adam's device t
     * advancing in the update graphs only), and the CPU's losses.
     */
    @Test
    void gradientAccumulationAndEmaUnderGraphReplayGiveExactlyTheEagerFit() {
        SplittableRandom r = new SplittableRandom(13);
        int n = 10, t = 5;
        float[] xs = new float[n * t * 3], ys = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) ys[i] = (float) r.nextDouble(-1, 1);
        Tensor x = Tensor.of(xs, n, t, 3), y = Tensor.of(ys, n, 1);
        Supplier<Sequential> make = () -> {
            Sequential m = new Sequential(new GRU(16).inputShape(t, 3), new Dense(1));
            m.compile(new Adam(0.02).clipnorm(0.5).gradientAccumulationSteps(3).useEma(true).emaMomentum(0.9).emaOverwriteFrequency(2), "mse");
            return m;
        };
        Supplier<FitOptions> o = () -> new FitOptions().epochs(6).batchSize(2).verbose(0).seed(3);   // 5 batches an epoch
        int captures = gpu.graphCaptures(), failures = gpu.graphCaptureFailures();
        Run graphed = fit(gpu, 23, make, x, y, o.get(), true);
        assertEquals(failures, gpu.graphCaptureFailures(), "no capture failed");
        assertEquals(captures + 4, gpu.graphCaptures(), "one graph per phase (GraphReplayTest counts the same on the CPU)");
        Run eager = fit(gpu, 23, make, x, y, o.get().cudaGraphs(false), true);
        assertBitwise("accumulation and EMA, graphs on vs off", eager, graphed);
        Run onCpu = fit(cpu, 23, make, x, y, o.get(), false);
        assertLossesClose("GRU + Dense, Adam with accumulation and EMA", onCpu.losses(), graphed.losses(), 1e-4);
    }

    @Test
    void embeddingBidirectionalGruTimeDistributedTrainStepMatchesTheCpu() {
        int n = 6, t = 9, vocab = 20, classes = 5;
        SplittableRandom r = new SplittableRandom(12);
        float[] ids = new float[n * t], cls = new float[n * t];
        for (int i = 0; i < n; i++) {
            int len = 2 + r.nextInt(t - 1);
            for (int s = 0; s < len; s++) ids[i * t + s] = 1 + r.nextInt(vocab - 1);
        }
        for (int i = 0; i < cls.length; i++) cls[i] = r.nextInt(classes);
        Tensor x = Tensor.of(ids, n, t), y = Tensor.of(cls, n, t, 1);
        List<double[]> losses = new ArrayList<>();
        List<List<float[]>> grads = new ArrayList<>(), weights = new ArrayList<>();
        for (Backend be : new Backend[] {cpu, gpu}) {
            Jrnn.setBackend(be);
            Jrnn.clearSession();
            Jrnn.setSeed(8);
            try (Sequential m = new Sequential(new Embedding(vocab, 8).maskZero(true).inputShape(t),
                    new Bidirectional(new GRU(16).returnSequences(true)), new TimeDistributed(new Dense(classes)))) {
                m.compile(new SGD(0.1), "sparse_categorical_crossentropy_from_logits");
                double l1 = m.trainOnBatch(x, y);
                List<float[]> g = new ArrayList<>();
                for (Param p : m.paramStore().params()) g.add(p.getGrad().data());
                double l2 = m.trainOnBatch(x, y);
                List<float[]> w = new ArrayList<>();
                for (Tensor tw : m.getWeights()) w.add(tw.data());
                losses.add(new double[] {l1, l2});
                grads.add(g);
                weights.add(w);
            } finally {
                Jrnn.setBackend("cpu");
            }
        }
        Twins.assertCloseScalar("loss of step 1", losses.get(0)[0], losses.get(1)[0], 1e-5, 12);
        Twins.assertCloseScalar("loss of step 2", losses.get(0)[1], losses.get(1)[1], 1e-5, 12);
        for (int i = 0; i < grads.get(0).size(); i++) {
            Twins.assertClose("gradient " + i, grads.get(0).get(i), grads.get(1).get(i), 1e-4, 12);
        }
        for (int i = 0; i < weights.get(0).size(); i++) {
            Twins.assertClose("weight " + i + " after two steps", weights.get(0).get(i), weights.get(1).get(i), 1e-5, 12);
        }
    }

    static Tensor[] dropoutData(int n, int t, int f, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] xs = new float[n * t * f], ys = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) ys[i] = (float) r.nextDouble(-1, 1);
        return new Tensor[] {Tensor.of(xs, n, t, f), Tensor.of(ys, n, 1)};
    }

    static List<Supplier<Layer>> dropoutLayers() {
        return List.of(() -> new SimpleRNN(16).dropout(0.3).recurrentDropout(0.25),
                () -> new LSTM(16).dropout(0.3).recurrentDropout(0.25),
                () -> new GRU(16).dropout(0.3).recurrentDropout(0.25),
                () -> new LSTM(32).dropout(0.3),   // the persistent kernels stay in use
                () -> new GRU(32).recurrentDropout(0.4),
                () -> new Bidirectional(new LSTM(8).dropout(0.2).recurrentDropout(0.2)));
    }

    /*
     * Recurrent dropout and recurrent_dropout draw and apply the CPU's masks on CUDA (both from the layer's mask
     * stream through Backend.dropoutMask): one train step's loss and gradients, and whole fits (captured graphs
     * draw new masks at every replay, as eager steps do), per cell; an input dropout alone keeps the persistent
     * kernels, a recurrent dropout takes the per-step kernels.
     */
    @Test
    void recurrentDropoutTrainStepGivesTheCpuLossAndGradients() {
        Tensor[] d = dropoutData(12, 7, 3, 5);
        for (Supplier<Layer> make : dropoutLayers()) {
            List<Double> losses = new ArrayList<>();
            List<List<float[]>> grads = new ArrayList<>();
            String what = null;
            for (Backend be : new Backend[] {cpu, gpu}) {
                Jrnn.setBackend(be);
                Jrnn.clearSession();
                Jrnn.setSeed(8);
                Layer rnn = make.get();
                what = rnn.kerasClass();
                rnn.inputShape(7, 3);
                try (Sequential m = new Sequential(rnn, new Dense(1))) {
                    m.compile(new Adam(0.01), "mse");
                    m.trainOnBatch(d[0], d[1]);   // a first step: the mask counters must advance alike
                    losses.add(m.trainOnBatch(d[0], d[1]));
                    List<float[]> g = new ArrayList<>();
                    for (Param p : m.paramStore().params()) g.add(p.getGrad().data());
                    grads.add(g);
                } finally {
                    Jrnn.setBackend("cpu");
                }
            }
            Twins.assertCloseScalar(what + ": loss of step 2", losses.get(0), losses.get(1), 1e-5, 8);
            for (int i = 0; i < grads.get(0).size(); i++) {
                Twins.assertClose(what + ": gradient " + i, grads.get(0).get(i), grads.get(1).get(i), 1e-4, 8);
            }
        }
    }

    @Test
    void recurrentDropoutFitsMatchTheCpuAndGraphReplaysDrawNewMasks() {
        Tensor[] d = dropoutData(22, 9, 3, 6);
        for (Supplier<Layer> layer : dropoutLayers()) {
            Supplier<Sequential> make = () -> {
                Layer rnn = layer.get();
                rnn.inputShape(9, 3);
                Sequential m = new Sequential(rnn, new Dense(1));
                m.compile(new Adam(0.005), "mse");
                return m;
            };
            Supplier<FitOptions> o = () -> new FitOptions().epochs(4).batchSize(8).verbose(0).seed(3);
            Run graphed = fit(gpu, 21, make, d[0], d[1], o.get(), true);
            Run eager = fit(gpu, 21, make, d[0], d[1], o.get().cudaGraphs(false), true);
            String what = layer.get().kerasClass();
            assertBitwise(what + ": graphs on vs off", eager, graphed);
            Run onCpu = fit(cpu, 21, make, d[0], d[1], o.get(), false);
            assertLossesClose(what + " with dropouts", onCpu.losses(), graphed.losses(), 1e-4);
        }
    }

    /**
     * Keras 3's recurrent call with initial states and no mask (applyUnmasked): unmasked, its output carrying the
     * Embedding's mask into the loss; an LSTM so called and a GRU called masked, five epochs of Adam (graph-replayed on
     * CUDA) give the CPU's per-epoch losses and predictions.
     */
    @Test
    void unmaskedCallsWithInitialStatesFitAsTheCpu() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 12, t = 6;
        float[] tok = new float[n * t], h = new float[n * 3], y = new float[n * t * 2];
        for (int i = 0; i < tok.length; i++) tok[i] = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(8);
        for (int i = 0; i < h.length; i++) h[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextDouble(-1, 1);
        List<Tensor> xs = List.of(Tensor.of(tok, n, t), Tensor.of(h, n, 3), Tensor.of(h.clone(), n, 3));
        List<List<Double>> losses = new ArrayList<>();
        List<float[]> preds = new ArrayList<>();
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.clearSession();
            Jrnn.setSeed(5);
            dev.jrnn.model.Input it = dev.jrnn.model.Input.shape(t), ih = dev.jrnn.model.Input.shape(3), ic = dev.jrnn.model.Input.shape(3);
            dev.jrnn.layers.Node e = new Embedding(9, 4).maskZero(true).apply(it);
            dev.jrnn.layers.Node a = new LSTM(3).returnSequences(true).applyUnmasked(List.of(e, ih, ic));
            dev.jrnn.layers.Node b = new GRU(3).returnSequences(true).apply(List.of(e, ih));
            try (Model m = new Model(List.of(it, ih, ic), List.of(new Dense(2).apply(new dev.jrnn.layers.Concatenate().apply(a, b))))) {
                m.compile(new Adam(0.01), "mse");
                losses.add(m.fit(xs, List.of(Tensor.of(y, n, t, 2)), new FitOptions().epochs(5).batchSize(4).verbose(0).seed(3)).get("loss"));
                preds.add(m.predictAll(xs).get(0).data());
            } finally {
                Jrnn.setBackend("cpu");
            }
        }
        assertLossesClose("unmasked LSTM + masked GRU with initial states", losses.get(0), losses.get(1), 1e-4);
        for (int i = 0; i < preds.get(0).length; i++) assertEquals(preds.get(0)[i], preds.get(1)[i], 1e-4, "prediction " + i);
    }
}
