package dev.jrnn.bench;

import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

/**
 * Probe of what a user sees first (benchmarks/NOTES.md "First epoch in a fresh JVM"; not a test): in a fresh JVM,
 * {@code Sequential(LSTM(128).inputShape(50, 128), Dense(1))} compiled with adam / mse, six {@code fit} epochs of 1,024
 * samples in batches of 32 and a predict, each timed with {@code System.nanoTime} (and the process' CPU time). With {@code --warmup K} it first
 * trains a scratch model of the same layers and shapes K {@code trainOnBatch} calls and closes it, the warm-up the
 * GUIDE suggests for a service: the compiled code carries over to the model timed after, whose weights it never touches.
 * Run from the benchmarks module's classpath, in a fresh JVM each time:
 * {@code java --add-modules jdk.incubator.vector dev.jrnn.bench.FirstEpoch [lstm|gru|rnn] [--warmup K]}
 */
public final class FirstEpoch {
    private static final int N = 1024, T = 50, I = 128, H = 128, BATCH = 32;

    public static void main(String[] args) {
        String kind = "lstm";
        int warmup = 0;
        for (int a = 0; a < args.length; a++) {
            if (args[a].equals("--warmup") && a + 1 < args.length) warmup = Integer.parseInt(args[++a]);
            else if (Arrays.asList("lstm", "gru", "rnn").contains(args[a])) kind = args[a];
            else throw new IllegalArgumentException("FirstEpoch: expected [lstm|gru|rnn] [--warmup K], got " + args[a]);
        }
        Random r = new Random(1);
        float[][][] x = new float[N][T][I];
        float[][] y = new float[N][1];
        for (float[][] s : x) for (float[] t : s) for (int i = 0; i < I; i++) t[i] = (float) r.nextGaussian();
        for (float[] s : y) s[0] = (float) r.nextGaussian();
        Tensor xs = Tensor.of(x), ys = Tensor.of(y);
        if (warmup > 0) {
            long s = System.nanoTime(), c = cpuNanos();
            Tensor xb = Tensor.of(Arrays.copyOf(x, BATCH)), yb = Tensor.of(Arrays.copyOf(y, BATCH));
            try (Sequential scratch = model(kind)) {
                for (int k = 0; k < warmup; k++) scratch.trainOnBatch(xb, yb);
            }
            System.out.printf("warm-up (%d trainOnBatch on a scratch model) %.0f ms (process CPU %.0f ms)%n", warmup,
                    (System.nanoTime() - s) / 1e6, (cpuNanos() - c) / 1e6);
        }
        long t0 = System.nanoTime();
        Sequential m = model(kind);
        System.out.printf("build %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        for (int e = 0; e < 6; e++) {
            long s = System.nanoTime(), c = cpuNanos();
            m.fit(xs, ys, 1, BATCH);
            System.out.printf("epoch %d: %.0f ms (process CPU %.0f ms)%n", e, (System.nanoTime() - s) / 1e6, (cpuNanos() - c) / 1e6);
        }
        long s = System.nanoTime();
        m.predict(xs);
        System.out.printf("predict %.0f ms%n", (System.nanoTime() - s) / 1e6);
    }

    /** The JVM's CPU time, its JIT compiler threads' included: steadier than wall time on a loaded machine. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Sequential model(String kind) {
        Layer rnn = switch (kind) {
            case "gru" -> new GRU(H).inputShape(T, I);
            case "rnn" -> new SimpleRNN(H).inputShape(T, I);
            default -> new LSTM(H).inputShape(T, I);
        };
        Sequential m = new Sequential(rnn, new Dense(1));
        m.compile("adam", "mse");
        return m;
    }
}
