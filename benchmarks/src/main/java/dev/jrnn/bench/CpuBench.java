package dev.jrnn.bench;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.UnCloseablePrintStream;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the CPU benchmarks ({@link RnnBench}, {@link GemmBench}) in one JMH run and writes the table:
 * time per op, GFLOP/s (FLOP model in {@link Shapes}), % of this CPU's FMA peak ({@link CpuPeak})
 * and the jrnn / PyTorch time ratio of the train step (PyTorch's rows come from the CSV that
 * benchmarks/peers/torch_cpu.py wrote in the same run, its notes from that run's log), plus jrnn / DL4J
 * where the DL4J peer is on the classpath. benchmarks/run.sh calls it.
 *
 * <pre>
 * java ... dev.jrnn.bench.CpuBench --out benchmarks/results/latest/cpu.md [--quick] [--shapes BxTxIxH,...]
 *     [--torch-csv torch_cpu.csv] [--torch-log torch_cpu.log] [JMH options and include regexes]
 * </pre>
 * JMH options pass through, e.g. {@code 'RnnBench.*Lstm' -p shape=32x50x128x128 -i 10}. Shapes, from {@code --shapes}
 * or {@code -p shape=}, reach JMH as {@link Shapes#key()} ("4x10x8" becomes "4x10x8x8"), the spelling of the PyTorch
 * rows, so the join by shape cannot miss on spelling; a jrnn train row without its PyTorch row (or the reverse) is
 * named in the table and on stderr, and the run exits with status 5.
 */
public final class CpuBench {
    /** Exit status of a run whose jrnn and PyTorch train rows do not pair up (the table is written all the same). */
    static final int UNMATCHED = 5;

    private CpuBench() {}

    public static void main(String[] args) throws RunnerException, IOException {
        int status;
        try {
            status = run(args);
        } catch (CommandLineOptionException | IllegalArgumentException e) {   // a bad option: its message, no stack trace
            Throwable c = e.getCause();
            String m = String.valueOf(e.getMessage());
            System.err.println((m.startsWith("CpuBench:") ? "" : "CpuBench: ") + m
                    + (c == null || String.valueOf(c.getMessage()).equals(m) ? "" : " (" + c.getMessage() + ")"));
            status = 2;
        }
        if (status != 0) System.exit(status);
    }

    /** The run of {@link #main} on the console; returns its exit status: 0, or {@link #UNMATCHED}. */
    static int run(String[] args) throws RunnerException, IOException, CommandLineOptionException {
        return run(args, System.out, System.err);
    }

    /**
     * The run of {@link #main}, printing JMH's progress (unless JMH's {@code -o} names a file), the table and usage to
     * {@code stdout} and the unmatched rows to {@code stderr} (the tests keep an in-process run out of the build's log).
     */
    static int run(String[] args, PrintStream stdout, PrintStream stderr) throws RunnerException, IOException, CommandLineOptionException {
        Path out = Path.of("benchmarks/results/latest/cpu.md");
        boolean quick = false, plan = false;
        Path torchCsv = null, torchLog = null;
        List<String> jmhArgs = new ArrayList<>();
        for (int a = 0; a < args.length; a++) {
            switch (args[a]) {
                case "--out" -> {
                    if (a + 1 >= args.length) throw new IllegalArgumentException("CpuBench: --out needs a file");
                    out = Path.of(args[++a]);
                }
                case "--quick" -> quick = true;
                case "--peer-plan" -> plan = true;
                case "--shapes" -> {
                    if (a + 1 >= args.length) throw new IllegalArgumentException("CpuBench: --shapes needs a list, e.g. 32x50x128x128,4x10x8");
                    jmhArgs.add("-p");
                    jmhArgs.add("shape=" + args[++a]);
                }
                case "--torch-csv", "--torch-log" -> {
                    if (a + 1 >= args.length) throw new IllegalArgumentException("CpuBench: " + args[a] + " needs a file");
                    if (args[a].equals("--torch-csv")) torchCsv = Path.of(args[++a]); else torchLog = Path.of(args[++a]);
                }
                case "--help" -> {
                    stdout.println("usage: CpuBench [--out table.md] [--quick] [--shapes BxTxIxH,...] [--torch-csv f.csv]"
                            + " [--torch-log f.log] [--peer-plan] [JMH options and include regexes]");
                    stdout.println("  --peer-plan: print the cells and shapes of the train steps these options select"
                            + " (\"lstm,gru 32x50x128x128\"; \"- -\" for none) and exit");
                    return 0;
                }
                default -> jmhArgs.add(args[a]);
            }
        }
        CommandLineOptions cli = new CommandLineOptions(canonicalShapes(jmhArgs).toArray(new String[0]));
        boolean peer = peerAvailable();
        if (plan) {
            stdout.println(peerPlan(cli, peer));
            return 0;
        }
        CpuPeak peak = CpuPeak.detect();
        List<String> notes = new ArrayList<>();
        notes.add(peak.explain());
        notes.add("load average before the run (1/5/15 min): " + loadAverage());

        List<Row> torch = torchCsv == null ? List.of() : torchRows(torchCsv);
        if (torchCsv != null) notes.add("PyTorch peer: " + torch.size() + " rows from " + torchCsv);
        if (torchLog != null) notes.addAll(torchNotes(torchLog));
        if (peer) {
            for (String sh : new String[] {"32x50x128x128", "8x100x256x256"}) {
                Shapes s = Shapes.parse(sh);
                try (LstmPeer p = LstmPeer.load(RnnBench.DL4J_PEER)) {
                    BenchData d = BenchData.random(s, RnnBench.BATCHES, 1);
                    p.setup(s, d, RnnBench.SEED);
                    if (sh.startsWith("32x")) notes.add("DL4J peer: " + p.describe());
                    notes.add(EqualWork.check(p, s, d, RnnBench.SEED));
                }
            }
        } else {
            notes.add("DL4J peer: not on the classpath (optional: benchmarks/run.sh --dl4j builds with -Pdl4j); DL4J rows skipped");
        }

        Files.createDirectories(out.toAbsolutePath().getParent());
        Path json = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + "-jmh.json");
        ChainedOptionsBuilder ob = new OptionsBuilder()
                .parent(cli)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        if (cli.getIncludes().isEmpty()) for (String i : includes(cli)) ob.include(i);
        if (!peer) ob.exclude("dl4j");
        if (!cli.getJvmArgs().hasValue()) {
            ob.jvmArgs(forkJvmArgs(ManagementFactory.getRuntimeMXBean().getInputArguments()).toArray(new String[0]));
        }
        if (quick) {
            ob.warmupIterations(1).warmupTime(TimeValue.seconds(1))
              .measurementIterations(2).measurementTime(TimeValue.seconds(1));
        }
        Options options = ob.build();
        // JMH closes its output at the end of a run (a -o file, or stdout kept open under an uncloseable stream, as its own default)
        Runner runner = options.getOutput().hasValue() ? new Runner(options)
                : new Runner(options, OutputFormatFactory.createFormatInstance(new UnCloseablePrintStream(stdout, stdout.charset()),
                        options.verbosity().orElse(VerboseMode.NORMAL)));
        Collection<RunResult> results = runner.run();
        notes.add("load average after the run (1/5/15 min): " + loadAverage());

        Map<String, Row> rows = rows(results, torch);
        List<String> unmatched = torchCsv == null ? List.of() : unmatched(rows.values());
        String table = table(rows, peak, notes, quick, unmatched);
        Files.writeString(out, table);
        stdout.println();
        stdout.println(table);
        stdout.println("written: " + out + " and " + json);
        if (!unmatched.isEmpty()) {
            stderr.println("CpuBench: " + unmatched.size() + " train row(s) without a partner, so without a jrnn / PyTorch"
                    + " ratio or goal line: " + String.join("; ", unmatched));
            return UNMATCHED;
        }
        return 0;
    }

    /** The include regexes of the run: the command line's, or every RnnBench and GemmBench benchmark. */
    static List<String> includes(Options cli) {
        return cli.getIncludes().isEmpty() ? List.of(RnnBench.class.getName() + ".*", GemmBench.class.getName() + ".*") : cli.getIncludes();
    }

    /**
     * What the PyTorch peer has to time for the run these options describe, as "cells shapes": the cells of the jrnn
     * train steps that JMH's own matching of the includes and excludes selects ("lstm,simple_rnn"), and the shape
     * parameter as {@link Shapes#key()}s (RnnBench's own shapes when none is given); "- -" when no train step is
     * selected. benchmarks/run.sh asks this before the peer, so an include regex limits both sides.
     */
    static String peerPlan(Options cli, boolean dl4j) {
        List<String> excludes = new ArrayList<>(cli.getExcludes());
        if (!dl4j) excludes.add("dl4j");
        java.util.Set<String> selected = new java.util.HashSet<>();
        OutputFormat quiet = OutputFormatFactory.createFormatInstance(System.err, VerboseMode.SILENT);
        for (BenchmarkListEntry e : BenchmarkList.defaultList().find(quiet, includes(cli), excludes)) selected.add(e.getUsername());
        List<String> cells = new ArrayList<>();
        for (Shapes.Cell c : new Shapes.Cell[] {Shapes.Cell.LSTM, Shapes.Cell.GRU, Shapes.Cell.SIMPLE_RNN}) {
            if (selected.contains(RnnBench.class.getName() + "." + trainBenchmark(c))) cells.add(c.name().toLowerCase(Locale.ROOT));
        }
        if (cells.isEmpty()) return "- -";
        String shapes;
        if (cli.getParameter("shape").hasValue()) {
            shapes = Shapes.canonical(String.join(",", cli.getParameter("shape").get()));
        } else {
            try {
                shapes = Shapes.canonical(String.join(",", RnnBench.JrnnState.class.getField("shape").getAnnotation(Param.class).value()));
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("RnnBench.JrnnState has no shape parameter", e);
            }
        }
        return String.join(",", cells) + " " + shapes;
    }

    /** RnnBench's train-step benchmark of a cell: jrnnLstmTrain, jrnnGruTrain, jrnnSimpleRnnTrain. */
    static String trainBenchmark(Shapes.Cell c) {
        return switch (c) { case LSTM -> "jrnnLstmTrain"; case GRU -> "jrnnGruTrain"; case SIMPLE_RNN -> "jrnnSimpleRnnTrain"; };
    }

    /**
     * The JMH forks' JVM arguments: this JVM's own (what JMH passes on by default) less the flags RnnBench's and
     * GemmBench's {@code @Fork} append anyway (so "VM options" lists them once), plus
     * {@code --sun-misc-unsafe-memory-access=allow}: JMH 1.37 calls sun.misc.Unsafe, and JMH prints a fork's stderr on
     * its stdout, so the fork's warnings would reach the table's output.
     */
    static List<String> forkJvmArgs(List<String> host) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < host.size(); i++) {
            String a = host.get(i);
            if (a.equals("--add-modules") && i + 1 < host.size() && host.get(i + 1).equals("jdk.incubator.vector")) {
                i++;
            } else if (!a.equals("--add-modules=jdk.incubator.vector") && !a.equals("--enable-native-access=ALL-UNNAMED")
                    && !a.startsWith("--sun-misc-unsafe-memory-access=")) {
                out.add(a);
            }
        }
        out.add("--sun-misc-unsafe-memory-access=allow");
        return out;
    }

    /**
     * The JMH arguments with every {@code -p shape=...} list written as {@link Shapes#canonical} keys; throws where the
     * shape parameter is given twice (run.sh's {@code --shapes} and {@code -p shape=}), which JMH would silently merge.
     */
    static List<String> canonicalShapes(List<String> jmhArgs) {
        List<String> out = new ArrayList<>(jmhArgs);
        int seen = 0;
        for (int a = 0; a + 1 < out.size(); a++) {
            if (out.get(a).equals("-p") && out.get(a + 1).startsWith("shape=")) {
                if (++seen > 1) throw new IllegalArgumentException("CpuBench: shapes given twice (--shapes and -p shape=?): " + jmhArgs);
                out.set(a + 1, "shape=" + Shapes.canonical(out.get(a + 1).substring("shape=".length())));
            }
        }
        return out;
    }

    /** /proc/loadavg's first three fields: other work on the machine skews every number. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static boolean peerAvailable() {
        try {
            Class.forName(RnnBench.DL4J_PEER, false, CpuBench.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** One timed row; {@code err} is JMH's 99.9% half-width, or for PyTorch rows half of p90 - p10. */
    record Row(String bench, String shape, String threads, double ms, double err) {
        String label() { return threads == null ? bench : bench + " (" + threads + (threads.equals("1") ? " thread)" : " threads)"); }
    }

    /**
     * torch_cpu.py's CSV (GpuBench's columns, mode "threads=N") as rows named like RnnBench's
     * ("torchLstmTrain", shape "BxTxIxH", threads N).
     */
    static List<Row> torchRows(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) return List.of();
        List<String> cols = List.of(lines.get(0).split(","));
        List<Row> out = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            if (l.isBlank()) continue;
            String[] v = l.split(",", -1);
            if (v.length != cols.size()) throw new IOException(csv + ": row has " + v.length + " fields, header " + cols.size() + ": " + l);
            String c = v[cols.indexOf("cell")];
            String cell = switch (Shapes.Cell.parse(c)) { case LSTM -> "Lstm"; case GRU -> "Gru"; case SIMPLE_RNN -> "SimpleRnn"; };
            String shape = v[cols.indexOf("batch")] + "x" + v[cols.indexOf("steps")] + "x" + v[cols.indexOf("in")] + "x" + v[cols.indexOf("units")];
            String mode = v[cols.indexOf("mode")];
            String threads = mode.startsWith("threads=") ? mode.substring(8) : mode;
            double p10 = Double.parseDouble(v[cols.indexOf("p10_ms")]), p90 = Double.parseDouble(v[cols.indexOf("p90_ms")]);
            out.add(new Row("torch" + cell + "Train", shape, threads, Double.parseDouble(v[cols.indexOf("median_ms")]), (p90 - p10) / 2));
        }
        return out;
    }

    /** The lines of torch_cpu.py's log that say what ran: versions, BLAS, the equal-work checks, warnings. */
    static List<String> torchNotes(Path log) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            if (l.startsWith("torch ") || l.startsWith("BLAS:") || l.startsWith("!!!")) out.add("PyTorch peer: " + l);
            else if (l.startsWith("# equal work") || l.contains("FAILED")) out.add(l.substring(l.startsWith("# ") ? 2 : 0));
        }
        return out;
    }

    /**
     * JMH's results and the PyTorch rows by benchmark, shape and threads; a recurrent benchmark's shape is its
     * {@link Shapes#key()} (GEMM rows keep their M x N x K).
     */
    static Map<String, Row> rows(Collection<RunResult> results, List<Row> torch) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            String bench = full.substring(full.lastIndexOf('.') + 1);
            String shape = r.getParams().getParam("shape");
            shape = shape == null ? r.getParams().getParam("mnk") : Shapes.parse(shape).key();
            String threads = r.getParams().getParam("threads");
            Result<?> p = r.getPrimaryResult();
            rows.put(bench + "@" + shape + (threads == null ? "" : "@" + threads),
                    new Row(bench, shape, threads, p.getScore(), p.getScoreError()));
        }
        for (Row r : torch) rows.put(r.bench + "@" + r.shape + "@" + r.threads, r);
        return rows;
    }

    /**
     * The train rows of one side with no row of the other side at the same cell and shape: a jrnn train step with no
     * PyTorch row (its ratio and goal would be blank), a PyTorch row with no jrnn row (timed for nothing).
     */
    static List<String> unmatched(Collection<Row> rows) {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            boolean jrnn = r.bench.startsWith("jrnn") && r.bench.endsWith("Train");
            boolean torch = r.bench.startsWith("torch");
            if (!jrnn && !torch) continue;
            String other = jrnn ? r.bench.replace("jrnn", "torch") : r.bench.replace("torch", "jrnn");
            if (fastest(rows, other, r.shape) == null) {
                out.add(r.label() + " " + r.shape + ": no " + (jrnn ? "PyTorch" : "jrnn") + " row at this shape");
            }
        }
        return out;
    }

    /** The table of {@code torch} joined to {@code results}, with no check that they pair up (tests, other callers). */
    static String table(Collection<RunResult> results, List<Row> torch, CpuPeak peak, List<String> notes, boolean quick) {
        return table(rows(results, torch), peak, notes, quick, List.of());
    }

    static String table(Map<String, Row> rows, CpuPeak peak, List<String> notes, boolean quick, List<String> unmatched) {
        StringBuilder b = new StringBuilder();
        b.append("Machine: ").append(peak.model()).append(", ").append(peak.cores()).append(" cores; Java ")
         .append(System.getProperty("java.version")).append("; ").append(LocalDate.now())
         .append(quick ? "; QUICK settings (1 x 1 s warm-up, 2 x 1 s), not for the record" : "; JMH fork 1, 3 x 2 s warm-up, 5 x 2 s").append("\n\n");
        for (String n : notes) b.append("- ").append(n).append('\n');
        for (String u : unmatched) b.append("- !!! UNMATCHED: ").append(u).append('\n');
        b.append('\n');
        b.append("| benchmark | shape B,T,I,H | ms/op | GFLOP/s | % FMA peak | jrnn / PyTorch time | jrnn / DL4J time |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|\n");
        String[][] order = {
            {"jrnnSimpleRnnForward", "SIMPLE_RNN", "f"}, {"jrnnSimpleRnnTrain", "SIMPLE_RNN", "t"}, {"torchSimpleRnnTrain", "SIMPLE_RNN", "t"},
            {"jrnnLstmForward", "LSTM", "f"}, {"dl4jLstmForward", "LSTM", "f"},
            {"jrnnLstmTrain", "LSTM", "t"}, {"torchLstmTrain", "LSTM", "t"}, {"dl4jLstmTrain", "LSTM", "t"},
            {"jrnnGruForward", "GRU", "f"}, {"jrnnGruTrain", "GRU", "t"}, {"torchGruTrain", "GRU", "t"},
        };
        List<String> goals = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        for (Row r : rows.values()) if (!r.bench.equals("gemm") && !shapes.contains(r.shape)) shapes.add(r.shape);
        for (String shape : shapes) {
            Shapes s = Shapes.parse(shape);
            for (String[] o : order) {
                List<Row> matching = new ArrayList<>();
                for (Row r : rows.values()) if (r.bench.equals(o[0]) && r.shape.equals(shape)) matching.add(r);
                for (Row r : matching) {
                    Shapes.Cell cell = Shapes.Cell.valueOf(o[1]);
                    // jrnn and PyTorch skip the input's gradient (the data); DL4J computes it
                    double flops = o[2].equals("f") ? s.forwardFlops(cell)
                            : o[0].startsWith("dl4j") ? s.trainFlopsWithInputGradient(cell) : s.trainFlops(cell);
                    double gf = flops / (r.ms * 1e6);
                    String torchRatio = "", dl4jRatio = "";
                    if (o[0].startsWith("jrnn")) {
                        Row t = fastest(rows.values(), o[0].replace("jrnn", "torch"), shape);
                        if (t != null) {
                            torchRatio = ratio(r, t, "PyTorch");
                            goals.add(fmt("%s train step %s: jrnn / PyTorch %.3f (goal <= 0.5: %s)", o[1], s, r.ms / t.ms,
                                    quick ? "no verdict from a quick run" : r.ms / t.ms <= 0.5 ? "met" : "not met"));
                        } else if (o[2].equals("t") && !unmatched.isEmpty()) {
                            torchRatio = "**no PyTorch row**";
                        }
                        Row d = fastest(rows.values(), o[0].replace("jrnn", "dl4j"), shape);
                        if (d != null) dl4jRatio = ratio(r, d, "DL4J");
                        if (o[2].equals("t") && s.batch() == 32 && s.units() == 128) {
                            goals.add(fmt("%s train step %s: %.1f%% of the FMA peak (goal >= 60%%)", o[1], s, peak.percent(gf)));
                        }
                    }
                    b.append(fmt("| %s | %d,%d,%d,%d | %.3f ± %.3f | %.2f | %.1f | %s | %s |%n", r.label(), s.batch(), s.steps(),
                            s.in(), s.units(), r.ms, r.err, gf, peak.percent(gf), torchRatio, dl4jRatio));
                }
            }
        }
        if (!goals.isEmpty()) {
            b.append(quick ? "\nIssue 16's CPU goals (QUICK run: 1 s of warm-up is too short for jrnn's JIT; no verdicts, not for"
                    + " the record):\n\n" : "\nIssue 16's CPU goals:\n\n");
            for (String g : goals) b.append("- ").append(g).append('\n');
        }
        boolean gemm = rows.values().stream().anyMatch(r -> r.bench.equals("gemm"));
        if (gemm) {
            b.append("\n| GEMM C[M,N] = A[M,K] B[K,N] | role | ms/op | GFLOP/s | % FMA peak |\n|---|---|---:|---:|---:|\n");
            for (Row r : rows.values()) {
                if (!r.bench.equals("gemm")) continue;
                double gf = GemmBench.flops(r.shape) / (r.ms * 1e6);
                b.append(fmt("| %s | %s | %.4f ± %.4f | %.2f | %.1f |%n", r.shape, gemmRole(r.shape), r.ms, r.err, gf, peak.percent(gf)));
            }
        }
        boolean over = false;
        for (Row r : rows.values()) {
            if (r.bench.equals("gemm") && peak.percent(GemmBench.flops(r.shape) / (r.ms * 1e6)) > 100) over = true;
        }
        if (over) b.append("\nA GEMM above 100% of the peak means the clock estimate is below the clock the cores ran at.\n");
        b.append("\nGFLOP/s count matrix products only: forward 2TB·G·(I+H), train step 3x forward less the input's")
         .append(" gradient 2TB·G·I (DL4J rows: 3x forward, it computes it) (G = H, 3H, 4H for")
         .append(" SimpleRNN, GRU, LSTM); GEMM 2MNK. Ratio < 1: jrnn takes less time than the peer;\n")
         .append("it compares with the peer's fastest thread setting; ± is JMH's 99.9% confidence half-width (PyTorch rows:")
         .append(" median of single steps timed by torch_cpu.py, ± half of p90 - p10).\n");
        return b.toString();
    }

    private static String ratio(Row jrnn, Row peer, String name) {
        return fmt("%.3f (vs %s)", jrnn.ms / peer.ms,
                peer.threads == null ? name : name + ", " + peer.threads + (peer.threads.equals("1") ? " thread" : " threads"));
    }

    /** The peer's fastest row (over its thread counts) for a benchmark and shape, or null. */
    private static Row fastest(Collection<Row> rows, String bench, String shape) {
        Row best = null;
        for (Row r : rows) {
            if (r.bench.equals(bench) && r.shape.equals(shape) && (best == null || r.ms < best.ms)) best = r;
        }
        return best;
    }

    private static String gemmRole(String mnk) {
        return switch (mnk) {
            case "1600x512x128" -> "LSTM input projection, B=32 T=50 I=H=128";
            case "32x512x128" -> "LSTM recurrent step, B=32 H=128";
            case "800x1024x256" -> "LSTM input projection, B=8 T=100 I=H=256";
            case "8x1024x256" -> "LSTM recurrent step, B=8 H=256";
            case "512x512x512" -> "square reference";
            default -> "";
        };
    }

    private static String fmt(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }
}
