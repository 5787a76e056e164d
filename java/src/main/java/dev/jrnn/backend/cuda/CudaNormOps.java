package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;

/**
 * {@link CudaBackend}'s operations for the normalization layers: arguments checked, then one launch of a kernel of
 * normalization.cu on the current stream (so a captured train step replays them).
 */
final class CudaNormOps {
    private final CudaBackend be;
    private final NormKernels k;

    CudaNormOps(CudaBackend be, CudaKernels kernels) {
        this.be = be;
        this.k = new NormKernels(kernels.driver, kernels.module);
    }

    void mulRowVector(int rows, int cols, Buf x, long xOff, Buf v, long vOff, Buf y, long yOff) {
        String op = "mulRowVector";
        Checks.dims(op, rows, cols);
        long n = (long) rows * cols;
        long xp = be.ptr(op, "x", x, xOff, n), vp = be.ptr(op, "v", v, vOff, cols), yp = be.ptr(op, "y", y, yOff, n);
        be.enter();
        if (n > 0) k.mulRowVector(be.g1(n), rows, cols, xp, vp, yp);
    }
}
