package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cuda.PersistentCostModel.CostModel;
import dev.jrnn.backend.cuda.PersistentRnn.Device;
import dev.jrnn.backend.cuda.PersistentRnn.Plan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fits the constants of {@link PersistentRnn#stepCycles}'s cost model to measured per-step times (test resource
 * persist-h200.csv: H200 rows of PersistentRnnBench) and prints them, the fit quality and the planner's choices.
 * Least squares on ln(predicted / measured) over the persistent rows (but {@link #excludedFromFit}),
 * Levenberg-Marquardt on the logarithms of the free constants, starting from the v2 guesses x 3. Not a test; after
 * {@code mvn -q -o -pl java test-compile}:
 * {@code java -cp java/target/classes:java/target/test-classes dev.jrnn.backend.cuda.PersistentModelFit}.
 * The printed constants are what {@link PersistentRnn#H200_FIT} holds (PersistentRnnCostModelTest checks
 * that they are at the optimum).
 *
 * <p>New rows come from a PersistentRnnBench log (its data lines, see its Javadoc):
 * {@code java -cp ... dev.jrnn.backend.cuda.PersistentModelFit import run5 persist-bench.log >> persist-h200.csv}
 * (source {@code run5:picks} / {@code run5:splits}).
 */
final class PersistentModelFit {
    private PersistentModelFit() {}

    static final String RESOURCE = "persist-h200.csv";
    /** The device the rows were measured on: H200, 132 SMs, 227 KB opt-in shared memory. */
    static final Device H200 = new Device(90, 132, 232448);

    /** One measured row; variant "step" is the per-step path (no plan fields). */
    record Row(RecurrentCell cell, Precision precision, boolean backward, int batch, int units, int steps, String variant,
               int gridX, int gridY, int slice, int batchGroup, int chunk, double measuredUs, String source) {
        boolean persistent() { return !variant.equals("step"); }

        boolean tensorCores() { return variant.equals("tc"); }

        /** "table" or "splits": rows of one section were timed the same way, in one sitting. */
        String section() { return source.substring(source.indexOf(':') + 1); }

        String run() { return source.substring(0, source.indexOf(':')); }

        String shape() {
            return String.format(Locale.ROOT, "%s %s B=%d H=%d %s", cell.id(), precision.name().toLowerCase(Locale.ROOT),
                    batch, units, backward ? "bwd" : "fwd");
        }

        /** The split in the bench's compact form: variant gridX x gridY / chunk. */
        String split() { return variant + " " + gridX + "x" + gridY + "/" + chunk; }

        double predictedCycles(CostModel m) {
            return PersistentCostModel.stepCycles(cell, backward, precision, units, slice, batchGroup, chunk, gridX * gridY,
                    PersistentRnn.THREADS, tensorCores(), m);
        }

        double predictedUs(CostModel m) { return m.micros(predictedCycles(m)); }
    }

    /** The rows of the resource, comment lines skipped. */
    static List<Row> load() {
        InputStream in = PersistentModelFit.class.getResourceAsStream(RESOURCE);
        if (in == null) throw new IllegalStateException("test resource " + RESOURCE + " not on the class path");
        List<Row> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                if (header == null) {
                    header = line;
                    continue;
                }
                rows.add(parseCsvLine(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** One data line of the resource (14 fields; the plan fields are empty for the step path). */
    static Row parseCsvLine(String line) {
        String[] f = line.split(",", -1);
        if (f.length != 14) throw new IllegalStateException(RESOURCE + ": expected 14 fields, got " + line);
        boolean step = f[6].equals("step");
        return new Row(RecurrentCell.ofId(f[0]), Precision.valueOf(f[1].toUpperCase(Locale.ROOT)),
                f[2].equals("bwd"), Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]), f[6],
                step ? 0 : Integer.parseInt(f[7]), step ? 0 : Integer.parseInt(f[8]),
                step ? 0 : Integer.parseInt(f[9]), step ? 0 : Integer.parseInt(f[10]),
                step ? 0 : Integer.parseInt(f[11]), Double.parseDouble(f[12]), f[13]);
    }

    /** A row as a line of the resource (us per step to 2 decimals, as the resource holds them). */
    static String csvLine(Row r) {
        String plan = r.persistent()
                ? r.gridX() + "," + r.gridY() + "," + r.slice() + "," + r.batchGroup() + "," + r.chunk()
                : ",,,,";
        return String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%s,%s,%.2f,%s", r.cell().id(),
                r.precision().name().toLowerCase(Locale.ROOT), r.backward() ? "bwd" : "fwd", r.batch(), r.units(),
                r.steps(), r.variant(), plan, r.measuredUs(), r.source());
    }

    // ------------------------------------------------------------------------------- PersistentRnnBench logs

    /**
     * The row of one data line of a PersistentRnnBench log (format: PersistentRnnBench's Javadoc), with source
     * {@code run:section}; null for any other line (headers, the summary, {@code #} lines). Only lines that start
     * at column 0 with "plan " or "step " are data lines; a malformed one is an IllegalArgumentException naming it.
     * The model, role, rank and warm fields are for the reader; the fit recomputes the model from the split.
     */
    static Row parseBenchLine(String line, String run) {
        boolean plan = line.startsWith("plan ");
        if (!plan && !line.startsWith("step ")) return null;
        if (run == null || !run.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("PersistentModelFit.parseBenchLine: run must be a plain name, got " + run);
        }
        String[] f = line.strip().split("\\s+");
        try {
            if (f.length < 5) throw new IllegalArgumentException("expected kind, section, cell, precision, direction");
            String section = f[1];
            if (!section.matches("[a-z]+")) throw new IllegalArgumentException("section " + section);
            RecurrentCell cell = RecurrentCell.ofId(f[2]);
            Precision p = Precision.valueOf(f[3].toUpperCase(Locale.ROOT));
            if (!f[4].equals("fwd") && !f[4].equals("bwd")) throw new IllegalArgumentException("direction " + f[4]);
            Map<String, String> kv = new LinkedHashMap<>();
            for (int i = 5; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq <= 0 || kv.put(f[i].substring(0, eq), f[i].substring(eq + 1)) != null) {
                    throw new IllegalArgumentException("field " + f[i]);
                }
            }
            int b = positive(kv, "B"), h = positive(kv, "H"), t = positive(kv, "T");
            double us = Double.parseDouble(required(kv, "measured"));
            if (!(us > 0) || Double.isInfinite(us)) throw new IllegalArgumentException("measured " + us);
            String source = run + ":" + section;
            if (!plan) return new Row(cell, p, f[4].equals("bwd"), b, h, t, "step", 0, 0, 0, 0, 0, us, source);
            String variant = required(kv, "variant");
            if (!variant.equals("ffma") && !variant.equals("tc")) throw new IllegalArgumentException("variant " + variant);
            String[] grid = required(kv, "grid").split("x", -1);
            if (grid.length != 2) throw new IllegalArgumentException("grid " + kv.get("grid"));
            int gx = Integer.parseInt(grid[0]), gy = Integer.parseInt(grid[1]);
            int slice = positive(kv, "slice"), rows = positive(kv, "rows"), chunk = positive(kv, "chunk");
            if (gx != (h + slice - 1) / slice || gy != (b + rows - 1) / rows) {
                throw new IllegalArgumentException("grid " + gx + "x" + gy + " is not ceil(H / slice) x ceil(B / rows)");
            }
            return new Row(cell, p, f[4].equals("bwd"), b, h, t, variant, gx, gy, slice, rows, chunk, us, source);
        } catch (IllegalArgumentException e) {  // NumberFormatException too
            throw new IllegalArgumentException("PersistentModelFit.parseBenchLine: " + e.getMessage() + " in line: " + line, e);
        }
    }

    private static String required(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) throw new IllegalArgumentException("missing " + key + "=");
        return v;
    }

    private static int positive(Map<String, String> kv, String key) {
        int v = Integer.parseInt(required(kv, key));
        if (v <= 0) throw new IllegalArgumentException(key + "=" + v);
        return v;
    }

    /** Every data line of a PersistentRnnBench log, as rows of run {@code run}, in log order. */
    static List<Row> parseBenchLog(List<String> lines, String run) {
        List<Row> out = new ArrayList<>();
        for (String line : lines) {
            Row r = parseBenchLine(line, run);
            if (r != null) out.add(r);
        }
        return out;
    }

    static List<Row> persistentRows(List<Row> rows) {
        return rows.stream().filter(Row::persistent).toList();
    }

    /** The (section | shape) whose measurements contradict each other; see {@link #excludedFromFit}. */
    static final String INCONSISTENT = "table | lstm fp32 B=128 H=128 fwd";

    /**
     * Rows the fit leaves out: the FFMA rows of {@link #INCONSISTENT} (8.28 and 7.58 us/step). The same split
     * measured 5.80 and 5.02 in TF32, whose kernel is the FP32 one plus a rounding pass, so no model of the split
     * can match both; they are the extreme of a warm-up effect of the table section (the first variant timed after
     * the host-timed step path reads slowest; see benchmarks/NOTES.md, Version 2.1). Still checked, with a wider
     * bound, by PersistentRnnCostModelTest.
     */
    static boolean excludedFromFit(Row r) {
        return (r.section() + " | " + r.shape()).equals(INCONSISTENT) && r.variant().equals("ffma");
    }

    /** The rows the constants are fitted to: every persistent row but {@link #excludedFromFit}. */
    static List<Row> fitRows(List<Row> rows) {
        return persistentRows(rows).stream().filter(r -> !excludedFromFit(r)).toList();
    }

    /** ln(predicted / measured) of every persistent row of {@code rows}. */
    static double[] logErrors(List<Row> rows, CostModel m) {
        return persistentRows(rows).stream().mapToDouble(r -> Math.log(r.predictedUs(m) / r.measuredUs())).toArray();
    }

    static double sumSquares(double[] e) {
        double s = 0;
        for (double x : e) s += x * x;
        return s;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    static double[] abs(double[] v) { return Arrays.stream(v).map(Math::abs).toArray(); }

    // ------------------------------------------------------------------------------- the constants as a vector

    /** The record's components in declaration order. */
    static double[] toArray(CostModel m) {
        return new double[] {m.ffmaPerCycle(), m.threadFmaCycles(), m.bf16FfmaFactor(), m.tcRateFp32(), m.tcRateTf32(),
                m.tcRateBf16(), m.tcStepFp32(), m.tcStepTf32(), m.tcStepBf16(), m.stageBytesPerCycle(), m.chunkCycles(),
                m.stepBase(), m.barrierPerCta(), m.foldCycles(), m.cellFieldCycles(), m.roundCycles(), m.clockGHz()};
    }

    static CostModel fromArray(double[] a) {
        return new CostModel(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
                a[15], a[16]);
    }

    static final String[] NAMES = {"ffmaPerCycle", "threadFmaCycles", "bf16FfmaFactor", "tcRateFp32", "tcRateTf32",
            "tcRateBf16", "tcStepFp32", "tcStepTf32", "tcStepBf16", "stageBytesPerCycle", "chunkCycles", "stepBase",
            "barrierPerCta", "foldCycles", "cellFieldCycles", "roundCycles", "clockGHz"};

    /**
     * The fitted components. Set, not fitted: threadFmaCycles (one FMA per cycle per thread is the issue limit),
     * the tensor-core rate ceilings (bind at no measured shape, so the data cannot tell them) and the clock
     * (it only scales the other constants).
     */
    static final int[] FREE = {0, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    /**
     * The v2 model's guesses where v2.1 has the same constant (its 800-cycle L2 latency, 1500-cycle barrier and
     * 200-cycle cell base are stepBase; its 150 cycles per pass spread over ~10 fields; no rounding term): the
     * fit's starting point.
     */
    static final CostModel V2_GUESS = new CostModel(128, 1, 1.25, 512.0 / 3, 512, 1024, 20, 10, 12, 32, 150, 2500, 4, 35,
            15, 1, 1.98);

    /**
     * The fit's starting point: {@link #V2_GUESS} three times slower (rates / 3, cycles x 3; v2 was 2-3x
     * optimistic). From v2 itself the tensor-core rate ceilings bind, the per-K-step constants get no gradient and
     * the fit stalls; here the per-warp chains bind, as in every measured tensor-core row.
     */
    static CostModel start() {
        double[] a = toArray(V2_GUESS);
        for (int i : FREE) a[i] = i == 0 || i == 9 ? a[i] / 3 : i == 2 ? a[i] : a[i] * 3;
        return fromArray(a);
    }

    // ------------------------------------------------------------------------------- Levenberg-Marquardt

    /**
     * Least-squares constants for {@code rows} (the {@link #fitRows}), starting from {@code start}; only
     * {@link #FREE} move, on a logarithmic scale (they stay positive and the steps are relative).
     */
    static CostModel fit(List<Row> rows, CostModel start) {
        List<Row> data = fitRows(rows);
        double[] base = toArray(start);
        java.util.function.Function<double[], double[]> residuals = x -> {
            double[] a = base.clone();
            for (int i = 0; i < FREE.length; i++) a[FREE[i]] = Math.exp(x[i]);
            return logErrors(data, fromArray(a));
        };
        double[] x = new double[FREE.length];
        for (int i = 0; i < FREE.length; i++) x[i] = Math.log(base[FREE[i]]);
        x = levenbergMarquardt(residuals, x, 500);
        double[] a = base.clone();
        for (int i = 0; i < FREE.length; i++) a[FREE[i]] = Math.exp(x[i]);
        return fromArray(a);
    }

    /**
     * Minimises the sum of squares of {@code r(x)} from x0: Gauss-Newton steps (forward-difference Jacobian)
     * damped by lambda * diag(J^T J), lambda shrinking after a step that lowers the sum and growing otherwise.
     */
    static double[] levenbergMarquardt(java.util.function.Function<double[], double[]> r, double[] x0, int maxIter) {
        int n = x0.length;
        double[] x = x0.clone();
        double[] rx = r.apply(x);
        double s = sumSquares(rx);
        double lambda = 1e-3;
        for (int it = 0; it < maxIter && lambda < 1e12; it++) {
            double[][] jac = new double[n][];
            for (int j = 0; j < n; j++) {
                double[] xh = x.clone();
                xh[j] += 1e-6;
                double[] rh = r.apply(xh);
                for (int i = 0; i < rh.length; i++) rh[i] = (rh[i] - rx[i]) / 1e-6;
                jac[j] = rh;
            }
            double[][] jtj = new double[n][n];
            double[] jtr = new double[n];
            for (int p = 0; p < n; p++) {
                for (int q = p; q < n; q++) {
                    double v = 0;
                    for (int i = 0; i < rx.length; i++) v += jac[p][i] * jac[q][i];
                    jtj[p][q] = jtj[q][p] = v;
                }
                double v = 0;
                for (int i = 0; i < rx.length; i++) v += jac[p][i] * rx[i];
                jtr[p] = v;
            }
            boolean accepted = false;
            while (!accepted && lambda < 1e12) {
                double[][] m = new double[n][];
                for (int p = 0; p < n; p++) {
                    m[p] = jtj[p].clone();
                    m[p][p] += lambda * Math.max(jtj[p][p], 1e-12);
                }
                double[] dx = solve(m, Arrays.stream(jtr).map(v -> -v).toArray());
                double[] xn = x.clone();
                for (int p = 0; p < n; p++) xn[p] += dx[p];
                double[] rn = r.apply(xn);
                double sn = sumSquares(rn);
                if (sn < s) {
                    accepted = true;
                    boolean done = s - sn < 1e-13 * s;
                    x = xn;
                    rx = rn;
                    s = sn;
                    lambda = Math.max(lambda / 3, 1e-12);
                    if (done) return x;
                } else {
                    lambda *= 4;
                }
            }
        }
        return x;
    }

    /** Solves m x = b by Gaussian elimination with partial pivoting (m is overwritten). */
    static double[] solve(double[][] m, double[] b) {
        int n = b.length;
        double[] y = b.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int i = c + 1; i < n; i++) if (Math.abs(m[i][c]) > Math.abs(m[piv][c])) piv = i;
            double[] t = m[c];
            m[c] = m[piv];
            m[piv] = t;
            double tv = y[c];
            y[c] = y[piv];
            y[piv] = tv;
            for (int i = c + 1; i < n; i++) {
                double f = m[i][c] / m[c][c];
                for (int k = c; k < n; k++) m[i][k] -= f * m[c][k];
                y[i] -= f * y[c];
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double v = y[i];
            for (int k = i + 1; k < n; k++) v -= m[i][k] * x[k];
            x[i] = v / m[i][i];
        }
        return x;
    }

    // ------------------------------------------------------------------------------- the planner on measured shapes

    /**
     * Measured time of each split of one (section, shape): the geometric mean over the runs, keyed by
     * {@link Row#split()}, in the order first seen.
     */
    static Map<String, Map<String, Double>> measuredSplits(List<Row> rows) {
        Map<String, Map<String, List<Double>>> acc = new LinkedHashMap<>();
        for (Row r : persistentRows(rows)) {
            acc.computeIfAbsent(r.section() + " | " + r.shape(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.split(), k -> new ArrayList<>()).add(r.measuredUs());
        }
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        acc.forEach((g, m) -> {
            Map<String, Double> o = new LinkedHashMap<>();
            m.forEach((s, l) -> o.put(s, Math.exp(l.stream().mapToDouble(Math::log).average().orElseThrow())));
            out.put(g, o);
        });
        return out;
    }

    /** The planner's AUTO plan for a row's shape on the H200. */
    static Plan autoPlan(Row r) {
        return PersistentRnn.plan(r.cell(), r.backward(), r.batch(), r.units(), r.precision(), Activation.TANH,
                r.cell() == RecurrentCell.SIMPLE_RNN ? Activation.LINEAR : Activation.SIGMOID, H200);
    }

    static String split(Plan p) {
        return (p.tensorCores() ? "tc " : "ffma ") + p.gridX() + "x" + p.gridY() + "/" + p.chunk();
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("import")) {
            importLog(args);
            return;
        }
        List<Row> rows = load();
        CostModel m = fit(rows, start());
        double[] a = toArray(m);
        System.out.println("fitted to " + fitRows(rows).size() + " of the " + persistentRows(rows).size()
                + " persistent rows of " + RESOURCE + " (from the v2 guesses x 3):");
        for (int i = 0; i < a.length; i++) {
            boolean free = contains(FREE, i);
            System.out.printf(Locale.ROOT, "  %-20s %10.4g%s%n", NAMES[i], a[i], free ? "" : "   (set)");
        }
        System.out.print("  as Java: new CostModel(");
        for (int i = 0; i < a.length; i++) System.out.printf(Locale.ROOT, "%s%.4g", i > 0 ? ", " : "", a[i]);
        System.out.println(")");
        report("fitted", rows, m);
        report("in PersistentCostModel.H200_FIT", rows, PersistentCostModel.H200_FIT);

        List<Row> pr = persistentRows(rows);
        double[] e = logErrors(rows, PersistentCostModel.H200_FIT);
        Integer[] idx = new Integer[e.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (x, y) -> Double.compare(Math.abs(e[y]), Math.abs(e[x])));
        System.out.println("largest errors:");
        for (int i = 0; i < 8; i++) {
            Row r = pr.get(idx[i]);
            System.out.printf(Locale.ROOT, "  %+.3f  %-12s %-26s %-16s predicted %6.2f measured %6.2f us/step%n", e[idx[i]],
                    r.source(), r.shape(), r.split(), r.predictedUs(PersistentCostModel.H200_FIT), r.measuredUs());
        }

        System.out.println("\nplanner (AUTO, H200) on the measured shapes, with PersistentCostModel.H200_FIT:");
        Map<String, Map<String, Double>> groups = measuredSplits(rows);
        for (Map.Entry<String, Map<String, Double>> g : groups.entrySet()) {
            Row any = persistentRows(rows).stream().filter(r -> (r.section() + " | " + r.shape()).equals(g.getKey()))
                    .findFirst().orElseThrow();
            Plan p = autoPlan(any);
            String pick = split(p);
            double best = g.getValue().values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            Double got = g.getValue().get(pick);
            StringBuilder sb = new StringBuilder();
            g.getValue().forEach((s, us) -> sb.append(String.format(Locale.ROOT, "  %s %.2f", s, us)));
            System.out.printf(Locale.ROOT, "%-34s pick %-16s pred %5.2f us  measured %s  best %.2f |%s%n", g.getKey(), pick,
                    PersistentCostModel.H200_FIT.micros(p.stepCycles()), got == null ? "  -  " : String.format(Locale.ROOT, "%5.2f", got),
                    best, sb);
        }
        predictions();
    }

    /**
     * {@code import <run> <log>}: the data lines of a PersistentRnnBench log as lines of the resource on stdout
     * (append them to persist-h200.csv), and on stderr how far the model in {@link PersistentRnn#H200_FIT} is from
     * them.
     */
    static void importLog(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("PersistentModelFit import: expected <run> <log>, got " + Arrays.toString(args));
        }
        List<Row> rows = parseBenchLog(java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[2])), args[1]);
        for (Row r : rows) System.out.println(csvLine(r));
        List<Row> pr = persistentRows(rows);
        System.err.printf(Locale.ROOT, "%d rows (%d persistent, %d step path) from %s%n", rows.size(), pr.size(),
                rows.size() - pr.size(), args[2]);
        if (!pr.isEmpty()) {
            double[] e = abs(logErrors(rows, PersistentCostModel.H200_FIT));
            System.err.printf(Locale.ROOT, "H200_FIT on them: |ln(pred/meas)| median %.3f, max %.3f%n", median(e),
                    Arrays.stream(e).max().orElseThrow());
        }
    }

    /** Shapes nobody measured: the planner's choice and the model's time (predictions, owed a GPU run). */
    static void predictions() {
        System.out.println("\npredictions (AUTO, H200), not measured:");
        Object[][] shapes = {{RecurrentCell.LSTM, Precision.FP32, 16, 512}, {RecurrentCell.LSTM, Precision.FP32, 32, 512},
                {RecurrentCell.LSTM, Precision.BF16, 32, 1024}, {RecurrentCell.GRU, Precision.FP32, 8, 384}, {RecurrentCell.GRU, Precision.FP32, 32, 512},
                {RecurrentCell.SIMPLE_RNN, Precision.FP32, 32, 1024}, {RecurrentCell.LSTM, Precision.FP32, 1, 256}, {RecurrentCell.LSTM, Precision.TF32, 16, 512}};
        for (Object[] s : shapes) {
            for (boolean bwd : new boolean[] {false, true}) {
                RecurrentCell c = (RecurrentCell) s[0];
                Precision p = (Precision) s[1];
                Plan pl = PersistentRnn.plan(c, bwd, (int) s[2], (int) s[3], p, Activation.TANH,
                        c == RecurrentCell.SIMPLE_RNN ? Activation.LINEAR : Activation.SIGMOID, H200);
                System.out.printf(Locale.ROOT, "  %s %s B=%d H=%d %s: %s (slice %d, %d rows), %.2f us/step%n", c.id(),
                        p.name().toLowerCase(Locale.ROOT), (int) s[2], (int) s[3], bwd ? "bwd" : "fwd",
                        pl == null ? "-" : split(pl), pl == null ? 0 : pl.slice(), pl == null ? 0 : pl.batchGroup(),
                        pl == null ? Double.NaN : PersistentCostModel.H200_FIT.micros(pl.stepCycles()));
            }
        }
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }

    static void report(String what, List<Row> rows, CostModel m) {
        for (boolean all : new boolean[] {false, true}) {
            double[] e = logErrors(all ? persistentRows(rows) : fitRows(rows), m);
            double[] ae = abs(e);
            double max = Arrays.stream(ae).max().orElseThrow();
            double[] s = ae.clone();
            Arrays.sort(s);
            System.out.printf(Locale.ROOT, "%s, %s rows: |ln(pred/meas)| median %.3f, 90%% %.3f, max %.3f, rms %.3f, "
                            + "sum of squares %.4f%n", what, all ? "all " + e.length : "the " + e.length + " fitted", median(ae),
                    s[(int) Math.floor(0.9 * (s.length - 1))], max, Math.sqrt(sumSquares(e) / e.length), sumSquares(e));
        }
    }
}
