// The elementwise math of the recurrent cells and the activations, written once: the per-step kernels
// (rnn.cu, lstm.cu, gru.cu, elementwise.cu, loss.cu) and the persistent kernels (persistent_rnn.cu) call
// these, so both paths agree to the last bit. Plain C++ on scalars: it also compiles for the host, against
// java/src/test/sim/cuda_sim.h (JRNN_SIM), which is how the persistent kernels are tested without a GPU.
//
// The activation codes are dev.jrnn.backend.Activation#code(); ActivationTest checks every one.
// To add an activation: a code below, one case in jrnn_act and one in jrnn_act_deriv.
#pragma once

#ifndef JRNN_SIM
#include <cuda_runtime.h>
#endif

#define JRNN_LINEAR 0
#define JRNN_TANH 1
#define JRNN_SIGMOID 2
#define JRNN_RELU 3
#define JRNN_SOFTMAX 4  // rows, not elementwise: elementwise.cu's softmax kernels
#define JRNN_HARD_SIGMOID 5
#define JRNN_ELU 6
#define JRNN_SELU 7
#define JRNN_SOFTPLUS 8
#define JRNN_SOFTSIGN 9
#define JRNN_HARD_SIGMOID_V3 10  // Keras 3's hard_sigmoid: clip(x/6 + 1/2)
#define JRNN_LEAKY_RELU 11       // Keras 3's default negative_slope 0.2
#define JRNN_EXPONENTIAL 12
#define JRNN_GELU 13             // Keras' gelu (approximate=False): x * Phi(x), with erf
#define JRNN_SWISH 14            // x * sigmoid(x), Keras 3's silu
// Keras 3's, with its default arguments; like gelu and swish they take their derivative from the input
#define JRNN_RELU6 15
#define JRNN_MISH 16
#define JRNN_HARD_SILU 17        // hard_swish: x * clip(x/6 + 1/2)
#define JRNN_CELU 18             // alpha 1
#define JRNN_LOG_SIGMOID 19
#define JRNN_HARD_TANH 20
#define JRNN_TANH_SHRINK 21
#define JRNN_SOFT_SHRINK 22      // threshold 0.5
#define JRNN_HARD_SHRINK 23      // threshold 0.5
#define JRNN_SQUAREPLUS 24       // b 4
#define JRNN_SPARSE_PLUS 25
#define JRNN_SPARSE_SIGMOID 26
#define JRNN_LOG_SOFTMAX 27      // rows, not elementwise: elementwise.cu's log-softmax kernels

#define JRNN_HD __host__ __device__ __forceinline__

JRNN_HD float jrnn_sigmoid(float x) {
    return 1.0f / (1.0f + expf(-x));
}

JRNN_HD float jrnn_softplus(float x) {
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

// y = act(x) for the elementwise activations. Comparisons are written so that NaN propagates
// (as Java's Math.max/min do): a NaN input gives a NaN output, never a silent 0.
JRNN_HD float jrnn_act(int act, float x) {
    switch (act) {
        case JRNN_TANH: return tanhf(x);
        case JRNN_SIGMOID: return jrnn_sigmoid(x);
        case JRNN_RELU: return x < 0.0f ? 0.0f : x;
        case JRNN_HARD_SIGMOID: {
            const float t = 0.2f * x + 0.5f;
            return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        }
        case JRNN_ELU: return x > 0.0f ? x : expm1f(x);
        case JRNN_SELU: return 1.0507009873554805f * (x > 0.0f ? x : 1.6732632423543772f * expm1f(x));
        case JRNN_SOFTPLUS: return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
        case JRNN_SOFTSIGN: return x / (1.0f + fabsf(x));
        case JRNN_HARD_SIGMOID_V3: {
            const float t = x / 6.0f + 0.5f;
            return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        }
        case JRNN_LEAKY_RELU: return x > 0.0f ? x : 0.2f * x;
        case JRNN_EXPONENTIAL: return expf(x);
        case JRNN_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
        case JRNN_SWISH: return x * jrnn_sigmoid(x);
        case JRNN_RELU6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
        case JRNN_MISH: return x * tanhf(jrnn_softplus(x));
        case JRNN_HARD_SILU: {
            const float t = x / 6.0f + 0.5f;
            return x * (t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t));
        }
        case JRNN_CELU: return x >= 0.0f ? x : expm1f(x);
        case JRNN_LOG_SIGMOID: return -jrnn_softplus(-x);
        case JRNN_HARD_TANH: return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x);
        case JRNN_TANH_SHRINK: return (float) ((double) x - tanh((double) x));  // in double: x^3/3 near 0
        case JRNN_SOFT_SHRINK:
            return x > 0.5f ? x - 0.5f : (x < -0.5f ? x + 0.5f : (fabsf(x) <= 0.5f ? 0.0f : x));
        case JRNN_HARD_SHRINK: return fabsf(x) <= 0.5f ? 0.0f : x;
        case JRNN_SQUAREPLUS: {  // (x + s) / 2 = 2 / (s - x) for x < 0, without the cancellation
            const float r = sqrtf(x * x + 4.0f);
            return x >= 0.0f ? 0.5f * (x + r) : (x < 0.0f ? 2.0f / (r - x) : x);
        }
        case JRNN_SPARSE_PLUS: return x <= -1.0f ? 0.0f : (x >= 1.0f ? x : 0.25f * (x + 1.0f) * (x + 1.0f));
        case JRNN_SPARSE_SIGMOID: return x <= -1.0f ? 0.0f : (x >= 1.0f ? 1.0f : 0.5f * (x + 1.0f));
        default: return x;  // JRNN_LINEAR
    }
}

// act'(x) written through the output y = act(x), as Activation#derivFromOutput; for gelu, swish and the Keras 3
// ones from relu6 on (Activation#needsInput) y is the input x itself, as Activation#derivFromInput (see jrnn_act_keep).
JRNN_HD float jrnn_act_deriv(int act, float y) {
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
        case JRNN_LEAKY_RELU: return y > 0.0f ? 1.0f : 0.2f;
        case JRNN_EXPONENTIAL: return y;
        case JRNN_GELU:
            return 0.5f * (1.0f + erff(y * 0.70710678118654752f)) + y * 0.39894228040143268f * expf(-0.5f * y * y);
        case JRNN_SWISH: {
            const float s = jrnn_sigmoid(y);
            return s * (1.0f + y * (1.0f - s));
        }
        case JRNN_RELU6: return (y > 0.0f && y < 6.0f) ? 1.0f : 0.0f;
        case JRNN_MISH: {
            const float t = tanhf(jrnn_softplus(y));
            return t + y * (1.0f - t * t) * jrnn_sigmoid(y);
        }
        case JRNN_HARD_SILU: return y <= -3.0f ? 0.0f : (y >= 3.0f ? 1.0f : y / 3.0f + 0.5f);
        case JRNN_CELU: return y >= 0.0f ? 1.0f : expf(y);
        case JRNN_LOG_SIGMOID: return jrnn_sigmoid(-y);
        case JRNN_HARD_TANH: return (y > -1.0f && y < 1.0f) ? 1.0f : 0.0f;
        case JRNN_TANH_SHRINK: {
            const float t = tanhf(y);
            return t * t;
        }
        case JRNN_SOFT_SHRINK:
        case JRNN_HARD_SHRINK: return fabsf(y) > 0.5f ? 1.0f : 0.0f;
        case JRNN_SQUAREPLUS: {
            const float r = sqrtf(y * y + 4.0f);
            return y >= 0.0f ? 0.5f * (1.0f + y / r) : 2.0f / ((r - y) * r);
        }
        case JRNN_SPARSE_PLUS: return y <= -1.0f ? 0.0f : (y >= 1.0f ? 1.0f : 0.5f * (y + 1.0f));
        case JRNN_SPARSE_SIGMOID: return (y > -1.0f && y < 1.0f) ? 0.5f : 0.0f;
        default: return 1.0f;  // JRNN_LINEAR
    }
}

// gelu, swish and the codes from relu6 on (Activation#needsInput) take their derivative from the input, so where a
// cell keeps a gate for its backward it keeps, for these, the pre-activation x instead of act(x): "the kept value".
// jrnn_act_deriv takes a kept value as it is; jrnn_act_value turns it back into act(x).
JRNN_HD bool jrnn_act_needs_input(int act) { return act >= JRNN_GELU && act != JRNN_LOG_SOFTMAX; }

// The kept value of a gate with pre-activation x and activation y = act(x).
JRNN_HD float jrnn_act_keep(int act, float x, float y) { return jrnn_act_needs_input(act) ? x : y; }

// act(x) from a kept value.
JRNN_HD float jrnn_act_value(int act, float kept) { return jrnn_act_needs_input(act) ? jrnn_act(act, kept) : kept; }

// ------------------------------------------------------------------------------- LSTM (gates i, f, c, o)
// Forward of one (row, unit): g[4] holds the pre-activations on entry and the kept gates on exit
// (i, f, o = recAct(.), g = act(.), see jrnn_act_keep); then c = f * cPrev + i * g, h = o * act(c). A masked
// row keeps c = cPrev, h = hPrev (its gates are still written).
JRNN_HD void jrnn_lstm_fwd(int act, int rec, float* g, float cPrev, float hPrev, bool masked, float& c, float& h) {
    const float gi = jrnn_act(rec, g[0]);
    const float gf = jrnn_act(rec, g[1]);
    const float gg = jrnn_act(act, g[2]);
    const float go = jrnn_act(rec, g[3]);
    g[0] = jrnn_act_keep(rec, g[0], gi);
    g[1] = jrnn_act_keep(rec, g[1], gf);
    g[2] = jrnn_act_keep(act, g[2], gg);
    g[3] = jrnn_act_keep(rec, g[3], go);
    if (masked) {
        c = cPrev;
        h = hPrev;
    } else {
        c = gf * cPrev + gi * gg;
        h = go * jrnn_act(act, c);
    }
}

// Backward of one (row, unit), unmasked: gh = dL/dh of this step, dcNext = dL/dc from the next step,
// g[4] the kept gates, c this step's cell state. With a = act(c):
//   dc = dcNext + gh * o * act'(a);  dg = (dc*g*recAct'(i), dc*cPrev*recAct'(f), dc*i*act'(g), gh*a*recAct'(o))
// Returns dcPrev = dc * f. (A masked row has dg = 0, dcPrev = dcNext, dhPrev = gh: the callers do that.)
JRNN_HD float jrnn_lstm_bwd(int act, int rec, const float* g, float cPrev, float c, float gh, float dcNext, float* dg) {
    const float gi = jrnn_act_value(rec, g[0]), gf = jrnn_act_value(rec, g[1]);
    const float gg = jrnn_act_value(act, g[2]), go = jrnn_act_value(rec, g[3]);
    const float a = jrnn_act(act, c);
    const float dc = dcNext + gh * go * jrnn_act_deriv(act, jrnn_act_keep(act, c, a));
    dg[0] = dc * gg * jrnn_act_deriv(rec, g[0]);
    dg[1] = dc * cPrev * jrnn_act_deriv(rec, g[1]);
    dg[2] = dc * gi * jrnn_act_deriv(act, g[2]);
    dg[3] = gh * a * jrnn_act_deriv(rec, g[3]);
    return dc * gf;
}

// The gradient into a step's output h at element e: dhNext (from step t+1) + dy (from the sequence output), either
// nullable (zeros). Every step-backward kernel starts from it.
JRNN_HD float jrnn_step_grad(const float* dhNext, const float* dy, long long e) {
    return (dhNext != nullptr ? dhNext[e] : 0.0f) + (dy != nullptr ? dy[e] : 0.0f);
}

// ------------------------------------------------------------------------------- GRU (Keras v2, reset_after)
// Forward of one (row, unit): x[3] = input projections (z, r, h), rp[3] = hPrev·U + bRec. On exit x holds
// (z, r, hh), kept (jrnn_act_keep): z = recAct(xz + rz), r = recAct(xr + rr), hh = act(xh + r * rh). Returns
// h = z * hPrev + (1 - z) * hh, or hPrev for a masked row.
JRNN_HD float jrnn_gru_fwd(int act, int rec, float* x, const float* rp, float hPrev, bool masked) {
    const float zx = x[0] + rp[0], rx = x[1] + rp[1];
    const float z = jrnn_act(rec, zx);
    const float r = jrnn_act(rec, rx);
    const float hx = x[2] + r * rp[2];
    const float hh = jrnn_act(act, hx);
    x[0] = jrnn_act_keep(rec, zx, z);
    x[1] = jrnn_act_keep(rec, rx, r);
    x[2] = jrnn_act_keep(act, hx, hh);
    return masked ? hPrev : z * hPrev + (1.0f - z) * hh;
}

// Backward of one (row, unit), unmasked: gh = dL/dh, zrh[3] = (z, r, hh) kept by forward, rh = the h part of
// hPrev·U + bRec. dxp = (dz, dr, dh) with dz = gh * (hPrev - hh) * recAct'(z), dh = gh * (1 - z) * act'(hh),
// dr = dh * rh * recAct'(r); drp = (dz, dr, dh * r). Returns dhPrev's cell part gh * z.
JRNN_HD float jrnn_gru_bwd(int act, int rec, const float* zrh, float rh, float hPrev, float gh, float* dxp,
                           float* drp) {
    const float z = jrnn_act_value(rec, zrh[0]), rg = jrnn_act_value(rec, zrh[1]), hh = jrnn_act_value(act, zrh[2]);
    const float dz = gh * (hPrev - hh) * jrnn_act_deriv(rec, zrh[0]);
    const float dh = gh * (1.0f - z) * jrnn_act_deriv(act, zrh[2]);
    const float dr = dh * rh * jrnn_act_deriv(rec, zrh[1]);
    dxp[0] = dz;
    dxp[1] = dr;
    dxp[2] = dh;
    drp[0] = dz;
    drp[1] = dr;
    drp[2] = dh * rg;
    return gh * z;
}

// ------------------------------------------------------------------------------- GRU reset-before
// Keras' reset_after=False (Keras 2.2 and older): hh = act(xh + (r * hPrev)·Uh), one bias in x. A step runs in two
// halves around the GEMM resetState · Uh (that product needs r first): the gates, then the output.

// Gates of one (row, unit): x[0], x[1] = xz, xr with hPrev·U added; on exit (z, r), kept (jrnn_act_keep). Returns
// resetState = r * hPrev.
JRNN_HD float jrnn_gru_rb_gates(int rec, float* x, float hPrev) {
    const float z = jrnn_act(rec, x[0]), r = jrnn_act(rec, x[1]);
    x[0] = jrnn_act_keep(rec, x[0], z);
    x[1] = jrnn_act_keep(rec, x[1], r);
    return r * hPrev;
}

// Output of one (row, unit): zKept = z as the gates kept it, *xh = xh + resetState·Uh on entry, hh kept on exit.
// Returns h = z * hPrev + (1 - z) * hh, or hPrev for a masked row.
JRNN_HD float jrnn_gru_rb_out(int act, int rec, float zKept, float* xh, float hPrev, bool masked) {
    const float z = jrnn_act_value(rec, zKept);
    const float hh = jrnn_act(act, *xh);
    *xh = jrnn_act_keep(act, *xh, hh);
    return masked ? hPrev : z * hPrev + (1.0f - z) * hh;
}

// Backward, first half, unmasked, from the kept z and hh: dz = gh * (hPrev - hh) * recAct'(z),
// dh = gh * (1 - z) * act'(hh). Returns dhPrev's direct part gh * z.
JRNN_HD float jrnn_gru_rb_bwd_out(int act, int rec, float zKept, float hhKept, float hPrev, float gh, float* dz,
                                  float* dh) {
    const float z = jrnn_act_value(rec, zKept), hh = jrnn_act_value(act, hhKept);
    *dz = gh * (hPrev - hh) * jrnn_act_deriv(rec, zKept);
    *dh = gh * (1.0f - z) * jrnn_act_deriv(act, hhKept);
    return gh * z;
}

// Backward, second half, unmasked, from dResetState = dh · Uh^T and the kept r: dr = dResetState * hPrev * recAct'(r);
// dhPrev gains dResetState * r (returned).
JRNN_HD float jrnn_gru_rb_bwd_gate(int rec, float rKept, float hPrev, float dResetState, float* dr) {
    *dr = dResetState * hPrev * jrnn_act_deriv(rec, rKept);
    return dResetState * jrnn_act_value(rec, rKept);
}

// ------------------------------------------------------------------------------- SimpleRNN
// h = act(pre), or hPrev for a masked row.
JRNN_HD float jrnn_rnn_fwd(int act, float pre, float hPrev, bool masked) {
    return masked ? hPrev : jrnn_act(act, pre);
}

// dpre = gh * act'(pre) of an unmasked row (a masked one has dpre = 0, dhPrev = gh), from h = act(pre), or for
// gelu and swish from pre itself (the kept value: the callers pass the step's pre-activations then).
JRNN_HD float jrnn_rnn_bwd(int act, float hKept, float gh) {
    return gh * jrnn_act_deriv(act, hKept);
}
