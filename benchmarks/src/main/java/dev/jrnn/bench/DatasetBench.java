package dev.jrnn.bench;

import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchMemory;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
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
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One epoch of shuffled batches (B=256, T=50, F=64, 8192 samples: 105 MB) from a memory-mapped
 * {@code .npy} against the same data as in-memory Tensors: the input pipeline alone, no model. The
 * issue's target is mapped >= 95% of in-memory throughput. Batches are assembled on the prefetch
 * thread into recycled heap arrays, as a training loop would consume them.
 *
 * <pre>
 * java -cp ... org.openjdk.jmh.Main DatasetBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DatasetBench {
    static final int N = 8192, T = 50, F = 64, B = 256;

    /** Batches assembled ahead on the prefetch thread (0: on the consumer's thread). */
    @Param({"2", "0"})
    public int prefetch;

    private Path dir;
    private Dataset mapped, heap;
    private int epoch;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        float[] x = new float[N * T * F], y = new float[N];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextDouble();
        Tensor tx = Tensor.wrap(x, N, T, F), ty = Tensor.wrap(y, N, 1);
        dir = Files.createTempDirectory("jrnn-datasetbench");
        Npy.write(dir.resolve("x.npy"), tx);
        Npy.write(dir.resolve("y.npy"), ty);
        mapped = pipeline(Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")));
        heap = pipeline(Dataset.fromTensors(tx, ty));
    }

    private Dataset pipeline(Dataset d) {
        return d.shuffle(7).batch(B).prefetch(prefetch).memory(BatchMemory.recycling(prefetch + 2));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(dir.resolve("x.npy"));
        Files.deleteIfExists(dir.resolve("y.npy"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public void epochMapped(Blackhole bh) throws IOException {
        run(mapped, bh);
    }

    @Benchmark
    public void epochInMemory(Blackhole bh) throws IOException {
        run(heap, bh);
    }

    private void run(Dataset d, Blackhole bh) throws IOException {
        try (BatchStream s = d.epoch(epoch++ & 0xffff)) {
            while (s.hasNext()) try (Batch b = s.next()) {
                float[] x = b.input(0).data();
                bh.consume(x[x.length - 1] + b.target(0).data()[0]);
            }
        }
    }
}
