package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchNormalization on CUDA against the CPU: forward in training (batch moments, masked and not) and inference
 * (moving statistics), x's and every weight's gradient, the moving statistics after a forward; then short fits of a
 * Conv1D + BatchNormalization + LSTM model and a masked one (1e-4 relative per-epoch losses, weights within 1e-4), with
 * captured steps replaying the moving-statistics updates as the eager steps do (bit for bit).
 */
@Tag("gpu")
class CudaBatchNormalizationParityTest extends CpuCudaBackends {
    /** Outputs, dx, the weights' gradients and the weights after one forward and backward. */
    static List<float[]> run(Backend be, List<Tensor> weights, Tensor x, Tensor mask, Tensor dy, boolean training) {
        Jrnn.setBackend(be);
        try {
            BatchNormalization bn = new BatchNormalization().momentum(0.8);
            bn.build(List.of(new int[] {x.shape()[1], x.shape()[2]}));
            bn.setWeights(weights);
            bn.zeroGrads();
            List<float[]> r = new ArrayList<>();
            try (DTensor dx = DTensor.from(be, x); DTensor m = mask == null ? null : DTensor.from(be, mask);
                 DTensor ddy = DTensor.from(be, dy); Trace t = bn.forward(List.of(dx), m, training)) {
                r.add(t.outputs().get(0).toTensor().data());
                r.add(t.backward(List.of(ddy)).get(0).toTensor().data());
            }
            for (Param p : bn.params()) r.add(p.getGrad().data());
            for (Tensor w : bn.getWeights()) r.add(w.data());
            return r;
        } finally {
            Jrnn.setBackend("cpu");
        }
    }

    static void close(String what, float[] want, float[] got, double tol) {
        assertEquals(want.length, got.length, what);
        double scale = 1e-30, worst = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]) / scale);
        assertTrue(worst <= tol, what + ": relative difference " + worst + " > " + tol);
    }

    @Test
    void layerForwardBackwardMatchesTheCpu() {
        SplittableRandom r = new SplittableRandom(3);
        int b = 5, t = 7, f = 37;   // 37 features: the kernels' vector body and tail on the CPU side
        float[] xs = new float[b * t * f], dys = new float[b * t * f], ms = new float[b * t];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (2 + 3 * r.nextGaussian());
            dys[i] = (float) r.nextDouble(-1, 1);
        }
        for (int i = 0; i < ms.length; i++) ms[i] = i % t < t - i / t ? 1 : 0;
        List<Tensor> w = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            float[] v = new float[f];
            for (int i = 0; i < f; i++) v[i] = (float) (k == 3 ? r.nextDouble(0.5, 2) : r.nextDouble(-1, 1));
            w.add(Tensor.wrap(v, f));
        }
        Tensor x = Tensor.wrap(xs, b, t, f), dy = Tensor.wrap(dys, b, t, f), mask = Tensor.wrap(ms, b, t);
        String[] names = {"y", "dx", "dgamma", "dbeta", "dmoving_mean", "dmoving_variance", "gamma", "beta", "moving_mean",
                "moving_variance"};
        for (boolean training : new boolean[] {true, false}) {
            for (Tensor m : new Tensor[] {null, mask}) {
                List<float[]> want = run(cpu, w, x, m, dy, training), got = run(gpu, w, x, m, dy, training);
                for (int i = 0; i < want.size(); i++) {
                    close((training ? "training" : "inference") + (m == null ? "" : " masked") + " " + names[i], want.get(i), got.get(i), 1e-5);
                }
            }
        }
    }

    @Test
    void fitsMatchTheCpuAndReplayTheMovingStatistics() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 40, t = 9;
        float[] xs = new float[n * t * 3], ys = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) (1 + 2 * r.nextGaussian());
        for (int i = 0; i < n; i++) ys[i] = (float) r.nextDouble(-1, 1);
        Tensor x = Tensor.of(xs, n, t, 3), y = Tensor.of(ys, n, 1);
        Supplier<Sequential> conv = () -> {
            Sequential m = new Sequential(new Conv1D(8, 3).inputShape(t, 3), new BatchNormalization().momentum(0.9),
                    new LSTM(6), new BatchNormalization(), new Dense(1));
            m.compile(new Adam(0.01), "mse");
            return m;
        };
        Supplier<FitOptions> o = () -> new FitOptions().epochs(4).batchSize(16).verbose(0).seed(5);
        CudaFitParityTest.Run onCpu = CudaFitParityTest.fit(cpu, 3, conv, x, y, o.get(), false);
        int before = gpu.graphCaptures();
        CudaFitParityTest.Run graphed = CudaFitParityTest.fit(gpu, 3, conv, x, y, o.get(), true);
        assertTrue(gpu.graphCaptures() > before, "the train step was captured into a CUDA graph");
        CudaFitParityTest.assertLossesClose("Conv1D + BatchNormalization + LSTM", onCpu.losses(), graphed.losses(), 1e-4);
        for (int i = 0; i < onCpu.weights().size(); i++) close("weight " + i, onCpu.weights().get(i).data(), graphed.weights().get(i).data(), 1e-4);
        CudaFitParityTest.Run eager = CudaFitParityTest.fit(gpu, 3, conv, x, y, o.get().cudaGraphs(false), true);
        CudaFitParityTest.assertBitwise("BatchNormalization, graphs on vs off", eager, graphed);

        float[] seq = new float[n * t];
        for (int i = 0; i < seq.length; i++) seq[i] = (float) r.nextDouble(-1, 1);
        Tensor ySeq = Tensor.of(seq, n, t, 1);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) lengths[i] = 1 + i % t;
        Supplier<Sequential> masked = () -> {
            Sequential m = new Sequential(new Masking(0.0).inputShape(t, 3), new BatchNormalization().momentum(0.7),
                    new LSTM(5).returnSequences(true), new BatchNormalization(), new TimeDistributed(new Dense(1)));
            m.compile(new Adam(0.01), "mse");
            return m;
        };
        Supplier<FitOptions> mo = () -> new FitOptions().epochs(3).batchSize(16).verbose(0).seed(6).lengths(lengths);
        CudaFitParityTest.Run maskedCpu = CudaFitParityTest.fit(cpu, 4, masked, x, ySeq, mo.get(), false);
        CudaFitParityTest.Run maskedGpu = CudaFitParityTest.fit(gpu, 4, masked, x, ySeq, mo.get(), false);
        CudaFitParityTest.assertLossesClose("masked BatchNormalization + LSTM", maskedCpu.losses(), maskedGpu.losses(), 1e-4);
        for (int i = 0; i < maskedCpu.weights().size(); i++) {
            close("masked weight " + i, maskedCpu.weights().get(i).data(), maskedGpu.weights().get(i).data(), 1e-4);
        }
    }
}
