// Shared device helpers of the jrnn kernels: grid-stride loops, block reductions (the activations and
// cell math: cell_math.cuh).
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

#ifndef JRNN_SIM  // the host simulator (java/src/test/sim/cuda_sim.h) stands in for the runtime
#include <cuda_runtime.h>
#endif
#include <stdint.h>

#include "cell_math.cuh"  // activation codes and jrnn_act / jrnn_act_deriv

#define JRNN_GRID_STRIDE(i, n)                                                            \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n);         \
         i += (long long)blockDim.x * gridDim.x)

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
