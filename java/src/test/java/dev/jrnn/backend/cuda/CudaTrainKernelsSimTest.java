package dev.jrnn.backend.cuda;

import dev.jrnn.backend.AdamArgs;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.backend.SgdArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.jrnn.backend.cuda.KernelSim.append;
import static dev.jrnn.backend.cuda.KernelSim.down;

/**
 * The training-step kernels (kernels/train.cu), the normalization kernel (normalization.cu) and the embedding
 * lookups (embedding.cu) without a GPU: src/test/sim/train_sim_main.cpp launches them on the host CUDA model
 * (cuda_sim.h) as CudaTraining, CudaNormOps and CudaEmbedding do - grid-stride loops over two blocks of a warp, the
 * blocks one after another so the reductions' static shared scratch is modelled - and every output must equal the CPU
 * backend's (checked against float64 references by {@link dev.jrnn.backend.BackendContractTest}) for the same Backend
 * operation on the same random inputs: every optimizer rule with its options over three updates (Adam, SGD plain /
 * momentum / nesterov, RMSprop plain / momentum / centered, Adagrad, AdamW with weight decay and amsgrad, Nadam,
 * Adamax, Adadelta, Lion), clipnorm and scale-to-sum through the two-launch partial sums, the counter-based dropout
 * masks and Gaussian noise (bit for bit with CounterRng, the counter's carry included), value masks, row scaling with
 * Keras' where, max over steps with ties, the NaN guard, id checks, rsqrt, the per-feature scale, gather and
 * scatter-add of embedding rows. Skipped where g++ is missing.
 */
class CudaTrainKernelsSimTest {
    private static final Backend CPU = CpuBackend.create();
    private static Path exe;
    private final Random rnd = new Random(20261206);
    private final StringBuilder in = new StringBuilder();
    private final List<KernelSim.Case> cases = new ArrayList<>();

    @BeforeAll
    static void build() throws Exception {
        exe = KernelSim.build("train_sim", "train_sim_main.cpp");
    }

    @AfterAll
    static void close() {
        CPU.close();
    }

    private float[] rand(int n, double lo, double hi) { return KernelSim.uniform(rnd, n, lo, hi); }

    private Buf up(float[] v) {
        return KernelSim.up(CPU, v);
    }

    private void header(Object... fields) {
        for (Object f : fields) in.append(f).append(' ');
        in.append('\n');
    }

    private void data(float[]... arrays) {
        for (float[] a : arrays) append(in, a);
    }

    private void expect(String name, double tol, float[]... want) {
        cases.add(new KernelSim.Case(name, List.of(want), tol));
    }

    private static float[] slice(float[] a, int from, int n) {
        return Arrays.copyOfRange(a, from, from + n);
    }

    /** Every optimizer rule with its options, three updates each, params and state after them (and the step count). */
    @Test
    void optimizerUpdatesMatchTheCpuBackend() throws Exception {
        int n = 101, steps = 3;
        for (boolean guarded : new boolean[] {false, true}) {
            float[] p = rand(n, -1, 1), g = rand(n * steps, -1, 1), m = rand(n, -0.1, 0.1), v = rand(n, 0, 0.1);
            Buf P = up(p), M = up(m), V = up(v), S = up(new float[3]), G = up(new float[] {guarded ? 2 : 0});
            for (int s = 0; s < steps; s++) {
                Buf Gs = up(slice(g, s * n, n));
                CPU.adamUpdate(new AdamArgs(n, Span.of(P), Span.of(Gs), Span.of(M), Span.of(V), Span.of(S), Span.of(G),
                        0.01f, 0.9f, 0.999f, 1e-7f));
                Gs.close();
            }
            header("adam", n, steps, 0.01f, 0.9f, 0.999f, 1e-7f, guarded ? 1 : 0);
            data(p, g, m, v);
            expect("adam" + (guarded ? " guarded" : ""), 1e-6, down(CPU, P, n), down(CPU, M, n), down(CPU, V, n), down(CPU, S, 2));
        }
        for (int variant = 0; variant < 3; variant++) {
            boolean vel = variant > 0, nesterov = variant == 2;
            float[] p = rand(n, -1, 1), g = rand(n * steps, -1, 1), velocity = rand(n, -0.1, 0.1);
            Buf P = up(p), VE = vel ? up(velocity) : null;
            for (int s = 0; s < steps; s++) {
                Buf Gs = up(slice(g, s * n, n));
                CPU.sgdUpdate(new SgdArgs(n, Span.of(P), Span.of(Gs), Span.ofNullable(VE), null, 0.05f, 0.8f, nesterov));
                Gs.close();
            }
            header("sgd", n, steps, 0.05f, 0.8f, nesterov ? 1 : 0, vel ? 1 : 0);
            data(p, g);
            if (vel) data(velocity);
            String name = "sgd " + (nesterov ? "nesterov" : vel ? "momentum" : "plain");
            if (vel) expect(name, 1e-6, down(CPU, P, n), down(CPU, VE, n));
            else expect(name, 1e-6, down(CPU, P, n));
        }
        record Opt(OptimizerArgs.Kind kind, String name, float lr, float h1, float h2, float eps, float wd, boolean s2, boolean s3) {}
        List<Opt> opts = List.of(
                new Opt(OptimizerArgs.Kind.RMSPROP, "rmsprop", 0.01f, 0.9f, 0, 1e-7f, 0, false, false),
                new Opt(OptimizerArgs.Kind.RMSPROP, "rmsprop momentum", 0.01f, 0.9f, 0.5f, 1e-7f, 0, true, false),
                new Opt(OptimizerArgs.Kind.RMSPROP, "rmsprop centered momentum wd", 0.01f, 0.8f, 0.3f, 1e-7f, 0.01f, true, true),
                new Opt(OptimizerArgs.Kind.ADAGRAD, "adagrad", 0.05f, 0, 0, 1e-7f, 0, false, false),
                new Opt(OptimizerArgs.Kind.ADAMW, "adamw", 0.01f, 0.9f, 0.999f, 1e-7f, 0.004f, true, false),
                new Opt(OptimizerArgs.Kind.ADAMW, "adamw amsgrad", 0.01f, 0.8f, 0.99f, 1e-6f, 0.004f, true, true),
                new Opt(OptimizerArgs.Kind.NADAM, "nadam", 0.01f, 0.9f, 0.999f, 1e-7f, 0, true, false),
                new Opt(OptimizerArgs.Kind.ADAMAX, "adamax", 0.01f, 0.9f, 0.999f, 1e-7f, 0, true, false),
                new Opt(OptimizerArgs.Kind.ADADELTA, "adadelta", 1f, 0.95f, 0, 1e-7f, 0, true, false),
                new Opt(OptimizerArgs.Kind.LION, "lion wd", 0.001f, 0.9f, 0.99f, 0, 0.01f, false, false));
        for (Opt o : opts) {
            float[] p = rand(n, -1, 1), g = rand(n * steps, -1, 1);
            float[] s1 = o.kind() == OptimizerArgs.Kind.LION || o.kind() == OptimizerArgs.Kind.ADAMW || o.kind() == OptimizerArgs.Kind.NADAM
                    || o.kind() == OptimizerArgs.Kind.ADAMAX ? rand(n, -0.1, 0.1) : rand(n, 0.5, 1);
            float[] s2 = o.kind() == OptimizerArgs.Kind.RMSPROP ? rand(n, -0.05, 0.05) : rand(n, 0, 0.2);
            float[] s3 = o.kind() == OptimizerArgs.Kind.RMSPROP ? rand(n, -0.2, 0.2) : rand(n, 0, 0.2);
            Buf P = up(p), S1 = up(s1), S2 = o.s2() ? up(s2) : null, S3 = o.s3() ? up(s3) : null;
            Buf ST = o.kind().counted() ? up(new float[OptimizerArgs.STEP_FLOATS]) : null;
            for (int s = 0; s < steps; s++) {
                Buf Gs = up(slice(g, s * n, n));
                CPU.optimizerUpdate(new OptimizerArgs(o.kind(), n, Span.of(P), Span.of(Gs), Span.of(S1), Span.ofNullable(S2),
                        Span.ofNullable(S3), Span.ofNullable(ST), null, o.lr(), o.h1(), o.h2(), o.eps(), o.wd()));
                Gs.close();
            }
            header("opt", o.kind().code(), n, steps, o.lr(), o.h1(), o.h2(), o.eps(), o.wd(), o.s2() ? 1 : 0, o.s3() ? 1 : 0);
            data(p, g, s1);
            if (o.s2()) data(s2);
            if (o.s3()) data(s3);
            List<float[]> want = new ArrayList<>(List.of(down(CPU, P, n), down(CPU, S1, n)));
            if (o.s2()) want.add(down(CPU, S2, n));
            if (o.s3()) want.add(down(CPU, S3, n));
            if (ST != null) want.add(down(CPU, ST, 2));
            cases.add(new KernelSim.Case(o.name(), want, 1e-6));
        }
        KernelSim.check(exe, in, cases);
    }

    /** clipnorm (clipping and not) and scale-to-sum (and a zero sum) through sum_partial over 3 blocks and scale_by_sum. */
    @Test
    void clipAndScaleToSumMatchTheCpuBackend() throws Exception {
        int n = 203;
        Object[][] runs = {{1, 2.0}, {1, 500.0}, {0, 3.5}, {0, 1.0}};
        for (int i = 0; i < runs.length; i++) {
            int mode = (int) runs[i][0];
            double param = (double) runs[i][1];
            float[] x = i == 3 ? new float[n] : rand(n, -1, 2);
            Buf X = up(x);
            if (mode == 1) CPU.clipNorm(n, (float) param, X, 0);
            else CPU.scaleToSum(n, param, X, 0);
            header("scale", mode, param, n, 3);
            data(x);
            expect((mode == 1 ? "clipNorm " : "scaleToSum ") + param, 1e-6, down(CPU, X, n));
        }
        KernelSim.check(exe, in, cases);
    }

    /** Dropout masks and Gaussian noise bit for bit with the CPU's CounterRng, and the counter advanced (with a carry). */
    @Test
    void counterRandomnessMatchesTheCpuBackend() throws Exception {
        int n = 157;
        float[][] counters = {{0, 0}, {5, 3}, {16777215, 2}};
        for (float[] c : counters) {
            for (float rate : new float[] {0.25f, 0.5f}) {
                Buf C = up(c), O = up(new float[n]);
                CPU.dropoutMask(n, rate, 1234567L, C, 0, O, 0);
                header("dropout", n, rate, 1234567L);
                data(c);
                expect("dropout rate " + rate + " counter " + Arrays.toString(c), 0, down(CPU, O, n), down(CPU, C, 2));
            }
            Buf C = up(c), O = up(new float[n]);
            CPU.normalNoise(n, 0.5f, 2f, -98765L, C, 0, O, 0);
            header("noise", n, 0.5f, 2f, -98765L);
            data(c);
            expect("normal noise counter " + Arrays.toString(c), 0, down(CPU, O, n), down(CPU, C, 2));
        }
        KernelSim.check(exe, in, cases);
    }

    /** Masks from values, row scaling (where(mask, x, 0) with Inf/NaN in zeroed rows), max over steps, guards, ids, rsqrt. */
    @Test
    void maskPoolGuardAndIdKernelsMatchTheCpuBackend() throws Exception {
        int rows = 37, cols = 5;
        float[] x = rand(rows * cols, -2, 2);
        for (int r = 0; r < rows; r += 3) Arrays.fill(x, r * cols, (r + 1) * cols, 0.5f);   // fully masked rows
        x[cols * 3 + 2] = 0.5f;   // a row with some masked values only
        x[cols * 6 + 1] = Float.NaN;
        Buf X = up(x), M = up(new float[rows]);
        CPU.maskFromValues(rows, cols, X, 0, 0.5f, M, 0);
        header("mask", rows, cols, 0.5f);
        data(x);
        expect("maskFromValues", 0, down(CPU, M, rows));

        for (int c : new int[] {cols, 1}) {
            for (boolean zeroed : new boolean[] {false, true}) {
                float[] xs = rand(rows * c, -3, 3), s = rand(rows, -2, 2);
                for (int r = 0; r < rows; r += 4) s[r] = 0;
                if (zeroed) {
                    xs[0] = Float.POSITIVE_INFINITY;
                    xs[4 * c] = Float.NaN;
                }
                Buf XS = up(xs), SS = up(s), Y = up(new float[rows * c]);
                if (zeroed) CPU.maskedMulRows(rows, c, XS, 0, SS, 0, Y, 0);
                else CPU.mulRows(rows, c, XS, 0, SS, 0, Y, 0);
                header("mulrows", zeroed ? 1 : 0, rows, c);
                data(xs, s);
                expect((zeroed ? "maskedMulRows " : "mulRows ") + rows + "x" + c, 1e-6, down(CPU, Y, rows * c));
            }
        }

        for (boolean nan : new boolean[] {false, true}) {
            int b = 5, t = 7, f = 13;
            float[] xs = new float[b * t * f];
            for (int i = 0; i < xs.length; i++) xs[i] = rnd.nextInt(4) - 1;   // ties everywhere
            if (nan) xs[3 * f + 2] = Float.NaN;
            float[] dy = rand(b * f, -1, 1);
            Buf XS = up(xs), Y = up(new float[b * f]), DY = up(dy), DX = up(new float[b * t * f]), DX1 = up(new float[b * t * f]);
            CPU.maxOverSteps(b, t, f, XS, 0, Y, 0);
            CPU.maxOverStepsBackward(b, t, f, XS, 0, Y, 0, DY, 0, DX, 0);
            CPU.maxOverStepsFirstBackward(b, t, f, XS, 0, Y, 0, DY, 0, DX1, 0);
            header("maxsteps", b, t, f);
            data(xs, dy);
            expect("maxOverSteps" + (nan ? " with a NaN" : ""), 1e-6, down(CPU, Y, b * f), down(CPU, DX, b * t * f), down(CPU, DX1, b * t * f));
        }

        int n = 77;
        float[] finite = rand(n, -5, 5), inf = finite.clone(), nan = finite.clone();
        inf[70] = Float.NEGATIVE_INFINITY;
        nan[40] = Float.NaN;
        Object[][] guards = {{finite, 0f}, {inf, 0f}, {nan, 0f}, {nan, 5f}};
        for (Object[] gc : guards) {
            float[] xs = (float[]) gc[0];
            float start = (float) gc[1];
            Buf XS = up(xs), G = up(new float[] {start});
            CPU.finiteGuard(n, XS, 0, 3f, G, 0);
            header("guard", n, 3f, start);
            data(xs);
            expect("finiteGuard from " + start, 0, down(CPU, G, 1));
        }
        for (float gd : new float[] {0, 3}) {
            float[] src = rand(n, -1, 1), dst = rand(n, -1, 1);
            Buf G = up(new float[] {gd}), SRC = up(src), DST = up(dst);
            CPU.copyIfGuard(n, G, 0, SRC, 0, DST, 0);
            header("copyif", n, gd);
            data(src, dst);
            expect("copyIfGuard " + gd, 0, down(CPU, DST, n));
        }

        float[] ids = new float[n];
        for (int i = 0; i < n; i++) ids[i] = rnd.nextInt(9);
        Buf IDS = up(ids), OUT = up(new float[n]);
        CPU.checkIds(n, IDS, 0, 9, "ids", OUT, 0);
        header("ids", n, 9);
        data(ids);
        expect("checkIds", 0, down(CPU, OUT, n), new float[] {-1, 0});
        // bad ids: the CPU throws; the kernel's contract is -1 in their place and the first bad index with its value
        float[] bad = ids.clone();
        bad[60] = 9;
        bad[20] = 2.5f;
        bad[50] = -1;
        float[] badOut = bad.clone();
        for (int i : new int[] {20, 50, 60}) badOut[i] = -1;
        header("ids", n, 9);
        data(bad);
        expect("checkIds with bad ids", 0, badOut, new float[] {20, 2.5f});

        float[] xs = rand(n, 0, 10);
        Buf XS = up(xs), Y = up(new float[n]);
        CPU.rsqrt(n, 1e-3f, XS, 0, Y, 0);
        header("rsqrt", n, 1e-3f);
        data(xs);
        expect("rsqrt", 1e-6, down(CPU, Y, n));
        KernelSim.check(exe, in, cases);
    }

    /** BatchNormalization's per-feature scale (normalization.cu) and the embedding gather / scatter-add (embedding.cu). */
    @Test
    void normalizationAndEmbeddingKernelsMatchTheCpuBackend() throws Exception {
        int rows = 19, cols = 11;
        float[] x = rand(rows * cols, -3, 3), v = rand(cols, -2, 2);
        Buf X = up(x), V = up(v), Y = up(new float[rows * cols]);
        CPU.mulRowVector(rows, cols, X, 0, V, 0, Y, 0);
        header("mulrowvec", rows, cols);
        data(x, v);
        expect("mulRowVector", 1e-6, down(CPU, Y, rows * cols));

        int n = 23, dim = 6, vocab = 8;
        float[] idx = new float[n];
        for (int i = 0; i < n; i++) idx[i] = rnd.nextInt(vocab);   // repeated ids: the scatter accumulates
        float[] table = rand(vocab * dim, -1, 1), dOut = rand(n * dim, -1, 1), dTable = rand(vocab * dim, -1, 1);
        Buf IDX = up(idx), T = up(table), O = up(new float[n * dim]), DO = up(dOut), DT = up(dTable);
        CPU.gatherRows(n, dim, IDX, 0, T, 0, O, 0);
        CPU.scatterAddRows(n, dim, IDX, 0, DO, 0, DT, 0);
        header("gather", n, dim, vocab);
        data(idx, table);
        expect("gatherRows", 0, down(CPU, O, n * dim), new float[] {0});
        header("scatter", n, dim, vocab);
        data(idx, dOut, dTable);
        expect("scatterAddRows", 1e-6, down(CPU, DT, vocab * dim), new float[] {0});
        // an id outside [0, vocab) (the CPU throws): a zero row, nothing scattered, the error flag
        float[] bad = idx.clone();
        bad[4] = vocab;
        float[] want = down(CPU, O, n * dim);
        Arrays.fill(want, 4 * dim, 5 * dim, 0f);
        header("gather", n, dim, vocab);
        data(bad, table);
        expect("gatherRows with a bad id", 0, want, new float[] {1});
        KernelSim.check(exe, in, cases);
    }
}
