package dev.jrnn.bench.dl4j;

import dev.jrnn.bench.BenchData;
import dev.jrnn.bench.Shapes;

/** Smoke run of the DL4J peer alone: builds it, prints parameters and loss, times a few train steps. */
public final class Dl4jCheck {
    private Dl4jCheck() {}

    public static void main(String[] args) {
        Shapes s = Shapes.parse(args.length > 0 ? args[0] : "32x50x128x128");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        BenchData d = BenchData.random(s, 4, 1);
        Dl4jLstm p = new Dl4jLstm();
        p.setup(s, d, 42);
        p.threads(threads);
        System.out.println(p.describe());
        System.out.println(s + ": params dl4j=" + p.paramCount() + " keras 4H(I+H+1)=" + s.lstmParams());
        System.out.println("loss before: " + p.loss(0));
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            p.trainStep(i);
            long t1 = System.nanoTime();
            if (i % 5 == 4 || i == steps - 1) {
                System.out.printf("step %d: %.2f ms  (%.2f GFLOP/s)%n", i, (t1 - t0) / 1e6,
                        s.trainFlopsWithInputGradient(Shapes.Cell.LSTM) / (t1 - t0));
            }
        }
        System.out.println("loss after: " + p.loss(0));
    }
}
