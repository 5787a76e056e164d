package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Sample;
import dev.jrnn.model.BatchLogs;
import dev.jrnn.model.Callback;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** predict (and evaluate) from several threads at once on the CPU backend give the single-thread results, bit for bit. */
class PredictThreadsTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 20;

    @BeforeEach
    void session() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(5);
    }

    static Tensor data(int n, int seed) {
        float[] d = new float[n * 6 * 3];
        for (int i = 0; i < d.length; i++) d[i] = (float) Math.sin(0.13 * i + seed);
        return Tensor.of(d, n, 6, 3);
    }

    @Test
    void concurrentPredictMatchesSingleThread() throws Exception {
        Sequential m = new Sequential(new Bidirectional(new GRU(6).returnSequences(true)).inputShape(6, 3), new LSTM(5), new Dense(2));
        m.compile("adam", "mse");
        Tensor[] xs = new Tensor[THREADS];
        float[][] want = new float[THREADS][];
        for (int t = 0; t < THREADS; t++) {
            xs[t] = data(40 + 7 * t, t);   // different batch counts per thread, a ragged last batch
            want[t] = m.predict(xs[t]).toArray();
        }
        double wantLoss = m.evaluate(xs[0], Tensor.zeros(40, 2));
        runTogether(t -> () -> {
            for (int r = 0; r < ROUNDS; r++) {
                assertArrayEquals(want[t], m.predict(xs[t]).toArray(), "thread " + t + " round " + r);
                if (r % 5 == 0) assertArrayEquals(new double[] {wantLoss}, new double[] {m.evaluate(xs[0], Tensor.zeros(40, 2))});
            }
            return null;
        });
    }

    @Test
    void theFirstPredictOfALazilyBuiltModelMayComeFromSeveralThreads() throws Exception {
        Sequential m = new Sequential(new LSTM(4), new Dense(1));   // no input shape: built by the first call
        Tensor x = data(9, 1);
        List<float[]> got = runTogether(t -> () -> m.predict(x).toArray());
        for (float[] g : got) assertArrayEquals(got.get(0), g);
        assertArrayEquals(got.get(0), m.predict(x).toArray());
    }

    // The stop flags (Keras' stop_predicting / stop_evaluating) belong to the call whose callback set them: a plain call
    // on another thread neither stops on them nor clears them. Latches order the threads; nothing depends on timing.

    private static Sequential stopModel() {
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.compile("sgd", "mse");
        return m;
    }

    /** 40 rows in batches of 8; {@code pauseAt} >= 0: the source waits on {@code release} before row pauseAt, once, after counting down {@code reached}. */
    private static Dataset rows(int pauseAt, CountDownLatch reached, CountDownLatch release) {
        float[] xs = new float[40 * 3], ys = new float[40 * 2];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) Math.cos(0.37 * i);
        for (int i = 0; i < ys.length; i++) ys[i] = (float) Math.sin(0.21 * i);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean(pauseAt >= 0);
        return Dataset.fromIterator(() -> new Iterator<Sample>() {
            int i;
            public boolean hasNext() { return i < 40; }
            public Sample next() {
                if (i == pauseAt && armed.getAndSet(false)) {
                    reached.countDown();
                    await(release);
                }
                int r = i++;
                return Sample.of(Tensor.of(java.util.Arrays.copyOfRange(xs, 3 * r, 3 * r + 3), 3),
                        Tensor.of(java.util.Arrays.copyOfRange(ys, 2 * r, 2 * r + 2), 2));
            }
        }).batch(8);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A callback on this thread stops its predict while a plain predict on another thread is half way: that one still gives every row. */
    @Test
    void aCallbacksStopPredictingEndsOnlyItsOwnCall() throws Exception {
        Sequential m = stopModel();
        CountDownLatch reached = new CountDownLatch(1), release = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<Long> plain = other.submit(() -> m.predict(rows(12, reached, release), outs -> {}));
            reached.await();   // the plain call has started (and run its first batch)
            Callback stop = new Callback() {
                @Override public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) { model.stopPredicting(true); }
            };
            assertEquals(8, m.predict(rows(-1, null, null), outs -> {}, stop), "the stopped call: its first batch");
            assertTrue(m.stopPredicting(), "the flag reads as set after the call, as Keras'");
            release.countDown();
            assertEquals(40, plain.get(), "the plain call on the other thread gives every row");
        } finally {
            release.countDown();
            other.shutdownNow();
        }
    }

    /** A plain predict on another thread, run while a callback has set the flag, does not clear it: the callback's call stops. */
    @Test
    void aPlainPredictElsewhereDoesNotClearACallbacksStop() throws Exception {
        Sequential m = stopModel();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            long[] plainRows = {-1};
            Callback stopThenWait = new Callback() {
                @Override public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) {
                    model.stopPredicting(true);
                    try {
                        plainRows[0] = other.submit(() -> m.predict(rows(-1, null, null), outs -> {})).get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            assertEquals(8, m.predict(rows(-1, null, null), outs -> {}, stopThenWait), "stopped after the batch whose callback set the flag");
            assertEquals(40, plainRows[0], "the plain call in between gives every row");
            assertTrue(m.stopPredicting());
        } finally {
            other.shutdownNow();
        }
    }

    /** The same for evaluate: the plain evaluate's loss is that of all 40 rows, the stopped one's that of its first batch. */
    @Test
    void aCallbacksStopEvaluatingEndsOnlyItsOwnCall() throws Exception {
        Sequential m = stopModel();
        double all = m.evaluateAll(rows(-1, null, null)).get("loss");
        double first = m.evaluateAll(rows(-1, null, null), 1).get("loss");
        assertFalse(Math.abs(all - first) < 1e-6, "the check needs the two losses to differ");
        CountDownLatch reached = new CountDownLatch(1), release = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<Map<String, Double>> plain = other.submit(() -> m.evaluateAll(rows(12, reached, release)));
            reached.await();
            Callback stop = new Callback() {
                @Override public void onTestBatchEnd(int batch, BatchLogs logs, Model model) { model.stopEvaluating(true); }
            };
            assertEquals(first, m.evaluateAll(rows(-1, null, null), stop).get("loss"), 0.0, "the stopped call: its first batch");
            assertTrue(m.stopEvaluating());
            release.countDown();
            assertEquals(all, plain.get().get("loss"), 0.0, "the plain call on the other thread: every batch");
            // and the other way round: a plain evaluate elsewhere, run while the flag is set, does not clear it
            double[] plainLoss = {Double.NaN};
            Callback stopThenWait = new Callback() {
                @Override public void onTestBatchEnd(int batch, BatchLogs logs, Model model) {
                    model.stopEvaluating(true);
                    try {
                        plainLoss[0] = other.submit(() -> m.evaluateAll(rows(-1, null, null)).get("loss")).get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            assertEquals(first, m.evaluateAll(rows(-1, null, null), stopThenWait).get("loss"), 0.0, "stopped after its first batch");
            assertEquals(all, plainLoss[0], 0.0);
        } finally {
            release.countDown();
            other.shutdownNow();
        }
    }

    /** Starts {@link #THREADS} tasks at the same instant and returns their results (rethrowing failures). */
    static <T> List<T> runTogether(java.util.function.IntFunction<Supplier<T>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<T>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Supplier<T> s = task.apply(t);
                fs.add(pool.submit(() -> {
                    start.await();
                    return s.get();
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Error err) throw err;
                    throw e;
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
