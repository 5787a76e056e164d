package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.cuda.PersistentHarness.Seq;
import dev.jrnn.backend.cuda.PersistentRnn.Cell;

import java.util.Arrays;
import java.util.Locale;

/**
 * Times the recurrent part of a sequence (what the persistent kernels replace) on the GPU: the per-step
 * path (T x (GEMM + fused step), RecurrentLayer's loop) against one persistent launch (CUDA-core and
 * tensor-core kernels), forward and backward, for the benchmark shapes of benchmarks/NOTES.md, then
 * hand-made splits of the two target shapes. Not a test; run on the GPU machine:
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
            System.out.println("recurrent part of one sequence, ms (x = persistent / step path); ffma = CUDA-core kernels,"
                    + " tc = tensor-core kernels (3xTF32 in fp32)");
            System.out.println(String.format(Locale.ROOT, "%-5s %-4s %4s %4s %5s | %8s %8s %8s %6s | %8s %8s %8s %6s",
                    "cell", "prec", "B", "T", "H", "step fwd", "ffma", "tc", "best x", "step bwd", "ffma", "tc", "best x"));
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
            // {slice, batch rows, K chunk, tensor cores (1)}
            System.out.println("splits (LSTM fp32, us per step; * = the planner's choice):");
            splits(hx, 64, 100, 512, reps,
                    new int[][] {{16, 16, 512, 0}, {16, 16, 256, 0}, {16, 16, 128, 0}, {8, 32, 256, 0}, {4, 64, 512, 0},
                            {16, 16, 512, 1}, {16, 16, 256, 1}, {8, 32, 256, 1}, {8, 64, 512, 1}},
                    new int[][] {{16, 16, 528, 0}, {16, 16, 256, 0}, {8, 32, 512, 0}, {8, 32, 256, 0},
                            {16, 16, 512, 1}, {16, 16, 256, 1}, {8, 32, 512, 1}});
            splits(hx, 4, 100, 256, reps,
                    new int[][] {{4, 4, 256, 0}, {8, 4, 256, 0}, {12, 4, 256, 0}, {16, 4, 256, 0}, {32, 4, 256, 0},
                            {8, 2, 256, 0}, {8, 4, 256, 1}, {16, 4, 256, 1}, {32, 4, 256, 1}},
                    new int[][] {{4, 4, 1024, 0}, {8, 4, 1024, 0}, {16, 4, 1024, 0}, {8, 2, 1024, 0}, {20, 1, 1024, 0},
                            {32, 4, 1024, 0}, {8, 4, 1024, 1}, {16, 4, 1024, 1}, {8, 1, 1024, 1}});
        }
    }

    static void row(PersistentHarness hx, Cell cell, Precision p, int b, int t, int h, int reps) {
        Activation act = Activation.TANH, rec = cell == Cell.RNN ? Activation.LINEAR : Activation.SIGMOID;
        try (Seq s = hx.new Seq(cell, act, rec, t, b, h, true, false, true, true, 0, 42)) {
            hx.be.setPrecision(p);
            double sf = hostMedian(hx, reps, s::stepForward);
            double sb = hostMedian(hx, reps, s::stepBackward);
            s.stepForward();  // backward reads the step path's forward buffers
            hx.be.synchronize();
            double[] f = new double[2], bw = new double[2];
            String[] plans = new String[2];
            PersistentRnn.Variant[] vs = {PersistentRnn.Variant.FFMA, PersistentRnn.Variant.TENSOR_CORES};
            for (int v = 0; v < 2; v++) {
                hx.pr.setVariant(vs[v]);
                f[v] = bw[v] = Double.NaN;
                PersistentRnn.Plan pf = hx.pr.planFor(cell, false, b, h, p, act, rec);
                PersistentRnn.Plan pb = hx.pr.planFor(cell, true, b, h, p, act, rec);
                plans[v] = (pf == null ? "-" : pf.gridX() + "x" + pf.gridY() + "/" + pf.chunk()) + ","
                        + (pb == null ? "-" : pb.gridX() + "x" + pb.gridY() + "/" + pb.chunk());
                if (pf != null && s.launchForward(p)) f[v] = eventMedian(hx, reps, () -> s.launchForward(p));
                if (pb != null && s.launchBackward(p)) bw[v] = eventMedian(hx, reps, () -> s.launchBackward(p));
            }
            hx.pr.setVariant(PersistentRnn.defaultVariant());
            double bf = Math.min(nanToInf(f[0]), nanToInf(f[1])), bb = Math.min(nanToInf(bw[0]), nanToInf(bw[1]));
            System.out.println(String.format(Locale.ROOT,
                    "%-5s %-4s %4d %4d %5d | %8.3f %8.3f %8.3f %5.2fx | %8.3f %8.3f %8.3f %5.2fx | ffma %s tc %s",
                    cell.id(), p.name().toLowerCase(Locale.ROOT), b, t, h, sf, f[0], f[1], bf / sf, sb, bw[0], bw[1], bb / sb,
                    plans[0], plans[1]));
        }
    }

    static double nanToInf(double v) { return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v; }

    /** Times forward and backward of LSTM fp32 for each split {slice, batch rows, K chunk, tc} that fits. */
    static void splits(PersistentHarness hx, int b, int t, int h, int reps, int[][] fwd, int[][] bwd) {
        Activation act = Activation.TANH, rec = Activation.SIGMOID;
        PersistentRnn.Device dev = PersistentRnn.Device.of(hx.d);
        try (Seq s = hx.new Seq(Cell.LSTM, act, rec, t, b, h, true, false, true, true, 0, 43)) {
            hx.be.setPrecision(Precision.FP32);
            s.stepForward();
            hx.be.synchronize();
            for (int dir = 0; dir < 2; dir++) {
                boolean back = dir == 1;
                PersistentRnn.Plan chosen = PersistentRnn.plan(Cell.LSTM, back, b, h, Precision.FP32, act, rec, dev);
                for (int[] sp : back ? bwd : fwd) {
                    PersistentRnn.Plan pl;
                    try {
                        pl = PersistentRnn.manualPlan(Cell.LSTM, back, Precision.FP32, b, h, sp[0], sp[1], sp[2],
                                PersistentRnn.THREADS, sp[3] == 1);
                    } catch (IllegalArgumentException e) {
                        continue;
                    }
                    if (pl.sharedBytes() > dev.maxSharedPerBlock() || pl.ctas() > dev.multiprocessors()) continue;
                    if (!(back ? s.launchBackward(pl) : s.launchForward(pl))) continue;  // not co-resident
                    double ms = eventMedian(hx, reps, back ? () -> s.launchBackward(pl) : () -> s.launchForward(pl));
                    boolean mark = chosen != null && chosen.slice() == pl.slice() && chosen.batchGroup() == pl.batchGroup()
                            && chosen.chunk() == pl.chunk() && chosen.tensorCores() == pl.tensorCores();
                    System.out.println(String.format(Locale.ROOT, "  B=%-3d H=%-4d %s %s %7.2f us/step  model %6.0f cycles  %s",
                            b, h, back ? "bwd" : "fwd", mark ? "*" : " ", ms * 1000 / t, pl.stepCycles(), pl));
                }
            }
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
