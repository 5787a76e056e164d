package dev.jrnn.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@link DatasetFitBench}'s four epochs (same data, models and settings), interleaved for a shared machine: each
 * round runs fitMapped, fitTensors, fitBucketed and fitPadded once, in an order that rotates per round, so a
 * change of load hits all four alike; the ratios are taken within each round (mapped / Tensors throughput,
 * padded / bucketed time) and their medians printed with the load average. The first {@code --warmup} rounds are
 * left out. JMH's fixed iteration blocks spread a 2-core machine's load swings over the comparisons instead.
 *
 * <pre>
 * nice -n 10 java -cp ... dev.jrnn.bench.DatasetFitInterleaved --rounds 15 --warmup 3
 * </pre>
 */
public final class DatasetFitInterleaved {
    private DatasetFitInterleaved() {}

    private interface Op {
        void run() throws IOException;
    }

    public static void main(String[] args) throws IOException {
        int rounds = 15, warmup = 3;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        DatasetFitBench b = new DatasetFitBench();
        b.prefetch = 2;
        b.setup();
        String[] names = {"fitMapped", "fitTensors", "fitBucketed", "fitPadded"};
        Op[] ops = {b::fitMapped, b::fitTensors, b::fitBucketed, b::fitPadded};
        List<List<Double>> ms = new ArrayList<>();
        for (int k = 0; k < 4; k++) ms.add(new ArrayList<>());
        List<Double> mappedShare = new ArrayList<>(), bucketSpeedup = new ArrayList<>();
        try {
            for (int r = 0; r < warmup + rounds; r++) {
                double[] t = new double[4];
                for (int j = 0; j < 4; j++) {
                    int k = (r + j) % 4;
                    long t0 = System.nanoTime();
                    ops[k].run();
                    t[k] = (System.nanoTime() - t0) / 1e6;
                }
                if (r < warmup) continue;
                for (int k = 0; k < 4; k++) ms.get(k).add(t[k]);
                mappedShare.add(t[1] / t[0]);
                bucketSpeedup.add(t[3] / t[2]);
                System.out.printf(Locale.ROOT, "round %d: mapped %.0f, tensors %.0f, bucketed %.0f, padded %.0f ms; load %s%n",
                        r - warmup + 1, t[0], t[1], t[2], t[3], load());
            }
        } finally {
            b.tearDown();
        }
        System.out.println();
        for (int k = 0; k < 4; k++) System.out.printf(Locale.ROOT, "%s: median %.0f ms/epoch%n", names[k], median(ms.get(k)));
        System.out.printf(Locale.ROOT, "mapped throughput / Tensors throughput: median %.3f (goal >= 0.95), per round %s%n",
                median(mappedShare), rounded(mappedShare));
        System.out.printf(Locale.ROOT, "bucketed speed-up over padded to 200: median %.2fx (goal >= 1.6x), per round %s%n",
                median(bucketSpeedup), rounded(bucketSpeedup));
    }

    private static String load() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static List<String> rounded(List<Double> v) {
        return v.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList();
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
