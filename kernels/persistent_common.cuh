// Shared pieces of the persistent recurrent kernels (kernels/persistent_rnn.cu): the shared-memory
// layout (mirrored by dev.jrnn.backend.cuda.PersistentRnn.Plan), activations, operand rounding for
// the TF32/BF16 modes, cp.async and grid-barrier wrappers, and the block-level GEMM of one step.
//
// Everything here also compiles as plain C++ against java/src/test/sim/cuda_sim.h (JRNN_SIM), which
// runs every CTA thread as a host thread: that is how the kernels are tested on machines without a GPU.
// So: no warp intrinsics, no static __shared__ arrays, all CUDA specifics behind the wrappers below.
#pragma once

#ifndef JRNN_SIM
#include <cooperative_groups.h>
#include <stdint.h>
#endif

namespace jrnn_persist {

// Cell kinds and precisions: the kernel name carries them (jrnn_persist_<kind>_<dir>_<prec>).
enum { KIND_RNN = 0, KIND_LSTM = 1, KIND_GRU = 2 };
enum { PREC_FP32 = 0, PREC_TF32 = 1, PREC_BF16 = 2 };

// Activation codes, identical to dev.jrnn.backend.Activation#code().
enum { ACT_LINEAR = 0, ACT_TANH = 1, ACT_SIGMOID = 2, ACT_RELU = 3, ACT_HARD_SIGMOID = 5 };

__host__ __device__ inline int gates_of(int kind) { return kind == KIND_LSTM ? 4 : (kind == KIND_GRU ? 3 : 1); }
__host__ __device__ inline int round4(int x) { return (x + 3) & ~3; }
__host__ __device__ inline int imin(int a, int b) { return a < b ? a : b; }
__host__ __device__ inline long long align16(long long x) { return (x + 15) & ~15LL; }

// Per-step inputs of the CTA's own (batch rows x unit slice) block, staged one step ahead, in units
// of Bg*S floats. Forward: the input projections of the cell's gates. Backward: RNN [h, dy];
// LSTM [i, f, g, o, c, cPrev, dy]; GRU [z, r, hh, rh, hPrev, dy].
__host__ __device__ inline int own_fields(int kind, int bwd) {
    if (!bwd) return gates_of(kind);
    return kind == KIND_LSTM ? 7 : (kind == KIND_GRU ? 6 : 2);
}

// Recurrent state kept in shared memory across steps. Forward: h (and c for LSTM; GRU also keeps its
// 3*S recurrent biases). Backward: dh (and dc for LSTM).
__host__ __device__ inline int state_floats(int kind, int bwd, int Bg, int S) {
    const int n = Bg * S;
    if (kind == KIND_LSTM) return 2 * n;
    if (kind == KIND_GRU && !bwd) return n + 3 * S;
    return n;
}

// Shared-memory layout of one CTA. The CTA owns batch rows [b0, b0+Bg) and hidden units [j0, j0+S).
// Each step is the block GEMM out[Bgp, Cp] = A[Bgp, K] * W[K, Cp]:
//   forward:  A = h_{t-1} rows, K = H,   W = the CTA's columns of U (all gates of its units), Cp = ng*S
//   backward: A = dgates_t rows, K = ng*H, W = the CTA's rows of U transposed,              Cp = S
// A is staged from global memory in chunks of NC columns (double-buffered when K > NC).
// Thread tiles are 4 rows x 4 columns; KS threads split K for each tile and reduce through `red`.
struct Layout {
    int K, Cp, Bgp, lda, nChunks, nBuf, nTiles, KS;
    long long w, a, red, own, mask, state, total;  // byte offsets into dynamic shared memory
};

__host__ __device__ inline Layout make_layout(int kind, int bwd, int prec, int H, int S, int Bg, int NC, int NT) {
    Layout L;
    const int ng = gates_of(kind);
    L.K = bwd ? ng * H : H;
    L.Cp = bwd ? S : ng * S;
    L.Bgp = round4(Bg);
    L.lda = NC + 4;  // +4 floats: rows shift by 4 banks, so 8 rows of 16-byte loads hit 32 banks
    L.nChunks = NC > 0 ? (L.K + NC - 1) / NC : 0;
    L.nBuf = L.nChunks > 1 ? 2 : 1;
    L.nTiles = (L.Bgp / 4) * (L.Cp / 4);
    L.KS = (L.nTiles >= NT || L.nTiles == 0) ? 1 : NT / L.nTiles;
    long long off = 0;
    L.w = off;     off += align16((long long)L.K * L.Cp * (prec == PREC_BF16 ? 2 : 4));
    L.a = off;     off += align16((long long)L.nBuf * L.Bgp * L.lda * 4);
    L.red = off;   off += align16((long long)L.KS * L.Bgp * L.Cp * 4);
    L.own = off;   off += align16(2LL * own_fields(kind, bwd) * Bg * S * 4);
    L.mask = off;  off += align16(2LL * L.Bgp * 4);
    L.state = off; off += align16((long long)state_floats(kind, bwd, Bg, S) * 4);
    L.total = off;
    return L;
}

// The launch must match the plan exactly, or the kernel returns at once (uniformly, so no CTA waits
// at a grid barrier for one that left). PersistentRnn.Plan guarantees these; tests check outputs.
__host__ __device__ inline bool plan_ok(const Layout& L, int T, int B, int H, int S, int Bg, int NC, int NT,
                                        unsigned gx, unsigned gy, unsigned smemBytes) {
    return T > 0 && B > 0 && H > 0 && H % 4 == 0 && S > 0 && S % 4 == 0 && Bg > 0 && NC > 0 && NC % 4 == 0
        && NT > 0 && L.nTiles <= NT && gx == (unsigned)((H + S - 1) / S) && gy == (unsigned)((B + Bg - 1) / Bg)
        && L.total <= (long long)smemBytes;
}

// ------------------------------------------------------------------------------- elementwise math
// Same definitions as kernels/common.cuh (jrnn_act / jrnn_act_deriv), so the persistent path and the
// step kernels agree to the last bit on the elementwise part; NaN propagates.
__device__ __forceinline__ float act_f(int a, float x) {
    switch (a) {
        case ACT_TANH: return tanhf(x);
        case ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
        case ACT_RELU: return x < 0.0f ? 0.0f : x;
        case ACT_HARD_SIGMOID: {
            const float t = 0.2f * x + 0.5f;
            return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        }
        default: return x;
    }
}

// act'(x) through y = act(x), as Activation#derivFromOutput.
__device__ __forceinline__ float act_d(int a, float y) {
    switch (a) {
        case ACT_TANH: return 1.0f - y * y;
        case ACT_SIGMOID: return y * (1.0f - y);
        case ACT_RELU: return y > 0.0f ? 1.0f : 0.0f;
        case ACT_HARD_SIGMOID: return (y > 0.0f && y < 1.0f) ? 0.2f : 0.0f;
        default: return 1.0f;
    }
}

// ------------------------------------------------------------------------------- operand rounding
// TF32: round to nearest (ties away), 10 mantissa bits, as cvt.rna.tf32.f32. BF16: round to nearest
// even, 7 mantissa bits. Written on the bits so the CPU simulation rounds identically; NaN stays NaN.
__device__ __forceinline__ float round_tf32(float x) {
    const unsigned u = __float_as_uint(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return x;
    return __uint_as_float((u + 0x1000u) & 0xffffe000u);
}

__device__ __forceinline__ unsigned bf16_bits(float x) {  // the upper 16 bits of the rounded float
    const unsigned u = __float_as_uint(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u >> 16) | 0x40u;  // quiet NaN
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

__device__ __forceinline__ float round_bf16(float x) { return __uint_as_float(bf16_bits(x) << 16); }

template <int PREC>
__device__ __forceinline__ float round_op(float x) {
    if (PREC == PREC_TF32) return round_tf32(x);
    if (PREC == PREC_BF16) return round_bf16(x);
    return x;
}

// ------------------------------------------------------------------------------- CUDA wrappers
#ifdef JRNN_SIM
__device__ __forceinline__ unsigned char* smem_base() { return jrnn_sim::smem(); }
__device__ __forceinline__ unsigned smem_bytes() { return jrnn_sim::smem_bytes(); }
__device__ __forceinline__ void cp16(void* s, const void* g) { jrnn_sim::cp_async(s, g, 16); }
__device__ __forceinline__ void cp4(void* s, const void* g) { jrnn_sim::cp_async(s, g, 4); }
__device__ __forceinline__ void cp_commit() { jrnn_sim::cp_commit(); }
template <int N>
__device__ __forceinline__ void cp_wait() { jrnn_sim::cp_wait(N); }
__device__ __forceinline__ void grid_sync() { jrnn_sim::grid_sync(); }
#else
extern __shared__ __align__(16) unsigned char jrnn_persist_smem[];

__device__ __forceinline__ unsigned char* smem_base() { return jrnn_persist_smem; }

__device__ __forceinline__ unsigned smem_bytes() {
    unsigned r;
    asm volatile("mov.u32 %0, %%dynamic_smem_size;" : "=r"(r));
    return r;
}

// 16-byte global->shared copy that bypasses L1 (.cg): data written by other CTAs earlier in this
// launch is read from L2, never from a stale L1 line.
__device__ __forceinline__ void cp16(void* s, const void* g) {
    const unsigned sa = (unsigned)__cvta_generic_to_shared(s);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(sa), "l"(g) : "memory");
}

// 4-byte copy for read-only inputs (masks), which may sit at any 4-byte offset.
__device__ __forceinline__ void cp4(void* s, const void* g) {
    const unsigned sa = (unsigned)__cvta_generic_to_shared(s);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4;\n" ::"r"(sa), "l"(g) : "memory");
}

__device__ __forceinline__ void cp_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

template <int N>
__device__ __forceinline__ void cp_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory"); }

// Grid-wide barrier of a cooperative launch (cuLaunchCooperativeKernel): cooperative groups compile
// it inline (no -rdc): bar.sync, then one thread per CTA does atom.add.release.gpu on the barrier word
// the driver provides and spins with ld.acquire.gpu, then bar.sync. Release/acquire at gpu scope make
// every store of every CTA before the barrier visible to every load after it.
__device__ __forceinline__ void grid_sync() { cooperative_groups::this_grid().sync(); }
#endif

// ------------------------------------------------------------------------------- block GEMM
// Four consecutive W values of row `row` (Cp-wide) starting at column c4*4, as floats.
template <int PREC>
__device__ __forceinline__ void load_w4(const void* W, int idx, float& x, float& y, float& z, float& w) {
    if (PREC == PREC_BF16) {
        const uint2 v = *reinterpret_cast<const uint2*>(reinterpret_cast<const unsigned short*>(W) + idx);
        x = __uint_as_float(v.x << 16);
        y = __uint_as_float(v.x & 0xffff0000u);
        z = __uint_as_float(v.y << 16);
        w = __uint_as_float(v.y & 0xffff0000u);
    } else {
        const float4 v = *reinterpret_cast<const float4*>(reinterpret_cast<const float*>(W) + idx);
        x = v.x; y = v.y; z = v.z; w = v.w;
    }
}

// Stores one W element (rounded for TF32, as bf16 for BF16).
template <int PREC>
__device__ __forceinline__ void store_w(void* W, int idx, float v) {
    if (PREC == PREC_BF16) {
        reinterpret_cast<unsigned short*>(W)[idx] = (unsigned short)bf16_bits(v);
    } else {
        reinterpret_cast<float*>(W)[idx] = round_op<PREC>(v);
    }
}

// Copies chunk c of A (rows [0, nb) of Ag, row stride ldg floats, columns [c*NC, c*NC + Kc)) into
// A buffer `dst` with cp.async; rounds nothing (see round_chunk).
__device__ __forceinline__ void issue_chunk(const float* Ag, long long ldg, int nb, int kc0, int Kc, float* dst,
                                            int lda, int tid, int NT) {
    const int q4 = Kc >> 2;
    const int n = nb * q4;
    for (int i = tid; i < n; i += NT) {
        const int r = i / q4, q = i - r * q4;
        cp16(dst + r * lda + q * 4, Ag + (long long)r * ldg + kc0 + q * 4);
    }
}

// Rounds, in place, the elements this thread copied in issue_chunk (visible to it after its own
// cp_wait; the following __syncthreads publishes the rounded values to the block).
template <int PREC>
__device__ __forceinline__ void round_chunk(int nb, int Kc, float* dst, int lda, int tid, int NT) {
    if (PREC == PREC_FP32) return;
    const int q4 = Kc >> 2;
    const int n = nb * q4;
    for (int i = tid; i < n; i += NT) {
        const int r = i / q4, q = i - r * q4;
        float4* p = reinterpret_cast<float4*>(dst + r * lda + q * 4);
        float4 v = *p;
        v.x = round_op<PREC>(v.x); v.y = round_op<PREC>(v.y); v.z = round_op<PREC>(v.z); v.w = round_op<PREC>(v.w);
        *p = v;
    }
}

// red[ks][Bgp][Cp] = partial sums over the ks-th share of K of A[Bgp, K] * W[K, Cp], where A rows
// [0, nb) are rows of the global matrix Ag (stride ldg) and rows >= nb are the zeros of Abuf.
// All threads of the block must call it; on return every thread has passed the last barrier, but the
// caller still needs a __syncthreads before reduce_partials. Completes every cp.async group in flight.
template <int PREC>
__device__ void block_gemm(const float* Ag, long long ldg, int nb, const Layout& L, const void* W, float* Abuf,
                           float* red, int tid, int NT) {
    const int NC = L.lda - 4;
    const int nTC = L.Cp >> 2;
    const bool active = tid < L.nTiles * L.KS;
    const int tile = active ? tid % L.nTiles : 0;
    const int ks = active ? tid / L.nTiles : 0;
    const int tb = tile / nTC, tc = tile - (tile / nTC) * nTC;
    const int bufStride = L.Bgp * L.lda;
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = 0.0f;

    issue_chunk(Ag, ldg, nb, 0, imin(NC, L.K), Abuf, L.lda, tid, NT);
    cp_commit();
    for (int c = 0; c < L.nChunks; ++c) {
        const int kc0 = c * NC;
        const int Kc = imin(NC, L.K - kc0);
        float* A = Abuf + (c & 1) * bufStride;
        if (c + 1 < L.nChunks) {
            const int kn0 = kc0 + NC;
            issue_chunk(Ag, ldg, nb, kn0, imin(NC, L.K - kn0), Abuf + ((c + 1) & 1) * bufStride, L.lda, tid, NT);
            cp_commit();
            cp_wait<1>();
        } else {
            cp_wait<0>();
        }
        round_chunk<PREC>(nb, Kc, A, L.lda, tid, NT);
        __syncthreads();
        if (active) {
            const int k4n = Kc >> 2;
            const int k4a = ks * k4n / L.KS, k4b = (ks + 1) * k4n / L.KS;
            const float* A0 = A + tb * 4 * L.lda;
            for (int k4 = k4a; k4 < k4b; ++k4) {
                const int k = k4 * 4;
                float a[4][4];
#pragma unroll
                for (int i = 0; i < 4; ++i) {
                    const float4 v = *reinterpret_cast<const float4*>(A0 + i * L.lda + k);
                    a[i][0] = v.x; a[i][1] = v.y; a[i][2] = v.z; a[i][3] = v.w;
                }
                float w[4][4];
#pragma unroll
                for (int r = 0; r < 4; ++r)
                    load_w4<PREC>(W, (kc0 + k + r) * L.Cp + tc * 4, w[r][0], w[r][1], w[r][2], w[r][3]);
#pragma unroll
                for (int r = 0; r < 4; ++r)
#pragma unroll
                    for (int i = 0; i < 4; ++i)
#pragma unroll
                        for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i][r], w[r][j], acc[i][j]);
            }
        }
        __syncthreads();  // the buffer just read is the target of the copy issued next iteration
    }
    if (active) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            float4 v;
            v.x = acc[i][0]; v.y = acc[i][1]; v.z = acc[i][2]; v.w = acc[i][3];
            *reinterpret_cast<float4*>(red + (ks * L.Bgp + tb * 4 + i) * L.Cp + tc * 4) = v;
        }
    }
}

// Folds the KS partial sums of every output into the first slice, red[0][row][col], spread over all
// threads of the block (four independent accumulators, so the loads of one output overlap). Call
// between two __syncthreads: after block_gemm's partials are visible, before anyone reads the result.
__device__ __forceinline__ void reduce_partials(float* red, const Layout& L, int tid, int NT) {
    if (L.KS == 1) return;
    const int nOut = L.Bgp * L.Cp;
    for (int o = tid; o < nOut; o += NT) {
        float s0 = red[o], s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        int ks = 1;
        for (; ks + 3 < L.KS; ks += 4) {
            s0 += red[ks * nOut + o];
            s1 += red[(ks + 1) * nOut + o];
            s2 += red[(ks + 2) * nOut + o];
            s3 += red[(ks + 3) * nOut + o];
        }
        for (; ks < L.KS; ++ks) s0 += red[ks * nOut + o];
        red[o] = (s0 + s1) + (s2 + s3);
    }
}

// Stages, with cp.async, the S-wide column block [col0, col0 + nj) of rows [0, nb) of the global
// matrix src (row stride ld floats) into dst[nb][S].
__device__ __forceinline__ void stage_cols(float* dst, int S, const float* src, long long ld, long long col0, int nb,
                                           int nj, int tid, int NT) {
    const int q4 = nj >> 2;
    const int n = nb * q4;
    for (int i = tid; i < n; i += NT) {
        const int r = i / q4, q = i - r * q4;
        cp16(dst + r * S + q * 4, src + (long long)r * ld + col0 + q * 4);
    }
}

__device__ __forceinline__ void stage_mask(float* dst, const float* src, int nb, int tid, int NT) {
    for (int r = tid; r < nb; r += NT) cp4(dst + r, src + r);
}

}  // namespace jrnn_persist
