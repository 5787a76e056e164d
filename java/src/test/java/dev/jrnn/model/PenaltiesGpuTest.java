package dev.jrnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cuda.CudaBackend;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.regularizers.Constraints;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regularized and constrained fits on CUDA against the CPU: the penalty and its gradients inside the captured step
 * (regularizers only: captured once per rule set, as the CUDA backend's capture count shows), and the eager steps a
 * constrained model runs; losses and weights to float32 rounding.
 */
@Tag("gpu")
class PenaltiesGpuTest {
    @BeforeEach
    void gpu() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
    }

    @AfterEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        float[] v = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.wrap(v, shape);
    }

    /** CPU and CUDA fits of {@code model} alike; returns the CUDA graphs the CUDA fit captured (none failed). */
    private static int parity(Supplier<Sequential> model, Tensor x, Tensor y) {
        return parity(model, x, y, new FitOptions().epochs(3).batchSize(8).verbose(0).shuffle(false));
    }

    private static int parity(Supplier<Sequential> model, Tensor x, Tensor y, FitOptions o) {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(12);
        History hc;
        List<Tensor> wc;
        try (Sequential m = model.get()) {
            hc = m.fit(x, y, o);
            wc = m.getWeights();
        }
        Jrnn.setBackend("cuda");
        Jrnn.setSeed(12);
        CudaBackend gpu = (CudaBackend) Jrnn.backend();
        int captures = gpu.graphCaptures(), failures = gpu.graphCaptureFailures();
        try (Sequential m = model.get()) {
            History hg = m.fit(x, y, o);
            assertEquals(failures, gpu.graphCaptureFailures(), "no capture failed");
            assertFalse(m.graphsBroken(), "the model still captures its steps");
            for (int e = 0; e < 3; e++) {
                double a = hc.history().get("loss").get(e);
                assertEquals(a, hg.history().get("loss").get(e), 1e-4 * Math.max(1, Math.abs(a)), "loss of epoch " + e);
            }
            List<Tensor> wg = m.getWeights();
            for (int k = 0; k < wc.size(); k++) {
                float[] p = wc.get(k).data(), q = wg.get(k).data();
                for (int i = 0; i < p.length; i++) assertEquals(p[i], q[i], 1e-4 * Math.max(1, Math.abs(p[i])), "weight " + k + "[" + i + "]");
            }
        }
        return gpu.graphCaptures() - captures;
    }

    @Test
    void regularizedFitInTheCapturedStepMatchesTheCpu() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = random(r, 32, 6, 3), y = random(r, 32, 6, 2);
        int captured = parity(() -> {
            Sequential m = new Sequential(new LSTM(8).returnSequences(true).kernelRegularizer(Regularizers.l1l2(1e-3, 1e-2))
                    .recurrentRegularizer(Regularizers.l2(1e-2)).activityRegularizer(Regularizers.l1(1e-3)),
                    new TimeDistributed(new Dense(2).biasRegularizer(Regularizers.l1(1e-2))).activityRegularizer(Regularizers.l2(1e-3)));
            m.build(6, 3);
            m.compile("adam", "mse");
            return m;
        }, x, y);
        // 4 batches of 8 an epoch: one eager warm-up, one capture, the rest replays of it
        assertEquals(1, captured, "the regularized step was captured once and replayed");
    }

    @Test
    void aRegularizerSetInTheMiddleOfFitIsCapturedAnewOnCuda() {
        SplittableRandom r = new SplittableRandom(7);
        Tensor x = random(r, 32, 5, 3), y = random(r, 32, 2);
        Dense[] last = new Dense[1];
        FitOptions o = new FitOptions().epochs(3).batchSize(8).verbose(0).shuffle(false).callbacks(new Callback() {
            @Override
            public void onEpochEnd(int epoch, java.util.Map<String, Double> logs, Model model) {
                last[0].kernelRegularizer(epoch == 0 ? Regularizers.l2(0.5) : Regularizers.l1l2(0.01, 0.1));
            }
        });
        int captured = parity(() -> {
            last[0] = new Dense(2).kernelRegularizer(Regularizers.l1(0.01));
            Sequential m = new Sequential(new GRU(6), last[0]);
            m.build(5, 3);
            m.compile("adam", "mse");
            return m;
        }, x, y, o);
        assertEquals(3, captured, "one capture per rule set");
    }

    @Test
    void constrainedFitRunsEagerlyAndMatchesTheCpu() {
        SplittableRandom r = new SplittableRandom(5);
        float[] ids = new float[32 * 5];
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(9);
        Tensor x = Tensor.wrap(ids, 32, 5), y = random(r, 32, 2);
        int captured = parity(() -> {
            Sequential m = new Sequential(new Embedding(9, 4).embeddingsConstraint(Constraints.unitNorm(1)),
                    new GRU(6).kernelConstraint(Constraints.maxNorm(0.5)).recurrentConstraint(Constraints.minMaxNorm(0.2, 0.8, 0.5, 0))
                            .biasRegularizer(Regularizers.l2(1e-2)),
                    new Dense(2).biasConstraint(Constraints.nonNeg()).kernelRegularizer(Regularizers.l1(1e-3)));
            m.build(5);
            m.compile("adam", "mse");
            return m;
        }, x, y);
        assertEquals(0, captured, "constraints project on the host: eager steps");
    }
}
