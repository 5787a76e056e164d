package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12's load budget: "loading a 100 MB model takes at most 2x the time to read the file". The trial writes a
 * ~96 MB model with {@link Model#save} (Embedding(20000, 1024) -> LSTM(512) -> Dense(1): 23.7 M float32 weights) to a
 * temp file; {@code load} is {@link Models#load} (zip, HDF5 parse, graph build, weights set), {@code readBytes}
 * reads the same file into memory. The ratio of the two scores is the measure.
 *
 * <p>What makes the two comparable: both read the same file, which setup flushes to disk (no write-back during the
 * measurement) and reads once, so both find it in the page cache (dropping the cache needs root and would slow
 * every other process on the machine); every op of both allocates its buffers afresh (a new byte[] per read, a new
 * model per load, nothing cached between ops); the heap is fixed and touched before the first op
 * ({@code -Xms2g -Xmx2g -XX:+AlwaysPreTouch}), so neither pays the first-touch page faults of a growing heap, which on
 * the 2-core test VM cost 10-20x the copy itself and decided the first seconds of every fork.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=$PWD/benchmarks/target/classpath.txt -Dmdep.includeScope=runtime
 * nice -n 10 java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main ModelLoadBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class ModelLoadBench {
    Path file;

    @Setup(Level.Trial)
    public void write() throws IOException {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(1);
        file = Files.createTempFile("jrnn-load-bench", ".keras");
        try (Sequential m = new Sequential(new Embedding(20000, 1024).inputLength(20), new LSTM(512), new Dense(1))) {
            m.save(file);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);   // on disk now: no write-back of the fresh file while either method is measured
        }
        Files.readAllBytes(file);   // and in the page cache for both
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public long load() throws IOException {
        try (Model m = Models.load(file)) {
            return m.countParams();
        }
    }

    @Benchmark
    public int readBytes() throws IOException {
        return Files.readAllBytes(file).length;
    }
}
