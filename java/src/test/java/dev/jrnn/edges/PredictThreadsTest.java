package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
