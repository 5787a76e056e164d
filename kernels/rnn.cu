// SimpleRNN: fused elementwise part of one timestep (the GEMMs x·W and hPrev·U run in cuBLAS).
// One thread per (b, j) of the [batch, units] state, grid-stride. Argument conventions: common.cuh.
#include "common.cuh"
#include "cell_math.cuh"

// h[b, j] = act(pre[b, j]); masked rows (mask[b] == 0) copy hPrev instead.
// pre [B, H] holds x·W + b + hPrev·U. hPrev nullable (zeros), mask nullable (all steps real).
// h may alias hPrev.
// args: (int act, int batch, int units, const float* pre, const float* hPrev, const float* mask, float* h)
extern "C" __global__ void jrnn_rnn_step_fwd(int act, int batch, int units, const float* pre,
                                             const float* hPrev, const float* mask, float* h) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const float hp = hPrev != nullptr ? hPrev[e] : 0.0f;
        h[e] = jrnn_rnn_fwd(act, pre[e], hp, mask != nullptr && mask[b] == 0.0f);
    }
}

// g = dhNext + dy; dpre = g * act'(h), dhPrev = 0; masked rows: dpre = 0, dhPrev = g.
// h [B, H] is this step's output, or for gelu and swish its pre-activation (cell_math.cuh: jrnn_rnn_bwd).
// dhNext, dy and mask nullable (zeros / zeros / all real).
// dhPrev may alias dhNext, dpre may alias dy: every element is read before it is written.
// args: (int act, int batch, int units, const float* h, const float* dhNext, const float* dy,
//        const float* mask, float* dpre, float* dhPrev)
extern "C" __global__ void jrnn_rnn_step_bwd(int act, int batch, int units, const float* h,
                                             const float* dhNext, const float* dy, const float* mask,
                                             float* dpre, float* dhPrev) {
    const long long n = (long long)batch * units;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / units;
        const float g = jrnn_step_grad(dhNext, dy, e);
        if (mask != nullptr && mask[b] == 0.0f) {
            dpre[e] = 0.0f;
            dhPrev[e] = g;
        } else {
            dpre[e] = jrnn_rnn_bwd(act, h[e], g);
            dhPrev[e] = 0.0f;
        }
    }
}
