package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CounterRng;
import dev.jrnn.backend.Loss;

/**
 * The CPU side of the Backend primitives that keep a training step on the device (masks, dropout,
 * id checks, deferred losses, on-device clipping and step counters): plain loops over the buffers'
 * arrays, the reference the CUDA kernels of {@code kernels/train.cu} are tested against.
 * {@link CpuBackend} delegates to these.
 */
final class CpuTraining {
    private final CpuBackend owner;

    CpuTraining(CpuBackend owner) {
        this.owner = owner;
    }

    private float[] arr(String op, String what, Buf b) { return owner.arr(op, what, b); }

    private static int span(String op, String what, float[] a, long off, long len) {
        return CpuBackend.span(op, what, a, off, len);
    }

    private static void dims(String op, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": rows and cols must be >= 0, got rows=" + rows + " cols=" + cols);
        }
    }

    private static void nonNegative(String op, String what, long v) {
        if (v < 0) throw new IllegalArgumentException(op + ": " + what + " must be >= 0, got " + v);
    }

    void maskFromValues(int rows, int cols, Buf x, long xOff, float maskValue, Buf mask, long maskOff) {
        String op = "maskFromValues";
        dims(op, rows, cols);
        float[] xs = arr(op, "x", x), ms = arr(op, "mask", mask);
        int xo = span(op, "x", xs, xOff, (long) rows * cols), mo = span(op, "mask", ms, maskOff, rows);
        for (int r = 0; r < rows; r++) {
            boolean real = false;
            for (int c = 0, base = xo + r * cols; c < cols && !real; c++) real = xs[base + c] != maskValue;
            ms[mo + r] = real ? 1f : 0f;
        }
    }

    void mulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        String op = "mulRows";
        dims(op, rows, cols);
        long n = (long) rows * cols;
        float[] xs = arr(op, "x", x), ss = arr(op, "s", s), ys = arr(op, "y", y);
        int xo = span(op, "x", xs, xOff, n), so = span(op, "s", ss, sOff, rows), yo = span(op, "y", ys, yOff, n);
        for (int r = 0; r < rows; r++) {
            float f = ss[so + r];
            for (int c = 0; c < cols; c++) ys[yo + r * cols + c] = xs[xo + r * cols + c] * f;
        }
    }

    void dropoutMask(long n, float rate, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        String op = "dropoutMask";
        nonNegative(op, "n", n);
        if (!(rate >= 0f && rate < 1f)) throw new IllegalArgumentException(op + ": rate must be in [0, 1), got " + rate);
        float[] cs = arr(op, "counter", counter), os = arr(op, "out", out);
        int co = span(op, "counter", cs, counterOff, 2), oo = span(op, "out", os, outOff, n);
        long c = CounterRng.counter(cs[co], cs[co + 1]);
        long base = CounterRng.base(seed, c);
        float scale = 1f / (1f - rate);
        for (int i = 0; i < n; i++) os[oo + i] = CounterRng.uniformAt(base, i) >= rate ? scale : 0f;
        advance(cs, co);
    }

    /** Adds one to the (lo, hi) counter at {@code a[o]}. */
    static void advance(float[] a, int o) {
        long c = CounterRng.counter(a[o], a[o + 1]) + 1;
        a[o] = CounterRng.lo(c);
        a[o + 1] = CounterRng.hi(c);
    }

    void checkIds(long n, Buf ids, long idsOff, int vocab, String context, Buf out, long outOff) {
        String op = "checkIds";
        nonNegative(op, "n", n);
        if (vocab <= 0) throw new IllegalArgumentException(op + ": vocab must be > 0, got " + vocab);
        float[] is = arr(op, "ids", ids), os = arr(op, "out", out);
        int io = span(op, "ids", is, idsOff, n), oo = span(op, "out", os, outOff, n);
        for (int i = 0; i < n; i++) {
            float v = is[io + i];
            if (!(v >= 0 && v < vocab && v == Math.floor(v))) {
                throw new IllegalArgumentException((context == null ? op : context) + ": id " + v + " at flat index " + i
                        + " is not an integer in [0, " + vocab + ")");
            }
        }
        if (is != os || io != oo) System.arraycopy(is, io, os, oo, (int) n);
    }

    void lossAsync(Loss kind, int rows, int cols, Buf pred, long predOff, Buf target, long targetOff,
                   Buf weights, long weightsOff, Buf grad, long gradOff, Buf out, long outOff) {
        float[] os = arr("lossAsync", "out", out);
        int oo = span("lossAsync", "out", os, outOff, 1);
        os[oo] = owner.loss(kind, rows, cols, pred, predOff, target, targetOff, weights, weightsOff, grad, gradOff);
    }

    void scaleToSum(long n, double total, Buf x, long xOff) {
        String op = "scaleToSum";
        nonNegative(op, "n", n);
        float[] xs = arr(op, "x", x);
        int xo = span(op, "x", xs, xOff, n);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += xs[xo + i];
        if (sum == 0) return;
        float f = (float) (total / sum);
        for (int i = 0; i < n; i++) xs[xo + i] *= f;
    }

    void clipNorm(long n, float maxNorm, Buf x, long xOff) {
        String op = "clipNorm";
        nonNegative(op, "n", n);
        if (!(maxNorm > 0)) throw new IllegalArgumentException(op + ": maxNorm must be > 0, got " + maxNorm);
        float[] xs = arr(op, "x", x);
        int xo = span(op, "x", xs, xOff, n);
        double norm = Math.sqrt(owner.sumSquares(n, x, xo));   // vectorized; both checked above
        if (norm > maxNorm) owner.scale(n, (float) (maxNorm / norm), x, xo);
    }

    /** Whether the guard (nullable) is set. */
    private boolean guarded(String op, Buf guard, long guardOff) {
        if (guard == null) return false;
        float[] gs = arr(op, "guard", guard);
        return gs[span(op, "guard", gs, guardOff, 1)] != 0f;
    }

    void finiteGuard(long n, Buf x, long xOff, float code, Buf guard, long guardOff) {
        String op = "finiteGuard";
        nonNegative(op, "n", n);
        if (!(code > 0) || !Float.isFinite(code)) throw new IllegalArgumentException(op + ": code must be a positive float, got " + code);
        float[] xs = arr(op, "x", x), gs = arr(op, "guard", guard);
        int xo = span(op, "x", xs, xOff, n), go = span(op, "guard", gs, guardOff, 1);
        if (gs[go] != 0f) return;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(xs[xo + i])) {
                gs[go] = code;
                return;
            }
        }
    }

    void copyIfGuard(long n, Buf guard, long guardOff, Buf src, long srcOff, Buf dst, long dstOff) {
        String op = "copyIfGuard";
        nonNegative(op, "n", n);
        float[] gs = arr(op, "guard", guard), ss = arr(op, "src", src), ds = arr(op, "dst", dst);
        int go = span(op, "guard", gs, guardOff, 1), so = span(op, "src", ss, srcOff, n), dof = span(op, "dst", ds, dstOff, n);
        if (gs[go] != 0f) System.arraycopy(ss, so, ds, dof, (int) n);
    }

    void sgdUpdate(long n, Buf p, long pOff, Buf g, long gOff, Buf velocity, long vOff,
                   float lr, float momentum, boolean nesterov, Buf guard, long guardOff) {
        if (guarded("sgdUpdate", guard, guardOff)) return;
        owner.sgdUpdate(n, p, pOff, g, gOff, velocity, vOff, lr, momentum, nesterov);
    }

    void adamUpdate(long n, Buf p, long pOff, Buf g, long gOff, Buf m, long mOff, Buf v, long vOff,
                    float lr, float beta1, float beta2, float eps, Buf step, long stepOff, Buf guard, long guardOff) {
        float[] ss = arr("adamUpdate", "step", step);
        int so = span("adamUpdate", "step", ss, stepOff, 3);
        if (guarded("adamUpdate", guard, guardOff)) return;
        long t = CounterRng.counter(ss[so], ss[so + 1]) + 1;
        owner.adamUpdate(n, p, pOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, t);
        ss[so] = CounterRng.lo(t);
        ss[so + 1] = CounterRng.hi(t);
    }
}
