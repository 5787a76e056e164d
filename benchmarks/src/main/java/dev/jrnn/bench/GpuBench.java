package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * GPU timing harness for jrnn's train step (one recurrent layer, MSE on the last output, backward,
 * Adam; see {@link JrnnTrainer}) on the CUDA backend. For each shape and precision: warm-up (at
 * least {@code --warmup} steps and 2 s), then up to {@code --iters} steps each timed alone, inputs
 * cycling through 8 random batches (never zeros), in each {@link Mode} asked for (default: sync and graph);
 * prints median / p10 / p90 ms and GFLOP/s, and the GEMM alone at the layer's input-projection shape
 * (mode "gemm-MxNxK") so the step's GFLOP/s can be read as a share of the GEMM's
 * (FLOP model in {@link Shapes}) and writes CSV (and JSON beside it). benchmarks/peers/torch_lstm.py
 * prints the same columns for PyTorch's cuDNN LSTM; benchmarks/gpu.sh runs both and the ratios.
 *
 * <pre>
 * .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.bench.GpuBench --out $OUT/jrnn_gpu.csv
 *     [--shapes 64x100x512x512,4x100x256x256,256x50x1024x1024] [--precisions fp32,tf32]
 *     [--cell lstm|gru|simple_rnn] [--modes sync,async,graph] [--warmup 10] [--iters 50] [--max-seconds 12]
 *     [--backend cuda] [--bidirectional] [--streams on|off]
 * </pre>
 *
 * <p>{@code --bidirectional} wraps the layer in {@code Bidirectional} (concat; cell column "bi-lstm", twice
 * the FLOPs); {@code --streams off|on} makes the backend with one stream or two (two is the default), so that work is
 * forked to a second CUDA stream (a Bidirectional's two directions, a stack's wavefront)
 * (mode column "graph+streams").
 */
public final class GpuBench {
    /** CSV columns, shared with torch_lstm.py. */
    public static final String HEADER =
            "impl,cell,batch,steps,in,units,precision,median_ms,p10_ms,p90_ms,iters,gflops,samples_per_s,timer,device,mode";

    /** How jrnn's step is issued (see {@link JrnnTrainer}). */
    enum Mode {
        /** Reads the loss back every step: one host round trip per step, as a plain loop. */
        SYNC,
        /** Loss and Adam's step count stay on the device: no host round trip. */
        ASYNC,
        /** The asynchronous step captured once into a CUDA graph per input batch, then replayed. */
        GRAPH
    }

    private GpuBench() {}

    public static void main(String[] args) throws IOException {
        String shapes = "64x100x512x512,4x100x256x256,256x50x1024x1024";
        String precisions = "fp32,tf32";
        String cellName = "lstm";
        String backendName = "cuda";
        String modeNames = "sync,graph";
        boolean gemm = true, bi = false;
        String streams = null;
        int warmup = 10, iters = 50;
        double maxSeconds = 12;
        Path out = null;
        for (int a = 0; a < args.length; a++) {
            String v = a + 1 < args.length ? args[a + 1] : null;
            switch (args[a]) {
                case "--shapes" -> { shapes = need(args, a); a++; }
                case "--precisions" -> { precisions = need(args, a); a++; }
                case "--cell" -> { cellName = need(args, a); a++; }
                case "--backend" -> { backendName = need(args, a); a++; }
                case "--modes" -> { modeNames = need(args, a); a++; }
                case "--no-gemm" -> gemm = false;
                case "--bidirectional" -> bi = true;
                case "--streams" -> { streams = need(args, a); a++; }
                case "--warmup" -> { warmup = Integer.parseInt(need(args, a)); a++; }
                case "--iters" -> { iters = Integer.parseInt(need(args, a)); a++; }
                case "--max-seconds" -> { maxSeconds = Double.parseDouble(need(args, a)); a++; }
                case "--out" -> { out = Path.of(need(args, a)); a++; }
                case "-h", "--help" -> {
                    System.out.println("usage: GpuBench [--out file.csv] [--shapes BxTxIxH,...] [--precisions fp32,tf32]"
                            + " [--cell lstm|gru|simple_rnn] [--modes sync,async,graph] [--warmup N] [--iters N]"
                            + " [--max-seconds S] [--backend cuda|cpu] [--no-gemm] [--bidirectional] [--streams on|off]");
                    return;
                }
                default -> throw new IllegalArgumentException("GpuBench: unknown argument '" + args[a] + "' (try --help)");
            }
        }
        Shapes.Cell cell = Shapes.Cell.parse(cellName);

        List<Mode> modes = new ArrayList<>();
        for (String m : modeNames.split(",")) {
            try {
                modes.add(Mode.valueOf(m.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("GpuBench: --modes expects sync, async and/or graph, got " + m);
            }
        }

        Settings settings = Settings.current();
        if (streams != null) settings = settings.withStreams(StepTimer.onOff("--streams", streams));   // one stream only to compare
        String suffix = streams != null && settings.streams() ? "+streams" : "";   // labels the rows of an explicit comparison
        Jrnn.setBackend(Backends.create(backendName, settings));
        Backend be = Jrnn.backend();
        String device = StepTimer.deviceName(be);
        System.out.println("jrnn GpuBench: backend " + be.name() + ", device " + device + ", cell " + (bi ? "Bidirectional " : "") + cell + ", modes " + modes + (suffix.isEmpty() ? "" : ", two streams")
                + ", warm-up >= " + warmup + " steps and 2 s, then up to " + iters + " steps or " + maxSeconds + " s");
        System.out.println("FLOP model: train step = 6*T*B*G*(I+H) (matrix products only; G = gates x H)" + (bi ? ", twice for Bidirectional" : ""));

        List<String> rows = new ArrayList<>();
        System.out.println(HEADER.replace(',', '\t'));
        for (String p : precisions.split(",")) {
            Precision prec = Precision.valueOf(p.trim().toUpperCase(Locale.ROOT));
            Jrnn.setPrecision(prec);
            for (String sh : shapes.split(",")) {
                Shapes s = Shapes.parse(sh);
                try {
                    run(cell, bi, suffix, s, prec, modes, be, device, warmup, iters, maxSeconds, row -> {
                        rows.add(row);
                        System.out.println(row.replace(',', '\t'));
                    });
                } catch (RuntimeException | OutOfMemoryError e) {
                    System.out.println("# " + s + " " + prec + " failed: " + e);
                    e.printStackTrace(System.out);
                }
                if (gemm) {
                    try {
                        String row = gemmRow(cell, bi, s, prec, be, device, warmup, iters);
                        rows.add(row);
                        System.out.println(row.replace(',', '\t'));
                    } catch (RuntimeException | OutOfMemoryError e) {
                        System.out.println("# " + s + " " + prec + " gemm failed: " + e);
                    }
                }
            }
        }
        if (out != null) write(out, rows);
    }

    private static String need(String[] args, int a) {
        if (a + 1 >= args.length) throw new IllegalArgumentException("GpuBench: " + args[a] + " needs a value");
        return args[a + 1];
    }

    /** Times every mode of one (shape, precision) on one trainer; hands each CSV row to {@code sink}. */
    static void run(Shapes.Cell cell, boolean bi, String modeSuffix, Shapes s, Precision prec, List<Mode> modes,
                    Backend be, String device, int warmup, int iters, double maxSeconds,
                    java.util.function.Consumer<String> sink) {
        BenchData data = BenchData.random(s, 8, 7);
        try (JrnnTrainer t = new JrnnTrainer(cell, s, data, 42, bi); StepTimer timer = StepTimer.create(be)) {
            int[] i = {0};
            for (Mode mode : modes) {
                java.util.function.IntConsumer step;
                try {
                    step = switch (mode) {
                        case SYNC -> k -> t.trainStep(k);
                        case ASYNC -> t::trainStepAsync;
                        case GRAPH -> {
                            t.trainStepAsync(i[0]++);   // pool and kernels warm before the capture
                            be.synchronize();
                            if (!t.captureSteps()) {
                                System.out.println("# " + s + " " + prec + " graph: backend " + be.name() + " cannot capture; skipped");
                                yield null;
                            }
                            yield t::replay;
                        }
                    };
                } catch (RuntimeException e) {
                    System.out.println("# " + s + " " + prec + " " + mode + " failed: " + e);
                    e.printStackTrace(System.out);
                    continue;
                }
                if (step == null) continue;
                try {
                    sink.accept(time(cell, bi, modeSuffix, s, prec, mode, step, be, timer, device, warmup, iters,
                            maxSeconds, i, t));
                } catch (RuntimeException e) {
                    System.out.println("# " + s + " " + prec + " " + mode + " failed: " + e);
                    e.printStackTrace(System.out);
                }
            }
        }
    }

    private static String time(Shapes.Cell cell, boolean bi, String modeSuffix, Shapes s, Precision prec, Mode mode,
                               java.util.function.IntConsumer step,
                               Backend be, StepTimer timer, String device, int warmup, int iters, double maxSeconds,
                               int[] i, JrnnTrainer t) {
        // Warm-up: JIT, the memory pool, kernel loading; at least `warmup` steps and 2 s.
        long start = System.nanoTime();
        int w = 0;
        while (w < warmup || (System.nanoTime() - start < 2e9 && w < 600)) {
            step.accept(i[0]++);
            w++;
        }
        float loss = mode == Mode.SYNC ? t.trainStep(i[0]++) : t.lastLoss();
        if (!Float.isFinite(loss)) throw new IllegalStateException("loss is " + loss + " after warm-up");
        double[] ms = new double[iters];
        int n = 0;
        long mStart = System.nanoTime();
        while (n < iters && (n < 5 || (System.nanoTime() - mStart) / 1e9 < maxSeconds)) {
            int k = i[0]++;
            ms[n++] = timer.time(() -> step.accept(k));
        }
        if (mode != Mode.SYNC && !Float.isFinite(t.lastLoss())) throw new IllegalStateException("loss is not finite after timing");
        double[] d = Arrays.copyOf(ms, n);
        Arrays.sort(d);
        double med = quantile(d, 0.5), p10 = quantile(d, 0.1), p90 = quantile(d, 0.9);
        double gflops = (bi ? 2 : 1) * s.trainFlops(cell) / (med * 1e6);
        return String.format(Locale.ROOT, "jrnn,%s,%d,%d,%d,%d,%s,%.4f,%.4f,%.4f,%d,%.1f,%.1f,%s,%s,%s",
                cellLabel(cell, bi), s.batch(), s.steps(), s.in(), s.units(),
                prec.name().toLowerCase(Locale.ROOT), med, p10, p90, n, gflops, s.batch() / (med / 1e3),
                timer.kind(), device.replace(',', ' '), mode.name().toLowerCase(Locale.ROOT) + modeSuffix);
    }

    /** The CSV cell column: "lstm", or "bi-lstm" for the Bidirectional wrapper (torch_lstm.py --bidirectional). */
    static String cellLabel(Shapes.Cell cell, boolean bi) {
        return (bi ? "bi-" : "") + cell.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The backend's GEMM alone (cuBLAS on CUDA) at the layer's largest product, the input projection
     * {@code X[T*B, I] W[I, G]}: the GEMM throughput the train step's GFLOP/s can be compared with.
     * Row: impl "jrnn", mode "gemm-MxNxK", gflops = 2MNK / median time.
     */
    static String gemmRow(Shapes.Cell cell, boolean bi, Shapes s, Precision prec, Backend be, String device, int warmup,
                          int iters) {
        int m = s.batch() * s.steps(), n = cell.gates * s.units(), k = s.in();
        try (dev.jrnn.backend.Buf a = BenchData.upload(be, (long) m * k, 3);
             dev.jrnn.backend.Buf b = BenchData.upload(be, (long) k * n, 4);
             dev.jrnn.backend.Buf c = be.alloc((long) m * n);
             StepTimer timer = StepTimer.create(be)) {
            Runnable g = () -> be.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            for (int i = 0; i < Math.max(warmup, 10); i++) g.run();
            double[] ms = new double[iters];
            for (int i = 0; i < iters; i++) ms[i] = timer.time(g);
            Arrays.sort(ms);
            double med = quantile(ms, 0.5);
            return String.format(Locale.ROOT, "jrnn,%s,%d,%d,%d,%d,%s,%.4f,%.4f,%.4f,%d,%.1f,%.1f,%s,%s,gemm-%dx%dx%d",
                    cellLabel(cell, bi), s.batch(), s.steps(), s.in(), s.units(),
                    prec.name().toLowerCase(Locale.ROOT), med, quantile(ms, 0.1), quantile(ms, 0.9), iters,
                    2.0 * m * n * k / (med * 1e6), 0.0, timer.kind(), device.replace(',', ' '), m, n, k);
        }
    }

    /** Linear-interpolated quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    static void write(Path csv, List<String> rows) throws IOException {
        if (csv.toAbsolutePath().getParent() != null) Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.writeString(csv, HEADER + "\n" + String.join("\n", rows) + (rows.isEmpty() ? "" : "\n"));
        String[] cols = HEADER.split(",");
        StringBuilder j = new StringBuilder("[\n");
        for (int r = 0; r < rows.size(); r++) {
            String[] v = rows.get(r).split(",", -1);
            j.append("  {");
            for (int c = 0; c < cols.length; c++) {
                boolean num = c >= 2 && c <= 5 || c >= 7 && c <= 12;
                j.append(c > 0 ? ", " : "").append('"').append(cols[c]).append("\": ")
                 .append(num ? v[c] : "\"" + v[c].replace("\"", "'") + "\"");
            }
            j.append(r + 1 < rows.size() ? "},\n" : "}\n");
        }
        j.append("]\n");
        String name = csv.getFileName().toString().replaceFirst("\\.csv$", "") + ".json";
        Files.writeString(csv.resolveSibling(name), j.toString());
        System.out.println("written: " + csv + " and " + csv.resolveSibling(name));
    }
}
