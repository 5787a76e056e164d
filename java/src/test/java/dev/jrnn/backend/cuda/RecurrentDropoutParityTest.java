package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Precision;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Recurrent dropout and recurrent_dropout on CUDA draw and apply the CPU's masks (both come from the layer's
 * mask stream through Backend.dropoutMask): one train step's loss and gradients, and whole fits (captured CUDA
 * graphs draw new masks at every replay, as eager steps do), per cell; the input dropout alone keeps the
 * persistent kernels, a recurrent dropout takes the per-step kernels. Skipped without a device.
 */
@Tag("gpu")
class RecurrentDropoutParityTest {
    static CudaBackend gpu;
    static Backend cpu;

    @BeforeAll
    static void backends() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        gpu = CudaBackend.create();
        cpu = Backends.cpu();
        Jrnn.setPrecision(Precision.FP32);
    }

    @AfterAll
    static void closeBackends() {
        Jrnn.setBackend("cpu");
        if (gpu != null) gpu.close();
    }

    static Tensor[] data(int n, int t, int f, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] xs = new float[n * t * f], ys = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) ys[i] = (float) r.nextDouble(-1, 1);
        return new Tensor[] {Tensor.of(xs, n, t, f), Tensor.of(ys, n, 1)};
    }

    static List<Supplier<Layer>> layers() {
        return List.of(() -> new SimpleRNN(16).dropout(0.3).recurrentDropout(0.25),
                () -> new LSTM(16).dropout(0.3).recurrentDropout(0.25),
                () -> new GRU(16).dropout(0.3).recurrentDropout(0.25),
                () -> new LSTM(32).dropout(0.3),   // the persistent kernels stay in use
                () -> new GRU(32).recurrentDropout(0.4),
                () -> new Bidirectional(new LSTM(8).dropout(0.2).recurrentDropout(0.2)));
    }

    @Test
    void oneTrainStepGivesTheCpuLossAndGradients() {
        Tensor[] d = data(12, 7, 3, 5);
        for (Supplier<Layer> make : layers()) {
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
    void fitsMatchTheCpuAndGraphReplaysDrawNewMasks() {
        Tensor[] d = data(22, 9, 3, 6);
        for (Supplier<Layer> layer : layers()) {
            Supplier<Sequential> make = () -> {
                Layer rnn = layer.get();
                rnn.inputShape(9, 3);
                Sequential m = new Sequential(rnn, new Dense(1));
                m.compile(new Adam(0.005), "mse");
                return m;
            };
            Supplier<FitOptions> o = () -> new FitOptions().epochs(4).batchSize(8).verbose(0).seed(3);
            CudaFitParityTest.Run graphed = CudaFitParityTest.fit(gpu, 21, make, d[0], d[1], o.get(), true);
            CudaFitParityTest.Run eager = CudaFitParityTest.fit(gpu, 21, make, d[0], d[1], o.get().cudaGraphs(false), true);
            String what = layer.get().kerasClass();
            CudaFitParityTest.assertBitwise(what + ": graphs on vs off", eager, graphed);
            CudaFitParityTest.Run onCpu = CudaFitParityTest.fit(cpu, 21, make, d[0], d[1], o.get(), false);
            CudaFitParityTest.assertLossesClose(what + " with dropouts", onCpu.losses(), graphed.losses(), 1e-4);
        }
    }
}
