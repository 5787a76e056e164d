package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.data.BatchMemory;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One training epoch of {@code Model.fit} (issue 15's targets, on the CPU):
 * <ul>
 * <li>{@code fitMapped} vs {@code fitTensors}: the same shuffled samples (N=2048, T=50, I=H=64, B=64) from a
 * memory-mapped {@code .npy} data set vs from in-memory Tensors; target: mapped &ge; 95% of the Tensors'
 * throughput (the prefetch thread hides the reads);</li>
 * <li>{@code fitBucketed} vs {@code fitPadded}: N=1024 sequences of lengths uniform in [10, 200] (I=8, H=64,
 * B=64), batched by {@code bucketByLength} vs all padded to 200 with {@code FitOptions.lengths}; target:
 * bucketed &ge; 1.6x faster. Both compute the same loss on the same samples
 * ({@code DatasetBatchesTest.raggedBatchesAreMaskedAsFitOptionsLengths}).</li>
 * </ul>
 * <pre>
 * benchmarks/run.sh --no-torch DatasetFitBench   # or: java -cp ... org.openjdk.jmh.Main DatasetFitBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class DatasetFitBench {
    static final int N = 2048, T = 50, I = 64, H = 64, B = 64;
    static final int RAGGED = 1024, RAGGED_I = 8, MIN = 10, MAX = 200;

    /** Batches assembled ahead on the prefetch thread. */
    @Param({"2"})
    public int prefetch;

    private Path dir;
    private Tensor x, y, padded, raggedY;
    private int[] lengths;
    private Dataset mapped, bucketed;
    private Sequential model, raggedModel;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        SplittableRandom r = new SplittableRandom(1);
        x = Tensor.zeros(N, T, I);
        y = Tensor.zeros(N, 1);
        fill(x, r);
        fill(y, r);
        dir = Files.createTempDirectory("jrnn-datasetfitbench");
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        mapped = Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).shuffle(7).batch(B).prefetch(prefetch)
                .memory(BatchMemory.recycling(prefetch + 2));

        lengths = new int[RAGGED];
        long[] off = new long[RAGGED + 1];
        for (int i = 0; i < RAGGED; i++) off[i + 1] = off[i] + (lengths[i] = r.nextInt(MIN, MAX + 1));
        Tensor values = Tensor.zeros((int) off[RAGGED], RAGGED_I);
        fill(values, r);
        raggedY = Tensor.zeros(RAGGED, 1);
        fill(raggedY, r);
        padded = Tensor.zeros(RAGGED, MAX, RAGGED_I);
        for (int i = 0; i < RAGGED; i++) {
            System.arraycopy(values.data(), (int) off[i] * RAGGED_I, padded.data(), i * MAX * RAGGED_I, lengths[i] * RAGGED_I);
        }
        bucketed = Dataset.fromRagged(values, off, raggedY).shuffle(7).bucketByLength(B, false, 30, 50, 70, 90, 110, 130, 150, 170)
                .prefetch(prefetch).memory(BatchMemory.recycling(prefetch + 2));
        Jrnn.setSeed(1);
        model = new Sequential(new LSTM(H).inputShape(T, I), new Dense(1));
        model.compile("adam", "mse");
        raggedModel = new Sequential(new LSTM(H).inputShape(-1, RAGGED_I), new Dense(1));
        raggedModel.compile("adam", "mse");
    }

    private static void fill(Tensor t, SplittableRandom r) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-1, 1);
    }

    private static FitOptions epoch() { return new FitOptions().verbose(0).checkFinite(false); }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        model.close();
        raggedModel.close();
        Files.deleteIfExists(dir.resolve("x.npy"));
        Files.deleteIfExists(dir.resolve("y.npy"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public History fitMapped() throws IOException {
        return model.fit(mapped, epoch());
    }

    @Benchmark
    public History fitTensors() {
        return model.fit(x, y, epoch().batchSize(B).seed(7));
    }

    @Benchmark
    public History fitBucketed() throws IOException {
        return raggedModel.fit(bucketed, epoch());
    }

    @Benchmark
    public History fitPadded() {
        return raggedModel.fit(padded, raggedY, epoch().batchSize(B).seed(7).lengths(lengths));
    }
}
