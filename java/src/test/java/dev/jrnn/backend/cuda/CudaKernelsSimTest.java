package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Loss;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.NonFiniteLossCases;
import dev.jrnn.backend.Span;
import dev.jrnn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loss, activation and row-softmax kernels (kernels/loss.cu, elementwise.cu) without a GPU: g++ compiles them
 * against src/test/sim/cuda_sim.h (every CUDA thread a host thread, warp shuffles a meeting of the warp's 32 threads)
 * with src/test/sim/kernel_sim_main.cpp, which launches them as CudaBackend does; their values and gradients must equal
 * the CPU backend's (itself checked against float64 references by {@link dev.jrnn.backend.BackendContractTest}) on the
 * same random inputs: every loss with Keras' options (label smoothing, Huber's delta, the focal gamma / alpha / class
 * balancing), weighted and not, rows of fewer and more than a warp's 32 columns and more rows than the block's 8 warps;
 * every elementwise activation, forward and backward; softmax and log-softmax rows; the plain elementwise kernels (axpy,
 * scale, mul, bias, clip, copies, transpose, column sums); and every loss with a NaN or an infinity in a prediction or a
 * target ({@link NonFiniteLossCases}: NaN where the CPU gives NaN). The loss and softmax kernels had never run when
 * written (no GPU); the GPU tests check them again on a device. Skipped where g++ is missing.
 */
class CudaKernelsSimTest {
    private static final Backend CPU = CpuBackend.create();
    private static Path exe;
    private final Random rnd = new Random(20261205);

    @BeforeAll
    static void build() throws Exception {
        exe = KernelSim.build("kernel_sim", "kernel_sim_main.cpp");
    }

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static List<float[]> simulate(String problems) throws Exception {
        return KernelSim.simulate(exe, problems);
    }

    private float[] rand(int n, double lo, double hi) { return KernelSim.uniform(rnd, n, lo, hi); }

    private static void append(StringBuilder b, float[] v) { KernelSim.append(b, v); }

    private static Buf up(float[] v) { return KernelSim.up(CPU, v); }

    private static float[] down(Buf b, int n) { return KernelSim.down(CPU, b, n); }

    private static void close(String what, float[] want, float[] got, double tol) { KernelSim.close(what, want, got, tol); }

    /** Predictions and targets in each loss's domain (probabilities, logits, counts, class indices, -1/1 or 0/1 labels). */
    private float[][] lossData(Loss l, int rows, int cols) {
        int n = rows * cols;
        float[] p, t;
        switch (l.kind()) {
            case POISSON -> { p = rand(n, 0.05, 4); t = new float[n]; for (int i = 0; i < n; i++) t[i] = rnd.nextInt(5); }
            case BINARY_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY -> { p = rand(n, 0.03, 0.97); t = binary(n); }
            case BINARY_CROSSENTROPY_LOGITS, BINARY_FOCAL_CROSSENTROPY_LOGITS -> { p = rand(n, -3, 3); t = binary(n); }
            case CATEGORICAL_CROSSENTROPY, KL_DIVERGENCE, CATEGORICAL_FOCAL_CROSSENTROPY -> { p = simplex(rows, cols); t = l.kind() == Loss.Kind.KL_DIVERGENCE ? simplex(rows, cols) : oneHot(rows, cols); }
            case CATEGORICAL_CROSSENTROPY_LOGITS, CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS, CATEGORICAL_HINGE -> { p = rand(n, -3, 3); t = oneHot(rows, cols); }
            case SPARSE_CATEGORICAL_CROSSENTROPY -> { p = simplex(rows, cols); t = classes(rows, cols); }
            case SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> { p = rand(n, -3, 3); t = classes(rows, cols); }
            case HINGE -> { p = rand(n, -3, 3); t = new float[n]; for (int i = 0; i < n; i++) t[i] = rnd.nextBoolean() ? 1 : -1; }
            case SQUARED_HINGE -> { p = rand(n, -3, 3); t = new float[n]; for (int i = 0; i < n; i++) t[i] = rnd.nextInt(2); }
            default -> { p = rand(n, -3, 3); t = rand(n, -3, 3); }
        }
        return new float[][] {p, t};
    }

    private float[] binary(int n) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) t[i] = i % 3 == 0 ? (float) rnd.nextDouble() : rnd.nextInt(2);   // soft labels too
        return t;
    }

    private float[] simplex(int rows, int cols) {
        float[] p = rand(rows * cols, 0.05, 1);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += p[r * cols + c];
            for (int c = 0; c < cols; c++) p[r * cols + c] /= (float) s;
        }
        return p;
    }

    private float[] oneHot(int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) t[r * cols + rnd.nextInt(cols)] = 1;
        return t;
    }

    private float[] classes(int rows, int cols) {
        float[] t = new float[rows];
        for (int r = 0; r < rows; r++) t[r] = rnd.nextInt(cols);
        return t;
    }

    /** Every loss at its defaults and with each Keras option away from its default, on both backends. */
    @Test
    void lossesMatchTheCpuBackend() throws Exception {
        List<Loss> losses = new ArrayList<>();
        for (Loss l : Loss.values()) if (l.kind() != Loss.Kind.CUSTOM) losses.add(l);
        losses.addAll(List.of(Loss.HUBER.delta(0.4), Loss.HUBER.delta(3), Loss.BINARY_CROSSENTROPY.labelSmoothing(0.2),
                Loss.BINARY_CROSSENTROPY_LOGITS.labelSmoothing(0.3), Loss.CATEGORICAL_CROSSENTROPY.labelSmoothing(0.1),
                Loss.CATEGORICAL_CROSSENTROPY_LOGITS.labelSmoothing(0.25), Loss.BINARY_FOCAL_CROSSENTROPY.gamma(3).labelSmoothing(0.1),
                Loss.BINARY_FOCAL_CROSSENTROPY.gamma(0), Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS.gamma(1.5).classBalancing(true).alpha(0.3),
                Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS.classBalancing(true).labelSmoothing(0.2),
                Loss.BINARY_FOCAL_CROSSENTROPY.classBalancing(true).alpha(0.7),
                Loss.CATEGORICAL_FOCAL_CROSSENTROPY.gamma(1.5).alpha(0.6).labelSmoothing(0.1),
                Loss.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS.gamma(3).alpha(1)));
        int[][] shapes = {{7, 13}, {21, 40}, {3, 1}};
        StringBuilder in = new StringBuilder();
        List<String> names = new ArrayList<>();
        List<float[]> wantValue = new ArrayList<>(), wantGrad = new ArrayList<>();
        for (Loss l : losses) {
            for (int[] s : shapes) {
                int rows = s[0], cols = s[1], n = rows * cols;
                if (s[1] == 1 && (l.kind().name().startsWith("CATEGORICAL") || l.kind().name().startsWith("SPARSE") || l.kind() == Loss.Kind.KL_DIVERGENCE)) continue;
                for (boolean weighted : new boolean[] {false, true}) {
                    float[][] pt = lossData(l, rows, cols);
                    float[] w = weighted ? rand(rows, 0.2, 2) : null;
                    Buf P = up(pt[0]), T = up(pt[1]), W = w == null ? null : up(w), G = up(new float[n]), O = up(new float[1]);
                    CPU.lossAsync(new LossArgs(l, rows, cols, new Span(P, 0), new Span(T, 0), W == null ? null : new Span(W, 0),
                            new Span(G, 0), new Span(O, 0)));
                    wantValue.add(down(O, 1));
                    wantGrad.add(down(G, n));
                    for (Buf b : new Buf[] {P, T, W, G, O}) if (b != null) b.close();
                    names.add(l + " " + rows + "x" + cols + (weighted ? " weighted" : ""));
                    in.append(String.format(Locale.ROOT, "loss %d %d %d %s %s %s %d %s %d %d\n", l.code(), rows, cols,
                            Float.toString((float) l.delta()), Float.toString((float) l.gamma()), Float.toString((float) l.alpha()),
                            l.classBalancing() ? 1 : 0, Float.toString((float) l.labelSmoothing()), pt[1].length, weighted ? 1 : 0));
                    append(in, pt[0]);
                    append(in, pt[1]);
                    if (weighted) append(in, w);
                }
            }
        }
        List<float[]> out = simulate(in.toString());
        assertEquals(2 * names.size(), out.size(), "two lines per problem");
        for (int i = 0; i < names.size(); i++) {
            float[] head = out.get(2 * i);
            assertEquals(-1f, head[1], names.get(i) + ": the kernel's error key (no refused row)");
            close(names.get(i) + " value", wantValue.get(i), new float[] {head[0]}, 2e-6);
            close(names.get(i) + " gradient", wantGrad.get(i), out.get(2 * i + 1), 2e-6);
        }
    }

    /**
     * NaN, +Inf and -Inf in a prediction or a target ({@link NonFiniteLossCases}): the kernel's loss and gradient are the
     * CPU backend's, NaN where it is NaN (the kernel's fmaxf / fminf turned a NaN prediction of hinge, squared_hinge,
     * categorical_hinge and kl_divergence into a finite loss, Huber's gradient at a NaN into -delta).
     */
    @Test
    void nonFiniteInputsGiveTheCpuBackendsLossAndGradient() throws Exception {
        StringBuilder in = new StringBuilder();
        List<NonFiniteLossCases.Case> cases = NonFiniteLossCases.all();
        List<float[][]> want = new ArrayList<>();
        for (NonFiniteLossCases.Case c : cases) {
            want.add(NonFiniteLossCases.run(CPU, c));
            in.append(NonFiniteLossCases.simHeader(c)).append('\n');
            append(in, c.pred());
            append(in, c.target());
        }
        List<float[]> out = simulate(in.toString());
        assertEquals(2 * cases.size(), out.size(), "two lines per problem");
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String name = cases.get(i).name();
            try {
                close(name + " value", want.get(i)[0], new float[] {out.get(2 * i)[0]}, 2e-6);
                close(name + " gradient", want.get(i)[1], out.get(2 * i + 1), 2e-6);
            } catch (AssertionError e) {
                wrong.add(e.getMessage());
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + cases.size() + " cases differ:\n" + String.join("\n", wrong));
    }

    /**
     * A class index that is not one (3.5, -1, NaN, cols) is refused by the kernel with the first such row and its value,
     * which CudaTraining puts in the CPU backend's message (it said 'a class index in target is not an integer in [0, C)',
     * naming neither): rows past the block's warps, the first bad row not the first bad value met.
     */
    @Test
    void aRefusedClassIndexIsNamedAsTheCpuBackendNamesIt() throws Exception {
        int rows = 21, cols = 4;
        float[][] targets = {
            {0, 1, 2, 3, 0, 3.5f, 1, 4, 2, -1, 0, 1, 2, 3, Float.NaN, 0, 1, 2, 3, 0, 1},
            {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, Float.NaN, 2, 3, 0},
            {-1, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4}};
        StringBuilder in = new StringBuilder();
        List<String> want = new ArrayList<>();
        List<Loss> losses = new ArrayList<>();
        for (Loss l : List.of(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS)) {
            for (float[] t : targets) {
                float[] p = rand(rows * cols, 0.1, 1);
                Buf P = up(p), T = up(t), G = up(new float[rows * cols]), O = up(new float[1]);
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> CPU.lossAsync(new LossArgs(l, rows, cols, new Span(P, 0), new Span(T, 0), null, new Span(G, 0), new Span(O, 0))));
                want.add(e.getMessage());
                losses.add(l);
                for (Buf b : new Buf[] {P, T, G, O}) b.close();
                in.append(String.format(Locale.ROOT, "loss %d %d %d 1.0 2.0 0.25 0 0.0 %d 0\n", l.code(), rows, cols, rows));
                append(in, p);
                append(in, t);
            }
        }
        List<float[]> out = simulate(in.toString());
        assertEquals(2 * want.size(), out.size(), "two lines per problem");
        for (int i = 0; i < want.size(); i++) {
            float[] head = out.get(2 * i);
            long key = ((long) head[1] << 32) | (Float.floatToRawIntBits(head[2]) & 0xffffffffL);
            assertEquals(want.get(i), CudaTraining.lossTargetMessage(CudaTraining.lossTargetTemplate(losses.get(i), cols), key));
        }
        assertEquals("lossAsync(sparse_categorical_crossentropy): index 3.5 at position 5 is not an integer in [0, 4)", want.get(0));
    }

    /** Every elementwise activation through jrnn_activate and jrnn_activate_bwd, the backward given x or y as CudaBackend's callers give it. */
    @Test
    void activationsMatchTheCpuBackend() throws Exception {
        StringBuilder in = new StringBuilder();
        List<Activation> acts = new ArrayList<>();
        List<float[]> wantY = new ArrayList<>(), wantDx = new ArrayList<>();
        int n = 301;
        for (Activation a : Activation.values()) {
            if (a.rowwise()) continue;
            float[] x = rand(n, -7, 7);
            // the kinks themselves (0, +-0.5, +-1, +-3, 6): where the derivatives' conventions differ
            float[] kinks = {0, 0.5f, -0.5f, 1, -1, 3, -3, 6, -6};
            System.arraycopy(kinks, 0, x, 0, kinks.length);
            float[] dy = rand(n, -1, 1);
            Buf X = up(x), Y = up(new float[n]), DY = up(dy), DX = up(new float[n]);
            CPU.activate(a, n, n, X, 0, Y, 0);
            float[] y = down(Y, n);
            float[] given = a.needsInput() ? x : y;
            Buf GIVEN = up(given);
            CPU.activateBackward(a, n, n, GIVEN, 0, DY, 0, DX, 0);
            wantY.add(y);
            wantDx.add(down(DX, n));
            for (Buf b : new Buf[] {X, Y, DY, DX, GIVEN}) b.close();
            acts.add(a);
            in.append("act ").append(a.code()).append(' ').append(n).append('\n');
            append(in, x);
            append(in, given);
            append(in, dy);
        }
        List<float[]> out = simulate(in.toString());
        assertEquals(2 * acts.size(), out.size());
        for (int i = 0; i < acts.size(); i++) {
            close(acts.get(i) + " forward", wantY.get(i), out.get(2 * i), 1e-6);
            close(acts.get(i) + " backward", wantDx.get(i), out.get(2 * i + 1), 1e-6);
        }
        assertTrue(acts.contains(Activation.HARD_TANH) && acts.contains(Activation.SPARSE_SIGMOID) && acts.contains(Activation.SOFT_SHRINK));
    }

    /** Softmax and log-softmax over rows narrower and wider than the 256-thread block, forward and backward. */
    @Test
    void rowSoftmaxesMatchTheCpuBackend() throws Exception {
        StringBuilder in = new StringBuilder();
        List<String> names = new ArrayList<>();
        List<float[]> wantY = new ArrayList<>(), wantDx = new ArrayList<>();
        for (Activation a : List.of(Activation.SOFTMAX, Activation.LOG_SOFTMAX)) {
            for (int[] s : new int[][] {{5, 7}, {3, 300}, {4, 1}}) {
                int rows = s[0], cols = s[1], n = rows * cols;
                float[] x = rand(n, -20, 20), dy = rand(n, -1, 1);
                Buf X = up(x), Y = up(new float[n]), DY = up(dy), DX = up(new float[n]);
                CPU.activate(a, n, cols, X, 0, Y, 0);
                CPU.activateBackward(a, n, cols, Y, 0, DY, 0, DX, 0);
                wantY.add(down(Y, n));
                wantDx.add(down(DX, n));
                for (Buf b : new Buf[] {X, Y, DY, DX}) b.close();
                names.add(a.kerasName() + " " + rows + "x" + cols);
                in.append("rows ").append(a.kerasName()).append(' ').append(rows).append(' ').append(cols).append('\n');
                append(in, x);
                append(in, dy);
            }
        }
        List<float[]> out = simulate(in.toString());
        assertEquals(2 * names.size(), out.size());
        for (int i = 0; i < names.size(); i++) {
            close(names.get(i) + " forward", wantY.get(i), out.get(2 * i), 2e-6);
            close(names.get(i) + " backward", wantDx.get(i), out.get(2 * i + 1), 2e-6);
        }
    }
    /**
     * The plain kernels of elementwise.cu behind Backend's axpy, scale, mul (its output aliasing an input), addRowVector,
     * clip (NaN kept), copy, fill, copy2d, transpose01 (Permute), gemm with k = 0 (C = beta C, 0 clearing NaN) and
     * sumRows (the two-pass column sums over a grid of row chunks, accumulating or not; against double sums).
     */
    @Test
    void plainElementwiseKernelsMatchTheCpuBackend() throws Exception {
        StringBuilder in = new StringBuilder();
        List<KernelSim.Case> cases = new ArrayList<>();
        int n = 157;
        float[] x = rand(n, -3, 3), y = rand(n, -3, 3);
        x[5] = Float.NaN;
        Buf X = up(x), Y = up(y);
        CPU.axpy(n, 0.75f, X, 0, Y, 0);
        in.append("ew axpy ").append(n).append(" 0.75\n");
        append(in, x);
        append(in, y);
        cases.add(new KernelSim.Case("axpy", List.of(down(Y, n)), 1e-6));
        Y.close();
        Y = up(y);
        CPU.mul(n, X, 0, Y, 0, X, 0);
        in.append("ew mul ").append(n).append('\n');
        append(in, x);
        append(in, y);
        cases.add(new KernelSim.Case("mul", List.of(down(X, n)), 1e-6));
        X.close();
        X = up(x);
        CPU.scale(n, -1.5f, X, 0);
        in.append("ew scale ").append(n).append(" -1.5\n");
        append(in, x);
        cases.add(new KernelSim.Case("scale", List.of(down(X, n)), 1e-6));
        X.close();
        X = up(x);
        CPU.clip(n, -1f, 2f, X, 0);
        in.append("ew clip ").append(n).append(" -1.0 2.0\n");
        append(in, x);
        cases.add(new KernelSim.Case("clip", List.of(down(X, n)), 0));
        X.close();
        X = up(x);
        Buf D = up(new float[n]);
        CPU.copy(X, 0, D, 0, n);
        in.append("ew copy ").append(n).append('\n');
        append(in, x);
        cases.add(new KernelSim.Case("copy", List.of(down(D, n)), 0));
        CPU.fill(D, 0, n, 2.5f);
        in.append("ew fill ").append(n).append(" 2.5\n");
        cases.add(new KernelSim.Case("fill", List.of(down(D, n)), 0));

        int rows = 11, cols = 9, srcLd = 13, dstLd = 10;
        float[] bias = rand(cols, -1, 1), m = rand(rows * cols, -2, 2);
        Buf B = up(bias), M = up(m);
        CPU.addRowVector(rows, cols, B, 0, M, 0);
        in.append("ew addrow ").append(rows).append(' ').append(cols).append('\n');
        append(in, bias);
        append(in, m);
        cases.add(new KernelSim.Case("addRowVector", List.of(down(M, rows * cols)), 1e-6));
        float[] src = rand(rows * srcLd, -2, 2), dst = rand(rows * dstLd, -2, 2);
        Buf S = up(src), T = up(dst);
        CPU.copy2d(rows, cols, S, 0, srcLd, T, 0, dstLd);
        in.append("ew copy2d ").append(rows).append(' ').append(cols).append(' ').append(srcLd).append(' ').append(dstLd).append('\n');
        append(in, src);
        append(in, dst);
        cases.add(new KernelSim.Case("copy2d", List.of(down(T, rows * dstLd)), 0));
        float[] c = rand(rows * dstLd, -2, 2);
        c[3] = Float.NaN;
        for (float beta : new float[] {0f, 0.5f}) {
            Buf C = up(c);
            CPU.gemm(false, false, rows, cols, 0, 1f, S, 0, srcLd, S, 0, srcLd, beta, C, 0, dstLd);
            in.append("ew scale2d ").append(rows).append(' ').append(cols).append(' ').append(beta).append(' ').append(dstLd).append('\n');
            append(in, c);
            cases.add(new KernelSim.Case("gemm k = 0, beta " + beta, List.of(down(C, rows * dstLd)), 1e-6));
        }
        int d0 = 5, d1 = 7, d2 = 3;
        float[] t = rand(d0 * d1 * d2, -1, 1);
        Buf TT = up(t), TO = up(new float[t.length]);
        CPU.transpose01(d0, d1, d2, TT, 0, TO, 0);
        in.append("ew transpose ").append(d0).append(' ').append(d1).append(' ').append(d2).append('\n');
        append(in, t);
        cases.add(new KernelSim.Case("transpose01", List.of(down(TO, t.length)), 0));

        int srows = 100, scols = 40;
        int chunks = Math.min((srows + 31) / 32, 3), perChunk = (srows + chunks - 1) / chunks;
        chunks = (srows + perChunk - 1) / perChunk;
        float[] sx = rand(srows * scols, -2, 2), out = rand(scols, -1, 1);
        for (boolean accumulate : new boolean[] {false, true}) {
            // the kernels add in double, the CPU in float (BackendContractTest allows it 1e-5): the judge is a double sum
            float[] want = new float[scols];
            for (int col = 0; col < scols; col++) {
                double sum = 0;
                for (int r = 0; r < srows; r++) sum += sx[r * scols + col];
                want[col] = accumulate ? out[col] + (float) sum : (float) sum;
            }
            Buf SX = up(sx), O = up(out);
            CPU.sumRows(srows, scols, SX, 0, O, 0, accumulate);
            close("CPU sumRows against the double sums", want, down(O, scols), 1e-5);
            in.append("ew sumrows ").append(srows).append(' ').append(scols).append(' ').append(perChunk).append(' ')
                    .append(chunks).append(' ').append(accumulate ? 1 : 0).append('\n');
            append(in, sx);
            append(in, out);
            cases.add(new KernelSim.Case("sumRows" + (accumulate ? " accumulating" : ""), List.of(want), 1e-6));
        }
        KernelSim.check(exe, in, cases);
    }
}
