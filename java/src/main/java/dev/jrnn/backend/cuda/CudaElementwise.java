package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;

/**
 * {@link CudaBackend}'s elementwise and row operations (axpy, scale, mul, bias rows, column sums, activations,
 * softmax rows, clip): arguments checked, then one launch of the kernels of elementwise.cu on the current stream.
 */
final class CudaElementwise {
    private static final int BLOCK = CudaBackend.BLOCK;
    private final CudaBackend be;
    private final CudaKernels k;

    CudaElementwise(CudaBackend be, CudaKernels k) {
        this.be = be;
        this.k = k;
    }

    void axpy(long n, float alpha, Buf x, long xOff, Buf y, long yOff) {
        Checks.nonNegative("axpy", "n", n);
        long xp = be.ptr("axpy", "x", x, xOff, n), yp = be.ptr("axpy", "y", y, yOff, n);
        be.enter();
        if (n > 0) k.axpy(be.g1(n), n, alpha, xp, yp);
    }

    void scale(long n, float s, Buf x, long xOff) {
        Checks.nonNegative("scale", "n", n);
        long xp = be.ptr("scale", "x", x, xOff, n);
        be.enter();
        if (n > 0) k.scale(be.g1(n), n, s, xp);
    }

    void mul(long n, Buf a, long aOff, Buf b, long bOff, Buf out, long outOff) {
        Checks.nonNegative("mul", "n", n);
        long ap = be.ptr("mul", "a", a, aOff, n), bp = be.ptr("mul", "b", b, bOff, n);
        long op = be.ptr("mul", "out", out, outOff, n);
        be.enter();
        if (n > 0) k.mul(be.g1(n), n, ap, bp, op);
    }

    void addRowVector(int rows, int cols, Buf bias, long biasOff, Buf y, long yOff) {
        Checks.nonNegative("addRowVector", "rows", rows);
        Checks.nonNegative("addRowVector", "cols", cols);
        long bp = be.ptr("addRowVector", "bias", bias, biasOff, cols);
        long yp = be.ptr("addRowVector", "y", y, yOff, (long) rows * cols);
        be.enter();
        if ((long) rows * cols > 0) k.addRowVector(be.g1((long) rows * cols), rows, cols, bp, yp);
    }

    void sumRows(int rows, int cols, Buf x, long xOff, Buf out, long outOff, boolean accumulate) {
        Checks.nonNegative("sumRows", "rows", rows);
        Checks.nonNegative("sumRows", "cols", cols);
        long xp = be.ptr("sumRows", "x", x, xOff, (long) rows * cols);
        long op = be.ptr("sumRows", "out", out, outOff, cols);
        be.enter();
        if (cols == 0) return;
        if (rows == 0) {
            if (!accumulate) k.fill(be.g1(cols), op, (long) cols, 0f);
            return;
        }
        int colBlocks = (cols + 31) / 32;
        // Enough row chunks to give every SM a few blocks, at least 32 rows per chunk.
        long wanted = Math.max(1, (4L * be.maxGrid() / 16 + colBlocks - 1) / colBlocks);
        int chunks = (int) Math.min(Math.min(wanted, (rows + 31) / 32), 1024);
        chunks = Math.max(1, chunks);
        int rowsPerChunk = (rows + chunks - 1) / chunks;
        chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        long partial = be.workspace(8L * chunks * cols);
        k.sumRowsPartial(new Grid(colBlocks, chunks, 32, 8, 0, be.currentStream(), false), rows, cols, rowsPerChunk, xp, partial);
        k.sumRowsFinish(be.g1(cols), cols, chunks, partial, op, accumulate ? 1 : 0);
    }

    // ---------------------------------------------------------------- activations

    void activate(Activation act, long n, int cols, Buf x, long xOff, Buf y, long yOff) {
        Checks.notNull("activate", "activation", act);
        Checks.nonNegative("activate", "n", n);
        long xp = be.ptr("activate", "x", x, xOff, n), yp = be.ptr("activate", "y", y, yOff, n);
        be.enter();
        if (act == Activation.SOFTMAX) {
            int rows = Checks.softmaxRows("activate", n, cols);
            if (rows > 0) k.softmaxRows(rowsGrid(rows, cols), rows, cols, xp, yp);
        } else if (act == Activation.LOG_SOFTMAX) {
            int rows = Checks.softmaxRows("activate", n, cols);
            if (rows > 0) k.logSoftmaxRows(rowsGrid(rows, cols), rows, cols, xp, yp);
        } else {
            if (n > 0) k.activate(be.g1(n), act.code(), n, xp, yp);
        }
    }

    void activateBackward(Activation act, long n, int cols, Buf y, long yOff, Buf dy, long dyOff,
                                 Buf dx, long dxOff) {
        Checks.notNull("activateBackward", "activation", act);
        Checks.nonNegative("activateBackward", "n", n);
        long yp = be.ptr("activateBackward", "y", y, yOff, n);
        long dyp = be.ptr("activateBackward", "dy", dy, dyOff, n);
        long dxp = be.ptr("activateBackward", "dx", dx, dxOff, n);
        be.enter();
        if (act == Activation.SOFTMAX) {
            int rows = Checks.softmaxRows("activateBackward", n, cols);
            if (rows > 0) k.softmaxRowsBwd(rowsGrid(rows, cols), rows, cols, yp, dyp, dxp);
        } else if (act == Activation.LOG_SOFTMAX) {
            int rows = Checks.softmaxRows("activateBackward", n, cols);
            if (rows > 0) k.logSoftmaxRowsBwd(rowsGrid(rows, cols), rows, cols, yp, dyp, dxp);
        } else {
            if (n > 0) k.activateBwd(be.g1(n), act.code(), n, yp, dyp, dxp);
        }
    }


    /** One block per row (grid-stride over rows), the block as wide as the row up to 256 threads. */
    private Grid rowsGrid(int rows, int cols) {
        int block = Math.min(BLOCK, Math.max(32, (cols + 31) / 32 * 32));
        return Grid.of(Math.min(rows, be.maxGrid() * 4), block, be.currentStream());
    }

    void clip(long n, float lo, float hi, Buf x, long xOff) {
        Checks.nonNegative("clip", "n", n);
        Checks.clipRange(lo, hi);
        long xp = be.ptr("clip", "x", x, xOff, n);
        be.enter();
        if (n > 0) k.clip(be.g1(n), n, lo, hi, xp);
    }
}
