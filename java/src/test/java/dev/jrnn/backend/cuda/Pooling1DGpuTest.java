package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Precision;
import dev.jrnn.layers.AveragePooling1D;
import dev.jrnn.layers.MaxPooling1D;
import dev.jrnn.layers.Pooling1D;
import dev.jrnn.layers.Trace;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The 1-D pooling layers on CUDA give the CPU's outputs and input gradients (strided copies, axpy, mulRows there). */
@Tag("gpu")
class Pooling1DGpuTest {
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

    static Pooling1D make(String kind, int p, int s, String padding) {
        return kind.equals("max") ? new MaxPooling1D(p).strides(s).padding(padding) : new AveragePooling1D(p).strides(s).padding(padding);
    }

    @ParameterizedTest(name = "{0} {3} p={1} s={2} T={4}")
    @CsvSource({"average,2,2,valid,9", "average,3,1,same,8", "average,4,3,same,7", "average,3,2,valid,10",
            "max,2,2,valid,9", "max,3,1,same,8", "max,4,3,same,7", "max,3,2,valid,10"})
    void outputsAndInputGradientsMatchTheCpu(String kind, int p, int s, String padding, int t) {
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = rand(r, 5, t, 6);
        float[][] want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Pooling1D pool = make(kind, p, s, padding);
            float[][] got = new float[2][];
            try (DTensor dx = DTensor.from(be, x); Trace tr = pool.forward(List.of(dx), null, true)) {
                got[0] = tr.outputs().get(0).toTensor().data();
                try (DTensor dy = DTensor.from(be, rand(new SplittableRandom(seed ^ 5), tr.outputs().get(0).shape()))) {
                    got[1] = tr.backward(List.of(dy)).get(0).toTensor().data();
                }
            }
            if (want == null) {
                want = got;
            } else {
                Twins.assertClose(kind + " output", want[0], got[0], CudaParityTest.tolerance(Precision.FP32), seed);
                Twins.assertClose(kind + " input gradient", want[1], got[1], CudaParityTest.tolerance(Precision.FP32), seed);
            }
        }
    }

    /** A CNN-LSTM with both poolings ("same" averages count on the device, so the step can be captured) fits as on the CPU. */
    @Test
    void aPooledCnnLstmFitMatchesTheCpu() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor x = rand(r, 16, 15, 3), y = rand(r, 16, 1);
        java.util.List<Double> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(8);
            dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Conv1D(6, 3).activation("tanh").inputShape(15, 3),
                    new AveragePooling1D(3).strides(2).padding("same"), new MaxPooling1D(2), new dev.jrnn.layers.LSTM(4), new dev.jrnn.layers.Dense(1));
            m.compile("adam", "mse");
            java.util.List<Double> loss = m.fit(x, y, new dev.jrnn.model.FitOptions().epochs(3).batchSize(8).verbose(0).seed(2)).history().get("loss");
            m.close();
            if (want == null) want = loss;
            else for (int e = 0; e < loss.size(); e++) org.junit.jupiter.api.Assertions.assertEquals(want.get(e), loss.get(e), 1e-5 * Math.abs(want.get(e)), "epoch " + e);
        }
    }

    private static Tensor rand(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (2 * r.nextDouble() - 1);
        return Tensor.wrap(d, shape);
    }
}
