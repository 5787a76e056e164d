// Shared pieces of the persistent recurrent kernels (kernels/persistent_rnn.cu): the shared-memory
// layout (mirrored by dev.jrnn.backend.cuda.PersistentRnn.Plan), operand rounding for
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

#include "cell_math.cuh"  // activation codes, jrnn_act, and the cell math shared with the step kernels

namespace jrnn_persist {

// Cell kinds and precisions: the kernel name carries them (jrnn_persist_<kind>_<dir>_<prec>).
enum { KIND_RNN = 0, KIND_LSTM = 1, KIND_GRU = 2 };
enum { PREC_FP32 = 0, PREC_TF32 = 1, PREC_BF16 = 2 };

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
// Two ways to multiply (the `mma` variant flag):
//   FFMA (mma = 0): thread tiles of 4 rows x 4 columns, 16-byte shared loads; Bgp = Bg rounded to 4;
//     W is [K][Cp] (fp32, or bf16 in BF16 mode); lda = NC + 4. KS threads split K for each tile.
//   tensor cores (mma = 1): warp tiles of 16 rows x 8 columns with mma.sync (FP32: 3xTF32, the operands
//     split into big and small TF32 parts and three products summed, about fp32 accurate; TF32: one
//     m16n8k8; BF16: one m16n8k16); Bgp = Bg rounded to 16; W is kept transposed, W^T [Cp][ldw], fp32
//     with ldw = 4 mod 32 or bf16 with ldw = 8 mod 64 (k pairs contiguous), and A has lda = 4 mod 32
//     (TF32) or 8 mod 32 (BF16), so that a warp's fragment loads hit 32 different banks; the padding is
//     on K, small next to K. KS warps split K for each warp tile; with more warp tiles than warps each
//     warp takes up to 4 (tpw).
// Either way the K-split partial sums go to red[KS][Bgp][Cp] and are folded by reduce_partials.
struct Layout {
    int K, Cp, Bgp, nc, lda, ldw, nChunks, nBuf, nTiles, KS, tpw, mma;
    long long w, a, red, own, mask, state, total;  // byte offsets into dynamic shared memory
};

__host__ __device__ inline int pad_to(int x, int mod, int rem) {  // smallest y >= x with y % mod == rem
    return x + ((rem - x % mod) % mod + mod) % mod;
}

__host__ __device__ inline Layout make_layout(int kind, int bwd, int prec, int H, int S, int Bg, int NC, int NT,
                                              int mma) {
    Layout L;
    const int ng = gates_of(kind);
    L.mma = mma;
    L.nc = NC;
    L.K = bwd ? ng * H : H;
    L.Cp = bwd ? S : ng * S;
    long long wBytes;
    if (!mma) {
        L.Bgp = round4(Bg);
        L.lda = NC + 4;  // +4 floats: rows shift by 4 banks, so 8 rows of 16-byte loads hit 32 banks
        L.ldw = L.Cp;
        L.nTiles = (L.Bgp / 4) * (L.Cp / 4);
        L.KS = (L.nTiles >= NT || L.nTiles == 0) ? 1 : NT / L.nTiles;
        L.tpw = 1;
        wBytes = (long long)L.K * L.Cp * (prec == PREC_BF16 ? 2 : 4);
    } else {
        const int warps = NT / 32;
        L.Bgp = (Bg + 15) & ~15;
        L.lda = pad_to(NC, 32, prec == PREC_BF16 ? 8 : 4);
        L.nTiles = (L.Bgp / 16) * (L.Cp / 8);
        L.KS = (warps <= 0 || L.nTiles == 0 || L.nTiles >= warps) ? 1 : warps / L.nTiles;
        L.tpw = warps > 0 ? (L.nTiles + warps - 1) / warps : 0;
        if (prec == PREC_BF16) {
            L.ldw = pad_to(L.K, 64, 8);
            wBytes = (long long)L.Cp * L.ldw * 2;
        } else {
            L.ldw = pad_to(L.K, 32, 4);
            wBytes = (long long)L.Cp * L.ldw * 4;
        }
    }
    L.nChunks = NC > 0 ? (L.K + NC - 1) / NC : 0;
    L.nBuf = L.nChunks > 1 ? 2 : 1;
    long long off = 0;
    L.w = off;     off += align16(wBytes);
    L.a = off;     off += align16((long long)L.nBuf * L.Bgp * L.lda * 4);
    L.red = off;   off += align16((long long)L.KS * L.Bgp * L.Cp * 4);
    L.own = off;   off += align16(2LL * own_fields(kind, bwd) * Bg * S * 4);
    L.mask = off;  off += align16(2LL * L.Bgp * 4);
    L.state = off; off += align16((long long)state_floats(kind, bwd, Bg, S) * 4);
    L.total = off;
    return L;
}

// Most warp tiles one warp may hold (4 accumulators each) in the tensor-core variant.
enum { MMA_MAX_TPW = 4 };

// The launch must match the plan exactly, or the kernel returns at once (uniformly, so no CTA waits
// at a grid barrier for one that left). PersistentRnn.Plan guarantees these; tests check outputs.
__host__ __device__ inline bool plan_ok(const Layout& L, int prec, int T, int B, int H, int S, int Bg, int NC, int NT,
                                        unsigned gx, unsigned gy, unsigned smemBytes) {
    bool ok = T > 0 && B > 0 && H > 0 && H % 4 == 0 && S > 0 && S % 4 == 0 && Bg > 0 && NC > 0 && NC % 4 == 0
        && NT > 0 && gx == (unsigned)((H + S - 1) / S) && gy == (unsigned)((B + Bg - 1) / Bg)
        && L.total <= (long long)smemBytes;
    if (!L.mma) return ok && L.nTiles <= NT;
    const int kstep = prec == PREC_BF16 ? 16 : 8;  // K of one mma: chunks and K must be whole steps
    return ok && NT % 32 == 0 && S % 8 == 0 && L.K % kstep == 0 && NC % kstep == 0 && L.tpw <= MMA_MAX_TPW;
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

// Warp-wide D += A * B on the tensor cores (all 32 lanes of the warp call it together). Fragments as
// the PTX ISA and CUTLASS's SM80_16x8x8_F32TF32TF32F32_TN / SM80_16x8x16_F32BF16BF16F32_TN traits lay
// them out, with g = lane / 4 and t = lane % 4:
//   tf32 m16n8k8:  a = A[g][t], A[g+8][t], A[g][t+4], A[g+8][t+4];  b = B[t][g], B[t+4][g]
//   bf16 m16n8k16: a[r] = A[g + 8(r%2)][2t + 8(r/2) + {0,1}];  b[r] = B[2t + 8r + {0,1}][g]  (low half first)
//   d = D[g][2t], D[g][2t+1], D[g+8][2t], D[g+8][2t+1]
#ifdef JRNN_SIM
__device__ __forceinline__ void mma_tf32(float* d, const unsigned* a, const unsigned* b) { jrnn_sim::mma_tf32(d, a, b); }
__device__ __forceinline__ void mma_bf16(float* d, const unsigned* a, const unsigned* b) { jrnn_sim::mma_bf16(d, a, b); }
#else
__device__ __forceinline__ void mma_tf32(float* d, const unsigned* a, const unsigned* b) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
__device__ __forceinline__ void mma_bf16(float* d, const unsigned* a, const unsigned* b) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
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

// Stores W[k][c] (rounded for TF32, as bf16 for BF16) where the layout keeps it: [k][ldw] (FFMA), or
// transposed [c][ldw] (tensor cores).
template <int PREC>
__device__ __forceinline__ void store_w_at(void* W, const Layout& L, int k, int c, float v) {
    const int idx = L.mma ? c * L.ldw + k : k * L.ldw + c;
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
    const int NC = L.nc;
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

// Two bf16 values (already bf16-exact floats) packed low-first into one 32-bit mma operand.
__device__ __forceinline__ unsigned pack_bf16(float lo, float hi) {
    return (__float_as_uint(hi) & 0xffff0000u) | (__float_as_uint(lo) >> 16);
}

// One K step (8, or 16 for BF16) of warp tile (mt, n0) into accumulators accB (and accS: the small
// terms of 3xTF32, kept apart so the two dependency chains overlap and the small sum keeps its bits).
template <int PREC>
__device__ __forceinline__ void mma_kstep(float* accB, float* accS, const float* A, const void* W, const Layout& L,
                                          int mt, int n0, int kc0, int k, int g, int t) {
    const float* A0 = A + (mt * 16 + g) * L.lda + k;
    const float* A1 = A0 + 8 * L.lda;
    if (PREC == PREC_BF16) {
        const float2 x0 = *reinterpret_cast<const float2*>(A0 + 2 * t);
        const float2 x1 = *reinterpret_cast<const float2*>(A1 + 2 * t);
        const float2 x2 = *reinterpret_cast<const float2*>(A0 + 2 * t + 8);
        const float2 x3 = *reinterpret_cast<const float2*>(A1 + 2 * t + 8);
        const unsigned a[4] = {pack_bf16(x0.x, x0.y), pack_bf16(x1.x, x1.y), pack_bf16(x2.x, x2.y), pack_bf16(x3.x, x3.y)};
        const unsigned short* Wt = reinterpret_cast<const unsigned short*>(W) + (n0 + g) * L.ldw + kc0 + k + 2 * t;
        const unsigned b[2] = {*reinterpret_cast<const unsigned*>(Wt), *reinterpret_cast<const unsigned*>(Wt + 8)};
        mma_bf16(accB, a, b);
    } else {
        const float av[4] = {A0[t], A1[t], A0[t + 4], A1[t + 4]};
        const float* Wt = reinterpret_cast<const float*>(W) + (n0 + g) * L.ldw + kc0 + k + t;
        const float bv[2] = {Wt[0], Wt[4]};
        if (PREC == PREC_TF32) {
            const unsigned a[4] = {__float_as_uint(av[0]), __float_as_uint(av[1]), __float_as_uint(av[2]),
                                   __float_as_uint(av[3])};
            const unsigned b[2] = {__float_as_uint(bv[0]), __float_as_uint(bv[1])};
            mma_tf32(accB, a, b);
        } else {
            unsigned ah[4], al[4], bh[2], bl[2];
#pragma unroll
            for (int r = 0; r < 4; ++r) {
                const float h = round_tf32(av[r]);
                ah[r] = __float_as_uint(h);
                al[r] = __float_as_uint(round_tf32(av[r] - h));
            }
#pragma unroll
            for (int r = 0; r < 2; ++r) {
                const float h = round_tf32(bv[r]);
                bh[r] = __float_as_uint(h);
                bl[r] = __float_as_uint(round_tf32(bv[r] - h));
            }
            mma_tf32(accS, al, bh);
            mma_tf32(accS, ah, bl);
            mma_tf32(accB, ah, bh);
        }
    }
}

// The tensor-core version of block_gemm: same contract (partials in red[ks][Bgp][Cp]), warp tiles of
// 16 x 8 (see Layout). FP32 splits each operand x into hi = tf32(x) and lo = tf32(x - hi) and adds
// lo*hi' + hi*lo' + hi*hi' (the lo*lo' term is below fp32 rounding); TF32 uses the operands as
// rounded in shared memory; BF16 packs pairs along K. Even and odd K steps accumulate separately
// (two independent mma chains per tile), summed at the end.
template <int PREC>
__device__ void block_gemm_mma(const float* Ag, long long ldg, int nb, const Layout& L, const void* W, float* Abuf,
                               float* red, int tid, int NT) {
    const int NC = L.nc;
    const int warps = NT >> 5, warp = tid >> 5, lane = tid & 31;
    const int g = lane >> 2, t = lane & 3;
    const int nTC = L.Cp >> 3;
    const int bufStride = L.Bgp * L.lda;
    const int kstep = PREC == PREC_BF16 ? 16 : 8;
    // This warp's tiles: with KS > 1 one tile and a share of K, else up to tpw tiles and all of K.
    int ks = 0, nt = 0;
    int mtile[MMA_MAX_TPW], ncol[MMA_MAX_TPW];
#pragma unroll
    for (int i = 0; i < MMA_MAX_TPW; ++i) {
        int tl = -1;
        if (L.KS > 1) {
            if (i == 0 && warp < L.nTiles * L.KS) tl = warp % L.nTiles;
        } else if (i < L.tpw && warp + i * warps < L.nTiles) {
            tl = warp + i * warps;
        }
        mtile[i] = tl < 0 ? 0 : tl / nTC;
        ncol[i] = tl < 0 ? 0 : (tl - (tl / nTC) * nTC) * 8;
        if (tl >= 0) nt = i + 1;
    }
    if (L.KS > 1) ks = warp / L.nTiles;
    float accB[MMA_MAX_TPW][2][4], accS[MMA_MAX_TPW][2][4];
#pragma unroll
    for (int i = 0; i < MMA_MAX_TPW; ++i)
#pragma unroll
        for (int p = 0; p < 2; ++p)
#pragma unroll
            for (int j = 0; j < 4; ++j) accB[i][p][j] = accS[i][p][j] = 0.0f;

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
        if (nt > 0) {
            const int kn = Kc / kstep;
            const int ka = ks * kn / L.KS, kb = (ks + 1) * kn / L.KS;
            int kk = ka;
            for (; kk + 1 < kb; kk += 2) {
#pragma unroll
                for (int i = 0; i < MMA_MAX_TPW; ++i) {
                    if (i < nt) {
                        mma_kstep<PREC>(accB[i][0], accS[i][0], A, W, L, mtile[i], ncol[i], kc0, kk * kstep, g, t);
                        mma_kstep<PREC>(accB[i][1], accS[i][1], A, W, L, mtile[i], ncol[i], kc0, (kk + 1) * kstep, g, t);
                    }
                }
            }
            if (kk < kb) {
#pragma unroll
                for (int i = 0; i < MMA_MAX_TPW; ++i) {
                    if (i < nt) mma_kstep<PREC>(accB[i][0], accS[i][0], A, W, L, mtile[i], ncol[i], kc0, kk * kstep, g, t);
                }
            }
        }
        __syncthreads();  // the buffer just read is the target of the copy issued next iteration
    }
#pragma unroll
    for (int i = 0; i < MMA_MAX_TPW; ++i) {
        if (i < nt) {
            float v[4];
#pragma unroll
            for (int j = 0; j < 4; ++j) v[j] = (accS[i][0][j] + accS[i][1][j]) + (accB[i][0][j] + accB[i][1][j]);
            float* r0 = red + (ks * L.Bgp + mtile[i] * 16 + g) * L.Cp + ncol[i] + 2 * t;
            float* r1 = r0 + 8 * L.Cp;
            r0[0] = v[0];
            r0[1] = v[1];
            r1[0] = v[2];
            r1[1] = v[3];
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
