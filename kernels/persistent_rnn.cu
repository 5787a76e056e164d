// Persistent recurrent kernels: a whole sequence (all T steps) of SimpleRNN, LSTM or GRU, forward or
// backward, in ONE cooperative launch. Each CTA keeps its share of the recurrent kernel U in shared
// memory for the whole launch; steps are separated by a grid-wide barrier. Only the recurrent part
// runs here: the input projection P = X*W + b before, and the weight gradients after, are plain GEMMs
// (exactly as on the per-step path, which these kernels reproduce buffer for buffer).
//
// Work split: CTA (blockIdx.x = us, blockIdx.y = bg) owns hidden units [us*S, us*S + S) and batch rows
// [bg*Bg, bg*Bg + Bg). Forward: it computes all gates of its units for its rows, so the cell update
// is local; it needs all of h_{t-1} for its rows (from global/L2, written by the other CTAs). Backward:
// it computes dgates of its units/rows (local: dh, dc of its units stay in shared memory), publishes
// them, and after the grid barrier computes dh_{t-1} = dgates * U^T for its own units from the rows of
// U it holds. One grid barrier per step either way. Launch: grid (ceil(H/S), ceil(B/Bg)), block NT,
// dynamic shared memory = Layout.total (PersistentRnn.Plan computes the same numbers).
//
// Names: jrnn_persist_{rnn,lstm,gru}_{fwd,bwd}_{fp32,tf32,bf16}. FP32 multiplies in float32; TF32 and
// BF16 round both GEMM operands (h or dgates, and U) to TF32 / BF16 and accumulate in float32, as the
// tensor-core GEMM path does; BF16 also stores U as bf16 (half the shared memory).
//
// Forward arguments (all kinds; pointers not used by a kind are ignored, nullable ones may be 0):
//   int T, B, H             steps, batch, units (H % 4 == 0)
//   int S, Bg, NC           units per CTA (S % 4 == 0), batch rows per CTA, K chunk of the staged A (% 4 == 0)
//   int act, recAct         activation codes (Activation#code; not SOFTMAX)
//   const float* U          [H, G] recurrent kernel, G = gates*H (RNN H, LSTM 4H i,f,c,o; GRU 3H z,r,h)
//   float* P                [T, B, G] in: x*W + b for every step. out: LSTM the activated gates (i, f, g, o);
//                           GRU (z, r, hh); RNN untouched (read only)
//   float* RP               GRU [T, B, G] out: h_{t-1}*U + bRec per step (what backward needs); else 0
//   const float* bRec       GRU [G] recurrent bias, nullable; else 0
//   const float* h0         [B, H] initial h, nullable (zeros)
//   const float* c0         LSTM [B, H] initial c, nullable (zeros); else 0
//   const float* mask       [T, B] nullable; mask[t*B+b] == 0 means step t of row b is padding: h (and c)
//                           carry over unchanged (gates are still written)
//   float* hSeq             [T, B, H] out: h_t
//   float* cSeq             LSTM [T, B, H] out: c_t; else 0
// Backward arguments:
//   int T, B, H, S, Bg, NC, act, recAct  as forward
//   int tbptt               truncated BPTT: before step t, dh and dc are zeroed when (t+1) % tbptt == 0 and
//                           t+1 < T (RecurrentLayer's rule); 0 = full BPTT
//   const float* U          [H, G]
//   const float* P          LSTM activated gates [T, B, 4H]; GRU (z, r, hh) [T, B, 3H]; RNN unused
//   const float* RP         GRU [T, B, 3H] h_{t-1}*U + bRec from forward; else unused
//   const float* h0         GRU: initial h, nullable (zeros); else unused
//   const float* hSeq       RNN and GRU: [T, B, H] h_t from forward; LSTM unused
//   const float* c0         LSTM: initial c, nullable (zeros)
//   const float* cSeq       LSTM: [T, B, H] c_t from forward
//   const float* dy         [T, B, H] gradient of the output at every step, nullable (none)
//   const float* dhT, dcT   [B, H] gradient into the last h (and c), nullable (zeros)
//   const float* mask       [T, B] nullable
//   float* dP               [T, B, G] out: LSTM dgates; GRU dxp; RNN dpre (gradients of the pre-activations)
//   float* dRP              GRU [T, B, 3H] out: drp (gradient of h_{t-1}*U + bRec); else 0
//   float* dh0, dc0         [B, H] out: gradient into the initial h (and c), nullable (then not computed);
//                           dh0 may alias dhT and dc0 may alias dcT
// Per step and row the math is that of Backend.{rnn,lstm,gru}Step{Forward,Backward} followed by the
// recurrent GEMM, so the outputs equal the per-step path's buffers up to float rounding.
#include "persistent_common.cuh"

namespace jrnn_persist {

// Stages the forward inputs of step t for this CTA into `ob` (own_fields x [Bg][S]) and its mask.
template <int KIND>
__device__ __forceinline__ void prefetch_fwd(int t, int B, int H, int S, int Bg, int b0, int j0, int nb, int nj,
                                             const float* P, const float* mask, float* ob, float* mk, int tid,
                                             int NT) {
    const int ng = gates_of(KIND);
    const long long G = (long long)ng * H;
    const float* rows = P + ((long long)t * B + b0) * G;
    for (int q = 0; q < ng; ++q) stage_cols(ob + q * Bg * S, S, rows, G, (long long)q * H + j0, nb, nj, tid, NT);
    if (mask != nullptr) stage_mask(mk, mask + (long long)t * B + b0, nb, tid, NT);
}

template <int KIND, int PREC, int MMA>
__device__ void persist_fwd(int T, int B, int H, int S, int Bg, int NC, int act, int rec, const float* U,
                            float* P, float* RP, const float* bRec, const float* h0, const float* c0,
                            const float* mask, float* hSeq, float* cSeq) {
    const int NT = (int)blockDim.x, tid = (int)threadIdx.x;
    const int ng = gates_of(KIND);
    const Layout L = make_layout(KIND, 0, PREC, H, S, Bg, NC, NT, MMA);
    if (!plan_ok(L, PREC, T, B, H, S, Bg, NC, NT, gridDim.x, gridDim.y, smem_bytes())) return;

    unsigned char* sm = smem_base();
    void* W = sm + L.w;
    float* Abuf = reinterpret_cast<float*>(sm + L.a);
    float* red = reinterpret_cast<float*>(sm + L.red);
    float* own = reinterpret_cast<float*>(sm + L.own);
    float* mk = reinterpret_cast<float*>(sm + L.mask);
    float* hs = reinterpret_cast<float*>(sm + L.state);
    float* cs = hs + Bg * S;  // LSTM: c state
    float* br = hs + Bg * S;  // GRU: recurrent bias of the CTA's 3*S columns

    const int j0 = (int)blockIdx.x * S, b0 = (int)blockIdx.y * Bg;
    const int nj = imin(S, H - j0), nb = imin(Bg, B - b0);
    const long long G = (long long)ng * H;
    const int BS = Bg * S;
    const int ownSize = own_fields(KIND, 0) * BS;

    for (int i = tid; i < L.nBuf * L.Bgp * L.lda; i += NT) Abuf[i] = 0.0f;
    // U columns of this CTA: W[k][q*S + jj] = U[k][q*H + j0 + jj] (zero past H).
    for (int i = tid; i < L.K * L.Cp; i += NT) {
        const int k = i / L.Cp, c = i - k * L.Cp;
        const int q = c / S, jj = c - q * S;
        const float v = jj < nj ? U[(long long)k * G + (long long)q * H + j0 + jj] : 0.0f;
        store_w_at<PREC>(W, L, k, c, v);
    }
    for (int e = tid; e < BS; e += NT) {
        const int bl = e / S, jj = e - bl * S;
        const bool in = bl < nb && jj < nj;
        const long long gi = (long long)(b0 + bl) * H + j0 + jj;
        hs[e] = (in && h0 != nullptr) ? h0[gi] : 0.0f;
        if (KIND == KIND_LSTM) cs[e] = (in && c0 != nullptr) ? c0[gi] : 0.0f;
    }
    if (KIND == KIND_GRU) {
        for (int c = tid; c < 3 * S; c += NT) {
            const int q = c / S, jj = c - q * S;
            br[c] = (bRec != nullptr && jj < nj) ? bRec[(long long)q * H + j0 + jj] : 0.0f;
        }
    }
    prefetch_fwd<KIND>(0, B, H, S, Bg, b0, j0, nb, nj, P, mask, own, mk, tid, NT);
    cp_commit();
    __syncthreads();

    for (int t = 0; t < T; ++t) {
        const int buf = t & 1;
        const float* hprev = t == 0 ? h0 : hSeq + (long long)(t - 1) * B * H;
        const bool gemm = hprev != nullptr;
        if (gemm) {
            if (MMA) {
                block_gemm_mma<PREC>(hprev + (long long)b0 * H, H, nb, L, W, Abuf, red, tid, NT);
            } else {
                block_gemm<PREC>(hprev + (long long)b0 * H, H, nb, L, W, Abuf, red, tid, NT);
            }
            __syncthreads();
            reduce_partials(red, L, tid, NT);
        } else {
            cp_wait<0>();
        }
        __syncthreads();  // h_{t-1}*U in red[0] and step t's inputs visible to every thread

        const float* ob = own + buf * ownSize;
        const float* m = mk + buf * L.Bgp;
        for (int e = tid; e < BS; e += NT) {
            const int bl = e / S, jj = e - bl * S;
            if (bl >= nb || jj >= nj) continue;
            const int j = j0 + jj;
            const long long row = (long long)t * B + b0 + bl;
            const bool masked = mask != nullptr && m[bl] == 0.0f;
            const int o = bl * S + jj;
            if (KIND == KIND_LSTM) {
                float pre[4];
#pragma unroll
                for (int q = 0; q < 4; ++q) pre[q] = ob[q * BS + o] + (gemm ? red[bl * L.Cp + q * S + jj] : 0.0f);
                float c, h;
                jrnn_lstm_fwd(act, rec, pre, cs[e], hs[e], masked, c, h);
                float* gr = P + row * G + j;
                gr[0] = pre[0];
                gr[H] = pre[1];
                gr[2 * H] = pre[2];
                gr[3 * H] = pre[3];
                cSeq[row * H + j] = c;
                hSeq[row * H + j] = h;
                cs[e] = c;
                hs[e] = h;
            } else if (KIND == KIND_GRU) {
                float rp[3];
#pragma unroll
                for (int q = 0; q < 3; ++q) rp[q] = (gemm ? red[bl * L.Cp + q * S + jj] : 0.0f) + br[q * S + jj];
                float* rr = RP + row * G + j;
                rr[0] = rp[0];
                rr[H] = rp[1];
                rr[2 * H] = rp[2];
                float zrh[3] = {ob[o], ob[BS + o], ob[2 * BS + o]};
                const float h = jrnn_gru_fwd(act, rec, zrh, rp, hs[e], masked);
                float* xr = P + row * G + j;
                xr[0] = zrh[0];
                xr[H] = zrh[1];
                xr[2 * H] = zrh[2];
                hSeq[row * H + j] = h;
                hs[e] = h;
            } else {
                const float pre = ob[o] + (gemm ? red[bl * L.Cp + jj] : 0.0f);
                const float h = jrnn_rnn_fwd(act, pre, hs[e], masked);
                hSeq[row * H + j] = h;
                hs[e] = h;
            }
        }
        if (t + 1 < T) {
            // Step t+1's inputs do not depend on step t: their copy overlaps the barrier. The buffer
            // was last read in step t-1, before the barrier that ended it.
            prefetch_fwd<KIND>(t + 1, B, H, S, Bg, b0, j0, nb, nj, P, mask, own + (buf ^ 1) * ownSize,
                               mk + (buf ^ 1) * L.Bgp, tid, NT);
            cp_commit();
            grid_sync();
        }
    }
}

// Stages the backward inputs of step t for this CTA (see own_fields for the order).
template <int KIND>
__device__ __forceinline__ void prefetch_bwd(int t, int B, int H, int S, int Bg, int b0, int j0, int nb, int nj,
                                             const float* P, const float* RP, const float* h0, const float* hSeq,
                                             const float* c0, const float* cSeq, const float* dy,
                                             const float* mask, float* ob, float* mk, int tid, int NT) {
    const long long G = (long long)gates_of(KIND) * H;
    const int BS = Bg * S;
    const long long r0 = (long long)t * B + b0;       // first row of step t
    const long long rp0 = (long long)(t - 1) * B + b0;  // first row of step t-1 (t > 0)
    int f = 0;
    if (KIND == KIND_LSTM) {
        for (int q = 0; q < 4; ++q) stage_cols(ob + (f++) * BS, S, P + r0 * G, G, (long long)q * H + j0, nb, nj, tid, NT);
        stage_cols(ob + (f++) * BS, S, cSeq + r0 * H, H, j0, nb, nj, tid, NT);
        const float* cprev = t > 0 ? cSeq + rp0 * H : (c0 != nullptr ? c0 + (long long)b0 * H : nullptr);
        if (cprev != nullptr) stage_cols(ob + f * BS, S, cprev, H, j0, nb, nj, tid, NT);
        ++f;
    } else if (KIND == KIND_GRU) {
        for (int q = 0; q < 3; ++q) stage_cols(ob + (f++) * BS, S, P + r0 * G, G, (long long)q * H + j0, nb, nj, tid, NT);
        stage_cols(ob + (f++) * BS, S, RP + r0 * G, G, 2LL * H + j0, nb, nj, tid, NT);
        const float* hprev = t > 0 ? hSeq + rp0 * H : (h0 != nullptr ? h0 + (long long)b0 * H : nullptr);
        if (hprev != nullptr) stage_cols(ob + f * BS, S, hprev, H, j0, nb, nj, tid, NT);
        ++f;
    } else {
        stage_cols(ob + (f++) * BS, S, hSeq + r0 * H, H, j0, nb, nj, tid, NT);
    }
    if (dy != nullptr) stage_cols(ob + f * BS, S, dy + r0 * H, H, j0, nb, nj, tid, NT);
    if (mask != nullptr) stage_mask(mk, mask + (long long)t * B + b0, nb, tid, NT);
}

template <int KIND, int PREC, int MMA>
__device__ void persist_bwd(int T, int B, int H, int S, int Bg, int NC, int act, int rec, int tbptt, const float* U,
                            const float* P, const float* RP, const float* h0, const float* hSeq, const float* c0,
                            const float* cSeq, const float* dy, const float* dhT, const float* dcT,
                            const float* mask, float* dP, float* dRP, float* dh0, float* dc0) {
    const int NT = (int)blockDim.x, tid = (int)threadIdx.x;
    const int ng = gates_of(KIND);
    const Layout L = make_layout(KIND, 1, PREC, H, S, Bg, NC, NT, MMA);
    if (!plan_ok(L, PREC, T, B, H, S, Bg, NC, NT, gridDim.x, gridDim.y, smem_bytes())) return;

    unsigned char* sm = smem_base();
    void* W = sm + L.w;
    float* Abuf = reinterpret_cast<float*>(sm + L.a);
    float* red = reinterpret_cast<float*>(sm + L.red);
    float* own = reinterpret_cast<float*>(sm + L.own);
    float* mk = reinterpret_cast<float*>(sm + L.mask);
    float* dhs = reinterpret_cast<float*>(sm + L.state);
    float* dcs = dhs + Bg * S;  // LSTM

    const int j0 = (int)blockIdx.x * S, b0 = (int)blockIdx.y * Bg;
    const int nj = imin(S, H - j0), nb = imin(Bg, B - b0);
    const long long G = (long long)ng * H;
    const int BS = Bg * S;
    const int ownSize = own_fields(KIND, 1) * BS;
    // The matrix whose rows times U^T give dh_{t-1}: dgates (LSTM), drp (GRU), dpre (RNN).
    const float* A = KIND == KIND_GRU ? dRP : dP;

    for (int i = tid; i < L.nBuf * L.Bgp * L.lda; i += NT) Abuf[i] = 0.0f;
    // Rows j0.. of U, transposed: W[n][kk] = U[j0 + kk][n] (zero past H). Read along U's rows.
    for (int i = tid; i < L.K * S; i += NT) {
        const int kk = i / L.K, n = i - kk * L.K;
        const float v = kk < nj ? U[(long long)(j0 + kk) * G + n] : 0.0f;
        store_w_at<PREC>(W, L, n, kk, v);
    }
    for (int e = tid; e < BS; e += NT) {
        const int bl = e / S, jj = e - bl * S;
        const bool in = bl < nb && jj < nj;
        const long long gi = (long long)(b0 + bl) * H + j0 + jj;
        dhs[e] = (in && dhT != nullptr) ? dhT[gi] : 0.0f;
        if (KIND == KIND_LSTM) dcs[e] = (in && dcT != nullptr) ? dcT[gi] : 0.0f;
    }
    prefetch_bwd<KIND>(T - 1, B, H, S, Bg, b0, j0, nb, nj, P, RP, h0, hSeq, c0, cSeq, dy, mask,
                       own + ((T - 1) & 1) * ownSize, mk + ((T - 1) & 1) * L.Bgp, tid, NT);
    cp_commit();

    for (int t = T - 1; t >= 0; --t) {
        const int buf = t & 1;
        cp_wait<0>();
        __syncthreads();  // step t's inputs (and, first time, W and the state) visible to all
        const bool cut = tbptt > 0 && (t + 1) % tbptt == 0 && t + 1 < T;
        const bool hasPrev = t > 0 || (KIND == KIND_LSTM ? c0 != nullptr : h0 != nullptr);
        const float* ob = own + buf * ownSize;
        const float* m = mk + buf * L.Bgp;
        for (int e = tid; e < BS; e += NT) {
            const int bl = e / S, jj = e - bl * S;
            if (bl >= nb || jj >= nj) continue;
            const int j = j0 + jj;
            const long long row = (long long)t * B + b0 + bl;
            const bool masked = mask != nullptr && m[bl] == 0.0f;
            const int o = bl * S + jj;
            if (cut) {
                dhs[e] = 0.0f;
                if (KIND == KIND_LSTM) dcs[e] = 0.0f;
            }
            if (KIND == KIND_LSTM) {
                const float g = dhs[e] + (dy != nullptr ? ob[6 * BS + o] : 0.0f);
                const float dcn = dcs[e];
                float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                if (masked) {
                    dhs[e] = g;  // dcs keeps dcNext
                } else {
                    const float gates[4] = {ob[o], ob[BS + o], ob[2 * BS + o], ob[3 * BS + o]};
                    const float cp = hasPrev ? ob[5 * BS + o] : 0.0f;
                    dcs[e] = jrnn_lstm_bwd(act, rec, gates, cp, ob[4 * BS + o], g, dcn, d);
                    dhs[e] = 0.0f;
                }
                float* dg = dP + row * G + j;
                dg[0] = d[0];
                dg[H] = d[1];
                dg[2 * H] = d[2];
                dg[3 * H] = d[3];
            } else if (KIND == KIND_GRU) {
                const float g = dhs[e] + (dy != nullptr ? ob[5 * BS + o] : 0.0f);
                float dx3[3] = {0.0f, 0.0f, 0.0f}, dr3[3] = {0.0f, 0.0f, 0.0f};
                if (masked) {
                    dhs[e] = g;
                } else {
                    const float zrh[3] = {ob[o], ob[BS + o], ob[2 * BS + o]};
                    const float hp = hasPrev ? ob[4 * BS + o] : 0.0f;
                    dhs[e] = jrnn_gru_bwd(act, rec, zrh, ob[3 * BS + o], hp, g, dx3, dr3);
                }
                float* dx = dP + row * G + j;
                dx[0] = dx3[0];
                dx[H] = dx3[1];
                dx[2 * H] = dx3[2];
                float* drr = dRP + row * G + j;
                drr[0] = dr3[0];
                drr[H] = dr3[1];
                drr[2 * H] = dr3[2];
            } else {
                const float g = dhs[e] + (dy != nullptr ? ob[BS + o] : 0.0f);
                float d = 0.0f;
                if (masked) {
                    dhs[e] = g;
                } else {
                    d = jrnn_rnn_bwd(act, ob[o], g);
                    dhs[e] = 0.0f;
                }
                dP[row * H + j] = d;
            }
        }
        if (t > 0) {
            // Buffer buf^1 was last read in step t+1, before the barrier of step t+1.
            prefetch_bwd<KIND>(t - 1, B, H, S, Bg, b0, j0, nb, nj, P, RP, h0, hSeq, c0, cSeq, dy, mask,
                               own + (buf ^ 1) * ownSize, mk + (buf ^ 1) * L.Bgp, tid, NT);
            cp_commit();
        }
        if (t > 0 || dh0 != nullptr) {
            grid_sync();  // every CTA's columns of A_t are written
            if (MMA) {
                block_gemm_mma<PREC>(A + ((long long)t * B + b0) * G, G, nb, L, W, Abuf, red, tid, NT);
            } else {
                block_gemm<PREC>(A + ((long long)t * B + b0) * G, G, nb, L, W, Abuf, red, tid, NT);
            }
            __syncthreads();
            reduce_partials(red, L, tid, NT);
            __syncthreads();
            for (int e = tid; e < BS; e += NT) {
                const int bl = e / S, jj = e - bl * S;
                if (bl >= nb || jj >= nj) continue;
                dhs[e] += red[bl * L.Cp + jj];
            }
        }
    }
    // Each element below was last written by this same thread (same e), so no barrier is needed.
    for (int e = tid; e < BS; e += NT) {
        const int bl = e / S, jj = e - bl * S;
        if (bl >= nb || jj >= nj) continue;
        const long long gi = (long long)(b0 + bl) * H + j0 + jj;
        if (dh0 != nullptr) dh0[gi] = dhs[e];
        if (KIND == KIND_LSTM && dc0 != nullptr) dc0[gi] = dcs[e];
    }
}

}  // namespace jrnn_persist

#define JRNN_PERSIST_FWD(name, KIND, PREC, MMA)                                                                    \
    extern "C" __global__ void __launch_bounds__(256, 1) name(                                                   \
        int T, int B, int H, int S, int Bg, int NC, int act, int recAct, const float* U, float* P, float* RP, \
        const float* bRec, const float* h0, const float* c0, const float* mask, float* hSeq, float* cSeq) {   \
        jrnn_persist::persist_fwd<KIND, PREC, MMA>(T, B, H, S, Bg, NC, act, recAct, U, P, RP, bRec, h0, c0, mask,  \
                                              hSeq, cSeq);                                                    \
    }

#define JRNN_PERSIST_BWD(name, KIND, PREC, MMA)                                                                     \
    extern "C" __global__ void __launch_bounds__(256, 1) name(                                                    \
        int T, int B, int H, int S, int Bg, int NC, int act, int recAct, int tbptt, const float* U,           \
        const float* P, const float* RP, const float* h0, const float* hSeq, const float* c0,                  \
        const float* cSeq, const float* dy, const float* dhT, const float* dcT, const float* mask, float* dP,  \
        float* dRP, float* dh0, float* dc0) {                                                                  \
        jrnn_persist::persist_bwd<KIND, PREC, MMA>(T, B, H, S, Bg, NC, act, recAct, tbptt, U, P, RP, h0, hSeq, c0,  \
                                              cSeq, dy, dhT, dcT, mask, dP, dRP, dh0, dc0);                    \
    }

JRNN_PERSIST_FWD(jrnn_persist_rnn_fwd_fp32, jrnn_persist::KIND_RNN, jrnn_persist::PREC_FP32, 0)
JRNN_PERSIST_FWD(jrnn_persist_rnn_fwd_fp32_tc, jrnn_persist::KIND_RNN, jrnn_persist::PREC_FP32, 1)
JRNN_PERSIST_FWD(jrnn_persist_rnn_fwd_tf32, jrnn_persist::KIND_RNN, jrnn_persist::PREC_TF32, 0)
JRNN_PERSIST_FWD(jrnn_persist_rnn_fwd_tf32_tc, jrnn_persist::KIND_RNN, jrnn_persist::PREC_TF32, 1)
JRNN_PERSIST_FWD(jrnn_persist_rnn_fwd_bf16, jrnn_persist::KIND_RNN, jrnn_persist::PREC_BF16, 0)
JRNN_PERSIST_FWD(jrnn_persist_rnn_fwd_bf16_tc, jrnn_persist::KIND_RNN, jrnn_persist::PREC_BF16, 1)
JRNN_PERSIST_FWD(jrnn_persist_lstm_fwd_fp32, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_FP32, 0)
JRNN_PERSIST_FWD(jrnn_persist_lstm_fwd_fp32_tc, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_FP32, 1)
JRNN_PERSIST_FWD(jrnn_persist_lstm_fwd_tf32, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_TF32, 0)
JRNN_PERSIST_FWD(jrnn_persist_lstm_fwd_tf32_tc, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_TF32, 1)
JRNN_PERSIST_FWD(jrnn_persist_lstm_fwd_bf16, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_BF16, 0)
JRNN_PERSIST_FWD(jrnn_persist_lstm_fwd_bf16_tc, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_BF16, 1)
JRNN_PERSIST_FWD(jrnn_persist_gru_fwd_fp32, jrnn_persist::KIND_GRU, jrnn_persist::PREC_FP32, 0)
JRNN_PERSIST_FWD(jrnn_persist_gru_fwd_fp32_tc, jrnn_persist::KIND_GRU, jrnn_persist::PREC_FP32, 1)
JRNN_PERSIST_FWD(jrnn_persist_gru_fwd_tf32, jrnn_persist::KIND_GRU, jrnn_persist::PREC_TF32, 0)
JRNN_PERSIST_FWD(jrnn_persist_gru_fwd_tf32_tc, jrnn_persist::KIND_GRU, jrnn_persist::PREC_TF32, 1)
JRNN_PERSIST_FWD(jrnn_persist_gru_fwd_bf16, jrnn_persist::KIND_GRU, jrnn_persist::PREC_BF16, 0)
JRNN_PERSIST_FWD(jrnn_persist_gru_fwd_bf16_tc, jrnn_persist::KIND_GRU, jrnn_persist::PREC_BF16, 1)

JRNN_PERSIST_BWD(jrnn_persist_rnn_bwd_fp32, jrnn_persist::KIND_RNN, jrnn_persist::PREC_FP32, 0)
JRNN_PERSIST_BWD(jrnn_persist_rnn_bwd_fp32_tc, jrnn_persist::KIND_RNN, jrnn_persist::PREC_FP32, 1)
JRNN_PERSIST_BWD(jrnn_persist_rnn_bwd_tf32, jrnn_persist::KIND_RNN, jrnn_persist::PREC_TF32, 0)
JRNN_PERSIST_BWD(jrnn_persist_rnn_bwd_tf32_tc, jrnn_persist::KIND_RNN, jrnn_persist::PREC_TF32, 1)
JRNN_PERSIST_BWD(jrnn_persist_rnn_bwd_bf16, jrnn_persist::KIND_RNN, jrnn_persist::PREC_BF16, 0)
JRNN_PERSIST_BWD(jrnn_persist_rnn_bwd_bf16_tc, jrnn_persist::KIND_RNN, jrnn_persist::PREC_BF16, 1)
JRNN_PERSIST_BWD(jrnn_persist_lstm_bwd_fp32, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_FP32, 0)
JRNN_PERSIST_BWD(jrnn_persist_lstm_bwd_fp32_tc, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_FP32, 1)
JRNN_PERSIST_BWD(jrnn_persist_lstm_bwd_tf32, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_TF32, 0)
JRNN_PERSIST_BWD(jrnn_persist_lstm_bwd_tf32_tc, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_TF32, 1)
JRNN_PERSIST_BWD(jrnn_persist_lstm_bwd_bf16, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_BF16, 0)
JRNN_PERSIST_BWD(jrnn_persist_lstm_bwd_bf16_tc, jrnn_persist::KIND_LSTM, jrnn_persist::PREC_BF16, 1)
JRNN_PERSIST_BWD(jrnn_persist_gru_bwd_fp32, jrnn_persist::KIND_GRU, jrnn_persist::PREC_FP32, 0)
JRNN_PERSIST_BWD(jrnn_persist_gru_bwd_fp32_tc, jrnn_persist::KIND_GRU, jrnn_persist::PREC_FP32, 1)
JRNN_PERSIST_BWD(jrnn_persist_gru_bwd_tf32, jrnn_persist::KIND_GRU, jrnn_persist::PREC_TF32, 0)
JRNN_PERSIST_BWD(jrnn_persist_gru_bwd_tf32_tc, jrnn_persist::KIND_GRU, jrnn_persist::PREC_TF32, 1)
JRNN_PERSIST_BWD(jrnn_persist_gru_bwd_bf16, jrnn_persist::KIND_GRU, jrnn_persist::PREC_BF16, 0)
JRNN_PERSIST_BWD(jrnn_persist_gru_bwd_bf16_tc, jrnn_persist::KIND_GRU, jrnn_persist::PREC_BF16, 1)
