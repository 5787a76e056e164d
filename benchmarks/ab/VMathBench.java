import dev.jrnn.layers.Activation;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

/**
 * The two public paths through VMath's lane sums, timed by the calling thread's CPU time per call (run
 * with -Djrnn.cpu.threads=1: all work on this thread; the process' CPU time ticks in 10 ms here): {@code softmax}, a predict of Activation("softmax") over 1024 rows of 512 (all softmax), and
 * {@code clip}, an Adam(clipnorm=1) trainOnBatch of Dense(1024) over 1024 features, batch 32 (~1M weights whose
 * squares are summed each step). Args: mode seconds. Prints the median and quartiles after a third of the time's warm-up.
 */
public final class VMathBench {
    public static void main(String[] a) {
        String mode = a[0];
        double secs = Double.parseDouble(a[1]);
        Random r = new Random(1);
        Sequential m;
        Tensor x, y = null;
        if (mode.equals("softmax")) {
            m = new Sequential(new Activation("softmax").inputShape(512));
            x = Tensor.of(gauss(r, 1024 * 512, 3), 1024, 512);
        } else {
            m = new Sequential(new Dense(1024).inputShape(1024));
            m.compile(new Adam(1e-3).clipnorm(1.0), "mse");
            x = Tensor.of(gauss(r, 32 * 1024, 1), 32, 1024);
            y = Tensor.of(gauss(r, 32 * 1024, 1), 32, 1024);
        }
        var tm = ManagementFactory.getThreadMXBean();
        Runnable call = mode.equals("softmax") ? () -> m.predict(x) : trainer(m, x, y);
        long warmEnd = System.nanoTime() + (long) (secs / 3 * 1e9);
        while (System.nanoTime() < warmEnd) call.run();
        double[] cpu = new double[100_000];
        int n = 0;
        long end = System.nanoTime() + (long) (secs * 2 / 3 * 1e9);
        while ((System.nanoTime() < end || n < 20) && n < cpu.length) {
            long c0 = tm.getCurrentThreadCpuTime();
            call.run();
            cpu[n++] = (tm.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        Arrays.sort(cpu, 0, n);
        System.out.printf("%s cpu_ms=%.3f p25=%.3f p75=%.3f n=%d%n", mode, cpu[n / 2], cpu[n / 4], cpu[3 * n / 4], n);
    }

    static Runnable trainer(Sequential m, Tensor x, Tensor y) { return () -> m.trainOnBatch(x, y); }

    static float[] gauss(Random r, int n, double sd) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (r.nextGaussian() * sd);
        return f;
    }
}
