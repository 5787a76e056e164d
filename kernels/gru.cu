// GRU, Keras v2 (reset_after = true, gate order z, r, h): fused elementwise part of one timestep; and the
// reset-before variant (Keras' reset_after = false) in two halves around the GEMM (r * hPrev)·Uh.
// One thread per (b, j) of the [batch, units] state, grid-stride. Argument conventions: common.cuh.
#include "common.cuh"
#include "cell_math.cuh"

// On entry xp [B, 3H] = x·W + b_in, rp [B, 3H] = hPrev·U. Adds bRec [3H] to rp in place, then
//   z = recAct(xz + rz), r = recAct(xr + rr), hh = act(xh + r * rh), h = z * hPrev + (1 - z) * hh.
// On exit xp holds (z, r, hh) and rp holds hPrev·U + bRec (kept for backward), masked rows included;
// masked rows (mask[b] == 0) set h = hPrev. Nullable: bRec (no bias), hPrev (zeros), mask (all real).
// h may alias hPrev.
// args: (int act, int recAct, int batch, int units, float* xp, float* rp, const float* bRec,
//        const float* hPrev, const float* mask, float* h)
extern "C" __global__ void jrnn_gru_step_fwd(int act, int recAct, int batch, int units, float* xp, float* rp,
                                             const float* bRec, const float* hPrev, const float* mask, float* h) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const long long j = e - b * units;
        float* x = xp + b * 3 * (long long)units + j;
        float* r = rp + b * 3 * (long long)units + j;
        float rz = r[0], rr = r[units], rh = r[2 * units];
        if (bRec != nullptr) {
            rz += bRec[j];
            rr += bRec[units + j];
            rh += bRec[2 * units + j];
        }
        r[0] = rz;
        r[units] = rr;
        r[2 * units] = rh;
        float zrh[3] = {x[0], x[units], x[2 * units]};
        const float rp3[3] = {rz, rr, rh};
        const float hp = hPrev != nullptr ? hPrev[e] : 0.0f;
        h[e] = jrnn_gru_fwd(act, recAct, zrh, rp3, hp, mask != nullptr && mask[b] == 0.0f);
        x[0] = zrh[0];
        x[units] = zrh[1];
        x[2 * units] = zrh[2];
    }
}

// Backward of one step. g = dhNext + dy; with (z, r, hh) from xp and rh from rp:
//   dz = g * (hPrev - hh) * recAct'(z);  dh = g * (1 - z) * act'(hh);  dr = dh * rh * recAct'(r)
//   dxp = (dz, dr, dh);  drp = (dz, dr, dh * r);  dhPrev = g * z  (the caller adds drp · U^T).
// Masked rows: dxp = drp = 0, dhPrev = g. Nullable: hPrev, dhNext, dy (zeros), mask (all real).
// Every element is read before it is written: dxp may alias xp, drp may alias rp, dhPrev may alias dhNext.
// args: (int act, int recAct, int batch, int units, const float* xp, const float* rp, const float* hPrev,
//        const float* dhNext, const float* dy, const float* mask, float* dxp, float* drp, float* dhPrev)
extern "C" __global__ void jrnn_gru_step_bwd(int act, int recAct, int batch, int units, const float* xp,
                                             const float* rp, const float* hPrev, const float* dhNext,
                                             const float* dy, const float* mask, float* dxp, float* drp,
                                             float* dhPrev) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const long long j = e - b * units;
        const long long o = b * 3 * (long long)units + j;
        const float g = jrnn_step_grad(dhNext, dy, e);
        if (mask != nullptr && mask[b] == 0.0f) {
            dxp[o] = 0.0f;
            dxp[o + units] = 0.0f;
            dxp[o + 2 * units] = 0.0f;
            drp[o] = 0.0f;
            drp[o + units] = 0.0f;
            drp[o + 2 * units] = 0.0f;
            dhPrev[e] = g;
        } else {
            const float zrh[3] = {xp[o], xp[o + units], xp[o + 2 * units]};
            const float hp = hPrev != nullptr ? hPrev[e] : 0.0f;
            float dx[3], dr[3];
            const float dhp = jrnn_gru_bwd(act, recAct, zrh, rp[o + 2 * units], hp, g, dx, dr);
            dxp[o] = dx[0];
            dxp[o + units] = dx[1];
            dxp[o + 2 * units] = dx[2];
            drp[o] = dr[0];
            drp[o + units] = dr[1];
            drp[o + 2 * units] = dr[2];
            dhPrev[e] = dhp;
        }
    }
}

// ---------------------------------------------------------------------------------- reset-before (reset_after=False)

// First half of a reset-before step. On entry xp [B, 3H] = x·W + b with hPrev·U[:, :2H] added to its z, r columns:
// z, r = recAct(.) kept in place (cell_math.cuh: jrnn_act_keep); resetState [B, H] = r * hPrev (then the caller's GEMM adds resetState·U[:, 2H:] to xp's
// h column). Nullable: hPrev (zeros).
// args: (int recAct, int batch, int units, float* xp, const float* hPrev, float* resetState)
extern "C" __global__ void jrnn_gru_rb_gates_fwd(int recAct, int batch, int units, float* xp, const float* hPrev,
                                                 float* resetState) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const long long j = e - b * units;
        float* x = xp + b * 3 * (long long)units + j;
        float zr[2] = {x[0], x[units]};
        resetState[e] = jrnn_gru_rb_gates(recAct, zr, hPrev != nullptr ? hPrev[e] : 0.0f);
        x[0] = zr[0];
        x[units] = zr[1];
    }
}

// Second half: hh = act(xh) kept in place, h = z * hPrev + (1 - z) * hh (z as the first half kept it: recAct turns it
// back for gelu and swish); masked rows (mask[b] == 0) set h = hPrev. Nullable: hPrev (zeros), mask (all real).
// h may alias hPrev.
// args: (int act, int recAct, int batch, int units, float* xp, const float* hPrev, const float* mask, float* h)
extern "C" __global__ void jrnn_gru_rb_out_fwd(int act, int recAct, int batch, int units, float* xp,
                                               const float* hPrev, const float* mask, float* h) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const long long j = e - b * units;
        float* x = xp + b * 3 * (long long)units + j;
        const float hp = hPrev != nullptr ? hPrev[e] : 0.0f;
        h[e] = jrnn_gru_rb_out(act, recAct, x[0], x + 2 * units, hp, mask != nullptr && mask[b] == 0.0f);
    }
}

// Backward, first half. g = dhNext + dy; with (z, r, hh) from xp: dxp = (dz, 0, dh), dhPrev = g * z (then the
// caller's GEMM makes dResetState = dh · U[:, 2H:]^T). Masked rows: dxp = 0, dhPrev = g.
// Nullable: hPrev, dhNext, dy (zeros), mask (all real). dxp must not alias xp; dhPrev may alias dhNext.
// args: (int act, int recAct, int batch, int units, const float* xp, const float* hPrev, const float* dhNext,
//        const float* dy, const float* mask, float* dxp, float* dhPrev)
extern "C" __global__ void jrnn_gru_rb_out_bwd(int act, int recAct, int batch, int units, const float* xp,
                                               const float* hPrev, const float* dhNext, const float* dy,
                                               const float* mask, float* dxp, float* dhPrev) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const long long j = e - b * units;
        const long long o = b * 3 * (long long)units + j;
        const float g = jrnn_step_grad(dhNext, dy, e);
        dxp[o + units] = 0.0f;
        if (mask != nullptr && mask[b] == 0.0f) {
            dxp[o] = 0.0f;
            dxp[o + 2 * units] = 0.0f;
            dhPrev[e] = g;
        } else {
            float dz, dh;
            dhPrev[e] = jrnn_gru_rb_bwd_out(act, recAct, xp[o], xp[o + 2 * units], hPrev != nullptr ? hPrev[e] : 0.0f,
                                            g, &dz, &dh);
            dxp[o] = dz;
            dxp[o + 2 * units] = dh;
        }
    }
}

// Backward, second half, from dResetState [B, H] = dh · U[:, 2H:]^T: dxp's r column = dResetState * hPrev *
// recAct'(r), dhPrev += dResetState * r (then the caller adds dxp[:, :2H] · U[:, :2H]^T). Masked rows unchanged.
// Nullable: hPrev (zeros), mask (all real).
// args: (int recAct, int batch, int units, const float* xp, const float* hPrev, const float* dResetState,
//        const float* mask, float* dxp, float* dhPrev)
extern "C" __global__ void jrnn_gru_rb_gate_bwd(int recAct, int batch, int units, const float* xp,
                                                const float* hPrev, const float* dResetState, const float* mask,
                                                float* dxp, float* dhPrev) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        if (mask != nullptr && mask[b] == 0.0f) continue;
        const long long j = e - b * units;
        const long long o = b * 3 * (long long)units + j;
        float dr;
        dhPrev[e] += jrnn_gru_rb_bwd_gate(recAct, xp[o + units], hPrev != nullptr ? hPrev[e] : 0.0f, dResetState[e], &dr);
        dxp[o + units] = dr;
    }
}
