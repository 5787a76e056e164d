package dev.jrnn.backend.cpu;

import dev.jrnn.backend.AdamArgs;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;
import dev.jrnn.backend.CounterRng;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.LossMath;
import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.backend.SgdArgs;
import dev.jrnn.backend.Span;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU side of the Backend primitives that keep a training step on the device (masks, dropout,
 * id checks, losses, on-device clipping, the optimizer updates and their step counters): plain loops over the buffers'
 * arrays, the reference the CUDA kernels of {@code kernels/train.cu} are tested against.
 * {@link CpuBackend} delegates to these.
 */
final class CpuTraining {
    private static final VectorSpecies<Float> S = VMath.S;
    private static final int VL = VMath.VL;
    private final CpuBackend owner;

    CpuTraining(CpuBackend owner) {
        this.owner = owner;
    }

    private float[] arr(String op, String what, Buf b) { return owner.arr(op, what, b); }

    private static int span(String op, String what, float[] a, long off, long len) {
        return CpuBackend.span(op, what, a, off, len);
    }

    private static void dims(String op, int rows, int cols) {
        Checks.dims(op, rows, cols);
    }

    private static void nonNegative(String op, String what, long v) {
        Checks.nonNegative(op, what, v);
    }

    /** The array behind a span, after checking it holds {@code len} floats; {@link #at} gives the offset. */
    private float[] arr(String op, String what, Span s, long len) {
        float[] a = arr(op, what, s.buf());
        span(op, what, a, s.off(), len);
        return a;
    }

    private static int at(Span s) { return (int) s.off(); }

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
        mulRows("mulRows", false, rows, cols, x, xOff, s, sOff, y, yOff);
    }

    void maskedMulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        mulRows("maskedMulRows", true, rows, cols, x, xOff, s, sOff, y, yOff);
    }

    /** y = x * s per row; {@code zeroed}: a zero scale gives a zero row (no 0 * Inf = NaN). */
    private void mulRows(String op, boolean zeroed, int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        dims(op, rows, cols);
        long n = (long) rows * cols;
        float[] xs = arr(op, "x", x), ss = arr(op, "s", s), ys = arr(op, "y", y);
        int xo = span(op, "x", xs, xOff, n), so = span(op, "s", ss, sOff, rows), yo = span(op, "y", ys, yOff, n);
        for (int r = 0; r < rows; r++) {
            float f = ss[so + r];
            if (zeroed && f == 0) java.util.Arrays.fill(ys, yo + r * cols, yo + (r + 1) * cols, 0f);
            else for (int c = 0; c < cols; c++) ys[yo + r * cols + c] = xs[xo + r * cols + c] * f;
        }
    }

    void maxOverSteps(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff) {
        String op = "maxOverSteps";
        long n = dev.jrnn.backend.Checks.poolDims(op, batch, steps, features);
        float[] xs = arr(op, "x", x), ys = arr(op, "y", y);
        int xo = span(op, "x", xs, xOff, n), yo = span(op, "y", ys, yOff, (long) batch * features);
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < features; f++) {
                float m = xs[xo + b * steps * features + f];
                for (int t = 1; t < steps; t++) m = Math.max(m, xs[xo + (b * steps + t) * features + f]);   // NaN wins
                ys[yo + b * features + f] = m;
            }
        }
    }

    /** Ties share dy, or with {@code first} it goes to the first of them (maxOverStepsFirstBackward). */
    void maxOverStepsBackward(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff, Buf dy, long dyOff,
                              Buf dx, long dxOff, boolean first) {
        String op = first ? "maxOverStepsFirstBackward" : "maxOverStepsBackward";
        long n = dev.jrnn.backend.Checks.poolDims(op, batch, steps, features);
        float[] xs = arr(op, "x", x), ys = arr(op, "y", y), dys = arr(op, "dy", dy), dxs = arr(op, "dx", dx);
        int xo = span(op, "x", xs, xOff, n), dxo = span(op, "dx", dxs, dxOff, n);
        int yo = span(op, "y", ys, yOff, (long) batch * features), dyo = span(op, "dy", dys, dyOff, (long) batch * features);
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < features; f++) {
                float m = ys[yo + b * features + f];
                int k = 0;
                for (int t = 0; t < steps; t++) if (xs[xo + (b * steps + t) * features + f] == m) k++;
                float g = k == 0 ? 0f : first ? dys[dyo + b * features + f] : dys[dyo + b * features + f] / k;
                boolean taken = false;
                for (int t = 0; t < steps; t++) {
                    int i = (b * steps + t) * features + f;
                    boolean hit = xs[xo + i] == m && !(first && taken);
                    dxs[dxo + i] = hit ? g : 0f;
                    taken |= hit;
                }
            }
        }
    }

    void rsqrt(long n, float eps, Buf x, long xOff, Buf y, long yOff) {
        String op = "rsqrt";
        nonNegative(op, "n", n);
        float[] xs = arr(op, "x", x), ys = arr(op, "y", y);
        int xo = span(op, "x", xs, xOff, n), yo = span(op, "y", ys, yOff, n);
        for (int i = 0; i < n; i++) ys[yo + i] = (float) (1.0 / Math.sqrt(xs[xo + i] + eps));
    }

    void dropoutMask(long n, float rate, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        String op = "dropoutMask";
        nonNegative(op, "n", n);
        Checks.dropoutRate(op, rate);
        float[] cs = arr(op, "counter", counter), os = arr(op, "out", out);
        int co = span(op, "counter", cs, counterOff, 2), oo = span(op, "out", os, outOff, n);
        long c = CounterRng.counter(cs[co], cs[co + 1]);
        long base = CounterRng.base(seed, c);
        float scale = 1f / (1f - rate);
        for (int i = 0; i < n; i++) os[oo + i] = CounterRng.uniformAt(base, i) >= rate ? scale : 0f;
        advance(cs, co);
    }

    void normalNoise(long n, float mean, float stddev, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        String op = "normalNoise";
        nonNegative(op, "n", n);
        Checks.noiseStddev(op, stddev);
        float[] cs = arr(op, "counter", counter), os = arr(op, "out", out);
        int co = span(op, "counter", cs, counterOff, 2), oo = span(op, "out", os, outOff, n);
        long base = CounterRng.base(seed, CounterRng.counter(cs[co], cs[co + 1]));
        for (int i = 0; i < n; i++) os[oo + i] = (float) (mean + stddev * CounterRng.normal(base, i));
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
        Checks.vocab(op, vocab);
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

    void lossAsync(LossArgs a) {
        String op = "lossAsync(" + a.kind().name().toLowerCase(java.util.Locale.ROOT) + ")";
        long n = a.size();
        float[] ps = arr(op, "pred", a.pred(), n), ts = arr(op, "target", a.target(), a.targetSize());
        float[] ws = a.weights() == null ? null : arr(op, "weights", a.weights(), a.rows());
        float[] gs = a.grad() == null ? null : arr(op, "grad", a.grad(), n);
        float[] os = arr(op, "out", a.out(), 1);
        int to = at(a.target());
        if (a.kind().sparse()) {
            for (int r = 0; r < a.rows(); r++) CpuRows.index(op, ts[to + r], r, a.cols());
        }
        os[at(a.out())] = (float) (LossMath.weightedSum(a.kind(), a.rows(), a.cols(), ps, at(a.pred()), ts, to,
                ws, ws == null ? 0 : at(a.weights()), gs, gs == null ? 0 : at(a.grad())) / a.rows());
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
        Checks.maxNorm(op, maxNorm);
        float[] xs = arr(op, "x", x);
        int xo = span(op, "x", xs, xOff, n);
        double norm = Math.sqrt(sumSquares(xs, xo, (int) n));
        if (norm > maxNorm) owner.scale(n, (float) (maxNorm / norm), x, xo);
    }

    /** Whether the guard (nullable) is set. */
    private boolean guarded(String op, Span guard) {
        return guard != null && arr(op, "guard", guard, 1)[at(guard)] != 0f;
    }

    void finiteGuard(long n, Buf x, long xOff, float code, Buf guard, long guardOff) {
        String op = "finiteGuard";
        nonNegative(op, "n", n);
        Checks.guardCode(op, code);
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

    /** Sum of squares of {@code a[o, o + n)}: float partial sums over short blocks, accumulated in double, in a fixed order. */
    static double sumSquares(float[] a, int o, int n) {
        double s = 0;
        int i = 0;
        for (long ub = S.loopBound(n); i < ub; ) {
            FloatVector acc = FloatVector.zero(S);
            for (int end = (int) Math.min(ub, i + 64L * VL); i < end; i += VL) {
                FloatVector v = FloatVector.fromArray(S, a, o + i);
                acc = Fma.fma(v, v, acc);
            }
            s += VMath.sumLanes(acc);   // not reduceLanes: its order for floats depends on the JIT tier
        }
        for (; i < n; i++) s += (double) a[o + i] * a[o + i];
        return s;
    }

    void sgdUpdate(SgdArgs a) {
        String op = "sgdUpdate";
        long n = a.n();
        float[] ps = arr(op, "params", a.params(), n), gs = arr(op, "grads", a.grads(), n);
        float[] vs = a.velocity() == null ? null : arr(op, "velocity", a.velocity(), n);
        if (guarded(op, a.guard())) return;
        int po = at(a.params()), go = at(a.grads()), vo = vs == null ? 0 : at(a.velocity());
        float lr = a.lr(), momentum = a.momentum();
        boolean nesterov = a.nesterov();
        if (vs == null) {
            owner.axpy(n, -lr, a.grads().buf(), go, a.params().buf(), po);
            return;
        }
        CpuBackend.split(n, (i0, i1) -> {
            int i = i0;
            for (int ub = i0 + S.loopBound(i1 - i0); i < ub; i += VL) {
                FloatVector gi = FloatVector.fromArray(S, gs, go + i);
                FloatVector vi = FloatVector.fromArray(S, vs, vo + i).mul(momentum).sub(gi.mul(lr));
                vi.intoArray(vs, vo + i);
                FloatVector upd = nesterov ? vi.mul(momentum).sub(gi.mul(lr)) : vi;
                FloatVector.fromArray(S, ps, po + i).add(upd).intoArray(ps, po + i);
            }
            for (; i < i1; i++) {
                float gi = gs[go + i];
                float vi = momentum * vs[vo + i] - lr * gi;
                vs[vo + i] = vi;
                ps[po + i] += nesterov ? momentum * vi - lr * gi : vi;
            }
        });
    }

    void adamUpdate(AdamArgs a) {
        String op = "adamUpdate";
        long n = a.n();
        float[] ps = arr(op, "params", a.params(), n), gs = arr(op, "grads", a.grads(), n);
        float[] ms = arr(op, "m", a.m(), n), vs = arr(op, "v", a.v(), n), ss = arr(op, "step", a.step(), 3);
        if (guarded(op, a.guard())) return;
        int po = at(a.params()), go = at(a.grads()), mo = at(a.m()), vo = at(a.v()), so = at(a.step());
        long t = CounterRng.counter(ss[so], ss[so + 1]) + 1;
        float alpha = (float) (a.lr() * Math.sqrt(1 - Math.pow(a.beta2(), t)) / (1 - Math.pow(a.beta1(), t)));
        float a1 = 1f - a.beta1(), a2 = 1f - a.beta2(), eps = a.eps();
        CpuBackend.split(n, (i0, i1) -> {
            int i = i0;
            for (int ub = i0 + S.loopBound(i1 - i0); i < ub; i += VL) {
                FloatVector gi = FloatVector.fromArray(S, gs, go + i);
                FloatVector mi = FloatVector.fromArray(S, ms, mo + i), vi = FloatVector.fromArray(S, vs, vo + i);
                mi = Fma.fma(gi.sub(mi), FloatVector.broadcast(S, a1), mi);
                vi = Fma.fma(gi.mul(gi).sub(vi), FloatVector.broadcast(S, a2), vi);
                mi.intoArray(ms, mo + i);
                vi.intoArray(vs, vo + i);
                FloatVector step = mi.mul(alpha).div(vi.sqrt().add(eps));
                FloatVector.fromArray(S, ps, po + i).sub(step).intoArray(ps, po + i);
            }
            for (; i < i1; i++) {
                float gi = gs[go + i];
                float mi = ms[mo + i] + (gi - ms[mo + i]) * a1;
                float vi = vs[vo + i] + (gi * gi - vs[vo + i]) * a2;
                ms[mo + i] = mi;
                vs[vo + i] = vi;
                ps[po + i] -= alpha * mi / ((float) Math.sqrt(vi) + eps);
            }
        });
        ss[so] = CounterRng.lo(t);
        ss[so + 1] = CounterRng.hi(t);
        ss[so + 2] = alpha;   // the step's bias-corrected rate, where the CUDA kernels leave it: the backends agree on all 3 floats
    }

    void optimizerUpdate(OptimizerArgs a) {
        String op = "optimizerUpdate(" + a.kind().name().toLowerCase(java.util.Locale.ROOT) + ")";
        long n = a.n();
        float[] ps = arr(op, "params", a.params(), n), gs = arr(op, "grads", a.grads(), n), s1 = arr(op, "s1", a.s1(), n);
        float[] s2 = a.s2() == null ? null : arr(op, "s2", a.s2(), n), s3 = a.s3() == null ? null : arr(op, "s3", a.s3(), n);
        float[] ss = a.step() == null ? null : arr(op, "step", a.step(), OptimizerArgs.STEP_FLOATS);
        if (guarded(op, a.guard())) return;
        int po = at(a.params()), go = at(a.grads()), o1 = at(a.s1());
        int o2 = s2 == null ? 0 : at(a.s2()), o3 = s3 == null ? 0 : at(a.s3());
        OptimizerArgs.Kind kind = a.kind();
        float c0 = 0, c1 = 0, c2 = 0;
        if (kind.counted()) {   // as jrnn_opt_step: advance t, coefficients in double
            int so = at(a.step());
            long t = CounterRng.counter(ss[so], ss[so + 1]) + 1;
            ss[so] = CounterRng.lo(t);
            ss[so + 1] = CounterRng.hi(t);
            double b1 = a.h1(), b2 = a.h2();
            if (kind == OptimizerArgs.Kind.ADAMW) {
                c0 = (float) (a.lr() * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)));
            } else if (kind == OptimizerArgs.Kind.ADAMAX) {
                c0 = (float) (a.lr() / (1 - Math.pow(b1, t)));
            } else {
                double ut = b1 * (1 - 0.5 * Math.pow(0.96, t)), ut1 = b1 * (1 - 0.5 * Math.pow(0.96, t + 1.0));
                double prod = nadamProduct(b1, t), prod1 = prod * ut1;
                c0 = (float) (ut1 / (1 - prod1));
                c1 = (float) ((1 - ut) / (1 - prod));
                c2 = (float) (1 / (1 - Math.pow(b2, t)));
            }
            ss[so + 2] = c0;
            ss[so + 3] = c1;
            ss[so + 4] = c2;
        }
        float lr = a.lr(), h1 = a.h1(), h2 = a.h2(), eps = a.eps(), wd = a.weightDecay();
        float k0 = c0, k1 = c1, k2 = c2;
        CpuBackend.split(n, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float gi = gs[go + i], pi = ps[po + i];
                if (wd != 0f) pi = pi - pi * wd * lr;
                switch (kind) {
                    case RMSPROP -> {
                        float v = h1 * s1[o1 + i] + (1f - h1) * (gi * gi);
                        s1[o1 + i] = v;
                        float den = v + eps;
                        if (s3 != null) {
                            float avg = h1 * s3[o3 + i] + (1f - h1) * gi;
                            s3[o3 + i] = avg;
                            den = v - avg * avg + eps;
                        }
                        float inc = lr * gi / (float) Math.sqrt(den);
                        if (s2 != null) {
                            float m = h2 * s2[o2 + i] + inc;
                            s2[o2 + i] = m;
                            pi -= m;
                        } else {
                            pi -= inc;
                        }
                    }
                    case ADAGRAD -> {
                        float acc = s1[o1 + i] + gi * gi;
                        s1[o1 + i] = acc;
                        pi -= lr * gi / (float) Math.sqrt(acc + eps);
                    }
                    case LION -> {
                        pi -= lr * Math.signum(h1 * s1[o1 + i] + (1f - h1) * gi);
                        s1[o1 + i] = h2 * s1[o1 + i] + (1f - h2) * gi;
                    }
                    case ADADELTA -> {
                        float ag = h1 * s1[o1 + i] + (1f - h1) * (gi * gi);
                        s1[o1 + i] = ag;
                        float d = -((float) Math.sqrt(s2[o2 + i] + eps) * gi) / (float) Math.sqrt(ag + eps);
                        s2[o2 + i] = h1 * s2[o2 + i] + (1f - h1) * (d * d);
                        pi += lr * d;
                    }
                    case ADAMAX -> {
                        float m = s1[o1 + i] + (gi - s1[o1 + i]) * (1f - h1);
                        float u = Math.max(h2 * s2[o2 + i], Math.abs(gi));
                        s1[o1 + i] = m;
                        s2[o2 + i] = u;
                        pi -= k0 * m / (u + eps);
                    }
                    case ADAMW, NADAM -> {
                        float m = s1[o1 + i] + (gi - s1[o1 + i]) * (1f - h1);
                        float v = s2[o2 + i] + (gi * gi - s2[o2 + i]) * (1f - h2);
                        s1[o1 + i] = m;
                        s2[o2 + i] = v;
                        if (s3 != null && kind == OptimizerArgs.Kind.ADAMW) {   // amsgrad: the largest v so far
                            v = Math.max(s3[o3 + i], v);
                            s3[o3 + i] = v;
                        }
                        pi -= kind == OptimizerArgs.Kind.ADAMW ? k0 * m / ((float) Math.sqrt(v) + eps)
                                : (k0 * m + k1 * gi) * lr / ((float) Math.sqrt(v * k2) + eps);
                    }
                }
                ps[po + i] = pi;
            }
        });
    }

    /**
     * Nadam's u_product at step t, {@code prod_{s=1..t} beta1 (1 - 0.5 * 0.96^s)} in double (Keras keeps it as a
     * variable; here it follows from t, so a set or replayed step count needs no extra state). Past s = 1100 the
     * factor is beta1 in double. The same loop as jrnn_nadam_product in kernels/train.cu.
     */
    static double nadamProduct(double beta1, long t) {
        double u = 1, d = 1;
        long k = Math.min(t, 1100);
        for (long s = 1; s <= k; s++) {
            d *= 0.96;
            u *= beta1 * (1 - 0.5 * d);
        }
        if (t > k) u *= Math.pow(beta1, t - k);
        return u;
    }
}
