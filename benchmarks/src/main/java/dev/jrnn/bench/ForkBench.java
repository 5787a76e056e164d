package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
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

import java.util.concurrent.TimeUnit;

/**
 * The CPU backend with and without forks on a second thread ({@code CpuBackend.create(true)}): one
 * {@code trainOnBatch} of a Bidirectional LSTM (the directions overlap) and of a two-layer LSTM stack (a
 * wavefront: chunks of steps through the upper layer while the lower one goes on), both into a Dense
 * head, on the same data and weights. Shows whether overlapping pays on this machine's cores; the CUDA
 * counterpart is {@code GpuBench --streams on}.
 *
 * <pre>
 * java ... org.openjdk.jmh.Main 'ForkBench' -p layout=bi,stack -p forks=false,true
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ForkBench {

    @State(Scope.Thread)
    public static class Net {
        /** "bi": Bidirectional(LSTM(H)); "stack": LSTM(H, sequences) -> LSTM(H). */
        @Param({"bi", "stack"})
        public String layout;
        @Param({"false", "true"})
        public boolean forks;
        /** B x T x I x H; T * B must reach two chunks of 512 rows for the layers to split. */
        @Param({"16x200x64x128"})
        public String shape;
        Sequential model;
        Tensor x, y;

        @Setup(Level.Trial)
        public void setup() {
            Shapes s = Shapes.parse(shape);
            Jrnn.setBackend(CpuBackend.create(forks));
            Jrnn.clearSession();
            Jrnn.setSeed(7);
            model = ModelBench.model(layout, s);
            Tensor[] xy = ModelBench.batch(s);
            x = xy[0];
            y = xy[1];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            model.close();
            Jrnn.setBackend("cpu");
        }
    }

    @Benchmark
    public double trainOnBatch(Net n) {
        return n.model.trainOnBatch(n.x, n.y);
    }
}
