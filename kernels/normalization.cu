// Kernels of the normalization layers (BatchNormalization's per-feature scale). Argument conventions: common.cuh.
// The CPU reference of every kernel here is dev.jrnn.backend.cpu.CpuNormOps.
#include "common.cuh"

// y[r, c] = x[r, c] * v[c]: each row of a row-major [rows, cols] matrix times the row vector v (y may alias x).
// args: (int rows, int cols, const float* x, const float* v, float* y)
extern "C" __global__ void jrnn_mul_row_vector(int rows, int cols, const float* x, const float* __restrict__ v, float* y) {
    const long long n = (long long)rows * cols;
    JRNN_GRID_STRIDE(e, n) y[e] = x[e] * v[e % cols];
}
