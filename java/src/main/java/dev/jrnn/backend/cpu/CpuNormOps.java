package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU side of the normalization layers' operations ({@link CpuBackend} delegates): the reference the kernels of
 * {@code kernels/normalization.cu} are tested against.
 */
final class CpuNormOps {
    private static final VectorSpecies<Float> S = VMath.S;
    private static final int VL = VMath.VL;
    private final CpuBackend owner;

    CpuNormOps(CpuBackend owner) {
        this.owner = owner;
    }

    /** y[r, c] = x[r, c] * v[c] (y may alias x: each element is read before it is written). */
    void mulRowVector(int rows, int cols, Buf x, long xOff, Buf v, long vOff, Buf y, long yOff) {
        String op = "mulRowVector";
        Checks.dims(op, rows, cols);
        long n = (long) rows * cols;
        float[] xs = owner.arr(op, "x", x), vs = owner.arr(op, "v", v), ys = owner.arr(op, "y", y);
        int xo = CpuBackend.span(op, "x", xs, xOff, n), vo = CpuBackend.span(op, "v", vs, vOff, cols);
        int yo = CpuBackend.span(op, "y", ys, yOff, n);
        int ub = S.loopBound(cols);
        Cells.forRows(rows, cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xb = xo + r * cols, yb = yo + r * cols, j = 0;
                for (; j < ub; j += VL) {
                    FloatVector.fromArray(S, xs, xb + j).mul(FloatVector.fromArray(S, vs, vo + j)).intoArray(ys, yb + j);
                }
                for (; j < cols; j++) ys[yb + j] = xs[xb + j] * vs[vo + j];
            }
        });
    }
}
