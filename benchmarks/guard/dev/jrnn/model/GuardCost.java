package dev.jrnn.model;

import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import java.lang.management.ManagementFactory;

/** CPU ns per reader enter+exit of a model's guard, one thread (the uncontended serving case). */
public class GuardCost {
    public static void main(String[] a) {
        Sequential m = new Sequential(Input.shape(10, 8), new LSTM(16), new Dense(4));
        CallGuard g = m.setup.guard;
        var tb = ManagementFactory.getThreadMXBean();
        int n = 20_000_000;
        StringBuilder sb = new StringBuilder("ns per mine()+enterRead+exitRead:");
        for (int r = 0; r < 6; r++) {
            long t0 = tb.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                CallGuard.Mine me = g.mine();   // as Inference: one holder per call
                g.enterRead(me, "predict");
                g.exitRead(me);
            }
            sb.append(String.format(" %.1f", (tb.getCurrentThreadCpuTime() - t0) / (double) n));
        }
        System.out.println(sb);
        int threads = a.length > 0 ? Integer.parseInt(a[0]) : 0;   // the same loop on several threads at once: contended
        if (threads > 1) {
            long[] ns = new long[threads];
            Thread[] ts = new Thread[threads];
            for (int k = 0; k < threads; k++) {
                int kk = k;
                ts[k] = new Thread(() -> {
                    long t0 = tb.getCurrentThreadCpuTime();
                    for (int i = 0; i < n; i++) {
                        g.enterRead("predict");
                        g.exitRead();
                    }
                    ns[kk] = tb.getCurrentThreadCpuTime() - t0;
                });
            }
            for (Thread t : ts) t.start();
            for (Thread t : ts) {
                try { t.join(); } catch (InterruptedException e) { throw new RuntimeException(e); }
            }
            StringBuilder c = new StringBuilder(threads + " threads at once, ns per pair per thread:");
            for (long v : ns) c.append(String.format(" %.1f", v / (double) n));
            System.out.println(c);
        }
    }
}
