package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.AdamArgs;
import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.Loss;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.SgdArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.backend.cuda.Twins.Twin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static dev.jrnn.backend.BufAt.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CPU vs CUDA on fresh random inputs (the seed is printed in every failure): every Backend operation,
 * then whole recurrent sequences (SimpleRNN, LSTM, GRU; masks; both directions) forward and backward
 * built from the same primitives the layers use. Relative error (max abs difference over the largest
 * CPU magnitude) under 1e-5 in FP32, 5e-3 with TF32 and 2e-2 with BF16 matrix products.
 */
@Tag("gpu")
class CudaParityTest extends CpuCudaBackends {
    static final double FP32 = 1e-5;

    Twins tw;

    @BeforeEach
    void fresh() {
        gpu.setPrecision(Precision.FP32);
        tw = new Twins(cpu, gpu, System.nanoTime());
    }

    @AfterEach
    void free() {
        tw.close();
        gpu.setPrecision(Precision.FP32);
    }

    static double tolerance(Precision p) {
        return switch (p) {
            case FP32 -> FP32;
            case TF32 -> 5e-3;
            case BF16 -> 2e-2;
        };
    }

    // ---------------------------------------------------------------- memory

    @Test
    void fillCopyCopy2dTranspose() {
        Twin a = tw.uniform(1000, -1, 1), b = tw.uniform(1000, -1, 1);
        tw.both((be, x) -> be.fill(x.apply(a), 17, 300, 2.5f));
        tw.assertClose("fill", a, 0);
        tw.both((be, x) -> be.copy(x.apply(a), 3, x.apply(b), 501, 400));
        tw.assertClose("copy", b, 0);

        Twin src = tw.uniform(37 * 23 + 5, -1, 1), dst = tw.uniform(37 * 29 + 11, -1, 1);
        tw.both((be, x) -> be.copy2d(37, 19, x.apply(src), 5, 23, x.apply(dst), 11, 29));
        tw.assertClose("copy2d", dst, 0);

        Twin t = tw.uniform(5 * 7 * 3 + 4, -1, 1), u = tw.zeros(5 * 7 * 3 + 9);
        tw.both((be, x) -> be.transpose01(5, 7, 3, x.apply(t), 4, x.apply(u), 9));
        tw.assertClose("transpose01", u, 0);
        tw.both((be, x) -> be.transpose01(20, 33, 1, x.apply(b), 0, x.apply(a), 0));
        tw.assertClose("transpose01 d2=1", a, 0);
    }

    // ---------------------------------------------------------------- BLAS-like

    @Test
    void axpyScaleMulAddRowVector() {
        Twin x = tw.uniform(5003, -2, 2), y = tw.uniform(5003, -2, 2), z = tw.uniform(5003, -2, 2);
        tw.both((be, b) -> be.axpy(4000, 0.75f, b.apply(x), 3, b.apply(y), 1000));
        tw.assertClose("axpy", y, FP32);
        tw.both((be, b) -> be.scale(4999, -1.25f, b.apply(x), 4));
        tw.assertClose("scale", x, FP32);
        tw.both((be, b) -> be.mul(2000, b.apply(x), 1, b.apply(y), 2, b.apply(z), 3));
        tw.assertClose("mul", z, FP32);
        tw.both((be, b) -> be.mul(2000, b.apply(x), 0, b.apply(y), 0, b.apply(x), 0));  // out aliases a
        tw.assertClose("mul aliased", x, FP32);
        Twin bias = tw.uniform(70, -1, 1), m = tw.uniform(31 * 67 + 2, -1, 1);
        tw.both((be, b) -> be.addRowVector(31, 67, b.apply(bias), 3, b.apply(m), 2));
        tw.assertClose("addRowVector", m, FP32);
    }

    @Test
    void sumRows() {
        Twin x = tw.uniform(3001 * 67 + 5, -1, 1), out = tw.uniform(80, -1, 1);
        tw.both((be, b) -> be.sumRows(3001, 67, b.apply(x), 5, b.apply(out), 2, false));
        tw.assertClose("sumRows tall", out, FP32);
        tw.both((be, b) -> be.sumRows(3001, 67, b.apply(x), 5, b.apply(out), 2, true));
        tw.assertClose("sumRows tall accumulate", out, FP32);
        Twin w = tw.uniform(5 * 1000, -1, 1), o2 = tw.uniform(1000, -1, 1);
        tw.both((be, b) -> be.sumRows(5, 1000, b.apply(w), 0, b.apply(o2), 0, true));
        tw.assertClose("sumRows wide accumulate", o2, FP32);
        tw.both((be, b) -> be.sumRows(0, 1000, b.apply(w), 0, b.apply(o2), 0, false));
        tw.assertClose("sumRows no rows", o2, 0);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void gemmAllTranspositions(Precision p) {
        gpu.setPrecision(p);
        int m = 33, n = 47, k = 129;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
                int lda = aCols + 3, ldb = bCols + 1, ldc = n + 2;
                Twin a = tw.uniform(aRows * lda + 7, -1, 1), b = tw.uniform(bRows * ldb + 5, -1, 1);
                float[] nan = new float[m * ldc + 4];
                java.util.Arrays.fill(nan, Float.NaN);
                Twin c = tw.of(nan);
                String what = "gemm " + p + (ta ? " A^T" : " A") + (tb ? " B^T" : " B");
                tw.both((be, x) -> be.gemm(ta, tb, m, n, k, 0.8f, x.apply(a), 7, lda, x.apply(b), 5, ldb,
                        0f, x.apply(c), 4, ldc));
                // the NaN padding between rows (ldc > n) must stay untouched on both
                tw.assertClose(what + " beta=0", c, tolerance(p));
                Twin c2 = tw.uniform(m * ldc + 4, -1, 1);
                tw.both((be, x) -> be.gemm(ta, tb, m, n, k, -1.1f, x.apply(a), 7, lda, x.apply(b), 5, ldb,
                        0.5f, x.apply(c2), 4, ldc));
                tw.assertClose(what + " beta=0.5", c2, tolerance(p));
            }
        }
        float[] nan = new float[6 * 4];
        java.util.Arrays.fill(nan, Float.NaN);
        Twin c = tw.of(nan), a = tw.zeros(1), b = tw.zeros(1);
        tw.both((be, x) -> be.gemm(false, false, 6, 4, 0, 1f, x.apply(a), 0, 1, x.apply(b), 0, 4, 0f, x.apply(c), 0, 4));
        tw.assertClose("gemm k=0 beta=0 clears C", c, 0);
        assertEquals(0f, c.gpuValues()[5]);
    }

    // ---------------------------------------------------------------- activations

    @Test
    void elementwiseActivationsForwardBackward() {
        for (Activation act : new Activation[] {Activation.LINEAR, Activation.TANH, Activation.SIGMOID,
                Activation.RELU, Activation.HARD_SIGMOID}) {
            Twin x = tw.uniform(4099, -5, 5), y = tw.zeros(4099), dy = tw.uniform(4099, -1, 1), dx = tw.zeros(4099);
            tw.both((be, b) -> be.activate(act, 4000, 0, b.apply(x), 50, b.apply(y), 99));
            tw.assertClose("activate " + act, y, FP32);
            tw.both((be, b) -> be.activateBackward(act, 4000, 0, b.apply(y), 99, b.apply(dy), 10, b.apply(dx), 20));
            tw.assertClose("activateBackward " + act, dx, FP32);
            tw.both((be, b) -> be.activate(act, 4099, 0, b.apply(x), 0, b.apply(x), 0));  // in place
            tw.assertClose("activate in place " + act, x, FP32);
        }
    }

    @Test
    void softmaxRowsForwardBackward() {
        for (int cols : new int[] {1, 7, 37, 300, 3000}) {
            int rows = Math.max(1, 6000 / cols);
            int n = rows * cols;
            Twin x = tw.uniform(n + 3, -8, 8), y = tw.zeros(n), dy = tw.uniform(n, -1, 1), dx = tw.zeros(n + 1);
            tw.both((be, b) -> be.activate(Activation.SOFTMAX, n, cols, b.apply(x), 3, b.apply(y), 0));
            tw.assertClose("softmax cols=" + cols, y, FP32);
            tw.both((be, b) -> be.activateBackward(Activation.SOFTMAX, n, cols, b.apply(y), 0, b.apply(dy), 0,
                    b.apply(dx), 1));
            tw.assertClose("softmax backward cols=" + cols, dx, FP32);
            tw.both((be, b) -> be.activateBackward(Activation.SOFTMAX, n, cols, b.apply(y), 0, b.apply(dy), 0,
                    b.apply(dy), 0));  // dx aliases dy
            tw.assertClose("softmax backward in place cols=" + cols, dy, FP32);
        }
    }

    // ---------------------------------------------------------------- clipping

    @Test
    void clip() {
        Twin x = tw.uniform(100_003, -3, 3);
        tw.both((be, b) -> be.clip(99_000, -0.5f, 1.5f, b.apply(x), 2));
        tw.assertClose("clip", x, 0);
    }

    // ---------------------------------------------------------------- global max pooling

    @Test
    void maxOverStepsAndItsGradient() {
        int b = 37, t = 29, f = 13;
        float[] xs = tw.uniformArray(b * t * f, -2, 2);
        for (int i = 0; i < b * f; i += 3) xs[(i / f * t + 5) * f + i % f] = xs[(i / f * t + 9) * f + i % f];   // ties, shared
        Twin x = tw.of(xs), y = tw.uniform(b * f + 2, -9, 9), dy = tw.uniform(b * f, -1, 1), dx = tw.uniform(b * t * f, -9, 9);
        tw.both((be, bf) -> be.maxOverSteps(b, t, f, bf.apply(x), 0, bf.apply(y), 1));
        tw.assertClose("maxOverSteps", y, 0);
        tw.both((be, bf) -> be.maxOverStepsBackward(b, t, f, bf.apply(x), 0, bf.apply(y), 1, bf.apply(dy), 0, bf.apply(dx), 0));
        tw.assertClose("maxOverStepsBackward", dx, FP32);
    }

    /** maskedMulRows: rows with a zero scale come out 0 on both backends though x holds Inf and NaN there. */
    @Test
    void maskedMulRowsZeroesRowsWithAZeroScale() {
        for (int cols : new int[] {17, 1}) {   // one column: the kernel's elementwise path (MultiHeadAttention's where)
            int rows = 301;
            float[] xs = tw.uniformArray(rows * cols, -2, 2), ss = tw.uniformArray(rows, -1, 1);
            for (int r = 0; r < rows; r += 4) {
                ss[r] = 0;
                xs[r * cols + r % cols] = r % 8 == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
            }
            Twin x = tw.of(xs), s = tw.of(ss), y = tw.uniform(rows * cols + 3, -9, 9);
            tw.both((be, bf) -> be.maskedMulRows(rows, cols, bf.apply(x), 0, bf.apply(s), 0, bf.apply(y), 3));
            tw.assertClose("maskedMulRows, " + cols + " columns", y, 0);
        }
    }

    // ---------------------------------------------------------------- losses

    @ParameterizedTest
    @EnumSource(value = Loss.Kind.class, mode = EnumSource.Mode.EXCLUDE, names = "CUSTOM")   // a custom loss runs on the host
    void lossValueAndGradient(Loss.Kind k) {
        Loss kind = Loss.of(k);
        int rows = 37, cols = 11;
        float[] pred, target;
        switch (kind.kind()) {
            case MSE, MAE -> {
                pred = tw.uniformArray(rows * cols, -2, 2);
                target = tw.uniformArray(rows * cols, -2, 2);
            }
            case BINARY_CROSSENTROPY -> {
                pred = tw.uniformArray(rows * cols, 0.02, 0.98);
                target = tw.uniformArray(rows * cols, 0, 1);
            }
            case BINARY_CROSSENTROPY_LOGITS -> {
                pred = tw.uniformArray(rows * cols, -6, 6);
                target = tw.uniformArray(rows * cols, 0, 1);
            }
            case CATEGORICAL_CROSSENTROPY -> {
                pred = distributions(rows, cols);
                target = distributions(rows, cols);
            }
            case CATEGORICAL_CROSSENTROPY_LOGITS -> {
                pred = tw.uniformArray(rows * cols, -6, 6);
                target = distributions(rows, cols);
            }
            case SPARSE_CATEGORICAL_CROSSENTROPY -> {
                pred = distributions(rows, cols);
                target = classIds(rows, cols);
            }
            case SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> {
                pred = tw.uniformArray(rows * cols, -6, 6);
                target = classIds(rows, cols);
            }
            case HUBER, LOG_COSH -> {   // errors on both sides of Huber's delta 1
                pred = tw.uniformArray(rows * cols, -3, 3);
                target = tw.uniformArray(rows * cols, -3, 3);
            }
            case KL_DIVERGENCE -> {
                pred = distributions(rows, cols);
                target = distributions(rows, cols);
            }
            case POISSON -> {
                pred = tw.uniformArray(rows * cols, 0.05, 3);
                target = tw.uniformArray(rows * cols, 0, 3);
            }
            case HINGE, SQUARED_HINGE -> {   // 0/1 targets (taken as -1/1) for one, -1/0/1 (kept) for the other
                pred = tw.uniformArray(rows * cols, -3, 3);
                target = new float[rows * cols];
                for (int i = 0; i < target.length; i++) target[i] = tw.rnd.nextInt(2) - (kind.kind() == Loss.Kind.HINGE ? 0 : tw.rnd.nextInt(2));
            }
            case CATEGORICAL_HINGE -> {
                pred = tw.uniformArray(rows * cols, -3, 3);
                target = new float[rows * cols];
                for (int r = 0; r < rows; r++) target[r * cols + tw.rnd.nextInt(cols)] = 1f;
            }
            default -> throw new AssertionError(kind);
        }
        Twin p = tw.of(pred), t = tw.of(target), w = tw.uniform(rows, 0, 2);
        for (boolean weighted : new boolean[] {false, true}) {
            Twin g = tw.uniform(rows * cols, -9, 9);  // old content must be overwritten
            Twin out = tw.zeros(1);
            tw.both((be, b) -> be.lossAsync(new LossArgs(kind, rows, cols, Span.of(b.apply(p)), Span.of(b.apply(t)),
                    weighted ? Span.of(b.apply(w)) : null, Span.of(b.apply(g)), Span.of(b.apply(out)))));
            tw.assertClose(kind + " value" + (weighted ? " weighted" : ""), out, FP32);
            tw.assertClose(kind + " gradient" + (weighted ? " weighted" : ""), g, FP32);
        }
    }

    /**
     * Hinge's 0/1 check is made anew on every call: a 0/1 batch right after one holding -1, 0 and 1 (and back) on the same
     * backend converts (2y - 1) where the other keeps its targets, as the CPU.
     */
    @ParameterizedTest
    @EnumSource(value = Loss.Kind.class, names = {"HINGE", "SQUARED_HINGE"})
    void hingeTargetsAreCheckedAgainOnEveryCall(Loss.Kind k) {
        Loss kind = Loss.of(k);
        int rows = 29, cols = 5;
        float[] binary = new float[rows * cols], signed = new float[rows * cols];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = tw.rnd.nextInt(2);
            signed[i] = binary[i] == 0 ? -1 : 1;
        }
        signed[7] = 0;
        Twin p = tw.uniform(rows * cols, -3, 3), tb = tw.of(binary), ts = tw.of(signed);
        int call = 0;
        for (Twin t : List.of(ts, tb, tb, ts, tb)) {
            Twin g = tw.uniform(rows * cols, -9, 9), out = tw.zeros(1);
            tw.both((be, b) -> be.lossAsync(new LossArgs(kind, rows, cols, Span.of(b.apply(p)), Span.of(b.apply(t)), null,
                    Span.of(b.apply(g)), Span.of(b.apply(out)))));
            String what = kind + " call " + call++ + (t == tb ? " (0/1)" : " (-1/0/1)");
            tw.assertClose(what + " value", out, FP32);
            tw.assertClose(what + " gradient", g, FP32);
        }
    }

    /** Rows of positive values summing to 1. */
    private float[] distributions(int rows, int cols) {
        float[] d = tw.uniformArray(rows * cols, 0.05, 1);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += d[r * cols + c];
            for (int c = 0; c < cols; c++) d[r * cols + c] /= (float) s;
        }
        return d;
    }

    private float[] classIds(int rows, int cols) {
        float[] d = new float[rows];
        for (int r = 0; r < rows; r++) d[r] = tw.rnd.nextInt(cols);
        return d;
    }

    // ---------------------------------------------------------------- embedding

    @Test
    void gatherAndScatterAddRows() {
        int vocab = 50, dim = 13, n = 200;
        float[] ids = new float[n + 2];
        for (int i = 0; i < ids.length; i++) ids[i] = tw.rnd.nextInt(vocab);
        Twin idx = tw.of(ids), table = tw.uniform(vocab * dim + 4, -1, 1), out = tw.zeros(n * dim + 3);
        tw.both((be, b) -> be.gatherRows(n, dim, b.apply(idx), 2, b.apply(table), 4, b.apply(out), 3));
        tw.assertClose("gatherRows", out, 0);
        Twin dOut = tw.uniform(n * dim, -1, 1), dTable = tw.uniform(vocab * dim, -1, 1);
        tw.both((be, b) -> be.scatterAddRows(n, dim, b.apply(idx), 2, b.apply(dOut), 0, b.apply(dTable), 0));
        tw.assertClose("scatterAddRows", dTable, FP32);
    }

    // ---------------------------------------------------------------- optimizers

    @Test
    void adamSteps() {
        int n = 10_007;
        Twin p = tw.uniform(n, -1, 1), m = tw.zeros(n), v = tw.zeros(n), step = tw.zeros(3);
        for (long t = 1; t <= 5; t++) {   // the device counter counts t
            Twin g = tw.uniform(n, -0.1, 0.1);
            tw.both((be, b) -> be.adamUpdate(new AdamArgs(n - 7, new Span(b.apply(p), 7), new Span(b.apply(g), 7),
                    new Span(b.apply(m), 7), new Span(b.apply(v), 7), Span.of(b.apply(step)), null, 1e-2f, 0.9f, 0.999f, 1e-7f)));
        }
        tw.assertClose("adam step counter", step, 0);
        tw.assertClose("adam p", p, FP32);
        tw.assertClose("adam m", m, FP32);
        tw.assertClose("adam v", v, FP32);
    }

    @Test
    void sgdPlainMomentumNesterov() {
        int n = 3001;
        for (int mode = 0; mode < 3; mode++) {
            Twin p = tw.uniform(n, -1, 1), vel = mode == 0 ? null : tw.zeros(n);
            boolean nesterov = mode == 2;
            for (int s = 0; s < 3; s++) {
                Twin g = tw.uniform(n, -1, 1);
                tw.both((be, b) -> be.sgdUpdate(new SgdArgs(n, Span.of(b.apply(p)), Span.of(b.apply(g)),
                        vel == null ? null : Span.of(b.apply(vel)), null, 0.05f, vel == null ? 0f : 0.9f, nesterov)));
            }
            tw.assertClose("sgd mode " + mode + " p", p, FP32);
            if (vel != null) tw.assertClose("sgd mode " + mode + " velocity", vel, FP32);
        }
    }

    /** RMSprop (plain, momentum, centered), Adagrad, AdamW (also amsgrad: s3) and Nadam with weight decay, offset spans, 5 steps each. */
    @Test
    void optimizerUpdateEveryKind() {
        int n = 10_007;
        Object[][] cases = {   // kind, h1, h2, centered (AdamW: amsgrad), weight decay, s1 start
            {OptimizerArgs.Kind.RMSPROP, 0.9f, 0f, false, 0f, 0f}, {OptimizerArgs.Kind.RMSPROP, 0.9f, 0.5f, true, 0.01f, 0f},
            {OptimizerArgs.Kind.ADAGRAD, 0f, 0f, false, 0f, 0.1f}, {OptimizerArgs.Kind.ADAMW, 0.9f, 0.999f, false, 0.004f, 0f},
            {OptimizerArgs.Kind.ADAMW, 0.9f, 0.9f, true, 0f, 0f},
            {OptimizerArgs.Kind.NADAM, 0.9f, 0.999f, false, 0.01f, 0f}, {OptimizerArgs.Kind.ADAMAX, 0.9f, 0.999f, false, 0.01f, 0f},
            {OptimizerArgs.Kind.ADADELTA, 0.95f, 0f, false, 0f, 0f}, {OptimizerArgs.Kind.LION, 0.9f, 0.99f, false, 0.01f, 0f}};
        for (Object[] c : cases) {
            OptimizerArgs.Kind kind = (OptimizerArgs.Kind) c[0];
            float h1 = (float) c[1], h2 = (float) c[2], wd = (float) c[4];
            boolean centered = (boolean) c[3], withS2 = kind.needsS2() || h2 > 0;
            String what = kind + (centered ? kind == OptimizerArgs.Kind.ADAMW ? " amsgrad" : " centered" : "") + (wd > 0 ? " weight decay" : "");
            Twin p = tw.uniform(n, -1, 1), s1 = tw.uniform(n, (float) c[5], (float) c[5]), s2 = tw.zeros(n), s3 = tw.zeros(n);
            Twin step = tw.zeros(OptimizerArgs.STEP_FLOATS);
            for (int t = 1; t <= 5; t++) {
                Twin g = tw.uniform(n, -0.5, 0.5);
                tw.both((be, b) -> be.optimizerUpdate(new OptimizerArgs(kind, n - 7, new Span(b.apply(p), 7), new Span(b.apply(g), 7),
                        new Span(b.apply(s1), 7), withS2 ? new Span(b.apply(s2), 7) : null, centered ? new Span(b.apply(s3), 7) : null,
                        kind.counted() ? Span.of(b.apply(step)) : null, null, 1e-2f, h1, h2, 1e-7f, wd)));
            }
            if (kind.counted()) tw.assertClose(what + " step counter and coefficients", step, FP32);
            tw.assertClose(what + " p", p, FP32);
            tw.assertClose(what + " s1", s1, FP32);
            if (withS2) tw.assertClose(what + " s2", s2, FP32);
            if (centered) tw.assertClose(what + " s3", s3, FP32);
        }
    }

    // ---------------------------------------------------------------- recurrent steps

    static final Activation[][] ACTS = {
            {Activation.TANH, Activation.SIGMOID}, {Activation.RELU, Activation.HARD_SIGMOID},
            {Activation.LINEAR, Activation.SIGMOID}, {Activation.SIGMOID, Activation.HARD_SIGMOID},
            // the gates of these keep their pre-activations (cell_math.cuh: jrnn_act_keep)
            {Activation.GELU, Activation.SIGMOID}, {Activation.TANH, Activation.SWISH}, {Activation.SWISH, Activation.GELU},
            // Keras 3's keep theirs too
            {Activation.MISH, Activation.HARD_SILU}, {Activation.SQUAREPLUS, Activation.LOG_SIGMOID},
            {Activation.CELU, Activation.HARD_TANH}, {Activation.RELU6, Activation.TANH_SHRINK}};

    @Test
    void rnnStep() {
        int B = 9, H = 13, n = B * H;
        for (Activation[] a : ACTS) {
            for (boolean masked : new boolean[] {false, true}) {
                String w = "rnn " + a[0] + (masked ? " masked" : "");
                Twin pre = tw.uniform(n + 1, -3, 3), hPrev = tw.uniform(n + 2, -1, 1), h = tw.zeros(n + 3);
                Twin mask = masked ? tw.mask(B + 1, 0.4) : null;
                tw.both((be, b) -> be.recurrentStepForward(new CellConfig(RecurrentCell.SIMPLE_RNN, a[0], a[0], B, H),
                        CellStep.Forward.rnn(at(b.apply(pre), 1), at(b.apply(hPrev), 2), at(b.apply(mask), 1),
                                at(b.apply(h), 3))));
                tw.assertClose(w + " forward", h, FP32);
                for (boolean withDy : new boolean[] {false, true}) {
                    Twin dhNext = tw.uniform(n, -1, 1), dy = withDy ? tw.uniform(n, -1, 1) : null;
                    Twin dpre = tw.uniform(n, -1, 1), dhPrev = tw.uniform(n, -1, 1);
                    tw.both((be, b) -> be.recurrentStepBackward(new CellConfig(RecurrentCell.SIMPLE_RNN, a[0], a[0], B, H),
                            CellStep.Backward.rnn(at(b.apply(h), 3), at(b.apply(dhNext), 0), at(b.apply(dy), 0),
                                    at(b.apply(mask), 1), at(b.apply(dpre), 0), at(b.apply(dhPrev), 0))));
                    tw.assertClose(w + " backward dpre dy=" + withDy, dpre, FP32);
                    tw.assertClose(w + " backward dhPrev dy=" + withDy, dhPrev, FP32);
                }
            }
        }
    }

    @Test
    void lstmStep() {
        int B = 9, H = 13, n = B * H;
        for (Activation[] a : ACTS) {
            for (boolean masked : new boolean[] {false, true}) {
                String w = "lstm " + a[0] + "/" + a[1] + (masked ? " masked" : "");
                Twin gates = tw.uniform(4 * n + 1, -3, 3), cPrev = tw.uniform(n, -2, 2), hPrev = tw.uniform(n + 4, -1, 1);
                Twin c = tw.zeros(n + 2), h = tw.uniform(n, -1, 1);
                Twin mask = masked ? tw.mask(B, 0.4) : null;
                tw.both((be, b) -> be.recurrentStepForward(new CellConfig(RecurrentCell.LSTM, a[0], a[1], B, H),
                        CellStep.Forward.lstm(at(b.apply(gates), 1), at(b.apply(cPrev), 0), at(b.apply(hPrev), 4),
                                at(b.apply(mask), 0), at(b.apply(c), 2), at(b.apply(h), 0))));
                tw.assertClose(w + " forward gates", gates, FP32);
                tw.assertClose(w + " forward c", c, FP32);
                tw.assertClose(w + " forward h", h, FP32);
                for (boolean withDy : new boolean[] {false, true}) {
                    Twin dhNext = tw.uniform(n, -1, 1), dy = withDy ? tw.uniform(n, -1, 1) : null;
                    Twin dcNext = tw.uniform(n, -1, 1), dgates = tw.uniform(4 * n, -1, 1);
                    Twin dhPrev = tw.uniform(n, -1, 1);
                    // dcPrev aliases dcNext (allowed by the contract)
                    tw.both((be, b) -> be.recurrentStepBackward(new CellConfig(RecurrentCell.LSTM, a[0], a[1], B, H),
                            CellStep.Backward.lstm(at(b.apply(gates), 1), at(b.apply(cPrev), 0), at(b.apply(c), 2),
                                    at(b.apply(dhNext), 0), at(b.apply(dy), 0), at(b.apply(dcNext), 0),
                                    at(b.apply(mask), 0), at(b.apply(dgates), 0), at(b.apply(dcNext), 0),
                                    at(b.apply(dhPrev), 0))));
                    tw.assertClose(w + " backward dgates dy=" + withDy, dgates, FP32);
                    tw.assertClose(w + " backward dcPrev dy=" + withDy, dcNext, FP32);
                    tw.assertClose(w + " backward dhPrev dy=" + withDy, dhPrev, FP32);
                }
            }
        }
    }

    @Test
    void gruStep() {
        int B = 9, H = 13, n = B * H;
        for (Activation[] a : ACTS) {
            for (int variant = 0; variant < 3; variant++) {
                boolean masked = variant >= 1, bias = variant != 1;
                String w = "gru " + a[0] + "/" + a[1] + (masked ? " masked" : "") + (bias ? " bias" : " no bias");
                Twin xp = tw.uniform(3 * n, -3, 3), rp = tw.uniform(3 * n + 5, -3, 3);
                Twin bRec = bias ? tw.uniform(3 * H, -1, 1) : null, hPrev = tw.uniform(n, -1, 1), h = tw.zeros(n);
                Twin mask = masked ? tw.mask(B, 0.4) : null;
                tw.both((be, b) -> be.recurrentStepForward(new CellConfig(RecurrentCell.GRU, a[0], a[1], B, H),
                        CellStep.Forward.gru(at(b.apply(xp), 0), at(b.apply(rp), 5), at(b.apply(bRec), 0),
                                at(b.apply(hPrev), 0), at(b.apply(mask), 0), at(b.apply(h), 0))));
                tw.assertClose(w + " forward xp", xp, FP32);
                tw.assertClose(w + " forward rp", rp, FP32);
                tw.assertClose(w + " forward h", h, FP32);
                for (boolean withDy : new boolean[] {false, true}) {
                    Twin dhNext = tw.uniform(n, -1, 1), dy = withDy ? tw.uniform(n, -1, 1) : null;
                    Twin dxp = tw.uniform(3 * n, -1, 1), drp = tw.uniform(3 * n, -1, 1), dhPrev = tw.uniform(n, -1, 1);
                    tw.both((be, b) -> be.recurrentStepBackward(new CellConfig(RecurrentCell.GRU, a[0], a[1], B, H),
                            CellStep.Backward.gru(at(b.apply(xp), 0), at(b.apply(rp), 5), at(b.apply(hPrev), 0),
                                    at(b.apply(dhNext), 0), at(b.apply(dy), 0), at(b.apply(mask), 0),
                                    at(b.apply(dxp), 0), at(b.apply(drp), 0), at(b.apply(dhPrev), 0))));
                    tw.assertClose(w + " backward dxp dy=" + withDy, dxp, FP32);
                    tw.assertClose(w + " backward drp dy=" + withDy, drp, FP32);
                    tw.assertClose(w + " backward dhPrev dy=" + withDy, dhPrev, FP32);
                }
            }
        }
    }

    // ---------------------------------------------------------------- whole sequences

    @ParameterizedTest
    @EnumSource(RecurrentCell.class)
    void sequenceForwardBackwardBothDirectionsWithMask(RecurrentCell cell) {
        for (boolean reverse : new boolean[] {false, true}) {
            sequence(cell, Activation.TANH, Activation.SIGMOID, 7, 5, 6, 8, reverse, true, Precision.FP32);
        }
        sequence(cell, Activation.RELU, Activation.HARD_SIGMOID, 5, 3, 4, 6, false, true, Precision.FP32);
        sequence(cell, Activation.TANH, Activation.SIGMOID, 20, 16, 32, 64, false, false, Precision.FP32);
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"TF32", "BF16"})
    void lstmSequenceReducedPrecision(Precision p) {
        sequence(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 12, 16, 32, 64, false, true, p);
        sequence(RecurrentCell.GRU, Activation.TANH, Activation.SIGMOID, 12, 16, 32, 64, true, true, p);
    }

    /**
     * One recurrent layer over a time-major sequence, the way the layers drive the Backend: input
     * projection as one GEMM, per step a recurrent GEMM plus the fused step kernel; backward per step
     * with the fused kernel plus dh += dpre·U^T, then weight gradients as GEMMs over all steps.
     * The loss is sum_t <h_t, R_t>, so every step gets an output gradient R_t.
     */
    private void sequence(RecurrentCell cell, Activation act, Activation rec, int T, int B, int I, int H, boolean reverse,
                          boolean masked, Precision precision) {
        gpu.setPrecision(precision);
        int G = cell.gates() * H;
        // Weights of scale 1/sqrt(fan_in) keep the recurrence contractive: with larger ones a 20-step tanh
        // chain becomes chaotic and amplifies last-bit differences of tanh (CPU: Math.tanh, CUDA: tanhf).
        double ws = 1 / Math.sqrt(I), us = 1 / Math.sqrt(H);
        Twin x = tw.uniform(T * B * I, -1, 1), w = tw.uniform(I * G, -ws, ws), u = tw.uniform(H * G, -us, us);
        Twin bias = tw.uniform(G, -0.2, 0.2), bRec = tw.uniform(G, -0.2, 0.2);
        Twin mask = masked ? tw.mask(T * B, 0.3) : null;
        Twin r = tw.uniform(T * B * H, -1, 1);
        Twin hs = tw.zeros((T + 1) * B * H), cs = tw.zeros((T + 1) * B * H);
        Twin dw = tw.zeros(I * G), du = tw.zeros(H * G), db = tw.zeros(G), dbRec = tw.zeros(G), dx = tw.zeros(T * B * I);
        Twin dh0 = tw.zeros(B * H);
        tw.both((be, b) -> runSequence(be, b, cell, act, rec, T, B, I, H, G, reverse, x, w, u, bias, bRec, mask, r,
                hs, cs, dw, du, db, dbRec, dx, dh0));
        String what = cell + " " + act + "/" + rec + " T=" + T + " B=" + B + " I=" + I + " H=" + H
                + (reverse ? " reversed" : "") + (masked ? " masked" : "") + " " + precision;
        double tol = tolerance(precision);
        tw.assertClose(what + " h sequence", hs, tol);
        if (cell == RecurrentCell.LSTM) tw.assertClose(what + " c sequence", cs, tol);
        tw.assertClose(what + " dkernel", dw, tol);
        tw.assertClose(what + " drecurrent_kernel", du, tol);
        tw.assertClose(what + " dbias", db, tol);
        if (cell == RecurrentCell.GRU) tw.assertClose(what + " drecurrent_bias", dbRec, tol);
        tw.assertClose(what + " dx", dx, tol);
        tw.assertClose(what + " dh0", dh0, tol);
    }

    private static void runSequence(Backend be, Function<Twin, Buf> b, RecurrentCell cell, Activation act, Activation rec,
                                    int T, int B, int I, int H, int G, boolean reverse,
                                    Twin x, Twin w, Twin u, Twin bias, Twin bRec, Twin mask, Twin r,
                                    Twin hs, Twin cs, Twin dw, Twin du, Twin db, Twin dbRec, Twin dx, Twin dh0) {
        List<Buf> tmp = new ArrayList<>();
        Function<Long, Buf> alloc = n -> {
            Buf t = be.alloc(n);
            tmp.add(t);
            return t;
        };
        long BH = (long) B * H, BG = (long) B * G;
        Buf pre = alloc.apply((long) T * BG);   // x·W + b, then the step's gates (activated) for backward
        Buf rp = alloc.apply((long) T * BG);    // GRU: hPrev·U + bRec per step
        Buf dpre = alloc.apply((long) T * BG);
        Buf drp = alloc.apply((long) T * BG);
        Buf dh = alloc.apply(BH), dhTmp = alloc.apply(BH), dc = alloc.apply(BH);
        Buf mk = b.apply(mask);
        // input projection for all steps at once
        be.gemm(false, false, T * B, G, I, 1f, b.apply(x), 0, I, b.apply(w), 0, G, 0f, pre, 0, G);
        be.addRowVector(T * B, G, b.apply(bias), 0, pre, 0);
        for (int k = 0; k < T; k++) {
            int t = reverse ? T - 1 - k : k;
            long hPrev = k * BH, hNext = (k + 1) * BH, step = t * BG;
            switch (cell) {
                case SIMPLE_RNN -> {
                    be.gemm(false, false, B, H, H, 1f, b.apply(hs), hPrev, H, b.apply(u), 0, G, 1f, pre, step, G);
                    be.recurrentStepForward(new CellConfig(RecurrentCell.SIMPLE_RNN, act, act, B, H),
                            CellStep.Forward.rnn(at(pre, step), at(b.apply(hs), hPrev), at(mk, (long) t * B),
                                    at(b.apply(hs), hNext)));
                }
                case LSTM -> {
                    be.gemm(false, false, B, G, H, 1f, b.apply(hs), hPrev, H, b.apply(u), 0, G, 1f, pre, step, G);
                    be.recurrentStepForward(new CellConfig(RecurrentCell.LSTM, act, rec, B, H),
                            CellStep.Forward.lstm(at(pre, step), at(b.apply(cs), hPrev), at(b.apply(hs), hPrev),
                                    at(mk, (long) t * B), at(b.apply(cs), hNext), at(b.apply(hs), hNext)));
                }
                case GRU -> {
                    be.gemm(false, false, B, G, H, 1f, b.apply(hs), hPrev, H, b.apply(u), 0, G, 0f, rp, step, G);
                    be.recurrentStepForward(new CellConfig(RecurrentCell.GRU, act, rec, B, H),
                            CellStep.Forward.gru(at(pre, step), at(rp, step), at(b.apply(bRec), 0),
                                    at(b.apply(hs), hPrev), at(mk, (long) t * B), at(b.apply(hs), hNext)));
                }
            }
        }
        // backward, dy_t = R at processing step k
        be.fill(dh, 0, BH, 0f);
        be.fill(dc, 0, BH, 0f);
        for (int k = T - 1; k >= 0; k--) {
            int t = reverse ? T - 1 - k : k;
            long hPrev = k * BH, hNext = (k + 1) * BH, step = t * BG, dyOff = k * BH;
            switch (cell) {
                case SIMPLE_RNN -> {
                    be.recurrentStepBackward(new CellConfig(RecurrentCell.SIMPLE_RNN, act, act, B, H),
                            CellStep.Backward.rnn(at(b.apply(hs), hNext), at(dh, 0), at(b.apply(r), dyOff),
                                    at(mk, (long) t * B), at(dpre, step), at(dhTmp, 0)));
                    be.gemm(false, true, B, H, G, 1f, dpre, step, G, b.apply(u), 0, G, 1f, dhTmp, 0, H);
                    be.gemm(true, false, H, G, B, 1f, b.apply(hs), hPrev, H, dpre, step, G, 1f, b.apply(du), 0, G);
                }
                case LSTM -> {
                    be.recurrentStepBackward(new CellConfig(RecurrentCell.LSTM, act, rec, B, H),
                            CellStep.Backward.lstm(at(pre, step), at(b.apply(cs), hPrev), at(b.apply(cs), hNext),
                                    at(dh, 0), at(b.apply(r), dyOff), at(dc, 0), at(mk, (long) t * B), at(dpre, step),
                                    at(dc, 0), at(dhTmp, 0)));
                    be.gemm(false, true, B, H, G, 1f, dpre, step, G, b.apply(u), 0, G, 1f, dhTmp, 0, H);
                    be.gemm(true, false, H, G, B, 1f, b.apply(hs), hPrev, H, dpre, step, G, 1f, b.apply(du), 0, G);
                }
                case GRU -> {
                    be.recurrentStepBackward(new CellConfig(RecurrentCell.GRU, act, rec, B, H),
                            CellStep.Backward.gru(at(pre, step), at(rp, step), at(b.apply(hs), hPrev), at(dh, 0),
                                    at(b.apply(r), dyOff), at(mk, (long) t * B), at(dpre, step), at(drp, step),
                                    at(dhTmp, 0)));
                    be.gemm(false, true, B, H, G, 1f, drp, step, G, b.apply(u), 0, G, 1f, dhTmp, 0, H);
                    be.gemm(true, false, H, G, B, 1f, b.apply(hs), hPrev, H, drp, step, G, 1f, b.apply(du), 0, G);
                }
            }
            be.copy(dhTmp, 0, dh, 0, BH);
        }
        be.copy(dh, 0, b.apply(dh0), 0, BH);
        be.gemm(true, false, I, G, T * B, 1f, b.apply(x), 0, I, dpre, 0, G, 0f, b.apply(dw), 0, G);
        be.sumRows(T * B, G, dpre, 0, b.apply(db), 0, false);
        if (cell == RecurrentCell.GRU) be.sumRows(T * B, G, drp, 0, b.apply(dbRec), 0, false);
        be.gemm(false, true, T * B, I, G, 1f, dpre, 0, G, b.apply(w), 0, G, 0f, b.apply(dx), 0, I);
        be.synchronize();
        for (Buf t : tmp) t.close();
    }
}
