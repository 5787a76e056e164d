package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/**
 * Per-timestep sample weights (n, T) on CUDA: the weighted steps (which run eagerly, a captured graph having no slot
 * for per-batch weights) give the CPU's per-epoch losses and val_loss, with an Embedding mask_zero mask multiplied in;
 * from tensors, and from a Dataset of (x, y, w) whose inputs go through the device feed.
 * Skipped without a device.
 */
@Tag("gpu")
class CudaSampleWeightsParityTest {
    @BeforeAll
    static void backends() { CudaFitParityTest.backends(); }

    @AfterAll
    static void closeBackends() { CudaFitParityTest.closeBackends(); }

    /** Tensors, or with {@code dataset} the same samples as a Dataset of (x, y, w) (on CUDA through the device feed). */
    private static History fit(Backend be, boolean dataset, Tensor x, Tensor y, Tensor w, Tensor vx, Tensor vy, Tensor vw) {
        Jrnn.setBackend(be);
        Jrnn.clearSession();
        Jrnn.setSeed(5);
        try (Sequential m = new Sequential(new Embedding(12, 6).maskZero(true).inputShape(x.dim(1)),
                new LSTM(16).returnSequences(true), new TimeDistributed(new Dense(4)))) {
            m.compile(new Adam(0.01), dev.jrnn.losses.Losses.sparseCategoricalCrossentropy(true));
            FitOptions o = new FitOptions().epochs(4).verbose(0);
            if (dataset) {
                return m.fit(Dataset.fromTensors(x, y, w).shuffle(2).batch(5), o.validationData(Dataset.fromTensors(vx, vy, vw).batch(4)));
            }
            return m.fit(x, y, o.batchSize(5).seed(2).sampleWeight(w).validationData(vx, vy, vw));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            Jrnn.setBackend("cpu");
        }
    }

    private static Tensor[] data(SplittableRandom r, int n, int t) {
        float[] ids = new float[n * t], cls = new float[n * t], w = new float[n * t];
        for (int i = 0; i < n; i++) {
            int len = 2 + r.nextInt(t - 1);
            for (int s = 0; s < len; s++) ids[i * t + s] = 1 + r.nextInt(11);
        }
        for (int i = 0; i < cls.length; i++) {
            cls[i] = r.nextInt(4);
            w[i] = i % 4 == 0 ? 0 : (float) r.nextDouble(0.1, 3);
        }
        return new Tensor[] {Tensor.of(ids, n, t), Tensor.of(cls, n, t), Tensor.of(w, n, t)};
    }

    @Test
    void temporalWeightsWithAMaskMatchTheCpu() {
        SplittableRandom r = new SplittableRandom(31);
        Tensor[] tr = data(r, 13, 7), va = data(r, 6, 7);
        for (boolean dataset : new boolean[] {false, true}) {
            String what = "temporal sample weights" + (dataset ? " in a Dataset" : "");
            History c = fit(CudaFitParityTest.cpu, dataset, tr[0], tr[1], tr[2], va[0], va[1], va[2]);
            History g = fit(CudaFitParityTest.gpu, dataset, tr[0], tr[1], tr[2], va[0], va[1], va[2]);
            CudaFitParityTest.assertLossesClose(what + ", loss", c.get("loss"), g.get("loss"), 1e-4);
            CudaFitParityTest.assertLossesClose(what + ", val_loss", c.get("val_loss"), g.get("val_loss"), 1e-4);
        }
    }
}
