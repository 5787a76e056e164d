package dev.jrnn.bench;

import dev.jrnn.data.Npy;
import dev.jrnn.data.NpyWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Writes a synthetic set of variable-length sequences as {@code .npy} files, in constant memory
 * (it runs under {@code -Xmx64m} for any size), for {@code Dataset.fromRaggedNpy}:
 * <ul>
 * <li>{@code values.npy}: float32 (total steps, F), sequence after sequence, each a noisy random walk;</li>
 * <li>{@code offsets.npy}: int64 (N + 1,) row splits, sequence i is rows {@code offsets[i]..offsets[i+1]};</li>
 * <li>{@code y.npy}: float32 (N, 1), the mean of feature 0 over the sequence (learnable by an LSTM).</li>
 * </ul>
 * Lengths are uniform in [min, max].
 *
 * <pre>
 * benchmarks/synthetic.sh --out /data/seq --gb 4 --features 8 --min 10 --max 200 --seed 1
 * </pre>
 */
public final class SyntheticSequences {
    private SyntheticSequences() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of("synthetic-sequences");
        double gb = 4;
        int features = 8, min = 10, max = 200;
        long seed = 1;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
            String v = args[i + 1];
            switch (args[i]) {
                case "--out" -> out = Path.of(v);
                case "--gb" -> gb = Double.parseDouble(v);
                case "--features" -> features = Integer.parseInt(v);
                case "--min" -> min = Integer.parseInt(v);
                case "--max" -> max = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--out DIR --gb SIZE --features F --min L --max L --seed S)");
            }
        }
        long n = write(out, (long) (gb * (1L << 30)), features, min, max, seed);
        System.out.println("wrote " + n + " sequences to " + out.toAbsolutePath());
    }

    /** Writes about {@code bytes} of values into {@code dir}; returns the number of sequences. */
    public static long write(Path dir, long bytes, int features, int min, int max, long seed) throws IOException {
        if (features < 1 || min < 1 || max < min) throw new IllegalArgumentException("need features >= 1 and 1 <= min <= max");
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(seed);
        long[] offsets = new long[1024];
        int n = 0;
        long rows = 0, budget = bytes / (4L * features);
        float[] seq = new float[max * features];
        float[] walk = new float[features];
        try (NpyWriter values = NpyWriter.open(dir.resolve("values.npy"), features);
             NpyWriter y = NpyWriter.open(dir.resolve("y.npy"), 1)) {
            while (rows < budget) {
                int len = min + r.nextInt(max - min + 1);
                double sum = 0;
                Arrays.fill(walk, 0);
                for (int t = 0; t < len; t++) {
                    for (int f = 0; f < features; f++) {
                        walk[f] += (float) (r.nextDouble() - 0.5) * 0.2f;
                        seq[t * features + f] = walk[f];
                    }
                    sum += walk[0];
                }
                values.append(seq, 0, len * features);
                y.append(new float[] {(float) (sum / len)}, 0, 1);
                rows += len;
                if (++n == offsets.length) offsets = Arrays.copyOf(offsets, offsets.length * 2);
                offsets[n] = rows;
            }
        }
        Npy.writeInt64(dir.resolve("offsets.npy"), Arrays.copyOf(offsets, n + 1));
        return n;
    }
}
