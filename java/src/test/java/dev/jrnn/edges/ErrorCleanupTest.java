package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.BatchLogs;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cleanup on every Throwable: an OutOfMemoryError or StackOverflowError at any allocation of fit, evaluate
 * or predict, or thrown by a callback, leaves exactly the buffers that were live before the call.
 */
class ErrorCleanupTest {
    static final int N = 8, T = 4, F = 2;

    @AfterEach
    void reset() {
        Jrnn.setBackend("cpu");
    }

    static Sequential model() {
        return new Sequential(
                new Masking(0).inputShape(T, F),
                new Bidirectional(new GRU(3).returnSequences(true)),
                new LSTM(3).returnSequences(true).tbptt(2),
                new TimeDistributed(new Dense(2).activation("tanh")),
                new Dropout(0.1),
                new SimpleRNN(3),
                new Dense(1));
    }

    static Tensor x() {
        float[] xs = new float[N * T * F];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) Math.sin(0.7 * i);
        return Tensor.of(xs, N, T, F);
    }

    static int[] lengths() {
        int[] l = new int[N];
        for (int i = 0; i < N; i++) l[i] = 1 + i % T;
        return l;
    }

    /** Odd allocations fail with a StackOverflowError, even ones with an OutOfMemoryError. */
    static Supplier<Error> errorAt(long k) {
        return k % 2 == 0 ? () -> new OutOfMemoryError("injected at allocation " + k)
                : () -> new StackOverflowError("injected at allocation " + k);
    }

    /**
     * Runs {@code call} once to warm up (the optimizer's state), then once with each of its allocations
     * failing: every failure must leave the live buffers as they were.
     */
    static void everyAllocationFails(LongSupplier liveBuffers, RecordingBackend be, String what, Runnable call) {
        call.run();
        long live = liveBuffers.getAsLong();
        long before = be.allocs;
        call.run();
        long allocations = be.allocs - before;
        assertTrue(allocations > 0, what + ": the call allocates, so that failing its allocations tests something");
        assertEquals(live, liveBuffers.getAsLong(), what + ": buffers left by a call that succeeded");
        for (long k = 0; k < allocations; k++) {
            be.failAlloc(k, errorAt(k));
            Error e = assertThrows(Error.class, call::run, what + ": allocation " + k);
            assertEquals("injected at allocation " + k, e.getMessage());
            assertEquals(live, liveBuffers.getAsLong(), what + ": buffers left after an Error at allocation " + k
                    + " of " + allocations + ", made by " + e.getStackTrace()[2]);
        }
    }

    @Test
    void anErrorAtAnyAllocationOfFitEvaluateOrPredictFreesWhatTheCallAllocated() {
        CpuBackend cpu = CpuBackend.create();
        everyCallFreesOnError(new RecordingBackend(cpu), cpu::liveBuffers);
    }

    /** fit, predict, evaluate and trainOnBatch of {@link #model()}, each with every allocation failing once. */
    static void everyCallFreesOnError(RecordingBackend be, LongSupplier live) {
        Jrnn.setBackend(be);
        Jrnn.setSeed(4);
        Tensor x = x(), y = Tensor.full(0.25f, N, 1);
        try (Sequential m = model()) {
            m.compile("adam", "mse");
            everyAllocationFails(live, be, "fit", () -> m.fit(x, y, new FitOptions().epochs(1).batchSize(4).verbose(0)
                    .lengths(lengths()).validationData(x, y)));
            everyAllocationFails(live, be, "predict", () -> m.predictAll(List.of(x), 3, lengths()));
            everyAllocationFails(live, be, "evaluate", () -> m.evaluate(x, y));
            everyAllocationFails(live, be, "trainOnBatch", () -> m.trainOnBatch(x, y));
        }
    }

    @Test
    void anErrorFromACallbackFreesTheFitsBuffers() {
        CpuBackend cpu = CpuBackend.create();
        Jrnn.setBackend(cpu);
        Jrnn.setSeed(5);
        Tensor ids = Tensor.of(new float[] {1, 2, 3, 0, 4, 1, 0, 0}, 2, 4);
        try (Sequential m = new Sequential(new Embedding(6, 3).maskZero(true).inputShape(4), new LSTM(2), new Dense(1))) {
            m.compile("adam", "mse");
            Tensor y = Tensor.full(0.5f, 2, 1);
            m.fit(ids, y, new FitOptions().epochs(1).batchSize(1).verbose(0));
            long live = cpu.liveBuffers();
            Callback batchOom = new Callback() {
                @Override
                public void onBatchEnd(int batch, BatchLogs logs, Model model) { throw new OutOfMemoryError("callback"); }
            };
            assertThrows(OutOfMemoryError.class, () -> m.fit(ids, y, new FitOptions().epochs(2).batchSize(1).verbose(0)
                    .callbacks(batchOom)));
            assertEquals(live, cpu.liveBuffers(), "buffers left after an OutOfMemoryError in onBatchEnd");
            Callback epochSoe = Callback.onEpochEnd((epoch, logs) -> { throw new StackOverflowError("callback"); });
            assertThrows(StackOverflowError.class, () -> m.fit(ids, y, new FitOptions().epochs(2).batchSize(1).verbose(0)
                    .validationData(ids, y).callbacks(epochSoe)));
            assertEquals(live, cpu.liveBuffers(), "buffers left after a StackOverflowError in onEpochEnd");
        }
    }
}
