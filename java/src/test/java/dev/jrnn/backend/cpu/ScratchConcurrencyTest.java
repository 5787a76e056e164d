package dev.jrnn.backend.cpu;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GemmScratch} under concurrency at sizes whose products are packed (LSTM(128) + GRU(96), over
 * {@link Gemm#SMALL_MACS}): platform and virtual threads predicting on a shared model and training their own copies,
 * while another thread trims the scratch, get the single-thread results bit for bit (a set handed to two parts at
 * once, or dropped while in use, would show as a different float).
 */
class ScratchConcurrencyTest {
    private static final int B = 16, T = 10, F = 32, STEPS = 3;

    private static Tensor random(long seed, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] x = new float[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() - 0.5f;
        return Tensor.of(x, shape);
    }

    private static Sequential build() {
        Sequential m = new Sequential(new LSTM(128).returnSequences(true).inputShape(T, F), new GRU(96), new Dense(4));
        m.compile("adam", "mse");
        return m;
    }

    private static float[][] train(Sequential m, Tensor[] x, Tensor[] y) {
        float[][] out = new float[STEPS + 1][];
        for (int s = 0; s < STEPS; s++) out[s] = new float[] {(float) m.trainOnBatch(x[s], y[s])};
        List<Tensor> w = m.getWeights();
        int n = 0;
        for (Tensor t : w) n += t.toArray().length;
        float[] all = new float[n];
        int o = 0;
        for (Tensor t : w) {
            float[] a = t.toArray();
            System.arraycopy(a, 0, all, o, a.length);
            o += a.length;
        }
        out[STEPS] = all;
        return out;
    }

    @Test
    void predictAndTrainOnManyThreadsWithTrimsGiveTheSingleThreadResults() throws Exception {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(7);
        Sequential shared = build();
        int threads = 8;
        Tensor[] xs = new Tensor[threads];   // each thread its own input: threads sharing a set would mix them
        float[][] want = new float[threads][];
        for (int t = 0; t < threads; t++) {
            xs[t] = random(1 + t, B, T, F);
            want[t] = shared.predict(xs[t]).toArray();
        }
        List<Tensor> w0 = shared.getWeights();
        Tensor[] tx = new Tensor[STEPS], ty = new Tensor[STEPS];
        for (int s = 0; s < STEPS; s++) {
            tx[s] = random(100 + s, B, T, F);
            ty[s] = random(200 + s, B, 4);
        }
        Sequential ref = build();
        ref.setWeights(w0);
        float[][] wantTrain = train(ref, tx, ty);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            boolean trainer = t % 4 == 3;
            Tensor x = xs[t];
            float[] wantX = want[t];
            Runnable r = () -> {
                try {
                    go.await();
                    if (trainer) {
                        Sequential own = build();
                        own.setWeights(w0);
                        float[][] got = train(own, tx, ty);
                        for (int i = 0; i <= STEPS; i++) assertArrayEquals(wantTrain[i], got[i], "training, row " + i);
                    } else {
                        for (int i = 0; i < 6; i++) assertArrayEquals(wantX, shared.predict(x).toArray(), "predict");
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
            workers.add(t % 2 == 0 ? Thread.ofPlatform().start(r) : Thread.ofVirtual().start(r));
        }
        Thread trimmer = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                GemmScratch.trim();
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        go.countDown();
        for (Thread th : workers) th.join();
        done.set(true);
        trimmer.join();
        assertNull(failure.get(), () -> "first failure: " + failure.get());
        assertTrue(GemmScratch.kept() <= GemmScratch.bound(), "sets kept: " + GemmScratch.kept());
    }
}
