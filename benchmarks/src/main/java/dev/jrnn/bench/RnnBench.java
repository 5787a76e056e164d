package dev.jrnn.bench;

import dev.jrnn.Jrnn;
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
 * CPU benchmarks of one recurrent layer, jrnn and its peer side by side in one JMH run:
 * forward (inference) and train step (forward, MSE on the last output, backward, Adam) for
 * SimpleRNN, LSTM and GRU, and Deeplearning4j's LSTM on the first two shapes (needs {@code -Pdl4j}). The
 * PyTorch peer runs outside JMH (benchmarks/peers/torch_cpu.py, from {@link PeerFixture}'s files of the same
 * weights and batches); {@link CpuBench} puts both in one table.
 * Shapes are "BxTxIxH"; inputs cycle through 4 random batches. FLOP model: {@link Shapes}.
 * Run everything, with the table of GFLOP/s and ratios, through {@link CpuBench} (benchmarks/run.sh).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RnnBench {
    /** The peer's class, compiled only with -Pdl4j. */
    public static final String DL4J_PEER = "dev.jrnn.bench.dl4j.Dl4jLstm";
    static final long SEED = 42;
    static final int BATCHES = 4;

    /** A jrnn layer of one cell kind on the CPU backend. */
    @State(Scope.Thread)
    public abstract static class JrnnState {
        @Param({"32x50x128x128", "8x100x256x256", "64x100x512x512"})
        public String shape;
        JrnnTrainer trainer;
        int i;

        abstract Shapes.Cell cell();

        @Setup(Level.Trial)
        public void setup() {
            Jrnn.setBackend("cpu");
            Shapes s = Shapes.parse(shape);
            trainer = new JrnnTrainer(cell(), s, BenchData.random(s, BATCHES, 1), SEED);
        }

        @TearDown(Level.Trial)
        public void tearDown() { trainer.close(); }
    }

    public static class SimpleRnnState extends JrnnState { Shapes.Cell cell() { return Shapes.Cell.SIMPLE_RNN; } }
    public static class LstmState extends JrnnState { Shapes.Cell cell() { return Shapes.Cell.LSTM; } }
    public static class GruState extends JrnnState { Shapes.Cell cell() { return Shapes.Cell.GRU; } }

    /**
     * Deeplearning4j's LSTM, started from jrnn's initial weights after the equal-work check, with
     * 2 threads (both cores) and with 1: on a 2-core machine its OpenMP threads can lose more to
     * each other than they gain, so the table compares jrnn with the faster of the two.
     */
    @State(Scope.Thread)
    public static class Dl4jState {
        @Param({"32x50x128x128", "8x100x256x256"})
        public String shape;
        @Param({"2", "1"})
        public int threads;
        LstmPeer peer;
        int i;

        @Setup(Level.Trial)
        public void setup() {
            Shapes s = Shapes.parse(shape);
            BenchData data = BenchData.random(s, BATCHES, 1);
            peer = LstmPeer.load(DL4J_PEER);
            peer.setup(s, data, SEED);
            peer.threads(threads);
            System.out.println(peer.describe());
            System.out.println(EqualWork.check(peer, s, data, SEED));
        }

        @TearDown(Level.Trial)
        public void tearDown() { peer.close(); }
    }

    @Benchmark public float jrnnSimpleRnnForward(SimpleRnnState st) { return st.trainer.forward(st.i++); }
    @Benchmark public float jrnnSimpleRnnTrain(SimpleRnnState st) { return st.trainer.trainStep(st.i++); }
    @Benchmark public float jrnnLstmForward(LstmState st) { return st.trainer.forward(st.i++); }
    @Benchmark public float jrnnLstmTrain(LstmState st) { return st.trainer.trainStep(st.i++); }
    @Benchmark public float jrnnGruForward(GruState st) { return st.trainer.forward(st.i++); }
    @Benchmark public float jrnnGruTrain(GruState st) { return st.trainer.trainStep(st.i++); }
    @Benchmark public float dl4jLstmForward(Dl4jState st) { return st.peer.forward(st.i++); }

    @Benchmark
    public int dl4jLstmTrain(Dl4jState st) {
        st.peer.trainStep(st.i++);
        return st.i;
    }
}
