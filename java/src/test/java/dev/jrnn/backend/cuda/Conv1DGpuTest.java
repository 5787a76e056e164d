package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Precision;
import dev.jrnn.layers.AveragePooling1D;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.MaxPooling1D;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Conv1D and the 1-D poolings (their windows in Windows1D) on CUDA give the CPU's outputs and gradients: strided cuBLAS
 * products, copy2d, axpy, mulRows, maxOverSteps there; and CNN-LSTM fits give the CPU's losses.
 */
@Tag("gpu")
class Conv1DGpuTest extends CpuCudaBackends {
    @ParameterizedTest(name = "{0} k={1} s={2} d={3} T={4} {5}")
    @CsvSource({"valid,3,1,1,9,linear", "valid,2,3,1,10,relu", "same,4,1,1,8,tanh", "same,3,2,1,9,linear",
            "causal,3,1,2,9,sigmoid", "causal,2,2,1,7,gelu"})
    void convOutputsAndGradientsMatchTheCpu(String padding, int k, int s, int d, int t, String act) {
        parity("Conv1D " + padding, () -> new Conv1D(7, k).padding(padding).strides(s).dilationRate(d).activation(act), t);
    }

    @ParameterizedTest(name = "{0} {3} p={1} s={2} T={4}")
    @CsvSource({"average,2,2,valid,9", "average,3,1,same,8", "average,4,3,same,7", "average,3,2,valid,10",
            "max,2,2,valid,9", "max,3,1,same,8", "max,4,3,same,7", "max,3,2,valid,10"})
    void poolingOutputsAndGradientsMatchTheCpu(String kind, int p, int s, String padding, int t) {
        parity(kind + " pooling " + padding, () -> kind.equals("max") ? new MaxPooling1D(p).strides(s).padding(padding)
                : new AveragePooling1D(p).strides(s).padding(padding), t);
    }

    @Test
    void aCnnLstmFitMatchesTheCpu() {
        fitParity(() -> new Sequential(new Conv1D(8, 3).padding("causal").activation("relu").inputShape(16, 3),
                new Conv1D(8, 2).strides(2), new LSTM(6), new Dense(1)), 24, 16);
    }

    /** Both poolings ("same" averages count on the device, so the step can be captured). */
    @Test
    void aPooledCnnLstmFitMatchesTheCpu() {
        fitParity(() -> new Sequential(new Conv1D(6, 3).activation("tanh").inputShape(15, 3),
                new AveragePooling1D(3).strides(2).padding("same"), new MaxPooling1D(2), new LSTM(4), new Dense(1)), 16, 15);
    }

    /** The layer {@code make} builds, on each backend with the same weights: output, input and parameter gradients. */
    private static void parity(String what, Supplier<Layer> make, int t) {
        long seed = System.nanoTime();
        Tensor x = rand(new SplittableRandom(seed), 5, t, 6);
        List<float[]> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(1);
            Layer l = make.get();
            l.build(List.of(new int[] {t, 6}));
            List<float[]> got = run(l, be, x, new SplittableRandom(seed ^ 77));
            if (want == null) {
                want = got;
            } else {
                for (int i = 0; i < want.size(); i++) {
                    Twins.assertClose(what + " result " + i, want.get(i), got.get(i), CudaParityTest.tolerance(Precision.FP32), seed);
                }
            }
        }
    }

    /** Three epochs of the model {@code make} builds, on each backend from the same seed: the same losses. */
    private static void fitParity(Supplier<Sequential> make, int n, int t) {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = rand(r, n, t, 3), y = rand(r, n, 1);
        List<Double> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(9);
            try (Sequential m = make.get()) {
                m.compile("adam", "mse");
                List<Double> loss = m.fit(x, y, new FitOptions().epochs(3).batchSize(8).verbose(0).seed(1)).history().get("loss");
                if (want == null) want = loss;
                else for (int e = 0; e < loss.size(); e++) assertEquals(want.get(e), loss.get(e), 1e-5 * Math.abs(want.get(e)), "epoch " + e);
            }
        }
    }

    /** The output, the input gradient and the parameter gradients, for output gradients drawn from {@code r}. */
    private static List<float[]> run(Layer l, Backend be, Tensor x, SplittableRandom r) {
        List<float[]> out = new ArrayList<>();
        try (DTensor dx = DTensor.from(be, x); Trace tr = l.forward(List.of(dx), null, true)) {
            DTensor y = tr.outputs().get(0);
            out.add(y.toTensor().data());
            try (DTensor dy = DTensor.from(be, rand(r, y.shape()))) {
                l.zeroGrads();
                out.add(tr.backward(List.of(dy)).get(0).toTensor().data());
            }
            for (Param p : l.params()) out.add(p.getGrad().data());
        }
        return out;
    }

    private static Tensor rand(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (2 * r.nextDouble() - 1);
        return Tensor.wrap(d, shape);
    }
}
