import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.Trace;
import dev.jrnn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One harness for both sides of an A/B (compiled against each tree by ab.sh): a recurrent layer's train step through
 * the layer API only (API that both trees share): forward, grad = out - y, backward, p -= lr * g. Prints the median
 * ms of forward alone and of the whole step over {@code reps} steps after a warm-up.
 * Args: cell(lstm|gru|rnn) B T I H seconds.
 */
public final class AbStep {
    public static void main(String[] a) {
        String cell = a[0];
        int B = Integer.parseInt(a[1]), T = Integer.parseInt(a[2]), I = Integer.parseInt(a[3]), H = Integer.parseInt(a[4]);
        double secs = Double.parseDouble(a[5]);
        Layer layer = switch (cell) {
            case "lstm" -> new LSTM(H);
            case "gru" -> new GRU(H);
            default -> new SimpleRNN(H);
        };
        dev.jrnn.Jrnn.setSeed(42);   // the same weights in both builds compared (a layer's seed seeds its masks only)
        layer.build(List.of(new int[] {T, I}));
        Backend be = layer.backend();
        ParamStore store = layer.params().get(0).store();
        Random r = new Random(1);
        DTensor[] xs = new DTensor[4];
        DTensor[] ys = new DTensor[4];
        for (int i = 0; i < 4; i++) {
            float[] x = new float[B * T * I], y = new float[B * H];
            for (int j = 0; j < x.length; j++) x[j] = (float) r.nextGaussian();
            for (int j = 0; j < y.length; j++) y[j] = (float) r.nextGaussian() * 0.5f;
            xs[i] = DTensor.from(be, Tensor.wrap(x, B, T, I));
            ys[i] = DTensor.from(be, Tensor.wrap(y, B, H));
        }
        DTensor grad = DTensor.zeros(be, B, H);
        float[] one = new float[1];
        // warm-up: a third of the time
        long warmEnd = System.nanoTime() + (long) (secs / 3 * 1e9);
        int i = 0;
        int warmSteps = Integer.getInteger("ab.warm", 150);
        while (System.nanoTime() < warmEnd || i < warmSteps) step(layer, be, store, xs[i & 3], ys[i & 3], grad, B, H, one, i++);
        java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double[] cpu = new double[100000];
        long proc0 = os.getProcessCpuTime();
        long gc0 = gcCount(), gct0 = gcMillis();
        int n = 0;
        double[] fw = new double[100000], st = new double[100000];
        long end = System.nanoTime() + (long) (secs * 2 / 3 * 1e9);
        int minSteps = Integer.getInteger("ab.steps", 60);
        while ((System.nanoTime() < end || n < minSteps) && n < fw.length) {
            long t0 = System.nanoTime();
            try (Trace tr = layer.forward(List.of(xs[i & 3]), null, false)) {
                be.download(tr.outputs().get(0).buf(), 0, one, 0, 1);
            }
            long t1 = System.nanoTime();
            long c1 = tm.getCurrentThreadCpuTime();
            step(layer, be, store, xs[i & 3], ys[i & 3], grad, B, H, one, i++);
            long t2 = System.nanoTime();
            cpu[n] = (tm.getCurrentThreadCpuTime() - c1) / 1e6;
            fw[n] = (t1 - t0) / 1e6;
            st[n] = (t2 - t1) / 1e6;
            n++;
        }
        double procPerIter = (os.getProcessCpuTime() - proc0) / 1e6 / n;
        double gcPerIter = (gcCount() - gc0) / (double) n, gcMsPerIter = (gcMillis() - gct0) / (double) n;
        Arrays.sort(cpu, 0, n);
        Arrays.sort(fw, 0, n);
        Arrays.sort(st, 0, n);
        System.out.printf("%s %dx%dx%dx%d n=%d forward_ms=%.3f step_ms=%.3f step_p25=%.3f step_p75=%.3f step_thread_cpu_ms=%.3f proc_cpu_ms_per_iter=%.3f gc_per_iter=%.3f gc_ms_per_iter=%.3f%n",
                cell, B, T, I, H, n, fw[n / 2], st[n / 2], st[n / 4], st[3 * n / 4], cpu[n / 2], procPerIter, gcPerIter,
                gcMsPerIter);
    }

    static long gcCount() {
        long c = 0;
        for (var g : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) c += Math.max(0, g.getCollectionCount());
        return c;
    }

    static long gcMillis() {
        long c = 0;
        for (var g : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) c += Math.max(0, g.getCollectionTime());
        return c;
    }

    static void step(Layer layer, Backend be, ParamStore store, DTensor x, DTensor y, DTensor grad, int B, int H,
                     float[] one, int i) {
        store.zeroGrads();
        try (Trace tr = layer.forward(List.of(x), null, true)) {
            Buf out = tr.outputs().get(0).buf();
            be.copy(out, 0, grad.buf(), 0, (long) B * H);
            be.axpy((long) B * H, -1f, y.buf(), 0, grad.buf(), 0);
            tr.backward(List.of(grad));
        }
        be.axpy(store.size(), -1e-4f, store.grads(), 0, store.values(), 0);
        be.download(store.values(), 0, one, 0, 1);
    }
}
