package dev.jrnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jrnn.Jrnn;
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
 * (regularizers only), and the eager steps a constrained model runs; losses and weights to float32 rounding.
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

    private static void parity(Supplier<Sequential> model, Tensor x, Tensor y) {
        FitOptions o = new FitOptions().epochs(3).batchSize(8).verbose(0).shuffle(false);
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
        try (Sequential m = model.get()) {
            History hg = m.fit(x, y, o);
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
    }

    @Test
    void regularizedFitInTheCapturedStepMatchesTheCpu() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = random(r, 32, 6, 3), y = random(r, 32, 6, 2);
        parity(() -> {
            Sequential m = new Sequential(new LSTM(8).returnSequences(true).kernelRegularizer(Regularizers.l1l2(1e-3, 1e-2))
                    .recurrentRegularizer(Regularizers.l2(1e-2)).activityRegularizer(Regularizers.l1(1e-3)),
                    new TimeDistributed(new Dense(2).biasRegularizer(Regularizers.l1(1e-2))).activityRegularizer(Regularizers.l2(1e-3)));
            m.build(6, 3);
            m.compile("adam", "mse");
            return m;
        }, x, y);
    }

    @Test
    void constrainedFitRunsEagerlyAndMatchesTheCpu() {
        SplittableRandom r = new SplittableRandom(5);
        float[] ids = new float[32 * 5];
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(9);
        Tensor x = Tensor.wrap(ids, 32, 5), y = random(r, 32, 2);
        parity(() -> {
            Sequential m = new Sequential(new Embedding(9, 4).embeddingsConstraint(Constraints.unitNorm(1)),
                    new GRU(6).kernelConstraint(Constraints.maxNorm(0.5)).recurrentConstraint(Constraints.minMaxNorm(0.2, 0.8, 0.5, 0))
                            .biasRegularizer(Regularizers.l2(1e-2)),
                    new Dense(2).biasConstraint(Constraints.nonNeg()).kernelRegularizer(Regularizers.l1(1e-3)));
            m.build(5);
            m.compile("adam", "mse");
            return m;
        }, x, y);
    }
}
