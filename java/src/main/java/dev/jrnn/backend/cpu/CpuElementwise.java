package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.jrnn.backend.cpu.CpuBackend.span;
import static dev.jrnn.backend.cpu.CpuBackend.span2;
import static dev.jrnn.backend.cpu.CpuBackend.split;

/** The CPU backend's element-wise ops (axpy, scale, mul, a row vector added to each row, clip), vectorised and split over the cores. */
final class CpuElementwise {
    private static final VectorSpecies<Float> S = VMath.S;
    private static final int VL = VMath.VL;

    private CpuElementwise() {}

    static void axpy(CpuBackend be, long n, float alpha, Buf x, long xOff, Buf y, long yOff) {
        float[] xs = be.arr("axpy", "x", x), ys = be.arr("axpy", "y", y);
        Checks.nonNegative("axpy", "n", n);
        int xo = span("axpy", "x", xs, xOff, n), yo = span("axpy", "y", ys, yOff, n);
        split(n, (i0, i1) -> {
            int i = i0;
            for (int ub = i0 + S.loopBound(i1 - i0); i < ub; i += VL) {
                Fma.fma(FloatVector.fromArray(S, xs, xo + i), FloatVector.broadcast(S, alpha), FloatVector.fromArray(S, ys, yo + i)).intoArray(ys, yo + i);
            }
            for (; i < i1; i++) ys[yo + i] += alpha * xs[xo + i];
        });
    }

    static void scale(CpuBackend be, long n, float s, Buf x, long xOff) {
        float[] xs = be.arr("scale", "x", x);
        Checks.nonNegative("scale", "n", n);
        int xo = span("scale", "x", xs, xOff, n);
        split(n, (i0, i1) -> {
            int i = i0;
            for (int ub = i0 + S.loopBound(i1 - i0); i < ub; i += VL) FloatVector.fromArray(S, xs, xo + i).mul(s).intoArray(xs, xo + i);
            for (; i < i1; i++) xs[xo + i] *= s;
        });
    }

    static void mul(CpuBackend be, long n, Buf a, long aOff, Buf b, long bOff, Buf out, long outOff) {
        float[] as = be.arr("mul", "a", a), bs = be.arr("mul", "b", b), os = be.arr("mul", "out", out);
        Checks.nonNegative("mul", "n", n);
        int ao = span("mul", "a", as, aOff, n), bo = span("mul", "b", bs, bOff, n), oo = span("mul", "out", os, outOff, n);
        split(n, (i0, i1) -> {
            int i = i0;
            for (int ub = i0 + S.loopBound(i1 - i0); i < ub; i += VL) {
                FloatVector.fromArray(S, as, ao + i).mul(FloatVector.fromArray(S, bs, bo + i)).intoArray(os, oo + i);
            }
            for (; i < i1; i++) os[oo + i] = as[ao + i] * bs[bo + i];
        });
    }

    static void addRowVector(CpuBackend be, int rows, int cols, Buf bias, long biasOff, Buf y, long yOff) {
        float[] bs = be.arr("addRowVector", "bias", bias), ys = be.arr("addRowVector", "y", y);
        int bo = span("addRowVector", "bias", bs, biasOff, cols);
        int yo = span2("addRowVector", "y", ys, yOff, rows, cols, Math.max(cols, 1));
        int ub = S.loopBound(cols);
        Cells.forRows(rows, cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = yo + r * cols, j = 0;
                for (; j < ub; j += VL) {
                    FloatVector.fromArray(S, ys, base + j).add(FloatVector.fromArray(S, bs, bo + j)).intoArray(ys, base + j);
                }
                for (; j < cols; j++) ys[base + j] += bs[bo + j];
            }
        });
    }

    static void clip(CpuBackend be, long n, float lo, float hi, Buf x, long xOff) {
        float[] xs = be.arr("clip", "x", x);
        Checks.nonNegative("clip", "n", n);
        Checks.clipRange(lo, hi);
        int xo = span("clip", "x", xs, xOff, n);
        split(n, (i0, i1) -> {
            int i = i0;
            for (int ub = i0 + S.loopBound(i1 - i0); i < ub; i += VL) FloatVector.fromArray(S, xs, xo + i).max(lo).min(hi).intoArray(xs, xo + i);
            for (; i < i1; i++) xs[xo + i] = Math.min(Math.max(xs[xo + i], lo), hi);
        });
    }
}
