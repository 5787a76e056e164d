// LSTM (Keras gate order i, f, c, o): fused elementwise part of one timestep.
// One thread per (b, j) of the [batch, units] state, grid-stride. Argument conventions: common.cuh.
#include "common.cuh"

// On entry gates [B, 4H] holds x·W + b + hPrev·U; on exit the activated gates (i, f, g, o) that
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
        float* g = gates + b * 4 * (long long)units + j;
        const float gi = jrnn_act(recAct, g[0]);
        const float gf = jrnn_act(recAct, g[units]);
        const float gg = jrnn_act(act, g[2 * units]);
        const float go = jrnn_act(recAct, g[3 * units]);
        g[0] = gi;
        g[units] = gf;
        g[2 * units] = gg;
        g[3 * units] = go;
        const float cp = cPrev != nullptr ? cPrev[e] : 0.0f;
        if (mask != nullptr && mask[b] == 0.0f) {
            const float hp = hPrev != nullptr ? hPrev[e] : 0.0f;
            c[e] = cp;
            h[e] = hp;
        } else {
            const float cn = gf * cp + gi * gg;
            c[e] = cn;
            h[e] = go * jrnn_act(act, cn);
        }
    }
}

// Backward of one step. gh = dhNext + dy; with a = act(c):
//   dc = dcNext + gh * o * act'(a);  dgates = (dc*g*recAct'(i), dc*cPrev*recAct'(f), dc*i*act'(g), gh*a*recAct'(o))
//   dcPrev = dc * f;  dhPrev = 0 (the caller adds dgates · U^T).
// Masked rows: dgates = 0, dcPrev = dcNext, dhPrev = gh.
// gates [B, 4H] are the activated gates from forward, c this step's cell state.
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
        const float gh = (dhNext != nullptr ? dhNext[e] : 0.0f) + (dy != nullptr ? dy[e] : 0.0f);
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
            const float* g = gates + gOff;
            const float gi = g[0], gf = g[units], gg = g[2 * units], go = g[3 * units];
            const float cp = cPrev != nullptr ? cPrev[e] : 0.0f;
            const float a = jrnn_act(act, c[e]);
            const float dc = dcn + gh * go * jrnn_act_deriv(act, a);
            dg[0] = dc * gg * jrnn_act_deriv(recAct, gi);
            dg[units] = dc * cp * jrnn_act_deriv(recAct, gf);
            dg[2 * units] = dc * gi * jrnn_act_deriv(act, gg);
            dg[3 * units] = gh * a * jrnn_act_deriv(recAct, go);
            dcPrev[e] = dc * gf;
            dhPrev[e] = 0.0f;
        }
    }
}
