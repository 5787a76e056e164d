package dev.jrnn.distributed;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GPU measurements of data-parallel training (benchmarks/gpu-nccl.sh runs them):
 * <ul>
 *   <li>{@code overhead B T H STEPS ROUNDS}: an LSTM(H) + Dense fit on B x T x H batches, plain against a one-rank
 *       data-parallel job (NCCL all-reduce of every gradient bucket), alternating, the ms per step of an epoch after a
 *       warm-up epoch, and the overhead of the median;</li>
 *   <li>{@code ranks B T H STEPS}: one rank of a job started by bin/jrnn-launch (per-rank batch B); rank 0 then fits
 *       one process with batch N·B on the same data and prints the largest relative difference of the losses.</li>
 *   <li>{@code version}: NCCL's version code.</li>
 * </ul>
 */
public final class DataParallelBench {
    private DataParallelBench() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        if (mode.equals("version")) {
            System.out.println(Backends.ncclVersion());
            return;
        }
        int b = Integer.parseInt(args[1]), t = Integer.parseInt(args[2]), h = Integer.parseInt(args[3]), steps = Integer.parseInt(args[4]);
        Backend be = Jrnn.backend();
        if (mode.equals("overhead")) overhead(be, b, t, h, steps, Integer.parseInt(args[5]));
        else ranks(be, b, t, h, steps);
    }

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.wrap(v, shape);
    }

    private static Sequential model(Backend be, int t, int h) {
        Jrnn.setBackend(be);
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new LSTM(h), new Dense(h));
        m.build(t, h);
        m.compile("adam", "mse");
        return m;
    }

    /** Milliseconds per step of the second epoch (the first warms up and captures). */
    private static double[] timedFit(Sequential m, Tensor x, Tensor y, FitOptions o, int steps) {
        long[] at = new long[2];
        List<Double> losses = new ArrayList<>();
        o.callbacks(new Callback() {
            @Override
            public void onEpochBegin(int epoch, Model model) {
                if (epoch == 1) at[0] = System.nanoTime();
            }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                if (epoch == 1) at[1] = System.nanoTime();
                losses.add(logs.get("loss"));
            }
        });
        m.fit(x, y, o.epochs(2).verbose(0).shuffle(false).checkFinite(false));
        return new double[] {(at[1] - at[0]) / 1e6 / steps, losses.get(1)};
    }

    private static void overhead(Backend be, int b, int t, int h, int steps, int rounds) throws Exception {
        Tensor x = random(1, b * steps, t, h), y = random(2, b * steps, h);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Double> plain = new ArrayList<>(), dp = new ArrayList<>();
        try (ProcessGroup pg = ProcessGroup.init(be, "127.0.0.1", port, 0, 1, 0, Duration.ofSeconds(60))) {
            for (int r = 0; r < rounds; r++) {
                double[] p = timedFit(model(be, t, h), x, y, new FitOptions().batchSize(b), steps);
                double[] d = timedFit(model(be, t, h), x, y, new FitOptions().batchSize(b).distributed(pg.communicator()), steps);
                plain.add(p[0]);
                dp.add(d[0]);
                System.out.printf(Locale.ROOT, "round %d: plain %.3f ms/step (loss %.6f), 1-rank data-parallel %.3f ms/step (loss %.6f)%n",
                        r, p[0], p[1], d[0], d[1]);
            }
        }
        double mp = median(plain), md = median(dp);
        System.out.printf(Locale.ROOT, "overhead B=%d T=%d H=%d: plain %.3f ms/step, 1-rank data-parallel %.3f ms/step, %+.2f%% (goal <= 3%%)%n",
                b, t, h, mp, md, 100 * (md / mp - 1));
    }

    private static void ranks(Backend be, int b, int t, int h, int steps) {
        try (ProcessGroup pg = ProcessGroup.fromEnvironment()) {
            int n = pg.size();
            Tensor x = random(1, b * n * steps, t, h), y = random(2, b * n * steps, h);
            Sequential m = model(be, t, h);
            double[] d = timedFit(m, x, y, new FitOptions().batchSize(b).distributed(pg.communicator()), steps);
            System.out.printf(Locale.ROOT, "rank %d of %d: %.3f ms/step at per-rank batch %d, loss %.7f%n", pg.rank(), n, d[0], b, d[1]);
            if (pg.rank() == 0) {
                double[] one = timedFit(model(be, t, h), x, y, new FitOptions().batchSize(b * n), steps);
                System.out.printf(Locale.ROOT, "one process, batch %d: %.3f ms/step, loss %.7f; relative loss difference %.2e%n",
                        b * n, one[0], one[1], Math.abs(one[1] - d[1]) / Math.abs(one[1]));
            }
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}
