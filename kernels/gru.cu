// GRU, Keras v2 (reset_after = true, gate order z, r, h): fused elementwise part of one timestep.
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
        const float g = (dhNext != nullptr ? dhNext[e] : 0.0f) + (dy != nullptr ? dy[e] : 0.0f);
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
