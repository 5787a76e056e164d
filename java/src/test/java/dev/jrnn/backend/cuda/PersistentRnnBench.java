package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.cuda.PersistentHarness.Seq;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cuda.PersistentRnn.Device;
import dev.jrnn.backend.cuda.PersistentRnn.Plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * Times the recurrent part of a sequence (what the persistent kernels replace) on the GPU, in us per step: the
 * per-step path (T x (GEMM + fused step), RecurrentLayer's loop) and one persistent launch per plan, forward and
 * backward, to calibrate {@link PersistentRnn#stepCycles}' cost model (PersistentModelFit). Not a test; run on the
 * GPU machine (ci/gpu-all.sh does, with reps = 10):
 * {@code .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.backend.cuda.PersistentRnnBench [reps]}.
 *
 * <p>Sections, in order:
 * <ul>
 * <li><b>picks</b>: for every shape of {@link #SHAPES} (the 20 rows of the old table, then 8 shapes the v2.1
 *     model only predicted) and both directions, the plans of {@link #selection}: the planner's AUTO pick, the
 *     model's best plan of the other variant (FFMA / tensor cores), and the next {@link #RUNNERS_UP} grids by model
 *     cost; and the step path.</li>
 * <li><b>splits</b>: hand-made LSTM fp32 splits of the two target shapes (chunk sizes the planner never
 *     considers).</li>
 * <li>a summary table per shape (step path, AUTO pick measured and predicted, fastest measured FFMA and tensor-core
 *     plan, the host cost of one {@link PersistentRnn#plan} call).</li>
 * </ul>
 *
 * <p><b>Timing.</b> Every configuration gets its own warm-up right before it is timed: untimed runs of exactly
 * that kernel and split (or of the step path), each followed by a synchronize as the timed runs are, until the
 * last {@link #WARM_WINDOW} runs' median is within {@link #WARM_TOLERANCE} of the {@link #WARM_WINDOW} before
 * (and at least {@link #WARM_MIN_MS} ms passed), at most {@link #WARM_MAX_MS} ms; see {@link #warm}. Then the
 * median of {@code reps} runs (default 20). Persistent launches are timed with events around the launch of a plan
 * computed beforehand (the layer's entry point plans on every call, which an idle GPU would wait for inside the
 * events: that host cost is the summary's "plan us"); the step path (many launches) on the host around a
 * synchronize. So the order of the rows does not matter (the old table read 3-17% slower than the splits for the
 * same split, most for the variant timed first; benchmarks/NOTES.md, Version 2.1).
 *
 * <p><b>Data lines</b> (what {@code PersistentModelFit import <run> <log>} turns into rows of persist-h200.csv):
 * one line per timed configuration, printed as soon as it is timed, starting at column 0 with {@code plan} or
 * {@code step}, then the section, cell, precision and direction, then {@code key=value} fields:
 * <pre>
 * plan picks lstm fp32 fwd B=64 H=512 T=100 variant=ffma grid=32x4 slice=16 rows=16 chunk=256 measured=9.581 model=9.738 role=auto rank=1 warm=12.3
 * step picks lstm fp32 fwd B=64 H=512 T=100 measured=18.800 warm=41.0
 * </pre>
 * measured = median us per step (ms x 1000 / T); model = the cost model's prediction, {@link Plan#stepCycles}
 * at {@link PersistentRnn#H200_FIT}'s clock; grid = gridX x gridY, slice = units per CTA, rows = batch rows per
 * CTA, chunk = staged K chunk; role = auto (the planner's AUTO pick), ffma / tc (the model's best plan of that
 * variant, when not the pick), next (a runner-up), hand (a hand-made split), chosen (a hand-made split that is the
 * pick); rank = position in the model's order of every candidate the planner considers (1 = the pick; 0 = not a
 * candidate); warm = ms of warm-up. Plans that cannot be launched (not co-resident) print a {@code #} line.
 * All rows: tanh activation, sigmoid recurrent (RNN: linear), initial state, no mask, dy and dhT given.
 */
public final class PersistentRnnBench {
    private PersistentRnnBench() {}

    /** One benchmark shape: cell, precision, batch, steps, units. */
    record Shape(RecurrentCell cell, Precision precision, int batch, int steps, int units) {
        Activation recAct() { return cell == RecurrentCell.SIMPLE_RNN ? Activation.LINEAR : Activation.SIGMOID; }

        String label() {
            return String.format(Locale.ROOT, "%s %s B=%d H=%d T=%d", cell.id(), prec(precision), batch, units, steps);
        }
    }

    /**
     * The picks section's shapes: the 20 rows of the old table (LSTM in every precision, GRU and RNN in fp32, at
     * B=64 H=512, B=4 H=256, B=32 H=256, B=128 H=128 T=50), then the shapes NOTES.md lists as predictions (v2.1).
     */
    static final List<Shape> SHAPES = shapes();

    private static List<Shape> shapes() {
        List<Shape> out = new ArrayList<>();
        int[][] table = {{64, 100, 512}, {4, 100, 256}, {32, 100, 256}, {128, 50, 128}};
        for (RecurrentCell cell : new RecurrentCell[] {RecurrentCell.LSTM, RecurrentCell.GRU, RecurrentCell.SIMPLE_RNN}) {
            for (int[] sh : table) {
                for (Precision p : Precision.values()) {
                    if (cell != RecurrentCell.LSTM && p != Precision.FP32) continue;
                    out.add(new Shape(cell, p, sh[0], sh[1], sh[2]));
                }
            }
        }
        out.add(new Shape(RecurrentCell.LSTM, Precision.FP32, 1, 100, 256));
        out.add(new Shape(RecurrentCell.LSTM, Precision.FP32, 16, 100, 512));
        out.add(new Shape(RecurrentCell.LSTM, Precision.TF32, 16, 100, 512));
        out.add(new Shape(RecurrentCell.LSTM, Precision.FP32, 32, 100, 512));
        out.add(new Shape(RecurrentCell.LSTM, Precision.BF16, 32, 100, 1024));
        out.add(new Shape(RecurrentCell.GRU, Precision.FP32, 8, 100, 384));
        out.add(new Shape(RecurrentCell.GRU, Precision.FP32, 32, 100, 512));
        out.add(new Shape(RecurrentCell.SIMPLE_RNN, Precision.FP32, 32, 100, 1024));
        return List.copyOf(out);
    }

    /** Hand-made LSTM fp32 splits {slice, batch rows, K chunk, tensor cores (1)} of the two target shapes. */
    record HandSplits(int batch, int steps, int units, int[][] forward, int[][] backward) {}

    static final List<HandSplits> HAND_SPLITS = List.of(
            new HandSplits(64, 100, 512,
                    new int[][] {{16, 16, 512, 0}, {16, 16, 256, 0}, {16, 16, 128, 0}, {8, 32, 256, 0}, {4, 64, 512, 0},
                            {16, 16, 512, 1}, {16, 16, 256, 1}, {8, 32, 256, 1}, {8, 64, 512, 1}},
                    new int[][] {{16, 16, 528, 0}, {16, 16, 256, 0}, {8, 32, 512, 0}, {8, 32, 256, 0},
                            {16, 16, 512, 1}, {16, 16, 256, 1}, {8, 32, 512, 1}}),
            new HandSplits(4, 100, 256,
                    new int[][] {{4, 4, 256, 0}, {8, 4, 256, 0}, {12, 4, 256, 0}, {16, 4, 256, 0}, {32, 4, 256, 0},
                            {8, 2, 256, 0}, {8, 4, 256, 1}, {16, 4, 256, 1}, {32, 4, 256, 1}},
                    new int[][] {{4, 4, 1024, 0}, {8, 4, 1024, 0}, {16, 4, 1024, 0}, {8, 2, 1024, 0}, {20, 1, 1024, 0},
                            {32, 4, 1024, 0}, {8, 4, 1024, 1}, {16, 4, 1024, 1}, {8, 1, 1024, 1}}));

    // ------------------------------------------------------------------------------- which plans to time (no GPU)

    /** Runner-up grids timed per shape and direction, after the pick and the other variant's best. */
    static final int RUNNERS_UP = 2;

    /**
     * Every plan {@link PersistentRnn#plan} weighs for this shape on {@code dev} (both variants, 256 threads), in
     * the model's order: cheaper first, then fewer CTAs, then the planner's enumeration order. The first is the
     * planner's AUTO pick, the first FFMA / tensor-core one its FFMA / TENSOR_CORES pick
     * (PersistentRnnBenchTest checks both; the splits are the planner's own, PersistentRnn.candidates).
     */
    static List<Plan> candidates(RecurrentCell cell, boolean bwd, int batch, int units, Precision p, Device dev) {
        List<Plan> out = new ArrayList<>(PersistentRnn.candidates(cell, bwd, batch, units, p, Activation.TANH,
                Activation.SIGMOID, dev, PersistentRnn.THREADS, PersistentRnn.Variant.AUTO));
        out.sort(Comparator.comparingDouble(Plan::stepCycles).thenComparingInt(Plan::ctas));  // stable
        return out;
    }

    /** A plan to time, its role (auto, ffma, tc, next) and its rank in {@link #candidates} (1 = the pick). */
    record Pick(Plan plan, String role, int rank) {}

    /**
     * The plans the picks section times for one shape and direction, in this order: the planner's AUTO pick
     * ("auto"); the model's best plan of the other variant ("ffma" or "tc"; with the pick, the best FFMA and the
     * best tensor-core plan are both timed); then the {@link #RUNNERS_UP} cheapest candidates by model cost whose
     * grid (variant, slice, rows) is not yet timed ("next"). Empty when the path does not fit. A pure function of
     * the shape and the device.
     */
    static List<Pick> selection(RecurrentCell cell, boolean bwd, int batch, int units, Precision p, Device dev) {
        List<Plan> ranked = candidates(cell, bwd, batch, units, p, dev);
        List<Pick> out = new ArrayList<>();
        if (ranked.isEmpty()) return out;
        out.add(new Pick(ranked.get(0), "auto", 1));
        for (boolean tc : new boolean[] {false, true}) {
            for (int i = 0; i < ranked.size(); i++) {
                Plan c = ranked.get(i);
                if (c.tensorCores() != tc) continue;
                if (!sameSplit(c, ranked.get(0))) out.add(new Pick(c, tc ? "tc" : "ffma", i + 1));
                break;
            }
        }
        int next = 0;
        for (int i = 1; i < ranked.size() && next < RUNNERS_UP; i++) {
            Plan c = ranked.get(i);
            if (out.stream().anyMatch(o -> sameGrid(o.plan(), c))) continue;
            out.add(new Pick(c, "next", i + 1));
            next++;
        }
        return out;
    }

    static boolean sameGrid(Plan a, Plan b) {
        return a.tensorCores() == b.tensorCores() && a.slice() == b.slice() && a.batchGroup() == b.batchGroup();
    }

    static boolean sameSplit(Plan a, Plan b) { return sameGrid(a, b) && a.chunk() == b.chunk(); }

    /** Position of {@code p}'s split in {@link #candidates} (1-based), 0 when the planner never weighs it. */
    static int rank(Plan p, List<Plan> ranked) {
        for (int i = 0; i < ranked.size(); i++) if (sameSplit(ranked.get(i), p)) return i + 1;
        return 0;
    }

    /** The hand-made split as a plan, or null when the kernel would refuse it or it does not fit {@code dev}. */
    static Plan handPlan(boolean bwd, int batch, int units, int[] sp, Device dev) {
        Plan pl;
        try {
            pl = PersistentRnn.manualPlan(RecurrentCell.LSTM, bwd, Precision.FP32, batch, units, sp[0], sp[1], sp[2],
                    PersistentRnn.THREADS, sp[3] == 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return pl.sharedBytes() > dev.maxSharedPerBlock() || pl.ctas() > dev.multiprocessors() ? null : pl;
    }

    // ------------------------------------------------------------------------------- data lines (no GPU)

    /** The cost model's time of one step of {@code p}, in us. */
    static double modelUs(Plan p) { return PersistentCostModel.H200_FIT.micros(p.stepCycles()); }

    static String prec(Precision p) { return p.name().toLowerCase(Locale.ROOT); }

    /** The data line of one timed plan (format: class Javadoc). */
    static String planLine(String section, Plan p, int steps, double measuredUs, String role, int rank, double warmMs) {
        return String.format(Locale.ROOT, "plan %s %s %s %s B=%d H=%d T=%d variant=%s grid=%dx%d slice=%d rows=%d "
                        + "chunk=%d measured=%.3f model=%.3f role=%s rank=%d warm=%.1f",
                section, p.cell().id(), prec(p.precision()), p.backward() ? "bwd" : "fwd", p.batch(), p.units(), steps,
                p.tensorCores() ? "tc" : "ffma", p.gridX(), p.gridY(), p.slice(), p.batchGroup(), p.chunk(), measuredUs,
                modelUs(p), role, rank, warmMs);
    }

    /** The data line of one timed step path (format: class Javadoc). */
    static String stepLine(String section, Shape s, boolean bwd, double measuredUs, double warmMs) {
        return String.format(Locale.ROOT, "step %s %s %s %s B=%d H=%d T=%d measured=%.3f warm=%.1f", section,
                s.cell().id(), prec(s.precision()), bwd ? "bwd" : "fwd", s.batch(), s.units(), s.steps(), measuredUs,
                warmMs);
    }

    // ------------------------------------------------------------------------------- warm-up rule (no GPU)

    /** Runs compared per window by the warm-up rule. */
    static final int WARM_WINDOW = 4;
    /** Relative difference of the two windows' medians below which a configuration counts as warm. */
    static final double WARM_TOLERANCE = 0.02;
    /** Least warm-up per configuration, ms of wall time. */
    static final double WARM_MIN_MS = 10;
    /** Most warm-up per configuration, ms of wall time (then it is timed as it is). */
    static final double WARM_MAX_MS = 40;

    /**
     * Whether a configuration is warm after the untimed runs {@code times} (ms each, oldest first) that took
     * {@code elapsedMs} in all: at least 2 x {@link #WARM_WINDOW} runs and {@link #WARM_MIN_MS} ms, and the median
     * of the last window within {@link #WARM_TOLERANCE} of the window before (a clock still ramping, a cold L2 or
     * a JIT still compiling the host side shows as a trend); or {@link #WARM_MAX_MS} ms spent.
     */
    static boolean warm(List<Double> times, double elapsedMs) {
        if (elapsedMs >= WARM_MAX_MS) return true;
        int n = times.size();
        if (n < 2 * WARM_WINDOW || elapsedMs < WARM_MIN_MS) return false;
        double last = median(times.subList(n - WARM_WINDOW, n));
        double before = median(times.subList(n - 2 * WARM_WINDOW, n - WARM_WINDOW));
        return Math.abs(last - before) <= WARM_TOLERANCE * last;
    }

    static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /** Median of {@code reps} timed runs (ms) after the warm-up, and the warm-up's wall time (ms). */
    record Timing(double medianMs, double warmMs, int warmRuns) {}

    /** Warms {@code once} (one run, its time in ms) up by {@link #warm}, then the median of {@code reps} runs. */
    static Timing time(int reps, DoubleSupplier once) {
        List<Double> w = new ArrayList<>();
        long t0 = System.nanoTime();
        double elapsed;
        do {
            w.add(once.getAsDouble());
            elapsed = (System.nanoTime() - t0) / 1e6;
        } while (!warm(w, elapsed));
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) ms[i] = once.getAsDouble();
        Arrays.sort(ms);
        return new Timing(ms[reps / 2], elapsed, w.size());
    }

    // ------------------------------------------------------------------------------- GPU time estimate (no GPU)

    /** Step path, us per step for the estimate (runs 3-4 measured 8-25 at these shapes, launch-bound). */
    static final double STEP_US_ESTIMATE = 25;
    /** Per persistent run: launch, two events and a synchronize, ms, for the estimate. */
    static final double LAUNCH_MS_ESTIMATE = 0.03;

    /**
     * Device time of the whole bench at {@code reps} on {@code dev}, s: {typical, worst}. Typical: every warm-up
     * settles at its minimum ({@link #WARM_MIN_MS} or 2 x {@link #WARM_WINDOW} runs); worst: every warm-up runs to
     * {@link #WARM_MAX_MS}. Run times from the cost model (persistent) and {@link #STEP_US_ESTIMATE}; start-up
     * (JVM, CUDA context, module load, ~5 s) and the host-side set-up of the sequences not included.
     */
    static double[] estimateSeconds(int reps, Device dev) {
        double typical = 0, worst = 0;
        List<Double> runs = new ArrayList<>();
        for (Shape s : SHAPES) {
            for (boolean bwd : new boolean[] {false, true}) {
                for (Pick pk : selection(s.cell(), bwd, s.batch(), s.units(), s.precision(), dev)) {
                    runs.add(modelUs(pk.plan()) * s.steps() / 1000 + LAUNCH_MS_ESTIMATE);
                }
                runs.add(STEP_US_ESTIMATE * s.steps() / 1000);
            }
        }
        for (HandSplits h : HAND_SPLITS) {
            for (boolean bwd : new boolean[] {false, true}) {
                for (int[] sp : bwd ? h.backward() : h.forward()) {
                    Plan pl = handPlan(bwd, h.batch(), h.units(), sp, dev);
                    if (pl != null) runs.add(modelUs(pl) * h.steps() / 1000 + LAUNCH_MS_ESTIMATE);
                }
            }
        }
        for (double run : runs) {
            typical += Math.max(WARM_MIN_MS, 2 * WARM_WINDOW * run) + reps * run;
            worst += Math.max(WARM_MAX_MS + run, 2 * WARM_WINDOW * run) + reps * run;
        }
        return new double[] {typical / 1000, worst / 1000};
    }

    // ------------------------------------------------------------------------------- on the GPU

    /** One timed configuration of the picks section, for the summary. */
    record Measured(Shape shape, boolean backward, Pick pick, double us) {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (PersistentHarness hx = new PersistentHarness()) {
            Device dev = Device.of(hx.d);
            double[] est = estimateSeconds(reps, dev);
            System.out.println("device: " + hx.d.deviceName() + ", " + hx.d.multiprocessorCount() + " SMs, " + dev);
            System.out.println(String.format(Locale.ROOT, "reps %d; warm-up per configuration: until 2 windows of %d runs"
                            + " agree within %.0f%% (at least %.0f ms, at most %.0f ms); estimated device time %.0f s"
                            + " (at most %.0f s) + start-up", reps, WARM_WINDOW, 100 * WARM_TOLERANCE, WARM_MIN_MS,
                    WARM_MAX_MS, est[0], est[1]));
            System.out.println("data lines: plan|step section cell precision direction key=value..., us per step;"
                    + " model = PersistentCostModel.H200_FIT (see PersistentRnnBench's Javadoc)");
            List<Measured> all = new ArrayList<>();
            for (Shape s : SHAPES) all.addAll(picks(hx, s, dev, reps));
            splits(hx, dev, reps);
            summary(all, dev);
        }
    }

    /** Times the step path and the {@link #selection} of one shape, both directions; prints a data line each. */
    static List<Measured> picks(PersistentHarness hx, Shape sh, Device dev, int reps) {
        List<Measured> out = new ArrayList<>();
        int t = sh.steps();
        try (Seq s = hx.new Seq(sh.cell(), Activation.TANH, sh.recAct(), t, sh.batch(), sh.units(), true, false, true,
                true, 0, 42)) {
            hx.be.setPrecision(sh.precision());
            s.stepForward();  // backward reads the step path's forward buffers
            hx.be.synchronize();
            for (boolean bwd : new boolean[] {false, true}) {
                for (Pick pk : selection(sh.cell(), bwd, sh.batch(), sh.units(), sh.precision(), dev)) {
                    Plan pl = pk.plan();
                    BooleanSupplier launch = bwd ? () -> s.launchBackward(pl) : () -> s.launchForward(pl);
                    Timing tm = persistent(hx, reps, launch);
                    if (tm == null) {
                        System.out.println("# not launched (not co-resident): " + pl);
                        continue;
                    }
                    double us = tm.medianMs() * 1000 / t;
                    System.out.println(planLine("picks", pl, t, us, pk.role(), pk.rank(), tm.warmMs()));
                    out.add(new Measured(sh, bwd, pk, us));
                }
            }
            Timing f = step(hx, reps, s::stepForward);
            System.out.println(stepLine("picks", sh, false, f.medianMs() * 1000 / t, f.warmMs()));
            out.add(new Measured(sh, false, null, f.medianMs() * 1000 / t));
            Timing b = step(hx, reps, s::stepBackward);  // the step forward's buffers are still in place
            System.out.println(stepLine("picks", sh, true, b.medianMs() * 1000 / t, b.warmMs()));
            out.add(new Measured(sh, true, null, b.medianMs() * 1000 / t));
        }
        return out;
    }

    /** Times the hand-made LSTM fp32 splits of {@link #HAND_SPLITS} that fit; a data line each. */
    static void splits(PersistentHarness hx, Device dev, int reps) {
        Activation act = Activation.TANH, rec = Activation.SIGMOID;
        for (HandSplits h : HAND_SPLITS) {
            int t = h.steps();
            try (Seq s = hx.new Seq(RecurrentCell.LSTM, act, rec, t, h.batch(), h.units(), true, false, true, true, 0, 43)) {
                hx.be.setPrecision(Precision.FP32);
                s.stepForward();
                hx.be.synchronize();
                for (boolean bwd : new boolean[] {false, true}) {
                    List<Plan> ranked = candidates(RecurrentCell.LSTM, bwd, h.batch(), h.units(), Precision.FP32, dev);
                    for (int[] sp : bwd ? h.backward() : h.forward()) {
                        Plan pl = handPlan(bwd, h.batch(), h.units(), sp, dev);
                        if (pl == null) continue;
                        Timing tm = persistent(hx, reps, bwd ? () -> s.launchBackward(pl) : () -> s.launchForward(pl));
                        if (tm == null) {
                            System.out.println("# not launched (not co-resident): " + pl);
                            continue;
                        }
                        int rank = rank(pl, ranked);
                        System.out.println(planLine("splits", pl, t, tm.medianMs() * 1000 / t, rank == 1 ? "chosen" : "hand",
                                rank, tm.warmMs()));
                    }
                }
            }
        }
    }

    /** Event-timed persistent launch with its own warm-up, or null when it cannot be launched. */
    static Timing persistent(PersistentHarness hx, int reps, BooleanSupplier launch) {
        if (!launch.getAsBoolean()) return null;
        hx.d.streamSynchronize(hx.stream);
        long e0 = hx.d.eventCreate(), e1 = hx.d.eventCreate();
        try {
            return time(reps, () -> {
                hx.d.eventRecord(e0, hx.stream);
                launch.getAsBoolean();
                hx.d.eventRecord(e1, hx.stream);
                hx.d.streamSynchronize(hx.stream);
                return hx.d.eventElapsedMs(e0, e1);
            });
        } finally {
            hx.d.eventDestroy(e0);
            hx.d.eventDestroy(e1);
        }
    }

    /** Host-timed step path (many launches) around a synchronize, with its own warm-up. */
    static Timing step(PersistentHarness hx, int reps, Runnable body) {
        hx.be.synchronize();
        return time(reps, () -> {
            long t0 = System.nanoTime();
            body.run();
            hx.be.synchronize();
            return (System.nanoTime() - t0) / 1e6;
        });
    }

    /** Host cost of one {@link PersistentRnn#plan} call (AUTO) for this shape, us (after 200 warm-up calls). */
    static double planHostUs(Shape s, boolean bwd, Device dev) {
        double sink = 0;
        long t0 = 0;
        for (int i = 0; i < 400; i++) {
            if (i == 200) t0 = System.nanoTime();
            Plan p = PersistentRnn.plan(s.cell(), bwd, s.batch(), s.units(), s.precision(), Activation.TANH, s.recAct(), dev);
            sink += p == null ? 0 : p.ctas();
        }
        double us = (System.nanoTime() - t0) / 1e3 / 200;
        return sink < 0 ? -us : us;  // keeps the calls alive
    }

    /**
     * Per shape: step path, AUTO pick (measured, model), fastest measured FFMA and tensor-core plan, and the host
     * cost of planning it (measured here, after the GPU work, with the planner's code compiled by the JIT).
     */
    static void summary(List<Measured> all, Device dev) {
        System.out.println("summary, us per step (pick = AUTO, measured (model); ffma / tc = fastest measured of that"
                + " variant; x = pick / step; plan us = host cost of one PersistentRnn.plan call):");
        System.out.println(String.format(Locale.ROOT, "%-28s %3s | %7s %-18s %7s %7s %7s %7s %6s | %7s", "shape", "dir",
                "step", "pick", "meas", "model", "ffma", "tc", "x", "plan us"));
        for (Shape s : SHAPES) {
            for (boolean bwd : new boolean[] {false, true}) {
                double stepUs = Double.NaN, ffma = Double.POSITIVE_INFINITY, tc = Double.POSITIVE_INFINITY;
                Measured pick = null;
                for (Measured m : all) {
                    if (!m.shape().equals(s) || m.backward() != bwd) continue;
                    if (m.pick() == null) {
                        stepUs = m.us();
                        continue;
                    }
                    if (m.pick().role().equals("auto")) pick = m;
                    if (m.pick().plan().tensorCores()) tc = Math.min(tc, m.us()); else ffma = Math.min(ffma, m.us());
                }
                String split = pick == null ? "-" : compact(pick.pick().plan());
                double pm = pick == null ? Double.NaN : pick.us(), model = pick == null ? Double.NaN : modelUs(pick.pick().plan());
                System.out.println(String.format(Locale.ROOT, "%-28s %3s | %7.2f %-18s %7.2f %7.2f %7.2f %7.2f %5.2fx | %7.1f",
                        s.label(), bwd ? "bwd" : "fwd", stepUs, split, pm, model, inf(ffma), inf(tc), pm / stepUs,
                        planHostUs(s, bwd, dev)));
            }
        }
    }

    static double inf(double v) { return Double.isInfinite(v) ? Double.NaN : v; }

    /** variant gridX x gridY / chunk, as the fit prints splits. */
    static String compact(Plan p) {
        return (p.tensorCores() ? "tc " : "ffma ") + p.gridX() + "x" + p.gridY() + "/" + p.chunk();
    }
}
