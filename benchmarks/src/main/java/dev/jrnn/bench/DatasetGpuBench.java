package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Precision;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Epoch throughput of {@code Model.fit} from a memory-mapped {@code .npy} data set against the same samples as
 * in-memory Tensors (issue 15's GPU target: mapped &ge; 90% at B=256, T=50, I=H=512, the host-to-device copies
 * hidden by the page-locked feed), plus the same Tensors through {@code Dataset.fromTensors} (the feed without
 * the file). Writes {@code x.npy} / {@code y.npy} into {@code --dir}, then fits an LSTM(H) + Dense(1) on each
 * source in turn ({@code --rounds} rounds of {@code --epochs} epochs each, shuffled; the first epoch of each fit
 * is its warm-up and graph capture and is left out) and prints the median samples/s of each and the ratios.
 *
 * <pre>
 * benchmarks/gpu-dataset.sh                                      # on the GPU machine, staged
 * java -cp ... dev.jrnn.bench.DatasetGpuBench --backend cpu --batch 8 --steps 5 --features 4 --units 4 --batches 4
 * </pre>
 */
public final class DatasetGpuBench {
    private DatasetGpuBench() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of("dataset-bench");
        String backend = "cuda";
        int b = 256, t = 50, in = 512, h = 512, batches = 40, epochs = 5, rounds = 2;
        Precision precision = Precision.FP32;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
            String v = args[i + 1];
            switch (args[i]) {
                case "--dir" -> dir = Path.of(v);
                case "--backend" -> backend = v;
                case "--batch" -> b = Integer.parseInt(v);
                case "--steps" -> t = Integer.parseInt(v);
                case "--features" -> in = Integer.parseInt(v);
                case "--units" -> h = Integer.parseInt(v);
                case "--batches" -> batches = Integer.parseInt(v);
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--precision" -> precision = Precision.valueOf(v.toUpperCase(Locale.ROOT));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (epochs < 2) throw new IllegalArgumentException("--epochs must be >= 2 (the first is the warm-up)");
        int n = b * batches;
        Files.createDirectories(dir);
        Path xf = dir.resolve("x.npy"), yf = dir.resolve("y.npy");
        long t0 = System.nanoTime();
        Tensor x = Tensor.zeros(n, t, in), y = Tensor.zeros(n, 1);
        fill(x.data(), 1);
        fill(y.data(), 2);
        Npy.write(xf, x);
        Npy.write(yf, y);
        System.out.printf(Locale.ROOT, "data: %d samples of (%d, %d), %.2f GB in %s, written in %.1f s%n", n, t, in,
                Files.size(xf) / 1e9, xf, (System.nanoTime() - t0) / 1e9);
        Jrnn.setBackend(backend);
        Jrnn.setPrecision(precision);
        System.out.printf(Locale.ROOT, "backend %s, precision %s, B=%d T=%d I=%d H=%d, %d batches per epoch, %d rounds x %d epochs%n",
                backend, precision, b, t, in, h, batches, rounds, epochs);
        Dataset mapped = Dataset.fromNpy(xf, yf).shuffle(7).batch(b);
        Dataset fromTensors = Dataset.fromTensors(x, y).shuffle(7).batch(b);
        Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
        try (Sequential mt = model(t, in, h); Sequential mm = model(t, in, h); Sequential md = model(t, in, h)) {
            for (int r = 0; r < rounds; r++) {
                int batch = b, seed = 7 + r;
                time(rates, "tensors", n, epochs, opts -> mt.fit(x, y, opts.batchSize(batch).seed(seed)));
                time(rates, "mapped npy", n, epochs, opts -> io(() -> mm.fit(mapped, opts)));
                time(rates, "Dataset.fromTensors", n, epochs, opts -> io(() -> md.fit(fromTensors, opts)));
                System.out.println("round " + (r + 1) + " done");
            }
        }
        double base = median(rates.get("tensors"));
        System.out.println();
        System.out.println("| source | samples/s (median of " + rates.get("tensors").size() + " epochs) | vs in-memory Tensors |");
        System.out.println("|---|---:|---:|");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            double m = median(e.getValue());
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f%% |%n", e.getKey(), m, 100 * m / base);
        }
        System.out.printf(Locale.ROOT, "RATIO mapped/tensors = %.3f (goal >= 0.90)%n", median(rates.get("mapped npy")) / base);
    }

    private interface Fit {
        void run(FitOptions o);
    }

    private interface IoCall {
        void run() throws IOException;
    }

    private static void io(IoCall c) {
        try {
            c.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One fit of {@code epochs}; adds samples/s of every epoch but the first to {@code rates}. */
    private static void time(Map<String, List<Double>> rates, String what, int n, int epochs, Fit fit) {
        List<Long> ends = new ArrayList<>();
        fit.run(new FitOptions().verbose(0).epochs(epochs).callbacks(new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                ends.add(System.nanoTime());   // after the epoch's losses were read back: its work is done
            }
        }));
        List<Double> l = rates.computeIfAbsent(what, k -> new ArrayList<>());
        StringBuilder s = new StringBuilder(what + ":");
        for (int e = 1; e < ends.size(); e++) {
            double rate = n / ((ends.get(e) - ends.get(e - 1)) / 1e9);
            l.add(rate);
            s.append(String.format(Locale.ROOT, " %.0f", rate));
        }
        System.out.println(s.append(" samples/s"));
    }

    private static Sequential model(int t, int in, int h) {
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new LSTM(h).inputShape(t, in), new Dense(1));
        m.compile("adam", "mse");
        return m;
    }

    private static void fill(float[] a, long seed) {
        long s = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < a.length; i++) {
            s ^= s << 13;
            s ^= s >>> 7;
            s ^= s << 17;
            a[i] = (s >>> 40) * (2f / (1 << 24)) - 1f;
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int k = s.size();
        return k % 2 == 1 ? s.get(k / 2) : (s.get(k / 2 - 1) + s.get(k / 2)) / 2;
    }
}
