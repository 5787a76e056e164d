package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.layers.LSTM;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static dev.jrnn.layers.RecurrentStatesTest.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Stateful layers on CUDA: the carried states live on the device, captured train steps (CUDA graphs) read and write
 * them in place, so replayed fits with resets between replays give bit for bit the eager fit, and CUDA matches the
 * CPU; predict over two half-sequences equals the whole sequence (the persistent kernels start from the carried states).
 */
@Tag("gpu")
class StatefulBatchGpuTest {
    @BeforeEach
    void gpu() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        Jrnn.setPrecision(Precision.FP32);
    }

    @AfterEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static void assertClose(List<Tensor> want, List<Tensor> got, double tol, String what) {
        for (int i = 0; i < want.size(); i++) {
            float[] w = want.get(i).data(), g = got.get(i).data();
            for (int k = 0; k < w.length; k++) assertEquals(w[k], g[k], tol * Math.max(1, Math.abs(w[k])), what + " " + i + "[" + k + "]");
        }
    }

    @Test
    void replayedStatefulFitIsTheEagerOneAndTheCpus() {
        SplittableRandom r = new SplittableRandom(12);
        Tensor x = GraphReplayTest.uniform(r, -1, 1, 8, 4, 3), y = GraphReplayTest.uniform(r, -1, 1, 8, 1);
        Jrnn.setBackend("cuda");
        GraphReplayTest.Run graphed = GraphReplayTest.fit(Jrnn.backend(), GraphReplayTest.statefulModel(), List.of(x), List.of(y),
                GraphReplayTest.statefulOptions(4).get());
        GraphReplayTest.Run eager = GraphReplayTest.fit(Jrnn.backend(), GraphReplayTest.statefulModel(), List.of(x), List.of(y),
                GraphReplayTest.statefulOptions(4).get().cudaGraphs(false));
        GraphReplayTest.assertSame(eager, graphed);
        GraphReplayTest.Run onCpu = GraphReplayTest.fit(Backends.cpu(), GraphReplayTest.statefulModel(), List.of(x), List.of(y),
                GraphReplayTest.statefulOptions(4).get());
        for (int i = 0; i < onCpu.batchLosses().size(); i++) {
            double a = onCpu.batchLosses().get(i), b = graphed.batchLosses().get(i);
            assertEquals(a, b, 1e-4 * Math.max(1, Math.abs(a)), "batch loss " + i);
        }
        assertClose(onCpu.weights(), graphed.weights(), 1e-4, "weight");
    }

    @Test
    void twoHalvesOnTheDeviceAreTheWholeSequence() {
        for (int batch : new int[] {2, 64}) {   // small batches take the persistent kernels, larger ones the per-step path
            Jrnn.setBackend("cuda");
            Jrnn.setSeed(3);
            Tensor x = GraphReplayTest.uniform(new SplittableRandom(batch), -1, 1, batch, 20, 3);
            LSTM plain = new LSTM(16).returnSequences(true);
            Tensor whole = plain.call(x);
            LSTM s = new LSTM(16).returnSequences(true).stateful(true);
            s.build(new int[] {-1, 3});
            s.setWeights(plain.getWeights());
            Tensor a = s.call(steps(x, 0, 10)), b = s.call(steps(x, 10, 20));
            assertClose(List.of(steps(whole, 0, 10), steps(whole, 10, 20)), List.of(a, b), 1e-5, "batch " + batch + " half");
            s.resetStates();
            for (Tensor st : s.states()) for (float v : st.data()) assertEquals(0f, v);
            assertTrue(s.backend().name().toLowerCase().contains("cuda"), s.backend().name());
            s.discardBuild();
            plain.discardBuild();
        }
    }
}
