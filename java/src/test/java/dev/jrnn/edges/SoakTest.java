package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.backend.cuda.CudaBackend;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Soak: {@code jrnn.soak.steps} training steps (default 10,000, a couple of seconds on a CPU) of a
 * tiny model that goes through every layer kind (Masking, Bidirectional GRU, LSTM, TimeDistributed
 * Dense, Dropout, SimpleRNN, Dense) with per-sample lengths, plus predict and evaluate every epoch.
 * The backend's live-buffer counters (CPU: {@link CpuBackend#liveBuffers()}; CUDA: the device pool's
 * live blocks and bytes) must read the same at every epoch end after the first, the Java heap after a
 * GC and the JVM's direct/native buffer pools must stay flat, and closing the model gives every buffer
 * back.
 *
 * <p>Longer run (documented in docs/GUIDE.md, "Hard edges"):
 * {@code mvn -pl java test -Dtest=SoakTest -Djrnn.soak.steps=1000000} (a few minutes on two cores; the heap
 * then grows by the History of 125,000 epochs, a few MB, within the 16 MB bound).
 */
class SoakTest {
    static final int STEPS = Integer.getInteger("jrnn.soak.steps", 10_000);
    static final int SAMPLES = 32, BATCH = 4, T = 4, F = 2;

    /** What a backend says about its live buffers: {count, floats or bytes}. */
    interface Counters {
        long[] read();
    }

    @Test
    void cpuMemoryStaysFlat() {
        CpuBackend be = CpuBackend.create();
        soak(be, () -> new long[] {be.liveBuffers(), be.liveFloats()});
    }

    @Test
    @Tag("gpu")
    void cudaMemoryStaysFlat() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        CudaBackend be = CudaBackend.create();
        try {
            soak(be, () -> new long[] {be.pool().liveBlocks(), be.pool().bytesInUse()});
        } finally {
            Jrnn.setBackend("cpu");
            be.close();
        }
    }

    static Sequential model() {
        return new Sequential(
                new Masking(0).inputShape(T, F),
                new Bidirectional(new GRU(3).returnSequences(true)),
                new LSTM(3).returnSequences(true),
                new TimeDistributed(new Dense(2).activation("tanh")),
                new Dropout(0.1),
                new SimpleRNN(3),
                new Dense(1));
    }

    void soak(Backend be, Counters live) {
        Jrnn.setBackend(be);
        Jrnn.clearSession();
        Jrnn.setSeed(9);
        float[] xs = new float[SAMPLES * T * F];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) Math.sin(0.7 * i);
        Tensor x = Tensor.of(xs, SAMPLES, T, F);
        Tensor y = Tensor.full(0.25f, SAMPLES, 1);
        int[] lengths = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) lengths[i] = 1 + i % T;
        long[] base = live.read();

        Sequential m = model();
        m.compile("adam", "mse");
        int perEpoch = SAMPLES / BATCH;
        int epochs = Math.max(3, STEPS / perEpoch);
        List<long[]> readings = new ArrayList<>();
        long[] heap = new long[2];
        long[] direct = new long[2];
        Callback probe = new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                model.predict(x);
                if (epoch % 50 == 0) model.evaluate(x, y);
                readings.add(live.read());
                if (epoch == 1) {
                    heap[0] = usedHeapAfterGc();
                    direct[0] = directBytes();
                }
            }
        };
        long t0 = System.nanoTime();
        m.fit(x, y, new FitOptions().epochs(epochs).batchSize(BATCH).verbose(0).seed(1).lengths(lengths).callbacks(probe));
        double seconds = (System.nanoTime() - t0) / 1e9;
        heap[1] = usedHeapAfterGc();
        direct[1] = directBytes();
        long[] first = readings.get(1);
        for (int e = 1; e < readings.size(); e++) {
            long[] r = readings.get(e);
            assertEquals(first[0], r[0], "live buffers at epoch " + e + " vs epoch 1 (" + be.name() + ")");
            assertEquals(first[1], r[1], "live floats/bytes at epoch " + e + " vs epoch 1 (" + be.name() + ")");
        }
        for (Tensor w : m.getWeights()) assertTrue(w.isFinite());
        long heapGrowth = heap[1] - heap[0];
        assertTrue(heapGrowth < 16L << 20, "heap grew by " + heapGrowth + " bytes over " + epochs * perEpoch + " steps");
        assertTrue(direct[1] - direct[0] <= 1 << 20, "direct/native buffers grew by " + (direct[1] - direct[0]) + " bytes");
        m.close();
        long[] end = live.read();
        // FINE: quiet in the default run; the figures show with the test logging level lowered for this class
        java.util.logging.Logger.getLogger(SoakTest.class.getName()).fine(String.format("soak %s: %d steps in %.1f s (%.0f steps/s); live buffers %d (%d) during training, %d (%d) after close, "
                        + "%d (%d) before the model; heap growth %d KiB; direct growth %d B",
                be.name(), epochs * perEpoch, seconds, epochs * perEpoch / seconds, first[0], first[1], end[0], end[1], base[0], base[1],
                heapGrowth >> 10, direct[1] - direct[0]));
        // after close only what the layers built for themselves before the model took their weights may remain: nothing
        assertEquals(base[0], end[0], "buffers left after Model.close()");
        assertEquals(base[1], end[1], "floats/bytes left after Model.close()");
    }

    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    static long directBytes() {
        long n = 0;
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) n += p.getMemoryUsed();
        return n;
    }
}
