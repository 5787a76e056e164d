package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains an LSTM on a variable-length sequence data set far larger than the heap, memory-mapped from
 * {@code .npy} files (the layout {@code benchmarks/synthetic.sh} writes: values, offsets, y). Batches of
 * similar lengths are assembled ahead on a background thread; the heap holds only the batches in
 * flight, so a 4 GB set trains under {@code -Xmx512m} with a flat footprint (printed after each epoch).
 *
 * <pre>
 * benchmarks/synthetic.sh --out /data/seq --gb 4 --features 8 --min 10 --max 200
 * java -Xmx512m --add-modules jdk.incubator.vector -cp java/target/classes dev.jrnn.examples.TrainFromNpy /data/seq 2
 * </pre>
 * Arguments: the directory, the epochs (default 1), and optionally the samples per epoch (default all).
 */
public final class TrainFromNpy {
    private TrainFromNpy() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: TrainFromNpy <dir with values.npy, offsets.npy, y.npy> [epochs] [samples per epoch]");
            System.exit(2);
        }
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        long take = args.length > 2 ? Long.parseLong(args[2]) : -1;
        train(Path.of(args[0]), epochs, take, System.out);
    }

    /** Trains for {@code epochs} on {@code take} shuffled samples per epoch ({@code -1}: all), reporting to {@code out}. */
    public static History train(Path dir, int epochs, long take, PrintStream out) throws IOException {
        Path values = dir.resolve("values.npy");
        int features = (int) Npy.header(values).shape()[1];
        Dataset all = Dataset.fromRaggedNpy(values, dir.resolve("offsets.npy"), dir.resolve("y.npy"));
        Dataset.Split split = all.split(0.05);
        Dataset train = split.training().shuffle(42);
        Dataset val = split.validation();
        if (take >= 0) {
            train = train.take(take);
            val = val.take(Math.max(1, take / 10));
        }
        out.printf(Locale.ROOT, "%s: %d sequences of %d features, %.1f MB mapped, heap max %d MB%n", dir, all.size(), features,
                (double) java.nio.file.Files.size(values) / (1 << 20), Runtime.getRuntime().maxMemory() >> 20);
        Jrnn.setSeed(1);   // the same weights and order every run
        try (Sequential model = new Sequential(new LSTM(32).inputShape(-1, features), new Dense(1))) {
            model.compile("adam", "mse");
            return model.fit(train.bucketByLength(64, false, 25, 50, 100, 150), new FitOptions().epochs(epochs).verbose(2).out(out)
                    .validationData(val.bucketByLength(256, false, 25, 50, 100, 150))
                    .onEpochEnd((epoch, logs) -> out.printf(Locale.ROOT, "heap used after epoch %d: %d MB%n", epoch + 1, usedHeapMb())));
        }
    }

    /** The heap in use after a collection, in MB. */
    static long usedHeapMb() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) >> 20;
    }
}
