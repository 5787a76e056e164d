// Shared device helpers of the jrnn kernels: activation codes, grid-stride loops, block reductions.
//
// Conventions for every kernel in kernels/*.cu (CudaBackend launches them through the driver API):
//   - extern "C" __global__ names jrnn_<op>; arguments are raw pointers (offsets already applied on
//     the Java side: ptr + 4 * off), int32, int64 ("long long") and float32 scalars, in the order the
//     comment above each kernel lists them.
//   - A pointer documented as nullable may be 0 (the kernel then uses the documented default).
//   - Elementwise kernels use 1-D grid-stride loops, so any grid size is correct; CudaBackend picks
//     256 threads per block and caps the grid at a few blocks per SM.
//   - Math is plain IEEE float (expf, tanhf, logf are the accurate library versions: the build does
//     not use --use_fast_math) so results stay within 1e-5 of the CPU backend.
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

// Activation codes, identical to dev.jrnn.backend.Activation#code().
#define JRNN_LINEAR 0
#define JRNN_TANH 1
#define JRNN_SIGMOID 2
#define JRNN_RELU 3
#define JRNN_SOFTMAX 4
#define JRNN_HARD_SIGMOID 5
#define JRNN_ELU 6
#define JRNN_SELU 7
#define JRNN_SOFTPLUS 8
#define JRNN_SOFTSIGN 9
#define JRNN_HARD_SIGMOID_V3 10  // Keras 3's hard_sigmoid: clip(x/6 + 1/2)

#define JRNN_GRID_STRIDE(i, n)                                                            \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n);         \
         i += (long long)blockDim.x * gridDim.x)

__device__ __forceinline__ float jrnn_sigmoid(float x) {
    return 1.0f / (1.0f + expf(-x));
}

// y = act(x) for the elementwise activations. Comparisons are written so that NaN propagates
// (as Java's Math.max/min do): a NaN input gives a NaN output, never a silent 0.
__device__ __forceinline__ float jrnn_act(int act, float x) {
    switch (act) {
        case JRNN_TANH: return tanhf(x);
        case JRNN_SIGMOID: return jrnn_sigmoid(x);
        case JRNN_RELU: return x < 0.0f ? 0.0f : x;
        case JRNN_HARD_SIGMOID: {
            float t = 0.2f * x + 0.5f;
            return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        }
        case JRNN_ELU: return x > 0.0f ? x : expm1f(x);
        case JRNN_SELU: return 1.0507009873554805f * (x > 0.0f ? x : 1.6732632423543772f * expm1f(x));
        case JRNN_SOFTPLUS: return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
        case JRNN_SOFTSIGN: return x / (1.0f + fabsf(x));
        case JRNN_HARD_SIGMOID_V3: {
            float t = x / 6.0f + 0.5f;
            return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        }
        default: return x;  // JRNN_LINEAR
    }
}

// act'(x) written through the output y = act(x), as Activation#derivFromOutput.
__device__ __forceinline__ float jrnn_act_deriv(int act, float y) {
    switch (act) {
        case JRNN_TANH: return 1.0f - y * y;
        case JRNN_SIGMOID: return y * (1.0f - y);
        case JRNN_RELU: return y > 0.0f ? 1.0f : 0.0f;
        case JRNN_HARD_SIGMOID: return (y > 0.0f && y < 1.0f) ? 0.2f : 0.0f;
        case JRNN_HARD_SIGMOID_V3: return (y > 0.0f && y < 1.0f) ? 1.0f / 6.0f : 0.0f;
        case JRNN_ELU: return y > 0.0f ? 1.0f : y + 1.0f;
        case JRNN_SELU: return y > 0.0f ? 1.0507009873554805f : y + 1.7580993408473766f;
        case JRNN_SOFTPLUS: return -expm1f(-y);
        case JRNN_SOFTSIGN: return (1.0f - fabsf(y)) * (1.0f - fabsf(y));
        default: return 1.0f;  // JRNN_LINEAR
    }
}

__device__ __forceinline__ float jrnn_warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ double jrnn_warp_sum_d(double v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float jrnn_warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// `scratch` holds at least 32 doubles of shared memory. Contains __syncthreads: call from all threads.
__device__ __forceinline__ double jrnn_block_sum_d(double v, double* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = jrnn_warp_sum_d(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < nwarps ? scratch[lane] : 0.0;
    return jrnn_warp_sum_d(v);
}

__device__ __forceinline__ float jrnn_block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = jrnn_warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < nwarps ? scratch[lane] : 0.0f;
    return jrnn_warp_sum(v);
}

__device__ __forceinline__ float jrnn_block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = jrnn_warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < nwarps ? scratch[lane] : -INFINITY;
    return jrnn_warp_max(v);
}
