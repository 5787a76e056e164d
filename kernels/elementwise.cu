// Elementwise ops, strided copies, bias, activations, softmax, reductions and BF16 packing.
// Argument conventions: see common.cuh. n counts floats (int64); pointers already carry the offset.
#include "common.cuh"

// x[i] = v for i < n.
// args: (float* x, long long n, float v)
extern "C" __global__ void jrnn_fill(float* x, long long n, float v) {
    JRNN_GRID_STRIDE(i, n) x[i] = v;
}

// dst[i] = src[i] for i < n (regions do not overlap).
// args: (const float* src, float* dst, long long n)
extern "C" __global__ void jrnn_copy(const float* __restrict__ src, float* __restrict__ dst, long long n) {
    JRNN_GRID_STRIDE(i, n) dst[i] = src[i];
}

// dst[r*dstLd + c] = src[r*srcLd + c] for r < rows, c < cols.
// args: (int rows, int cols, const float* src, int srcLd, float* dst, int dstLd)
extern "C" __global__ void jrnn_copy2d(int rows, int cols, const float* __restrict__ src, int srcLd,
                                       float* __restrict__ dst, int dstLd) {
    const long long n = (long long)rows * cols;
    JRNN_GRID_STRIDE(e, n) {
        long long r = e / cols, c = e - r * cols;
        dst[r * dstLd + c] = src[r * srcLd + c];
    }
}

// y[j, i, k] = x[i, j, k] for x of shape [d0, d1, d2]; indexed by the output so writes coalesce.
// args: (int d0, int d1, int d2, const float* x, float* y)
extern "C" __global__ void jrnn_transpose01(int d0, int d1, int d2, const float* __restrict__ x,
                                            float* __restrict__ y) {
    const long long n = (long long)d0 * d1 * d2;
    JRNN_GRID_STRIDE(e, n) {
        long long k = e % d2, rest = e / d2;
        long long i = rest % d0, j = rest / d0;  // y is [d1, d0, d2]: rest = j * d0 + i
        y[e] = x[(i * d1 + j) * d2 + k];
    }
}

// y[i] += alpha * x[i].
// args: (long long n, float alpha, const float* x, float* y)
extern "C" __global__ void jrnn_axpy(long long n, float alpha, const float* x, float* y) {
    JRNN_GRID_STRIDE(i, n) y[i] += alpha * x[i];
}

// x[i] *= s.
// args: (long long n, float s, float* x)
extern "C" __global__ void jrnn_scale(long long n, float s, float* x) {
    JRNN_GRID_STRIDE(i, n) x[i] *= s;
}

// x[r*ld + c] = s * x[r*ld + c], or 0 when s == 0 (so old NaN does not survive; gemm with k == 0).
// args: (int rows, int cols, float s, float* x, int ld)
extern "C" __global__ void jrnn_scale2d(int rows, int cols, float s, float* x, int ld) {
    const long long n = (long long)rows * cols;
    JRNN_GRID_STRIDE(e, n) {
        long long r = e / cols, c = e - r * cols;
        float* p = x + r * ld + c;
        *p = s == 0.0f ? 0.0f : s * *p;
    }
}

// out[i] = a[i] * b[i] (out may alias a or b).
// args: (long long n, const float* a, const float* b, float* out)
extern "C" __global__ void jrnn_mul(long long n, const float* a, const float* b, float* out) {
    JRNN_GRID_STRIDE(i, n) out[i] = a[i] * b[i];
}

// y[r, c] += bias[c] for y [rows, cols].
// args: (int rows, int cols, const float* bias, float* y)
extern "C" __global__ void jrnn_add_row_vector(int rows, int cols, const float* __restrict__ bias,
                                               float* __restrict__ y) {
    const long long n = (long long)rows * cols;
    JRNN_GRID_STRIDE(e, n) y[e] += bias[e % cols];
}

// Column sums, pass 1: partial[chunk, c] = sum of x[r, c] over rows r of chunk blockIdx.y
// (rowsPerChunk rows each), accumulated in double. Block (32, 8), grid (ceil(cols/32), chunks).
// args: (int rows, int cols, int rowsPerChunk, const float* x, double* partial)
extern "C" __global__ void __launch_bounds__(256) jrnn_sum_rows_partial(int rows, int cols, int rowsPerChunk,
                                                                        const float* __restrict__ x,
                                                                        double* __restrict__ partial) {
    __shared__ double sh[8][33];
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int c = blockIdx.x * 32 + tx;
    const long long r0 = (long long)blockIdx.y * rowsPerChunk;
    const long long r1 = min((long long)rows, r0 + rowsPerChunk);
    double s = 0.0;
    if (c < cols) {
        for (long long r = r0 + ty; r < r1; r += 8) s += (double)x[r * cols + c];
    }
    sh[ty][tx] = s;
    __syncthreads();
    if (ty == 0 && c < cols) {
        double t = 0.0;
#pragma unroll
        for (int k = 0; k < 8; k++) t += sh[k][tx];
        partial[(long long)blockIdx.y * cols + c] = t;
    }
}

// Column sums, pass 2: out[c] (+)= sum over chunks of partial[chunk, c].
// args: (int cols, int chunks, const double* partial, float* out, int accumulate)
extern "C" __global__ void jrnn_sum_rows_finish(int cols, int chunks, const double* __restrict__ partial,
                                                float* __restrict__ out, int accumulate) {
    JRNN_GRID_STRIDE(c, (long long)cols) {
        double s = 0.0;
        for (int k = 0; k < chunks; k++) s += partial[(long long)k * cols + c];
        out[c] = accumulate ? out[c] + (float)s : (float)s;
    }
}

// y = act(x) elementwise (not softmax); x and y may alias.
// args: (int act, long long n, const float* x, float* y)
extern "C" __global__ void jrnn_activate(int act, long long n, const float* x, float* y) {
    JRNN_GRID_STRIDE(i, n) y[i] = jrnn_act(act, x[i]);
}

// dx = dy * act'(x) through y = act(x) (not softmax); dx may alias dy.
// args: (int act, long long n, const float* y, const float* dy, float* dx)
extern "C" __global__ void jrnn_activate_bwd(int act, long long n, const float* y, const float* dy, float* dx) {
    JRNN_GRID_STRIDE(i, n) dx[i] = dy[i] * jrnn_act_deriv(act, y[i]);
}

// One row's max m and sum(exp(x - m)) into *sum, reduced over the block: softmax's and log-softmax's shared pass.
__device__ __forceinline__ float jrnn_row_max_expsum(const float* xr, int cols, float* sh, float* sum) {
    float m = -INFINITY;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, xr[c]);
    m = jrnn_block_max(m, sh);
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += expf(xr[c] - m);
    *sum = jrnn_block_sum(s, sh);
    return m;
}

// Row softmax: y[r, :] = exp(x[r, :] - max) / sum. One block per row (grid-stride over rows),
// blockDim.x a multiple of 32 (<= 1024). x and y may alias (each element is read and then written
// by the same thread).
// args: (int rows, int cols, const float* x, float* y)
extern "C" __global__ void jrnn_softmax_rows(int rows, int cols, const float* x, float* y) {
    __shared__ float sh[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * cols;
        float* yr = y + r * cols;
        float s;
        const float m = jrnn_row_max_expsum(xr, cols, sh, &s);
        for (int c = threadIdx.x; c < cols; c += blockDim.x) yr[c] = expf(xr[c] - m) / s;
    }
}

// Row softmax backward: dx[r, :] = y[r, :] * (dy[r, :] - <dy[r, :], y[r, :]>). dx may alias dy.
// Launch as jrnn_softmax_rows.
// args: (int rows, int cols, const float* y, const float* dy, float* dx)
extern "C" __global__ void jrnn_softmax_rows_bwd(int rows, int cols, const float* y, const float* dy, float* dx) {
    __shared__ float sh[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* yr = y + r * cols;
        const float* dyr = dy + r * cols;
        float* dxr = dx + r * cols;
        float d = 0.0f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) d += dyr[c] * yr[c];
        d = jrnn_block_sum(d, sh);
        for (int c = threadIdx.x; c < cols; c += blockDim.x) dxr[c] = yr[c] * (dyr[c] - d);
    }
}

// Row log-softmax: y[r, :] = (x[r, :] - max) - log(sum(exp(x[r, :] - max))). Launch as jrnn_softmax_rows; x and y
// may alias (each element is read and then written by the same thread, after the block's reductions).
// args: (int rows, int cols, const float* x, float* y)
extern "C" __global__ void jrnn_log_softmax_rows(int rows, int cols, const float* x, float* y) {
    __shared__ float sh[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * cols;
        float* yr = y + r * cols;
        float s;
        const float m = jrnn_row_max_expsum(xr, cols, sh, &s), ls = logf(s);
        for (int c = threadIdx.x; c < cols; c += blockDim.x) yr[c] = (xr[c] - m) - ls;
    }
}

// Row log-softmax backward: dx[r, :] = dy[r, :] - exp(y[r, :]) * sum(dy[r, :]). dx may alias dy.
// Launch as jrnn_softmax_rows.
// args: (int rows, int cols, const float* y, const float* dy, float* dx)
extern "C" __global__ void jrnn_log_softmax_rows_bwd(int rows, int cols, const float* y, const float* dy, float* dx) {
    __shared__ float sh[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* yr = y + r * cols;
        const float* dyr = dy + r * cols;
        float* dxr = dx + r * cols;
        float d = 0.0f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) d += dyr[c];
        d = jrnn_block_sum(d, sh);
        for (int c = threadIdx.x; c < cols; c += blockDim.x) dxr[c] = dyr[c] - expf(yr[c]) * d;
    }
}

// x = min(max(x, lo), hi); NaN stays NaN.
// args: (long long n, float lo, float hi, float* x)
extern "C" __global__ void jrnn_clip(long long n, float lo, float hi, float* x) {
    JRNN_GRID_STRIDE(i, n) {
        float v = x[i];
        x[i] = v < lo ? lo : (v > hi ? hi : v);
    }
}
