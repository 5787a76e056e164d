package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Precision;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two CUDA streams (the default; one stream through Settings.withStreams(false)): Bidirectional's directions
 * overlapped, and a stack's wavefront (a single layer runs unsplit). Predictions
 * on the per-step path are bit for bit those of one stream (the same kernels, only overlapped); fits match
 * the one-stream fits to float rounding (the chunked gradient sums add in another order, and persistent
 * grids beside a fork are planned for half of the SMs) and are bit for bit reproducible run to run (a race
 * would not be),
 * with and without CUDA graphs, on the persistent path (batch &lt;= 32) and the per-step path; the pool ends
 * with nothing deferred; the calls that share device flags are refused inside a forked task and leave the
 * backend usable. Fresh random inputs each time, sequences long enough that the work really overlaps.
 * Skipped without a device.
 */
@Tag("gpu")
class CudaStreamsGpuTest {
    static CudaBackend one, two;

    @BeforeAll
    static void backends() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        one = CudaBackend.create(Settings.current().withStreams(false));
        two = CudaBackend.create(Settings.current().withStreams(true));
        assertFalse(one.concurrentStreams());
        assertTrue(two.concurrentStreams());
        Jrnn.setPrecision(Precision.FP32);
    }

    @AfterAll
    static void close() {
        Jrnn.setBackend("cpu");
        if (one != null) one.close();
        if (two != null) two.close();
    }

    static Tensor uniform(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-1, 1);
        return Tensor.of(d, shape);
    }

    static Supplier<Sequential> stacked(int t, int f) {
        return () -> {
            Sequential m = new Sequential(new Masking(0.0).inputShape(t, f),
                    new LSTM(32).returnSequences(true),   // a plain layer: splits its loop on the per-step path
                    new Bidirectional(new LSTM(64).returnSequences(true)),
                    new Bidirectional(new GRU(32).returnSequences(true)).mergeMode("sum"),
                    new Bidirectional(new SimpleRNN(16).returnSequences(true)).mergeMode("ave"),
                    new TimeDistributed(new Dense(2)));
            m.compile(new Adam(0.005), "mse");
            return m;
        };
    }

    static CudaFitParityTest.Run fit(Backend be, Supplier<Sequential> make, Tensor x, Tensor y, int batch, boolean graphs) {
        return CudaFitParityTest.fit(be, 7, make, x, y,
                new FitOptions().epochs(3).batchSize(batch).verbose(0).seed(4).cudaGraphs(graphs), true);
    }

    @Test
    void fitsMatchTheOneStreamFitsAndRepeatBitForBit() {
        SplittableRandom r = new SplittableRandom(System.nanoTime());
        int t = 40, f = 8;
        for (int batch : new int[] {16, 96}) {   // persistent kernels (auto: <= 32), then the per-step path
            int n = 2 * batch + 5;
            Tensor x = uniform(r, n, t, f), y = uniform(r, n, t, 2);
            float[] xs = x.data();
            for (int i = 0; i < n; i += 4) for (int s = 0; s < 3; s++) for (int k = 0; k < f; k++) xs[(i * t + s) * f + k] = 0f;
            Tensor xm = Tensor.of(xs, n, t, f);
            for (boolean graphs : new boolean[] {false, true}) {
                String what = "batch " + batch + (graphs ? " graphs" : " eager");
                CudaFitParityTest.Run a = fit(one, stacked(t, f), xm, y, batch, graphs);
                CudaFitParityTest.Run b = fit(two, stacked(t, f), xm, y, batch, graphs);
                CudaFitParityTest.Run again = fit(two, stacked(t, f), xm, y, batch, graphs);
                CudaFitParityTest.assertBitwise(what + ": two streams, run twice", b, again);
                CudaFitParityTest.assertLossesClose(what + ": two streams vs one", a.losses(), b.losses(), 1e-5);
                // Adam turns rounding-level gradient differences into updates of up to ~lr * 1e-2 where a gradient
                // is near zero: 1e-3 still catches a race (wrong sums move weights by far more)
                for (int i = 0; i < a.weights().size(); i++) {
                    float[] wa = a.weights().get(i).data(), wb = b.weights().get(i).data();
                    for (int j = 0; j < wa.length; j++) {
                        assertEquals(wa[j], wb[j], 1e-3 * Math.max(1, Math.abs(wa[j])), what + ": weight " + i + "[" + j + "]");
                    }
                }
            }
            CudaFitParityTest.Run cpu = fit(Backends.cpu(), stacked(t, f), xm, y, batch, false);
            CudaFitParityTest.Run gpu = fit(two, stacked(t, f), xm, y, batch, true);
            CudaFitParityTest.assertLossesClose("batch " + batch + ": two streams vs CPU", cpu.losses(), gpu.losses(), 1e-4);
        }
        assertEquals(0, two.pool().bytesDeferred(), "every deferred block went back to the cache");
        assertEquals(0, two.pool().pinnedBlocks());
    }

    @Test
    void repeatedPredictionsOnFreshInputsAgree() {
        SplittableRandom r = new SplittableRandom(System.nanoTime());
        int t = 200, f = 16;
        Supplier<Sequential> make = () -> {
            Sequential m = new Sequential(new Bidirectional(new LSTM(128).returnSequences(true)).inputShape(t, f),
                    new Bidirectional(new GRU(128)), new Dense(3));
            m.compile("adam", "mse");
            return m;
        };
        for (int rep = 0; rep < 8; rep++) {
            Tensor x = uniform(r, 64, t, f);
            float[] a = predict(one, make, x), b = predict(two, make, x);
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]),
                        "repeat " + rep + ", output " + i + ": " + a[i] + " vs " + b[i]);
            }
        }
    }

    static float[] predict(Backend be, Supplier<Sequential> make, Tensor x) {
        Jrnn.setBackend(be);
        Jrnn.clearSession();
        Jrnn.setSeed(3);
        try (Sequential m = make.get()) {
            return m.predict(x).data();
        } finally {
            Jrnn.setBackend("cpu");
        }
    }

    @Test
    void sharedFlagCallsAreRefusedAndTheBackendStaysUsable() {
        Buf ids = two.alloc(4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> two.runConcurrently(() -> {}, () -> two.checkIds(4, ids, 0, 3, "ids", ids, 0)));
        assertTrue(e.getMessage().contains("checkIds"), e.getMessage());
        assertEquals(two.streamHandle(), two.currentStream(), "back on the main stream");
        e = assertThrows(IllegalStateException.class,
                () -> two.runConcurrently(() -> {}, () -> two.download(ids, 0, new float[4], 0, 4)));
        assertTrue(e.getMessage().contains("download synchronizes"), e.getMessage());
        two.upload(new float[] {1, 2, 3, 4}, 0, ids, 0, 4);
        Buf out = two.alloc(4);
        two.runConcurrently(() -> two.scale(4, 2f, ids, 0), () -> two.fill(out, 0, 4, 5f));
        float[] got = new float[8];
        two.download(ids, 0, got, 0, 4);
        two.download(out, 0, got, 4, 4);
        assertEquals(java.util.List.of(2f, 4f, 6f, 8f, 5f, 5f, 5f, 5f),
                java.util.List.of(got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7]));
        ids.close();
        out.close();
        assertEquals(0, two.pool().bytesDeferred());
    }

    @Test
    void forkedGemmRunsBesideTheMainStreamAndJoins() {
        SplittableRandom r = new SplittableRandom(System.nanoTime());
        int m = 512, n = 768, k = 640;
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-1, 1);
        Buf da = two.alloc(a.length), db = two.alloc(b.length), c1 = two.alloc((long) m * n), c2 = two.alloc((long) m * n);
        two.upload(a, 0, da, 0, a.length);
        two.upload(b, 0, db, 0, b.length);
        dev.jrnn.backend.Fork f = two.fork(() -> two.gemm(false, false, m, n, k, 1f, da, 0, k, db, 0, n, 0f, c1, 0, n));
        assertEquals(1, two.outstandingForks());
        two.gemm(false, false, m, n, k, 2f, da, 0, k, db, 0, n, 0f, c2, 0, n);   // reads what the fork reads
        f.join();
        f.join();
        assertEquals(0, two.outstandingForks());
        float[] g1 = new float[m * n], g2 = new float[m * n];
        two.download(c1, 0, g1, 0, g1.length);
        two.download(c2, 0, g2, 0, g2.length);
        for (int i = 0; i < m; i += 37) {
            for (int j = 0; j < n; j += 41) {
                double want = 0;
                for (int q = 0; q < k; q++) want += (double) a[i * k + q] * b[q * n + j];
                assertEquals(want, g1[i * n + j], 1e-3, "forked C[" + i + "," + j + "]");
                assertEquals(2 * want, g2[i * n + j], 2e-3, "main C[" + i + "," + j + "]");
            }
        }
        for (Buf x : new Buf[] {da, db, c1, c2}) x.close();
        assertEquals(0, two.pool().bytesDeferred());
    }

    @Test
    void aCaptureThatLeavesAForkUnjoinedFailsCleanly() {
        Buf x = two.alloc(8);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> two.capture(() -> two.fork(() -> two.scale(8, 2f, x, 0))));
        assertTrue(e.getMessage().contains("not joined"), e.getMessage());
        assertEquals(two.streamHandle(), two.currentStream());
        two.fill(x, 0, 8, 3f);   // still usable, on the main stream
        float[] got = new float[8];
        two.download(x, 0, got, 0, 8);
        assertEquals(3f, got[7]);
        x.close();
    }

    @Test
    void aCaptureWhoseStepThrowsWithAForkOpenEndsTheDeferredFrees() {
        Buf x = two.alloc(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> two.capture(() -> {
            two.fork(() -> two.scale(8, 2f, x, 0));
            throw new IllegalArgumentException("step failed");
        }));
        assertEquals("step failed", e.getMessage());
        assertEquals(0, two.outstandingForks(), "the failed capture joined the fork it left open");
        two.alloc(8).close();
        assertEquals(0, two.pool().bytesDeferred(), "frees are not set aside any more");
        // a fork still open when a capture starts is joined before it (not inside the graph)
        dev.jrnn.backend.Fork open = two.fork(() -> two.fill(x, 0, 8, 1f));
        try (dev.jrnn.backend.GraphCapture g = two.capture(() -> two.scale(8, 3f, x, 0))) {
            assertEquals(0, two.outstandingForks());
            g.replay();
        }
        open.join();   // already joined: nothing to do
        float[] got = new float[8];
        two.download(x, 0, got, 0, 8);
        assertEquals(3f, got[0]);
        assertEquals(3f, got[7]);
        x.close();
        assertEquals(0, two.pool().bytesDeferred());
    }

    @Test
    void aRecurrentChainRunsAsAWavefrontAndMatchesOneStream() {
        SplittableRandom r = new SplittableRandom(System.nanoTime());
        int t = 48, f = 16, batch = 96, n = 2 * batch;   // per-step path (batch > 32), chunks of 6 steps
        Tensor x = uniform(r, n, t, f), y = uniform(r, n, 1);
        Supplier<Sequential> chain = () -> {
            Sequential m = new Sequential(new LSTM(128).returnSequences(true).inputShape(t, f),
                    new GRU(96).returnSequences(true), new LSTM(64), new Dense(1));
            m.compile(new Adam(0.003), "mse");
            return m;
        };
        assertTrue(dev.jrnn.layers.RecurrentStack.eligible(java.util.List.of(new LSTM(128).returnSequences(true),
                new GRU(96).returnSequences(true), new LSTM(64)), two, batch, t), "the chain is a wavefront on two streams");
        for (boolean graphs : new boolean[] {false, true}) {
            String what = "LSTM -> GRU -> LSTM" + (graphs ? " graphs" : " eager");
            CudaFitParityTest.Run a = fit(one, chain, x, y, batch, graphs);
            CudaFitParityTest.Run b = fit(two, chain, x, y, batch, graphs);
            CudaFitParityTest.Run again = fit(two, chain, x, y, batch, graphs);
            CudaFitParityTest.assertBitwise(what + ": two streams, run twice", b, again);
            CudaFitParityTest.assertLossesClose(what + ": wavefront vs one stream", a.losses(), b.losses(), 1e-5);
        }
        assertEquals(0, two.pool().bytesDeferred());
    }

    /**
     * gelu and swish cells at a small batch: the persistent kernels refuse them (their gates keep x, not a(x)), so
     * such a chain is a wavefront on the per-step kernels, a route no other test takes on a GPU.
     */
    @Test
    void aGeluSwishChainAtASmallBatchRunsAsAWavefrontAndMatchesTheCpu() {
        SplittableRandom r = new SplittableRandom(16);
        int t = 40, f = 8, batch = 16, n = 2 * batch + 3;   // chunks of 32 steps (512 rows / 16): two of them
        Tensor x = uniform(r, n, t, f), y = uniform(r, n, 1);
        Supplier<Sequential> chain = () -> {
            Sequential m = new Sequential(
                    new LSTM(32).activation("gelu").recurrentActivation("swish").returnSequences(true).inputShape(t, f),
                    new GRU(16).activation("swish").recurrentActivation("gelu"), new Dense(1));
            m.compile(new Adam(0.003), "mse");
            return m;
        };
        assertTrue(dev.jrnn.layers.RecurrentStack.eligible(java.util.List.of(
                new LSTM(32).activation("gelu").recurrentActivation("swish").returnSequences(true),
                new GRU(16).activation("swish").recurrentActivation("gelu")), two, batch, t), "a wavefront on two streams");
        CudaFitParityTest.Run cpu = fit(Backends.cpu(), chain, x, y, batch, false);
        for (boolean graphs : new boolean[] {false, true}) {
            String what = "gelu/swish LSTM -> GRU" + (graphs ? " graphs" : " eager");
            CudaFitParityTest.Run a = fit(one, chain, x, y, batch, graphs);
            CudaFitParityTest.Run b = fit(two, chain, x, y, batch, graphs);
            CudaFitParityTest.assertLossesClose(what + ": wavefront vs one stream", a.losses(), b.losses(), 1e-5);
            CudaFitParityTest.assertLossesClose(what + ": wavefront vs CPU", cpu.losses(), b.losses(), 1e-4);
        }
        assertEquals(0, two.pool().bytesDeferred());
    }
}
