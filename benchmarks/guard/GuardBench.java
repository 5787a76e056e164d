import dev.jrnn.layers.*;
import dev.jrnn.model.*;
import dev.jrnn.tensor.Tensor;
import dev.jrnn.Jrnn;
import java.lang.management.*;

/** predictOnBatch per-call CPU time of a small model, B=1 and B=32: args rounds callsPerRound. */
public class GuardBench {
    public static void main(String[] a) {
        int rounds = Integer.parseInt(a[0]), calls = Integer.parseInt(a[1]);
        Jrnn.setSeed(1);
        Sequential m = new Sequential(Input.shape(10, 8), new LSTM(16), new Dense(4));
        ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        for (int b : new int[] {1, 32}) {
            float[] v = new float[b * 80];
            for (int i = 0; i < v.length; i++) v[i] = (i % 7) * 0.1f;
            Tensor x = Tensor.wrap(v, b, 10, 8);
            for (int i = 0; i < calls; i++) m.predictOnBatch(x);   // warm-up
            StringBuilder sb = new StringBuilder("B=" + b + " us/call:");
            for (int r = 0; r < rounds; r++) {
                long t0 = tb.getCurrentThreadCpuTime();
                for (int i = 0; i < calls; i++) m.predictOnBatch(x);
                sb.append(String.format(" %.2f", (tb.getCurrentThreadCpuTime() - t0) / 1e3 / calls));
            }
            System.out.println(sb);
        }
    }
}
