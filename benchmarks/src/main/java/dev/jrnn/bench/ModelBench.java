package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Whole-model {@code trainOnBatch} timings of the two layouts a second stream (or thread) can overlap:
 * "bi" = Bidirectional(LSTM(H)) -> Dense(1) (the directions side by side) and "stack" = LSTM(H, sequences)
 * -> LSTM(H) -> Dense(1) (the stack wavefront, {@code RecurrentStack}). Run it once with
 * {@code --streams off} and once with {@code --streams on} (the property is read when the backend is made,
 * so one JVM per setting); the rows (GpuBench's CSV columns, cell "bi-lstm-model" / "stack2-lstm-model",
 * mode "trainOnBatch[+streams]") say whether two streams win. {@link ForkBench} is the CPU counterpart (JMH).
 *
 * <pre>
 * .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.bench.ModelBench --streams on --out $OUT/model_on.csv
 *     [--layouts bi,stack] [--shapes 64x100x512x512,4x100x256x256] [--backend cuda] [--iters 20] [--max-seconds 3]
 * </pre>
 */
public final class ModelBench {
    private ModelBench() {}

    /** The layout's model, built for {@code s}, compiled with MSE and Adam. */
    static Sequential model(String layout, Shapes s) {
        Sequential m = switch (layout) {
            case "bi" -> new Sequential(new Bidirectional(new LSTM(s.units())).inputShape(s.steps(), s.in()), new Dense(1));
            case "stack" -> new Sequential(new LSTM(s.units()).returnSequences(true).inputShape(s.steps(), s.in()),
                    new LSTM(s.units()), new Dense(1));
            default -> throw new IllegalArgumentException("layout: expected bi or stack, got '" + layout + "'");
        };
        m.compile("adam", "mse");
        return m;
    }

    /** One batch: x [B, T, I] and y [B, 1], uniform in [-1, 1) from seed 3. */
    static Tensor[] batch(Shapes s) {
        SplittableRandom r = new SplittableRandom(3);
        float[] xs = new float[s.batch() * s.steps() * s.in()], ys = new float[s.batch()];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < ys.length; i++) ys[i] = (float) r.nextDouble(-1, 1);
        return new Tensor[] {Tensor.of(xs, s.batch(), s.steps(), s.in()), Tensor.of(ys, s.batch(), 1)};
    }

    public static void main(String[] args) throws IOException {
        String layouts = "bi,stack", shapes = "64x100x512x512,4x100x256x256", backend = "cuda", streams = null;
        int iters = 20;
        double maxSeconds = 3;
        Path out = null;
        for (int a = 0; a < args.length; a++) {
            if (args[a].equals("--help")) {
                System.out.println("usage: ModelBench [--layouts bi,stack] [--shapes BxTxIxH,...] [--streams on|off]"
                        + " [--backend cuda|cpu] [--iters N] [--max-seconds S] [--out f.csv]");
                return;
            }
            if (a + 1 >= args.length) throw new IllegalArgumentException("ModelBench: " + args[a] + " needs a value");
            String v = args[++a];
            switch (args[a - 1]) {
                case "--layouts" -> layouts = v;
                case "--shapes" -> shapes = v;
                case "--backend" -> backend = v;
                case "--streams" -> streams = v;
                case "--iters" -> iters = Integer.parseInt(v);
                case "--max-seconds" -> maxSeconds = Double.parseDouble(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("ModelBench: unknown argument '" + args[a - 1] + "' (try --help)");
            }
        }
        dev.jrnn.backend.Settings settings = dev.jrnn.backend.Settings.current();
        if (streams != null) settings = settings.withStreams(StepTimer.onOff("--streams", streams));   // one stream only to compare
        Jrnn.setBackend(dev.jrnn.backend.Backends.create(backend, settings));
        Backend be = Jrnn.backend();
        String device = StepTimer.deviceName(be), mode = "trainOnBatch" + (settings.streams() && be.name().equals("cuda") ? "+streams" : "");
        System.out.println("jrnn ModelBench: backend " + be.name() + ", device " + device + ", streams="
                + settings.streams() + "; host-timed trainOnBatch (returns the loss)");
        List<String> rows = new ArrayList<>();
        for (String layout : layouts.split(",")) {
            for (String sh : shapes.split(",")) {
                Shapes s = Shapes.parse(sh);
                try {
                    String row = time(layout.trim(), s, device, mode, iters, maxSeconds);
                    rows.add(row);
                    System.out.println(row.replace(',', '\t'));
                } catch (RuntimeException | OutOfMemoryError e) {
                    System.out.println("# " + layout + " " + s + " failed: " + e);
                }
            }
        }
        if (out != null) GpuBench.write(out, rows);
    }

    private static String time(String layout, Shapes s, String device, String mode, int iters, double maxSeconds) {
        Jrnn.clearSession();
        Jrnn.setSeed(7);
        Tensor[] xy = batch(s);
        try (Sequential m = model(layout, s)) {
            long start = System.nanoTime();
            for (int w = 0; w < 3 || (System.nanoTime() - start < 2e9 && w < 200); w++) m.trainOnBatch(xy[0], xy[1]);
            double[] ms = new double[iters];
            int n = 0;
            long m0 = System.nanoTime();
            while (n < iters && (n < 5 || (System.nanoTime() - m0) / 1e9 < maxSeconds)) {
                long t0 = System.nanoTime();
                double loss = m.trainOnBatch(xy[0], xy[1]);
                ms[n++] = (System.nanoTime() - t0) / 1e6;
                if (!Double.isFinite(loss)) throw new IllegalStateException("loss is " + loss);
            }
            double[] d = Arrays.copyOf(ms, n);
            Arrays.sort(d);
            double med = GpuBench.quantile(d, 0.5);
            // FLOPs: two LSTM layers either way (the Dense head is negligible); the stack's upper layer has I = H and
            // computes its dx (the lower layer's dy), the layers on the model's input do not
            double flops = layout.equals("bi") ? 2 * s.trainFlops(Shapes.Cell.LSTM)
                    : s.trainFlops(Shapes.Cell.LSTM)
                    + new Shapes(s.batch(), s.steps(), s.units(), s.units()).trainFlopsWithInputGradient(Shapes.Cell.LSTM);
            return String.format(Locale.ROOT, "jrnn,%s,%d,%d,%d,%d,%s,%.4f,%.4f,%.4f,%d,%.1f,%.1f,host-sync,%s,%s",
                    layout.equals("bi") ? "bi-lstm-model" : "stack2-lstm-model", s.batch(), s.steps(), s.in(), s.units(),
                    Jrnn.precision().name().toLowerCase(Locale.ROOT), med, GpuBench.quantile(d, 0.1), GpuBench.quantile(d, 0.9),
                    n, flops / (med * 1e6), s.batch() / (med / 1e3), device.replace(',', ' '), mode);
        }
    }
}
