package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.cuda.PersistentHarness.Seq;
import dev.jrnn.backend.cuda.PersistentRnn.Cell;

import java.util.Arrays;
import java.util.Locale;

/**
 * Times the recurrent part of a sequence (what the persistent kernels replace) on the GPU: the per-step
 * path (T x (GEMM + fused step), RecurrentLayer's loop) against one persistent launch, forward and
 * backward, for the benchmark shapes of benchmarks/NOTES.md. Not a test; run on the GPU machine:
 * {@code .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.backend.cuda.PersistentRnnBench [reps]}.
 * Each number is the median of {@code reps} (default 20) timed runs after 3 warm-up runs; the step
 * path is timed on the host around a synchronize (it is many launches), the persistent path with
 * events. Prints one table row per shape and precision.
 */
public final class PersistentRnnBench {
    private PersistentRnnBench() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (PersistentHarness hx = new PersistentHarness()) {
            System.out.println("device: " + hx.d.deviceName() + ", " + hx.d.multiprocessorCount() + " SMs");
            System.out.println(String.format(Locale.ROOT, "%-5s %-4s %4s %4s %5s | %9s %9s %6s | %9s %9s %6s | %s",
                    "cell", "prec", "B", "T", "H", "step fwd", "pers fwd", "x", "step bwd", "pers bwd", "x", "plans"));
            int[][] shapes = {{64, 100, 512}, {4, 100, 256}, {32, 100, 256}, {128, 50, 128}};
            for (Cell cell : new Cell[] {Cell.LSTM, Cell.GRU, Cell.RNN}) {
                for (int[] sh : shapes) {
                    for (Precision p : Precision.values()) {
                        if (cell != Cell.LSTM && p != Precision.FP32) continue;
                        row(hx, cell, p, sh[0], sh[1], sh[2], reps);
                    }
                }
            }
            // Hand-made splits of the two target shapes: data to calibrate PersistentRnn's cost model.
            System.out.println("splits (LSTM fp32, us per step; * = the planner's choice):");
            splits(hx, 64, 100, 512, reps, new int[][] {{16, 16, 512}, {16, 16, 256}, {16, 16, 128}, {8, 32, 256},
                    {4, 64, 512}, {4, 64, 128}}, new int[][] {{16, 16, 528}, {16, 16, 256}, {8, 32, 512}, {8, 32, 256}});
            splits(hx, 4, 100, 256, reps, new int[][] {{4, 4, 256}, {8, 4, 256}, {12, 4, 256}, {16, 4, 256},
                    {32, 4, 256}, {8, 2, 256}}, new int[][] {{4, 4, 1024}, {8, 4, 1024}, {16, 4, 1024}, {8, 2, 1024},
                    {20, 1, 1024}, {32, 4, 1024}});
        }
    }

    /** Times forward and backward of LSTM fp32 for each split {slice, batch rows, K chunk} that fits. */
    static void splits(PersistentHarness hx, int b, int t, int h, int reps, int[][] fwd, int[][] bwd) {
        Activation act = Activation.TANH, rec = Activation.SIGMOID;
        PersistentRnn.Device dev = PersistentRnn.Device.of(hx.d);
        try (Seq s = hx.new Seq(Cell.LSTM, act, rec, t, b, h, true, false, true, true, 0, 43)) {
            hx.be.setPrecision(Precision.FP32);
            s.stepForward();
            hx.be.synchronize();
            for (int dir = 0; dir < 2; dir++) {
                boolean back = dir == 1;
                PersistentRnn.Plan chosen = hx.pr.planFor(Cell.LSTM, back, b, h, Precision.FP32, act, rec);
                for (int[] sp : back ? bwd : fwd) {
                    PersistentRnn.Plan pl;
                    try {
                        pl = PersistentRnn.manualPlan(Cell.LSTM, back, Precision.FP32, b, h, sp[0], sp[1], sp[2],
                                PersistentRnn.THREADS);
                    } catch (IllegalArgumentException e) {
                        continue;
                    }
                    if (pl.sharedBytes() > dev.maxSharedPerBlock() || pl.ctas() > dev.multiprocessors()) continue;
                    if (!(back ? s.launchBackward(pl) : s.launchForward(pl))) continue;  // not co-resident
                    double ms = eventMedian(hx, reps, back ? () -> s.launchBackward(pl) : () -> s.launchForward(pl));
                    boolean mark = chosen != null && chosen.slice() == pl.slice() && chosen.batchGroup() == pl.batchGroup()
                            && chosen.chunk() == pl.chunk();
                    System.out.println(String.format(Locale.ROOT, "  B=%-3d H=%-4d %s %s %7.2f us/step  model %6.0f cycles  %s",
                            b, h, back ? "bwd" : "fwd", mark ? "*" : " ", ms * 1000 / t, pl.stepCycles(), pl));
                }
            }
        }
    }

    static void row(PersistentHarness hx, Cell cell, Precision p, int b, int t, int h, int reps) {
        Activation act = Activation.TANH, rec = cell == Cell.RNN ? Activation.LINEAR : Activation.SIGMOID;
        try (Seq s = hx.new Seq(cell, act, rec, t, b, h, true, false, true, true, 0, 42)) {
            hx.be.setPrecision(p);
            double sf = hostMedian(hx, reps, s::stepForward);
            double sb = hostMedian(hx, reps, s::stepBackward);
            PersistentRnn.Plan pf = hx.pr.planFor(cell, false, b, h, p, act, rec);
            PersistentRnn.Plan pb = hx.pr.planFor(cell, true, b, h, p, act, rec);
            double pfw = Double.NaN, pbw = Double.NaN;
            if (pf != null && pb != null) {
                s.stepForward();  // backward reads the step path's forward buffers
                hx.be.synchronize();
                if (s.launchForward(p)) pfw = eventMedian(hx, reps, () -> s.launchForward(p));
                if (s.launchBackward(p)) pbw = eventMedian(hx, reps, () -> s.launchBackward(p));
            }
            System.out.println(String.format(Locale.ROOT, "%-5s %-4s %4d %4d %5d | %7.3fms %7.3fms %5.2fx | %7.3fms %7.3fms %5.2fx | %s / %s",
                    cell.id(), p.name().toLowerCase(Locale.ROOT), b, t, h, sf, pfw, pfw / sf, sb, pbw, pbw / sb,
                    pf == null ? "-" : pf.gridX() + "x" + pf.gridY() + "/" + pf.chunk(),
                    pb == null ? "-" : pb.gridX() + "x" + pb.gridY() + "/" + pb.chunk()));
        }
    }

    /** Median wall time in ms of {@code body} followed by a synchronize, after 3 warm-up runs. */
    static double hostMedian(PersistentHarness hx, int reps, Runnable body) {
        for (int i = 0; i < 3; i++) body.run();
        hx.be.synchronize();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            hx.be.synchronize();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }

    /** Median device time in ms of the persistent launch {@code body} on the harness stream, by events. */
    static double eventMedian(PersistentHarness hx, int reps, Runnable body) {
        long e0 = hx.d.eventCreate(), e1 = hx.d.eventCreate();
        try {
            for (int i = 0; i < 3; i++) body.run();
            hx.d.streamSynchronize(hx.stream);
            double[] ms = new double[reps];
            for (int i = 0; i < reps; i++) {
                hx.d.eventRecord(e0, hx.stream);
                body.run();
                hx.d.eventRecord(e1, hx.stream);
                hx.d.streamSynchronize(hx.stream);
                ms[i] = hx.d.eventElapsedMs(e0, e1);
            }
            Arrays.sort(ms);
            return ms[reps / 2];
        } finally {
            hx.d.eventDestroy(e0);
            hx.d.eventDestroy(e1);
        }
    }
}
