// Losses: value and gradient in one pass, Keras semantics and reduction ("sum over batch size").
// Argument conventions: common.cuh. Loss codes are dev.jrnn.backend.Loss#code()
// (JRNN_LOSS_<enum name>; ActivationTest checks them all).
#include "common.cuh"
#include "cell_math.cuh"

#define JRNN_LOSS_MSE 0
#define JRNN_LOSS_MAE 1
#define JRNN_LOSS_BINARY_CROSSENTROPY 2
#define JRNN_LOSS_BINARY_CROSSENTROPY_LOGITS 3
#define JRNN_LOSS_CATEGORICAL_CROSSENTROPY 4
#define JRNN_LOSS_CATEGORICAL_CROSSENTROPY_LOGITS 5
#define JRNN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY 6
#define JRNN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS 7
#define JRNN_LOSS_HUBER 8
#define JRNN_LOSS_LOG_COSH 9
#define JRNN_LOSS_KL_DIVERGENCE 10
#define JRNN_LOSS_POISSON 11
#define JRNN_LOSS_HINGE 12
#define JRNN_LOSS_SQUARED_HINGE 13
#define JRNN_LOSS_CATEGORICAL_HINGE 14
#define JRNN_LOSS_BINARY_FOCAL_CROSSENTROPY 15
#define JRNN_LOSS_BINARY_FOCAL_CROSSENTROPY_LOGITS 16
#define JRNN_LOSS_CATEGORICAL_FOCAL_CROSSENTROPY 17
#define JRNN_LOSS_CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS 18

// Keras' epsilon() for the clipping of probabilities.
#define JRNN_EPS 1e-7f

__device__ __forceinline__ float jrnn_clip_prob(float p) {
    return p < JRNN_EPS ? JRNN_EPS : (p > 1.0f - JRNN_EPS ? 1.0f - JRNN_EPS : p);
}

// max(x, 0) and clip(x, lo, hi) that keep a NaN, as Java's Math.max / min in LossMath and Keras' ops do (fmaxf / fminf
// return the operand that is not NaN: a NaN prediction gave a finite loss).
__device__ __forceinline__ float jrnn_relu_nan(float x) {
    return x < 0.0f ? 0.0f : x;
}

__device__ __forceinline__ float jrnn_clip_nan(float x, float lo, float hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

// The larger of a and b, NaN if either is (Math.max); and its warp-wide reduction (jrnn_warp_max drops NaN).
__device__ __forceinline__ float jrnn_max_nan(float a, float b) {
    return a > b || a != a ? a : b;
}

__device__ __forceinline__ float jrnn_warp_max_nan(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = jrnn_max_nan(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

__device__ __forceinline__ bool jrnn_prob_in_range(float p) {
    return p >= JRNN_EPS && p <= 1.0f - JRNN_EPS;
}

// d u^gamma / du; 0 where it is infinite (u = 0, gamma < 1), so an exactly right prediction keeps the step finite
// (LossMath.focalSlope).
__device__ __forceinline__ float jrnn_focal_slope(float u, float gamma) {
    return gamma == 0.0f || (u == 0.0f && gamma < 1.0f) ? 0.0f : gamma * powf(u, gamma - 1.0f);
}

// One class of CATEGORICAL_FOCAL: the loss term of q = p / sum(p), y, and its derivative by q into *G.
__device__ __forceinline__ float jrnn_focal_cce(float q, float t, float alpha, float gamma, float* G) {
    const float qc = jrnn_clip_prob(q), u = 1.0f - qc, lg = logf(qc), f = powf(u, gamma);
    *G = jrnn_prob_in_range(q) ? alpha * (jrnn_focal_slope(u, gamma) * t * lg - f * t / qc) : 0.0f;
    return -alpha * f * t * lg;
}

// One warp per row (grid-stride over rows), blockDim.x a multiple of 32 (<= 1024).
// Per-row loss L_r (then weighted by w_r = weights[r] or 1), and grad = d(sum_r w_r L_r / rows) / d pred:
//   MSE   L = mean_c (p - y)^2                                  grad = 2 (p - y) w / (rows cols)
//   MAE   L = mean_c |p - y|                                    grad = sign(p - y) w / (rows cols)
//   BCE   pc = clip(p, eps, 1 - eps); L = mean_c -(y log pc + (1 - y) log(1 - pc))
//         grad = (pc - y) / (pc (1 - pc)) w / (rows cols), 0 where p was clipped
//   BCE_LOGITS  L = mean_c max(z, 0) - z y + log1p(exp(-|z|))   grad = (sigmoid(z) - y) w / (rows cols)
//   CCE   (Keras: q = p / sum(p), clipped) L = -sum_c y log clip(q)
//         grad_j = (G_j - sum_i G_i q_i) / sum(p) * w / rows with G_i = -y_i / q_i (0 where q_i clipped)
//   CCE_LOGITS  L = sum_c y (lse(z) - z)                        grad = (softmax(z) sum(y) - y) w / rows
//   SPARSE_CCE  as CCE with the one-hot target of k = target[r]: L = -log clip(p_k / sum(p))
//   SPARSE_CCE_LOGITS  L = lse(z) - z_k                          grad = (softmax(z) - onehot(k)) w / rows
//   HUBER  L = mean_c (|e| <= delta ? e^2 / 2 : delta |e| - delta^2 / 2), e = p - y
//         grad = clamp(e, -delta, delta) w / (rows cols)
//   LOG_COSH  L = mean_c e + softplus(-2e) - log 2                   grad = tanh(e) w / (rows cols)
//   KLD   yc = clip(y, eps, 1), pc = clip(p, eps, 1); L = sum_c yc log(yc / pc)
//         grad = -yc / pc w / rows, 0 where p was clipped
//   POISSON  L = mean_c p - y log(p + eps)                         grad = (1 - y / (p + eps)) w / (rows cols)
//   HINGE  m = 1 - y p; L = mean_c max(m, 0)                       grad = (m >= 0 ? -y : 0) w / (rows cols)
//   SQUARED_HINGE  L = mean_c max(m, 0)^2                          grad = -2 max(m, 0) y w / (rows cols)
//         both with y -> 2y - 1 when *nonBinary == 0 (jrnn_hinge_labels found every target 0 or 1, Keras'
//         convert_binary_labels_to_hinge)
//   CATEGORICAL_HINGE  pos = sum_c y p, neg = max_c (1 - y) p; L = max(neg - pos + 1, 0)
//         grad_j = ([(1 - y_j) p_j == neg] (1 - y_j) / ties - y_j) w / rows where neg - pos + 1 >= 0, else 0
//         (ties: how many columns reach neg; TF's reduce_max shares its gradient among them); a NaN in the row makes
//         neg or pos, so L, NaN; the row's gradient is NaN where neg is, 0 where only pos is (0 * Inf at a zero target),
//         as Keras 3 on JAX and TensorFlow
//   Every max and clip here keeps a NaN (jrnn_relu_nan, jrnn_clip_nan, jrnn_max_nan): NaN in, NaN loss out, as LossMath.
//   BINARY_FOCAL  u = 1 - p_t = 1 - (y p + (1 - y)(1 - p)), cw = y alpha + (1 - y)(1 - alpha) when balance, else 1;
//         L = mean_c cw u^gamma bce(clip(p))
//         grad = cw (u' (1 - 2y) bce + u^gamma dbce) w / (rows cols), u' = d u^gamma / du, dbce as BCE's (0 where clipped)
//   BINARY_FOCAL_LOGITS  p = sigmoid(z) in u, bce of z as BCE_LOGITS's (TensorFlow's form, unclipped):
//         grad = cw (u' (1 - 2y) bce p (1 - p) + u^gamma (p - y)) w / (rows cols)
//   CATEGORICAL_FOCAL  q = clip(p / sum(p)), u = 1 - q; L = sum_c -alpha u^gamma y log q
//         G_c = alpha (u' y log q - u^gamma y / q) (0 where q was clipped); grad_c = (G_c - sum_i G_i q_i) / sum(p) w / rows
//   CATEGORICAL_FOCAL_LOGITS  the same of p = softmax(z), then grad_c = p_c (H_c - sum_i H_i p_i), H the grad above
// Label smoothing (smooth = s) replaces the dense cross-entropies' targets y by y (1 - s) + s / 2 (binary forms) or
// y (1 - s) + s / cols (categorical forms) before all of the above, as Keras does.
// Sparse losses read one class index per row from target; an index that is not an integer in [0, cols) contributes no
// loss and a zero gradient row, and atomicMin puts (r << 32 | bits(index)) in *err (the host resets it to all ones), so
// CudaBackend names the first bad row and its value in its IllegalArgumentException, as the CPU backend does.
// *acc += sum_r w_r L_r in double (zeroed by the caller; the caller divides by rows).
// Nullable: weights (all 1), grad (value only).
// args: (int kind, int rows, int cols, const float* pred, const float* target, const float* weights,
//        float* grad, double* acc, unsigned long long* err, const int* nonBinary, float delta, float gamma, float alpha, int balance,
//        float smooth)
extern "C" __global__ void jrnn_loss(int kind, int rows, int cols, const float* __restrict__ pred,
                                     const float* __restrict__ target, const float* __restrict__ weights,
                                     float* __restrict__ grad, double* acc, unsigned long long* err, const int* nonBinary, float delta,
                                     float gamma, float alpha, int balance, float smooth) {
    __shared__ double sh[32];
    const bool toPlusMinus = (kind == JRNN_LOSS_HINGE || kind == JRNN_LOSS_SQUARED_HINGE) && *nonBinary == 0;
    const bool binaryForm = kind == JRNN_LOSS_BINARY_CROSSENTROPY || kind == JRNN_LOSS_BINARY_CROSSENTROPY_LOGITS
            || kind == JRNN_LOSS_BINARY_FOCAL_CROSSENTROPY || kind == JRNN_LOSS_BINARY_FOCAL_CROSSENTROPY_LOGITS;
    const float keep = 1.0f - smooth, add = smooth * (binaryForm ? 0.5f : 1.0f / (float)cols);  // smoothed y = y keep + add
    const int lane = threadIdx.x & 31;
    const int warpsPerBlock = blockDim.x >> 5;
    const long long nWarps = (long long)gridDim.x * warpsPerBlock;
    double total = 0.0;
    for (long long r = (long long)blockIdx.x * warpsPerBlock + (threadIdx.x >> 5); r < rows; r += nWarps) {
        const float* p = pred + r * cols;
        const float* y = target + r * cols;  // dense targets only
        float* gr = grad != nullptr ? grad + r * cols : nullptr;
        const float w = weights != nullptr ? weights[r] : 1.0f;
        const float gs = w / (float)rows;                 // scale of per-row-sum losses
        const float gsc = w / ((float)rows * (float)cols);  // scale of per-row-mean losses
        double l = 0.0;
        switch (kind) {
            case JRNN_LOSS_MSE:
                for (int c = lane; c < cols; c += 32) {
                    const float d = p[c] - y[c];
                    l += (double)(d * d);
                    if (gr) gr[c] = 2.0f * d * gsc;
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_MAE:
                for (int c = lane; c < cols; c += 32) {
                    const float d = p[c] - y[c];
                    l += (double)fabsf(d);
                    const float s = d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : (d == 0.0f ? 0.0f : d));
                    if (gr) gr[c] = s * gsc;
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_BINARY_CROSSENTROPY:
                for (int c = lane; c < cols; c += 32) {
                    const float pc = jrnn_clip_prob(p[c]);
                    const float t = y[c] * keep + add;
                    l += (double)(-(t * logf(pc) + (1.0f - t) * logf(1.0f - pc)));
                    if (gr) gr[c] = jrnn_prob_in_range(p[c]) ? (pc - t) / (pc * (1.0f - pc)) * gsc : 0.0f;
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_BINARY_CROSSENTROPY_LOGITS:
                for (int c = lane; c < cols; c += 32) {
                    const float z = p[c], t = y[c] * keep + add;
                    l += (double)(fmaxf(z, 0.0f) - z * t + log1pf(expf(-fabsf(z))));
                    if (gr) gr[c] = (jrnn_sigmoid(z) - t) * gsc;
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_BINARY_FOCAL_CROSSENTROPY:
            case JRNN_LOSS_BINARY_FOCAL_CROSSENTROPY_LOGITS:
                for (int c = lane; c < cols; c += 32) {
                    const bool logits = kind == JRNN_LOSS_BINARY_FOCAL_CROSSENTROPY_LOGITS;
                    const float z = p[c], t = y[c] * keep + add, pv = logits ? jrnn_sigmoid(z) : z;
                    const float cw = balance ? t * alpha + (1.0f - t) * (1.0f - alpha) : 1.0f;
                    float bce, dbce;
                    if (logits) {
                        bce = fmaxf(z, 0.0f) - z * t + log1pf(expf(-fabsf(z)));
                        dbce = pv - t;
                    } else {
                        const float pc = jrnn_clip_prob(pv);
                        bce = -(t * logf(pc) + (1.0f - t) * logf(1.0f - pc));
                        dbce = jrnn_prob_in_range(pv) ? -t / pc + (1.0f - t) / (1.0f - pc) : 0.0f;
                    }
                    const float u = 1.0f - (t * pv + (1.0f - t) * (1.0f - pv)), f = powf(u, gamma);
                    l += (double)(cw * f * bce);
                    const float dFocal = jrnn_focal_slope(u, gamma) * (1.0f - 2.0f * t) * bce;  // by p
                    if (gr) gr[c] = cw * (logits ? dFocal * pv * (1.0f - pv) + f * dbce : dFocal + f * dbce) * gsc;
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_CATEGORICAL_FOCAL_CROSSENTROPY:
            case JRNN_LOSS_CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS: {
                const bool logits = kind == JRNN_LOSS_CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS;
                float m = 0.0f, es = 1.0f;  // softmax of the logits: exp(z - m) / es
                if (logits) {
                    m = -INFINITY;
                    for (int c = lane; c < cols; c += 32) m = fmaxf(m, p[c]);
                    m = jrnn_warp_max(m);
                    es = 0.0f;
                    for (int c = lane; c < cols; c += 32) es += expf(p[c] - m);
                    es = jrnn_warp_sum(es);
                }
                float ps = 0.0f;
                for (int c = lane; c < cols; c += 32) ps += logits ? expf(p[c] - m) / es : p[c];
                ps = jrnn_warp_sum(ps);
                float gq = 0.0f;  // sum_i G_i q_i
                for (int c = lane; c < cols; c += 32) {
                    const float q = (logits ? expf(p[c] - m) / es : p[c]) / ps;
                    float G;
                    l += (double)jrnn_focal_cce(q, y[c] * keep + add, alpha, gamma, &G);
                    gq += q * G;
                }
                l = jrnn_warp_sum_d(l);
                gq = jrnn_warp_sum(gq);
                if (gr) {
                    float hp = 0.0f;  // sum_i H_i p_i (logits only)
                    if (logits) {
                        for (int c = lane; c < cols; c += 32) {
                            const float pr = expf(p[c] - m) / es;
                            float G;
                            jrnn_focal_cce(pr / ps, y[c] * keep + add, alpha, gamma, &G);
                            hp += (G - gq) / ps * pr;
                        }
                        hp = jrnn_warp_sum(hp);
                    }
                    for (int c = lane; c < cols; c += 32) {
                        const float pr = logits ? expf(p[c] - m) / es : p[c];
                        float G;
                        jrnn_focal_cce(pr / ps, y[c] * keep + add, alpha, gamma, &G);
                        const float H = (G - gq) / ps;
                        gr[c] = (logits ? pr * (H - hp) : H) * gs;
                    }
                }
                break;
            }
            case JRNN_LOSS_CATEGORICAL_CROSSENTROPY: {
                float s = 0.0f;
                for (int c = lane; c < cols; c += 32) s += p[c];
                s = jrnn_warp_sum(s);
                float gq = 0.0f;  // sum_i G_i q_i
                for (int c = lane; c < cols; c += 32) {
                    const float q = p[c] / s, t = y[c] * keep + add;
                    l += (double)(-t * logf(jrnn_clip_prob(q)));
                    if (jrnn_prob_in_range(q)) gq -= t;  // G_i q_i = -y_i
                    else gq += q * 0.0f;                 // G_i = 0, but a NaN q_i makes the sum NaN, as the CPU's
                }
                l = jrnn_warp_sum_d(l);
                gq = jrnn_warp_sum(gq);
                if (gr) {
                    for (int c = lane; c < cols; c += 32) {
                        const float q = p[c] / s;
                        const float G = jrnn_prob_in_range(q) ? -(y[c] * keep + add) / q : 0.0f;
                        gr[c] = (G - gq) / s * gs;
                    }
                }
                break;
            }
            case JRNN_LOSS_CATEGORICAL_CROSSENTROPY_LOGITS: {
                float m = -INFINITY;
                for (int c = lane; c < cols; c += 32) m = fmaxf(m, p[c]);
                m = jrnn_warp_max(m);
                float s = 0.0f, ys = 0.0f;
                for (int c = lane; c < cols; c += 32) {
                    s += expf(p[c] - m);
                    ys += y[c] * keep + add;
                }
                s = jrnn_warp_sum(s);
                ys = jrnn_warp_sum(ys);
                const float lse = m + logf(s);
                for (int c = lane; c < cols; c += 32) {
                    const float t = y[c] * keep + add;
                    l += (double)(t * (lse - p[c]));
                    if (gr) gr[c] = (expf(p[c] - m) / s * ys - t) * gs;
                }
                l = jrnn_warp_sum_d(l);
                break;
            }
            case JRNN_LOSS_HUBER:
                for (int c = lane; c < cols; c += 32) {
                    const float d = p[c] - y[c], a = fabsf(d);
                    l += (double)(a <= delta ? 0.5f * d * d : delta * a - 0.5f * delta * delta);
                    if (gr) gr[c] = jrnn_clip_nan(d, -delta, delta) * gsc;  // NaN at a NaN, as the CPU's delta * signum(d)
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_LOG_COSH:
                for (int c = lane; c < cols; c += 32) {
                    const float d = p[c] - y[c];
                    l += (double)(d + fmaxf(-2.0f * d, 0.0f) + log1pf(expf(-fabsf(2.0f * d))) - 0.69314718055994531f);
                    if (gr) gr[c] = tanhf(d) * gsc;
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_KL_DIVERGENCE:
                for (int c = lane; c < cols; c += 32) {
                    const float t = jrnn_clip_nan(y[c], JRNN_EPS, 1.0f), pc = jrnn_clip_nan(p[c], JRNN_EPS, 1.0f);
                    l += (double)(t * logf(t / pc));
                    if (gr) gr[c] = p[c] >= JRNN_EPS && p[c] <= 1.0f ? -t / pc * gs : 0.0f;
                }
                l = jrnn_warp_sum_d(l);
                break;
            case JRNN_LOSS_POISSON:
                for (int c = lane; c < cols; c += 32) {
                    const float q = p[c] + JRNN_EPS, t = y[c];
                    l += (double)(p[c] - t * logf(q));
                    if (gr) gr[c] = (1.0f - t / q) * gsc;
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_HINGE:
            case JRNN_LOSS_SQUARED_HINGE:
                for (int c = lane; c < cols; c += 32) {
                    const float t = toPlusMinus ? 2.0f * y[c] - 1.0f : y[c];
                    const float m = 1.0f - t * p[c], h = jrnn_relu_nan(m);
                    if (kind == JRNN_LOSS_HINGE) {
                        l += (double)h;
                        if (gr) gr[c] = m >= 0.0f ? -t * gsc : 0.0f;
                    } else {
                        l += (double)(h * h);
                        if (gr) gr[c] = -2.0f * h * t * gsc;
                    }
                }
                l = jrnn_warp_sum_d(l) / cols;
                break;
            case JRNN_LOSS_CATEGORICAL_HINGE: {
                float pos = 0.0f, neg = -INFINITY;
                for (int c = lane; c < cols; c += 32) {
                    pos += y[c] * p[c];
                    neg = jrnn_max_nan(neg, (1.0f - y[c]) * p[c]);
                }
                pos = jrnn_warp_sum(pos);
                neg = jrnn_warp_max_nan(neg);
                float ties = 0.0f;
                for (int c = lane; c < cols; c += 32) ties += (1.0f - y[c]) * p[c] == neg ? 1.0f : 0.0f;
                ties = jrnn_warp_sum(ties);
                const float m = neg - pos + 1.0f;
                l = (double)jrnn_relu_nan(m);
                if (gr) {
                    for (int c = lane; c < cols; c += 32) {
                        const float t = y[c];
                        gr[c] = m >= 0.0f ? (((1.0f - t) * p[c] == neg ? (1.0f - t) / ties : 0.0f) - t) * gs : (neg != neg ? neg : 0.0f);
                    }
                }
                break;
            }
            case JRNN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
            case JRNN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS: {
                const float tk = target[r];
                if (!(tk >= 0.0f && tk < (float)cols && tk == floorf(tk))) {
                    if (lane == 0) atomicMin(err, ((unsigned long long)r << 32) | (unsigned long long)__float_as_uint(tk));
                    if (gr) for (int c = lane; c < cols; c += 32) gr[c] = 0.0f;
                    l = 0.0;
                    break;
                }
                const int k = (int)tk;
                if (kind == JRNN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
                    // CCE with a one-hot target: q = p / sum(p), G_k = -1 / q_k (0 if q_k clipped),
                    // grad_j = ([j == k] G_k - q_k G_k) / sum(p).
                    float s = 0.0f;
                    for (int c = lane; c < cols; c += 32) s += p[c];
                    s = jrnn_warp_sum(s);
                    const float qk = p[k] / s;
                    l = (double)(-logf(jrnn_clip_prob(qk)));
                    const float Gk = jrnn_prob_in_range(qk) ? -1.0f / qk : 0.0f;
                    if (gr) {
                        float z = 0.0f;  // sum_i G_i q_i of the other classes: 0, or NaN where some q_i is (the CPU's)
                        for (int c = lane; c < cols; c += 32) z += p[c] / s * 0.0f;
                        z = jrnn_warp_sum(z);
                        for (int c = lane; c < cols; c += 32) {
                            gr[c] = ((c == k ? Gk : 0.0f) - qk * Gk - z) / s * gs;
                        }
                    }
                } else {
                    float m = -INFINITY;
                    for (int c = lane; c < cols; c += 32) m = fmaxf(m, p[c]);
                    m = jrnn_warp_max(m);
                    float s = 0.0f;
                    for (int c = lane; c < cols; c += 32) s += expf(p[c] - m);
                    s = jrnn_warp_sum(s);
                    l = (double)(m + logf(s) - p[k]);
                    if (gr) {
                        for (int c = lane; c < cols; c += 32) {
                            gr[c] = (expf(p[c] - m) / s - (c == k ? 1.0f : 0.0f)) * gs;
                        }
                    }
                }
                break;
            }
            default:
                break;
        }
        if (lane == 0) total += (double)w * l;
    }
    total = jrnn_block_sum_d(total, sh);
    if (threadIdx.x == 0) atomicAdd(acc, total);
}

// *nonBinary = 1 when some of the n targets is neither 0 nor 1 (zeroed by the caller): whether Keras' hinge losses keep
// the targets as they are, or take 0/1 as -1/1. Grid-stride; any thread may set it.
// args: (long long n, const float* target, int* nonBinary)
extern "C" __global__ void jrnn_hinge_labels(long long n, const float* __restrict__ target, int* nonBinary) {
    JRNN_GRID_STRIDE(i, n) {
        const float v = target[i];
        if (v != 0.0f && v != 1.0f) *nonBinary = 1;
    }
}
