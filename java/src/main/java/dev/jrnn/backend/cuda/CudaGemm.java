package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;

/**
 * The CUDA backend's matrix products, arguments checked as the CPU backend checks them: {@link CudaBackend#gemm}, one
 * cuBLAS product, and {@link CudaBackend#gemmBatched}, one {@code cublasSgemmStridedBatched} (or its BF16 GemmEx form,
 * as the backend's precision says) on the current stream instead of one launch per product.
 */
final class CudaGemm {
    private CudaGemm() {}

    static void gemm(CudaBackend be, Cublas blas, CudaKernels k, boolean transA, boolean transB, int m, int n, int kk, float alpha,
                     Buf a, long aOff, int lda, Buf b, long bOff, int ldb, float beta, Buf c, long cOff, int ldc) {
        Checks.gemmSizes(m, n, kk);
        int aRows = transA ? kk : m, aCols = transA ? m : kk;
        int bRows = transB ? n : kk, bCols = transB ? kk : n;
        long ap = be.mat("gemm", "A", a, aOff, aRows, aCols, lda);
        long bp = be.mat("gemm", "B", b, bOff, bRows, bCols, ldb);
        long cp = be.mat("gemm", "C", c, cOff, m, n, ldc);
        be.enter();
        if (m == 0 || n == 0) return;
        if (kk == 0) {  // C = beta * C; beta == 0 clears (old NaN must not survive)
            if (beta != 1f && (long) m * n > 0) k.scale2d(be.g1((long) m * n), m, n, beta, cp, ldc);
            return;
        }
        // FP32 / TF32 / BF16 as set by setPrecision (the handle's math mode); runs on the backend's current stream.
        blas.sgemmRowMajor(transA, transB, m, n, kk, alpha, ap, lda, bp, ldb, beta, cp, ldc);
    }

    static void gemmBatched(CudaBackend be, Cublas blas, int batch, boolean ta, boolean tb, int m, int n, int k, float alpha,
                            Buf a, long aOff, int lda, long strideA, Buf b, long bOff, int ldb, long strideB,
                            float beta, Buf c, long cOff, int ldc, long strideC) {
        String op = "gemmBatched";
        long[] len = Checks.gemmBatchLengths(op, batch, ta, tb, m, n, k, lda, strideA, ldb, strideB, ldc, strideC);
        long ap = be.ptr(op, "A", a, aOff, len[0]), bp = be.ptr(op, "B", b, bOff, len[1]);
        long cp = be.ptr(op, "C", c, cOff, len[2]);
        be.enter();
        if (batch == 0 || m == 0 || n == 0) return;
        if (k == 0) {   // C = beta * C, product by product (the plain gemm's own rule)
            for (int i = 0; i < batch; i++) be.gemm(ta, tb, m, n, 0, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff + i * strideC, ldc);
            return;
        }
        blas.sgemmStridedBatchedRowMajor(ta, tb, m, n, k, alpha, ap, lda, strideA, bp, ldb, strideB, beta, cp, ldc, strideC, batch);
    }
}
