// LSTM (Keras gate order i, f, c, o): fused elementwise part of one timestep.
// One thread per (b, j) of the [batch, units] state, grid-stride. Argument conventions: common.cuh.
#include "common.cuh"
#include "cell_math.cuh"

// On entry gates [B, 4H] holds x·W + b + hPrev·U; on exit the kept gates (i, f, g, o; cell_math.cuh) that
// backward needs: i, f, o = recAct(.), g = act(.). Then c = f * cPrev + i * g, h = o * act(c).
// Masked rows (mask[b] == 0): c = cPrev, h = hPrev; their gates are still written.
// cPrev, hPrev nullable (zeros), mask nullable (all real). c may alias cPrev, h may alias hPrev.
// args: (int act, int recAct, int batch, int units, float* gates, const float* cPrev, const float* hPrev,
//        const float* mask, float* c, float* h)
extern "C" __global__ void jrnn_lstm_step_fwd(int act, int recAct, int batch, int units, float* gates,
                                              const float* cPrev, const float* hPrev, const float* mask,
                                              float* c, float* h) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const long long j = e - b * units;
        float* gp = gates + b * 4 * (long long)units + j;
        float g[4] = {gp[0], gp[units], gp[2 * units], gp[3 * units]};
        const float cp = cPrev != nullptr ? cPrev[e] : 0.0f;
        const float hp = hPrev != nullptr ? hPrev[e] : 0.0f;
        float cn, hn;
        jrnn_lstm_fwd(act, recAct, g, cp, hp, mask != nullptr && mask[b] == 0.0f, cn, hn);
        gp[0] = g[0];
        gp[units] = g[1];
        gp[2 * units] = g[2];
        gp[3 * units] = g[3];
        c[e] = cn;
        h[e] = hn;
    }
}

// Backward of one step. gh = dhNext + dy; with a = act(c):
//   dc = dcNext + gh * o * act'(a);  dgates = (dc*g*recAct'(i), dc*cPrev*recAct'(f), dc*i*act'(g), gh*a*recAct'(o))
//   dcPrev = dc * f;  dhPrev = 0 (the caller adds dgates · U^T).
// Masked rows: dgates = 0, dcPrev = dcNext, dhPrev = gh.
// gates [B, 4H] are the kept gates from forward, c this step's cell state.
// Nullable: cPrev, dhNext, dy, dcNext (zeros), mask (all real). Every element is read before it is
// written, so dcPrev may alias dcNext, dhPrev may alias dhNext and dgates may alias gates.
// args: (int act, int recAct, int batch, int units, const float* gates, const float* cPrev,
//        const float* c, const float* dhNext, const float* dy, const float* dcNext, const float* mask,
//        float* dgates, float* dcPrev, float* dhPrev)
extern "C" __global__ void jrnn_lstm_step_bwd(int act, int recAct, int batch, int units, const float* gates,
                                              const float* cPrev, const float* c, const float* dhNext,
                                              const float* dy, const float* dcNext, const float* mask,
                                              float* dgates, float* dcPrev, float* dhPrev) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const long long j = e - b * units;
        const long long gOff = b * 4 * (long long)units + j;
        const float gh = jrnn_step_grad(dhNext, dy, e);
        const float dcn = dcNext != nullptr ? dcNext[e] : 0.0f;
        float* dg = dgates + gOff;
        if (mask != nullptr && mask[b] == 0.0f) {
            dg[0] = 0.0f;
            dg[units] = 0.0f;
            dg[2 * units] = 0.0f;
            dg[3 * units] = 0.0f;
            dcPrev[e] = dcn;
            dhPrev[e] = gh;
        } else {
            const float* gp = gates + gOff;
            const float g[4] = {gp[0], gp[units], gp[2 * units], gp[3 * units]};
            const float cp = cPrev != nullptr ? cPrev[e] : 0.0f;
            float d[4];
            const float dcp = jrnn_lstm_bwd(act, recAct, g, cp, c[e], gh, dcn, d);
            dg[0] = d[0];
            dg[units] = d[1];
            dg[2 * units] = d[2];
            dg[3 * units] = d[3];
            dcPrev[e] = dcp;
            dhPrev[e] = 0.0f;
        }
    }
}
