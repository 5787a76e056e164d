package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Precision;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Conv1D on CUDA gives the CPU's outputs and gradients (its strided products and copies through cuBLAS and the copy kernel). */
@Tag("gpu")
class Conv1DGpuTest {
    static Backend cpu;
    static CudaBackend gpu;

    @BeforeAll
    static void backends() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        gpu = CudaBackend.create();
        cpu = Backends.cpu();
    }

    @AfterAll
    static void closeBackends() {
        if (cpu != null) Jrnn.setBackend(Backends.cpu());
        if (gpu != null) gpu.close();
        if (cpu != null) cpu.close();
    }

    @ParameterizedTest(name = "{0} k={1} s={2} d={3} T={4} {5}")
    @CsvSource({"valid,3,1,1,9,linear", "valid,2,3,1,10,relu", "same,4,1,1,8,tanh", "same,3,2,1,9,linear",
            "causal,3,1,2,9,sigmoid", "causal,2,2,1,7,gelu"})
    void outputsAndGradientsMatchTheCpu(String padding, int k, int s, int d, int t, String act) {
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = rand(r, 5, t, 6);
        List<float[]> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(1);
            Conv1D c = new Conv1D(7, k).padding(padding).strides(s).dilationRate(d).activation(act);
            c.build(List.of(new int[] {t, 6}));
            List<float[]> got = run(c, be, x, new SplittableRandom(seed ^ 77));
            if (want == null) {
                want = got;
            } else {
                for (int i = 0; i < want.size(); i++) {
                    Twins.assertClose(padding + " result " + i, want.get(i), got.get(i), CudaParityTest.tolerance(Precision.FP32), seed);
                }
            }
        }
    }

    @Test
    void aCnnLstmFitMatchesTheCpu() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = rand(r, 24, 16, 3), y = rand(r, 24, 1);
        List<Double> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(9);
            Sequential m = new Sequential(new Conv1D(8, 3).padding("causal").activation("relu").inputShape(16, 3),
                    new Conv1D(8, 2).strides(2), new LSTM(6), new Dense(1));
            m.compile("adam", "mse");
            List<Double> loss = m.fit(x, y, new FitOptions().epochs(3).batchSize(8).verbose(0).seed(1)).history().get("loss");
            m.close();
            if (want == null) want = loss;
            else for (int e = 0; e < loss.size(); e++) assertEquals(want.get(e), loss.get(e), 1e-5 * Math.abs(want.get(e)), "epoch " + e);
        }
    }

    /** The output, the input gradient and the parameter gradients, for output gradients drawn from {@code r}. */
    private static List<float[]> run(Conv1D c, Backend be, Tensor x, SplittableRandom r) {
        List<float[]> out = new ArrayList<>();
        try (DTensor dx = DTensor.from(be, x); Trace tr = c.forward(List.of(dx), null, true)) {
            DTensor y = tr.outputs().get(0);
            out.add(y.toTensor().data());
            try (DTensor dy = DTensor.from(be, rand(r, y.shape()))) {
                c.zeroGrads();
                out.add(tr.backward(List.of(dy)).get(0).toTensor().data());
            }
            for (Param p : c.params()) out.add(p.getGrad().data());
        }
        return out;
    }

    private static Tensor rand(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (2 * r.nextDouble() - 1);
        return Tensor.wrap(d, shape);
    }
}
