// Embedding lookups: gather rows of a table by integer ids stored as floats, and the scatter-add of
// their gradients. Argument conventions: common.cuh.
#include "common.cuh"

// True when id v is an integer in [0, vocab) (NaN and fractions fail, as in the CPU backend).
__device__ __forceinline__ bool jrnn_valid_id(float v, long long vocab) {
    return v >= 0.0f && v < (float)vocab && v == floorf(v);
}

// out[i, :] = table[idx[i], :] for i < n, rows of dim floats. table holds vocab rows (known from
// the buffer's size). An id that is not an integer in [0, vocab) writes a zero row and sets *err = 1, which
// CudaBackend turns into an IllegalArgumentException at the next synchronizing call.
// args: (int n, int dim, const float* idx, const float* table, long long vocab, float* out, int* err)
extern "C" __global__ void jrnn_gather_rows(int n, int dim, const float* __restrict__ idx,
                                            const float* __restrict__ table, long long vocab,
                                            float* __restrict__ out, int* err) {
    const long long total = (long long)n * dim;
    JRNN_GRID_STRIDE(e, total) {
        const long long i = e / dim, k = e - i * dim;
        const float v = idx[i];
        if (jrnn_valid_id(v, vocab)) {
            out[e] = table[(long long)v * dim + k];
        } else {
            out[e] = 0.0f;
            *err = 1;
        }
    }
}

// dTable[idx[i], :] += dOut[i, :] for i < n (atomicAdd: repeated ids accumulate). Invalid ids are
// skipped and set *err = 1 as in jrnn_gather_rows.
// args: (int n, int dim, const float* idx, const float* dOut, long long vocab, float* dTable, int* err)
extern "C" __global__ void jrnn_scatter_add_rows(int n, int dim, const float* __restrict__ idx,
                                                 const float* __restrict__ dOut, long long vocab,
                                                 float* dTable, int* err) {
    const long long total = (long long)n * dim;
    JRNN_GRID_STRIDE(e, total) {
        const long long i = e / dim, k = e - i * dim;
        const float v = idx[i];
        if (jrnn_valid_id(v, vocab)) {
            atomicAdd(dTable + (long long)v * dim + k, dOut[e]);
        } else {
            *err = 1;
        }
    }
}
