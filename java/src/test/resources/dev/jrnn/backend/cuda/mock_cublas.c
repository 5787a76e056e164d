/*
 * A stand-in for libcublas.so.N computing on the host: column-major GEMM exactly as cuBLAS defines it, with
 * cuBLAS's argument checks (so a wrong operand swap or leading dimension in the binding fails), bfloat16
 * inputs for GemmEx, and a record of the math mode / compute type last used.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern int mock_lt_present(void);

typedef struct { uint64_t stream, workspace, workspace_bytes; int math; } Handle;

static int last_math = -1, last_compute = -1, creates = 0, destroys = 0, batched_calls = 0;

int cublasCreate_v2(Handle **h) {
    if (!mock_lt_present()) return 1;
    *h = calloc(1, sizeof(Handle));
    creates++;
    return 0;
}
int cublasDestroy_v2(Handle *h) { if (!h) return 1; free(h); destroys++; return 0; }
int cublasGetVersion_v2(Handle *h, int *v) { if (!h) return 1; *v = 130100; return 0; }
int cublasSetStream_v2(Handle *h, uint64_t s) {
    if (!h) return 1;
    h->stream = s; h->workspace = 0; h->workspace_bytes = 0;   /* as documented: resets the workspace */
    return 0;
}
int cublasSetWorkspace_v2(Handle *h, uint64_t w, size_t bytes) {
    if (!h || (bytes && !w)) return 7;
    h->workspace = w; h->workspace_bytes = bytes;
    return 0;
}
int cublasSetMathMode(Handle *h, int mode) { if (!h) return 1; h->math = mode; last_math = mode; return 0; }

static float bf16(const uint16_t *p, size_t i) {
    uint32_t u = (uint32_t)p[i] << 16; float f; memcpy(&f, &u, 4); return f;
}

/* C = alpha op(A) op(B) + beta C, column-major, types 0 = float, 14 = bfloat16. */
static int gemm(Handle *h, int ta, int tb, int m, int n, int k, const float *alpha, const void *A, int at, int lda,
                const void *B, int bt, int ldb, const float *beta, float *C, int ldc) {
    if (!h) return 1;
    if (h->workspace_bytes == 0) return 14;   /* the binding always gives a workspace; losing it is a bug */
    if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1) || m < 0 || n < 0 || k < 0) return 7;
    int ma = ta == 0 ? m : k, kb = tb == 0 ? k : n;
    if (lda < (ma > 1 ? ma : 1) || ldb < (kb > 1 ? kb : 1) || ldc < (m > 1 ? m : 1)) return 7;
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int l = 0; l < k; l++) {
                size_t ia = ta == 0 ? (size_t)i + (size_t)l * lda : (size_t)l + (size_t)i * lda;
                size_t ib = tb == 0 ? (size_t)l + (size_t)j * ldb : (size_t)j + (size_t)l * ldb;
                double a = at == 14 ? bf16(A, ia) : ((const float *)A)[ia];
                double b = bt == 14 ? bf16(B, ib) : ((const float *)B)[ib];
                s += a * b;
            }
            float *c = &C[(size_t)i + (size_t)j * ldc];
            *c = (float)(*alpha * s + (*beta == 0.0f ? 0.0 : *beta * *c));
        }
    }
    return 0;
}

int cublasSgemm_v2(Handle *h, int ta, int tb, int m, int n, int k, const float *alpha, const float *A, int lda,
                   const float *B, int ldb, const float *beta, float *C, int ldc) {
    last_compute = -1;
    return gemm(h, ta, tb, m, n, k, alpha, A, 0, lda, B, 0, ldb, beta, C, ldc);
}

int cublasGemmEx(Handle *h, int ta, int tb, int m, int n, int k, const void *alpha, const void *A, int at, int lda,
                 const void *B, int bt, int ldb, const void *beta, void *C, int ct, int ldc, int compute, int algo) {
    if (ct != 0 || (at != 0 && at != 14) || at != bt || algo != -1) return 15;   /* NOT_SUPPORTED */
    last_compute = compute;
    return gemm(h, ta, tb, m, n, k, alpha, A, at, lda, B, bt, ldb, beta, C, ldc);
}

/* The strided-batched forms: the same GEMM per product, operands stepped by their strides (in elements). */
static int batched(Handle *h, int ta, int tb, int m, int n, int k, const float *alpha, const char *A, int at, int lda,
                   long long sa, const char *B, int bt, int ldb, long long sb, const float *beta, float *C, int ldc,
                   long long sc, int count) {
    if (count < 0 || sa < 0 || sb < 0 || sc < 0) return 7;
    batched_calls++;
    size_t ea = at == 14 ? 2 : 4, eb = bt == 14 ? 2 : 4;
    for (int i = 0; i < count; i++) {
        int s = gemm(h, ta, tb, m, n, k, alpha, A + (size_t)i * sa * ea, at, lda, B + (size_t)i * sb * eb, bt, ldb, beta,
                     C + (size_t)i * sc, ldc);
        if (s) return s;
    }
    return 0;
}

int cublasSgemmStridedBatched(Handle *h, int ta, int tb, int m, int n, int k, const float *alpha, const float *A, int lda,
                              long long sa, const float *B, int ldb, long long sb, const float *beta, float *C, int ldc,
                              long long sc, int count) {
    last_compute = -1;
    return batched(h, ta, tb, m, n, k, alpha, (const char *)A, 0, lda, sa, (const char *)B, 0, ldb, sb, beta, C, ldc, sc, count);
}

int cublasGemmStridedBatchedEx(Handle *h, int ta, int tb, int m, int n, int k, const void *alpha, const void *A, int at,
                               int lda, long long sa, const void *B, int bt, int ldb, long long sb, const void *beta, void *C,
                               int ct, int ldc, long long sc, int count, int compute, int algo) {
    if (ct != 0 || (at != 0 && at != 14) || at != bt || algo != -1) return 15;
    last_compute = compute;
    return batched(h, ta, tb, m, n, k, alpha, A, at, lda, sa, B, bt, ldb, sb, beta, C, ldc, sc, count);
}

int mock_batched_calls(void) { return batched_calls; }
int mock_last_math(void) { return last_math; }
int mock_last_compute(void) { return last_compute; }
int mock_handles_open(void) { return creates - destroys; }
