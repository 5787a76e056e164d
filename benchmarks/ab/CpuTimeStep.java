import dev.jrnn.bench.BenchData;
import dev.jrnn.bench.JrnnTrainer;
import dev.jrnn.bench.Shapes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * jrnn's train step (JrnnTrainer: forward, MSE on the last output, BPTT, Adam) timed by the CPU time of the
 * calling thread, for runs with {@code -Djrnn.cpu.threads=1} (all work on this thread): a per-core figure that
 * a loaded machine disturbs far less than wall time. Beside it torch_cputime.py times PyTorch's step with
 * one thread by process CPU time. Args: cell(lstm|gru|simple_rnn) BxTxIxH steps. Prints one line.
 */
public final class CpuTimeStep {
    public static void main(String[] a) {
        Shapes.Cell cell = switch (a[0]) {
            case "lstm" -> Shapes.Cell.LSTM;
            case "gru" -> Shapes.Cell.GRU;
            default -> Shapes.Cell.SIMPLE_RNN;
        };
        Shapes s = Shapes.parse(a[1]);
        int steps = Integer.parseInt(a[2]);
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        try (JrnnTrainer t = new JrnnTrainer(cell, s, BenchData.random(s, 4, 1), 42)) {
            int k = 0;
            for (; k < Math.max(20, steps); k++) t.trainStep(k & 3);   // warm-up
            double[] cpu = new double[steps], wall = new double[steps];
            for (int i = 0; i < steps; i++, k++) {
                long c0 = tm.getCurrentThreadCpuTime(), w0 = System.nanoTime();
                t.trainStep(k & 3);
                cpu[i] = (tm.getCurrentThreadCpuTime() - c0) / 1e6;
                wall[i] = (System.nanoTime() - w0) / 1e6;
            }
            Arrays.sort(cpu);
            Arrays.sort(wall);
            System.out.printf("jrnn %s %s cpu_ms=%.3f cpu_p25=%.3f cpu_p75=%.3f wall_ms=%.3f n=%d%n", a[0], a[1],
                    cpu[steps / 2], cpu[steps / 4], cpu[3 * steps / 4], wall[steps / 2], steps);
        }
    }
}
