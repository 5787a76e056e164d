package dev.jrnn.backend.cpu;

/** Single-precision GEMM on arrays, row-major: C = alpha op(A) op(B) + beta C. Arguments are checked by the caller. */
final class Gemm {
    private Gemm() {}

    static void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha,
                     float[] a, int ao, int lda, float[] b, int bo, int ldb,
                     float beta, float[] c, int co, int ldc) {
        if (m == 0 || n == 0) return;
        for (int i = 0; i < m; i++) {
            int cr = co + i * ldc;
            if (beta == 0f) java.util.Arrays.fill(c, cr, cr + n, 0f);
            else if (beta != 1f) for (int j = 0; j < n; j++) c[cr + j] *= beta;
        }
        if (k == 0 || alpha == 0f) return;
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0f);
            for (int p = 0; p < k; p++) {
                float av = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
                if (tb) {
                    for (int j = 0; j < n; j++) row[j] += av * b[bo + j * ldb + p];
                } else {
                    int br = bo + p * ldb;
                    for (int j = 0; j < n; j++) row[j] += av * b[br + j];
                }
            }
            int cr = co + i * ldc;
            for (int j = 0; j < n; j++) c[cr + j] += alpha * row[j];
        }
    }
}
