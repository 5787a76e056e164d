package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;

/**
 * {@link CpuBackend#gemmBatched}: the packed {@link Gemm} once per matrix of the batch. Products too small to split
 * over the cores on their own (an attention's per-sample [Tq, D] x [D, Tv]) are split over the cores by batch
 * instead, each core running whole products on its own thread.
 */
final class BatchedGemm {
    private BatchedGemm() {}

    static void gemmBatched(CpuBackend be, int batch, boolean ta, boolean tb, int m, int n, int k, float alpha,
                            Buf a, long aOff, int lda, long strideA, Buf b, long bOff, int ldb, long strideB,
                            float beta, Buf c, long cOff, int ldc, long strideC) {
        String op = "gemmBatched";
        long[] len = Checks.gemmBatchLengths(op, batch, ta, tb, m, n, k, lda, strideA, ldb, strideB, ldc, strideC);
        float[] as = be.arr(op, "A", a), bs = be.arr(op, "B", b), cs = be.arr(op, "C", c);
        int ao = CpuBackend.span(op, "A", as, aOff, len[0]), bo = CpuBackend.span(op, "B", bs, bOff, len[1]);
        int co = CpuBackend.span(op, "C", cs, cOff, len[2]);
        if (batch == 0) return;
        // spans inside one Java array: every offset below fits an int
        int sa = (int) strideA, sb = (int) strideB, sc = (int) strideC;
        long flops = 2L * m * n * k;
        int parts = flops >= Gemm.PARALLEL_FLOPS ? 1 : Math.min(batch, Parallel.partsFor(flops * batch / 4));
        if (parts <= 1) {
            for (int i = 0; i < batch; i++) {
                Gemm.gemm(ta, tb, m, n, k, alpha, as, ao + i * sa, lda, bs, bo + i * sb, ldb, beta, cs, co + i * sc, ldc);
            }
            return;
        }
        Parallel.run(parts, p -> {
            for (int i = (int) ((long) batch * p / parts); i < (int) ((long) batch * (p + 1) / parts); i++) {
                Gemm.gemm(ta, tb, m, n, k, alpha, as, ao + i * sa, lda, bs, bo + i * sb, ldb, beta, cs, co + i * sc, ldc);
            }
        });
    }
}
