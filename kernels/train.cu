// Training-step kernels that keep a whole step on the device (no host round trip, so the step can be
// captured into a CUDA graph and replayed): masks from values, row scaling, counter-based dropout masks,
// id checks with a deferred error report, deferred loss values, deterministic on-device clipnorm and
// scale-to-sum, Adam with a step counter in device memory. Argument conventions: common.cuh.
// The CPU reference of every kernel here is dev.jrnn.backend.cpu.CpuTraining.
#include "common.cuh"

// Counters (dropout calls, Adam steps) are two floats (lo, hi), each an integer in [0, 2^24):
// value = hi * 2^24 + lo, as dev.jrnn.backend.CounterRng#counter.
__device__ __forceinline__ long long jrnn_counter_get(const float* c) {
    return (long long)c[1] * 16777216LL + (long long)c[0];
}

__device__ __forceinline__ void jrnn_counter_set(float* c, long long v) {
    c[0] = (float)(v & 0xFFFFFFLL);
    c[1] = (float)(v >> 24);
}

// splitmix64's finalizer, identical to CounterRng.mix64 (unsigned shifts = Java's >>>).
__device__ __forceinline__ unsigned long long jrnn_mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// mask[r] = 1 when some x[r, c] != maskValue (NaN counts as different), else 0; one thread per row.
// args: (int rows, int cols, const float* x, float maskValue, float* mask)
extern "C" __global__ void jrnn_mask_from_values(int rows, int cols, const float* __restrict__ x, float maskValue,
                                                 float* __restrict__ mask) {
    JRNN_GRID_STRIDE(r, rows) {
        const float* row = x + r * cols;
        bool real = false;
        for (int c = 0; c < cols && !real; c++) real = row[c] != maskValue;
        mask[r] = real ? 1.0f : 0.0f;
    }
}

// y[r, c] = x[r, c] * s[r] (y may alias x).
// args: (int rows, int cols, const float* x, const float* s, float* y)
extern "C" __global__ void jrnn_mul_rows(int rows, int cols, const float* x, const float* __restrict__ s, float* y) {
    const long long n = (long long)rows * cols;
    JRNN_GRID_STRIDE(e, n) {
        const long long r = e / cols;
        y[e] = x[e] * s[r];
    }
}

// y[r, c] = s[r] == 0 ? 0 : x[r, c] * s[r] (Keras' where(mask, x, 0): an Inf or NaN in a zeroed row stays out; y may alias x).
// args: (int rows, int cols, const float* x, const float* s, float* y)
extern "C" __global__ void jrnn_masked_mul_rows(int rows, int cols, const float* x, const float* __restrict__ s, float* y) {
    const long long n = (long long)rows * cols;
    JRNN_GRID_STRIDE(e, n) {
        const float f = s[cols == 1 ? e : e / cols];   // one column (an elementwise where): no 64-bit division, done in software
        y[e] = f == 0.0f ? 0.0f : x[e] * f;
    }
}

// y[b, f] = max over t of x[b, t, f] for [batch, steps, features] x (steps >= 1; a NaN wins); one thread per (b, f).
// args: (int batch, int steps, int features, const float* x, float* y)
extern "C" __global__ void jrnn_max_over_steps(int batch, int steps, int features, const float* __restrict__ x,
                                               float* __restrict__ y) {
    const long long n = (long long)batch * features;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / features, f = e % features;
        const float* xb = x + b * steps * features + f;
        float m = xb[0];
        for (int t = 1; t < steps; t++) {
            const float v = xb[(long long)t * features];
            if (v > m || v != v) m = v;
        }
        y[e] = m;
    }
}

// dx[b, t, f] = dy[b, f] / k where x[b, t, f] == y[b, f] (k such steps), else 0; one thread per (b, f).
// args: (int batch, int steps, int features, const float* x, const float* y, const float* dy, float* dx)
extern "C" __global__ void jrnn_max_over_steps_bwd(int batch, int steps, int features, const float* __restrict__ x,
                                                   const float* __restrict__ y, const float* __restrict__ dy,
                                                   float* __restrict__ dx) {
    const long long n = (long long)batch * features;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / features, f = e % features, base = b * steps * features + f;
        const float m = y[e];
        int k = 0;
        for (int t = 0; t < steps; t++) k += x[base + (long long)t * features] == m ? 1 : 0;
        const float g = k == 0 ? 0.0f : dy[e] / (float)k;
        for (int t = 0; t < steps; t++) {
            const long long i = base + (long long)t * features;
            dx[i] = x[i] == m ? g : 0.0f;
        }
    }
}

// dx[b, t, f] = dy[b, f] at the first t with x[b, t, f] == y[b, f], else 0: max pooling's gradient, which TensorFlow and
// JAX give to a tie's earliest step; one thread per (b, f).
// args: (int batch, int steps, int features, const float* x, const float* y, const float* dy, float* dx)
extern "C" __global__ void jrnn_max_over_steps_first_bwd(int batch, int steps, int features, const float* __restrict__ x,
                                                         const float* __restrict__ y, const float* __restrict__ dy,
                                                         float* __restrict__ dx) {
    const long long n = (long long)batch * features;
    JRNN_GRID_STRIDE(e, n) {
        const long long b = e / features, f = e % features, base = b * steps * features + f;
        const float m = y[e];
        bool taken = false;
        for (int t = 0; t < steps; t++) {
            const long long i = base + (long long)t * features;
            const bool hit = !taken && x[i] == m;
            dx[i] = hit ? dy[e] : 0.0f;
            taken = taken || hit;
        }
    }
}

// Dropout keep mask of call c = counter value: out[i] = u_i >= rate ? 1 / (1 - rate) : 0 with
// u_i = top 24 bits of mix64(base + (i + 1) * GOLDEN) times 2^-24, base = mix64(seed ^ (c * COUNTER_MUL)).
// The counter is advanced afterwards by jrnn_counter_add (a second launch, so every block reads the same c).
// args: (long long n, float rate, long long seed, const float* counter, float* out)
extern "C" __global__ void jrnn_dropout_mask(long long n, float rate, long long seed, const float* __restrict__ counter,
                                             float* __restrict__ out) {
    const unsigned long long c = (unsigned long long)jrnn_counter_get(counter);
    const unsigned long long base = jrnn_mix64((unsigned long long)seed ^ (c * 0xD1B54A32D192ED03ULL));
    const float scale = 1.0f / (1.0f - rate);
    JRNN_GRID_STRIDE(i, n) {
        const unsigned long long h = jrnn_mix64(base + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ULL);
        const float u = (float)(h >> 40) * 0x1.0p-24f;
        out[i] = u >= rate ? scale : 0.0f;
    }
}

// Gaussian noise of call c = counter value: out[i] = mean + stddev * z_i, z_i = sqrt(-2 ln(1 - u1)) cos(2 pi u2) in
// double (CounterRng.normal) with u1, u2 elements 2i and 2i + 1 of jrnn_dropout_mask's stream. The counter is advanced
// afterwards by jrnn_counter_add.
// args: (long long n, float mean, float stddev, long long seed, const float* counter, float* out)
extern "C" __global__ void jrnn_normal_noise(long long n, float mean, float stddev, long long seed,
                                             const float* __restrict__ counter, float* __restrict__ out) {
    const unsigned long long c = (unsigned long long)jrnn_counter_get(counter);
    const unsigned long long base = jrnn_mix64((unsigned long long)seed ^ (c * 0xD1B54A32D192ED03ULL));
    JRNN_GRID_STRIDE(i, n) {
        const unsigned long long h1 = jrnn_mix64(base + (unsigned long long)(2 * i + 1) * 0x9E3779B97F4A7C15ULL);
        const unsigned long long h2 = jrnn_mix64(base + (unsigned long long)(2 * i + 2) * 0x9E3779B97F4A7C15ULL);
        const double u1 = (double)(h1 >> 40) * 0x1.0p-24, u2 = (double)(h2 >> 40) * 0x1.0p-24;
        const double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * 3.14159265358979323846 * u2);
        out[i] = (float)((double)mean + (double)stddev * z);
    }
}

// counter += 1 (one thread).
// args: (float* counter)
extern "C" __global__ void jrnn_counter_add(float* counter) {
    if (blockIdx.x == 0 && threadIdx.x == 0) jrnn_counter_set(counter, jrnn_counter_get(counter) + 1);
}

// out[i] = ids[i] when it is an integer in [0, vocab), else -1. A bad id lowers *slot to
// (i << 32 | bits(ids[i])) with atomicMin, so the host (which resets *slot to all ones) reads the first bad
// index and its value at the next synchronizing call. out may alias ids.
// args: (long long n, const float* ids, int vocab, float* out, unsigned long long* slot)
extern "C" __global__ void jrnn_check_ids(long long n, const float* ids, int vocab, float* out,
                                          unsigned long long* slot) {
    JRNN_GRID_STRIDE(i, n) {
        const float v = ids[i];
        const bool ok = v >= 0.0f && v < (float)vocab && v == floorf(v);
        out[i] = ok ? v : -1.0f;
        if (!ok) {
            atomicMin(slot, ((unsigned long long)i << 32) | (unsigned long long)__float_as_uint(v));
        }
    }
}

// *out = (float)(*acc / rows): the mean loss as CudaBackend.loss returns it, left on the device.
// args: (const double* acc, int rows, float* out)
extern "C" __global__ void jrnn_loss_finish(const double* __restrict__ acc, int rows, float* __restrict__ out) {
    if (blockIdx.x == 0 && threadIdx.x == 0) out[0] = (float)(acc[0] / (double)rows);
}

// partial[blockIdx.x] = sum over this block's grid-stride elements of x[i] (squares != 0: x[i]^2), in double.
// No atomics: with the same grid the sum is the same bit for bit (deterministic clipnorm / scale-to-sum).
// args: (long long n, const float* x, int squares, double* partial)
extern "C" __global__ void jrnn_sum_partial(long long n, const float* __restrict__ x, int squares,
                                            double* __restrict__ partial) {
    __shared__ double sh[32];
    double s = 0.0;
    JRNN_GRID_STRIDE(i, n) {
        const double v = (double)x[i];
        s += squares ? v * v : v;
    }
    s = jrnn_block_sum_d(s, sh);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// S = sum of the parts partials (each block adds them in the same order). mode 0 (scale-to-sum):
// x *= (float)(param / S) unless S == 0. mode 1 (clipnorm): norm = sqrt(S); x *= (float)(param / norm) when
// norm > param. Blocks of 32..1024 threads (a multiple of 32).
// args: (int parts, const double* partial, int mode, double param, long long n, float* x)
extern "C" __global__ void jrnn_scale_by_sum(int parts, const double* __restrict__ partial, int mode, double param,
                                             long long n, float* __restrict__ x) {
    __shared__ double sh[32];
    double s = 0.0;
    for (int j = threadIdx.x; j < parts; j += blockDim.x) s += partial[j];
    s = jrnn_block_sum_d(s, sh);
    float f;
    if (mode == 0) {
        if (s == 0.0) return;
        f = (float)(param / s);
    } else {
        const double norm = sqrt(s);
        if (!(norm > param)) return;
        f = (float)(param / norm);
    }
    JRNN_GRID_STRIDE(i, n) x[i] *= f;
}

// Advances Adam's step counter t (step[0..1]) and stores lrT = lr * sqrt(1 - b2^t) / (1 - b1^t) (double math,
// as the host computes it) in step[2] for jrnn_adam_t. One thread. Nothing happens when the guard (nullable)
// is set: the update is skipped (jrnn_adam_t checks the guard too).
// args: (float* step, float lr, float beta1, float beta2, const float* guard)
extern "C" __global__ void jrnn_adam_step(float* step, float lr, float beta1, float beta2, const float* guard) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    if (guard != nullptr && *guard != 0.0f) return;
    const long long t = jrnn_counter_get(step) + 1;
    jrnn_counter_set(step, t);
    const double td = (double)t;
    step[2] = (float)((double)lr * sqrt(1.0 - pow((double)beta2, td)) / (1.0 - pow((double)beta1, td)));
}

// Adam as Keras: m += (g - m) * oneMinusB1; v += (g*g - v) * oneMinusB2; p -= lrT * m / (sqrt(v) + eps),
// with lrT read from step[2] (written by jrnn_adam_step just before); skipped when the guard (nullable) is set.
// args: (long long n, float* p, const float* g, float* m, float* v, const float* step, float oneMinusB1,
//        float oneMinusB2, float eps, const float* guard)
extern "C" __global__ void jrnn_adam_t(long long n, float* __restrict__ p, const float* __restrict__ g,
                                       float* __restrict__ m, float* __restrict__ v, const float* __restrict__ step,
                                       float oneMinusB1, float oneMinusB2, float eps, const float* guard) {
    if (guard != nullptr && *guard != 0.0f) return;
    const float lrT = step[2];
    JRNN_GRID_STRIDE(i, n) {
        const float gi = g[i];
        const float mi = m[i] + (gi - m[i]) * oneMinusB1;
        const float vi = v[i] + (gi * gi - v[i]) * oneMinusB2;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lrT * mi / (sqrtf(vi) + eps);
    }
}

// SGD as Keras, skipped when the guard (nullable) is set. velocity == 0: p -= lr * g. Otherwise
// v = momentum * v - lr * g, then p += v, or with nesterov p += momentum * v - lr * g.
// args: (long long n, float* p, const float* g, float* velocity (nullable), float lr, float momentum,
//        int nesterov, const float* guard)
extern "C" __global__ void jrnn_sgd_guarded(long long n, float* __restrict__ p, const float* __restrict__ g,
                                            float* __restrict__ velocity, float lr, float momentum, int nesterov,
                                            const float* guard) {
    if (guard != nullptr && *guard != 0.0f) return;
    JRNN_GRID_STRIDE(i, n) {
        const float gi = g[i];
        if (velocity == nullptr) {
            p[i] -= lr * gi;
        } else {
            const float vi = momentum * velocity[i] - lr * gi;
            velocity[i] = vi;
            p[i] += nesterov ? momentum * vi - lr * gi : vi;
        }
    }
}

// NaN guard: when *guard == 0 and some x[i] is NaN or infinite, *guard = code (the first failure sticks:
// compare-and-swap from 0). One flag write per block at most. (No early exit on a set guard: other blocks
// of this launch may set it while a block runs, and every thread must reach __syncthreads_or.)
// args: (long long n, const float* x, float code, float* guard)
extern "C" __global__ void jrnn_finite_guard(long long n, const float* __restrict__ x, float code, float* guard) {
    bool bad = false;
    JRNN_GRID_STRIDE(i, n) bad |= !isfinite(x[i]);
    if (__syncthreads_or(bad) && threadIdx.x == 0) atomicCAS((int*)guard, 0, __float_as_int(code));
}

// dst[i] = src[i] for i < n when *guard != 0 (undoes an update that made the weights non-finite).
// args: (long long n, const float* guard, const float* src, float* dst)
extern "C" __global__ void jrnn_copy_if(long long n, const float* guard, const float* __restrict__ src,
                                        float* __restrict__ dst) {
    if (*guard == 0.0f) return;
    JRNN_GRID_STRIDE(i, n) dst[i] = src[i];
}

// Optimizers RMSprop, Adagrad, AdamW, Nadam, Adamax, Adadelta and Lion as Keras 3 (kind codes: dev.jrnn.backend.OptimizerArgs.Kind#code()).
#define JRNN_OPT_RMSPROP 0
#define JRNN_OPT_ADAGRAD 1
#define JRNN_OPT_ADAMW 2
#define JRNN_OPT_NADAM 3
#define JRNN_OPT_ADAMAX 4
#define JRNN_OPT_ADADELTA 5
#define JRNN_OPT_LION 6

// Nadam's u_product at step t: prod_{s=1..t} beta1 (1 - 0.5 * 0.96^s), in double, as
// dev.jrnn.backend.cpu.CpuTraining#nadamProduct. Past s = 1100 the factor is beta1 in double (0.96^1100 < 1e-19).
__device__ __forceinline__ double jrnn_nadam_product(double beta1, long long t) {
    double u = 1.0, d = 1.0;
    const long long k = t < 1100 ? t : 1100;
    for (long long s = 1; s <= k; s++) {
        d *= 0.96;
        u *= beta1 * (1.0 - 0.5 * d);
    }
    if (t > k) u *= pow(beta1, (double)(t - k));
    return u;
}

// Advances the step counter t (step[0..1]) and writes the step's coefficients into step[2..4] (double math, as
// CpuTraining computes them): AdamW step[2] = lr sqrt(1 - b2^t) / (1 - b1^t); Adamax step[2] = lr / (1 - b1^t); Nadam step[2] = u_{t+1} / (1 - U_{t+1}),
// step[3] = (1 - u_t) / (1 - U_t), step[4] = 1 / (1 - b2^t) with u_s = b1 (1 - 0.5 * 0.96^s), U_t = prod u_s.
// One thread; nothing happens when the guard (nullable) is set.
// args: (int kind, float* step, float lr, float beta1, float beta2, const float* guard)
extern "C" __global__ void jrnn_opt_step(int kind, float* step, float lr, float beta1, float beta2, const float* guard) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    if (guard != nullptr && *guard != 0.0f) return;
    const long long t = jrnn_counter_get(step) + 1;
    jrnn_counter_set(step, t);
    const double td = (double)t, b1 = (double)beta1, b2 = (double)beta2;
    if (kind == JRNN_OPT_ADAMW) {
        step[2] = (float)((double)lr * sqrt(1.0 - pow(b2, td)) / (1.0 - pow(b1, td)));
    } else if (kind == JRNN_OPT_ADAMAX) {
        step[2] = (float)((double)lr / (1.0 - pow(b1, td)));
    } else if (kind == JRNN_OPT_NADAM) {
        const double ut = b1 * (1.0 - 0.5 * pow(0.96, td)), ut1 = b1 * (1.0 - 0.5 * pow(0.96, td + 1.0));
        const double prod = jrnn_nadam_product(b1, t), prod1 = prod * ut1;
        step[2] = (float)(ut1 / (1.0 - prod1));
        step[3] = (float)((1.0 - ut) / (1.0 - prod));
        step[4] = (float)(1.0 / (1.0 - pow(b2, td)));
    }
}

// One update of p[0, n) from g, skipped when the guard (nullable) is set. First Keras' weight decay
// p -= p * wd * lr (wd 0: none), then by kind (h1, h2 below; s1..s3 the state, step the coefficients of jrnn_opt_step):
//   RMSPROP  h1 = rho, h2 = momentum: s1 = rho s1 + (1 - rho) g^2; centered (s3 non-null): s3 = rho s3 + (1 - rho) g,
//            inc = lr g / sqrt(s1 - s3^2 + eps), else inc = lr g / sqrt(s1 + eps); momentum (s2 non-null):
//            s2 = h2 s2 + inc, p -= s2; else p -= inc
//   ADAGRAD  s1 += g^2; p -= lr g / sqrt(s1 + eps)
//   ADAMW    h1 = beta1, h2 = beta2: s1 += (g - s1)(1 - h1); s2 += (g^2 - s2)(1 - h2); p -= step[2] s1 / (sqrt(s2) + eps);
//            amsgrad (s3 non-null): s3 = max(s3, s2), p -= step[2] s1 / (sqrt(s3) + eps)
//   NADAM    as AdamW's moments; p -= lr m_hat / (sqrt(s2 step[4]) + eps), m_hat = step[2] s1 + step[3] g
//   ADAMAX   s1 += (g - s1)(1 - h1); s2 = max(h2 s2, |g|); p -= step[2] s1 / (s2 + eps)
//   ADADELTA h1 = rho: s1 = rho s1 + (1 - rho) g^2; d = -sqrt(s2 + eps) g / sqrt(s1 + eps); s2 = rho s2 + (1 - rho) d^2;
//            p += lr d
//   LION     h1 = beta1, h2 = beta2: p -= lr sign(h1 s1 + (1 - h1) g) (sign of 0 is 0, of NaN NaN); s1 = h2 s1 + (1 - h2) g
// args: (int kind, long long n, float* p, const float* g, float* s1, float* s2, float* s3, const float* step,
//        float lr, float h1, float h2, float eps, float wd, const float* guard)
extern "C" __global__ void jrnn_opt_update(int kind, long long n, float* __restrict__ p, const float* __restrict__ g,
                                           float* __restrict__ s1, float* __restrict__ s2, float* __restrict__ s3,
                                           const float* __restrict__ step, float lr, float h1, float h2, float eps,
                                           float wd, const float* guard) {
    if (guard != nullptr && *guard != 0.0f) return;
    float c0 = 0.0f, c1 = 0.0f, c2 = 0.0f;
    if (kind == JRNN_OPT_ADAMW || kind == JRNN_OPT_NADAM || kind == JRNN_OPT_ADAMAX) {
        c0 = step[2];
        c1 = step[3];
        c2 = step[4];
    }
    JRNN_GRID_STRIDE(i, n) {
        const float gi = g[i];
        float pi = p[i];
        if (wd != 0.0f) pi = pi - pi * wd * lr;
        switch (kind) {
            case JRNN_OPT_RMSPROP: {
                const float v = h1 * s1[i] + (1.0f - h1) * (gi * gi);
                s1[i] = v;
                float den = v + eps;
                if (s3 != nullptr) {
                    const float a = h1 * s3[i] + (1.0f - h1) * gi;
                    s3[i] = a;
                    den = v - a * a + eps;
                }
                const float inc = lr * gi / sqrtf(den);
                if (s2 != nullptr) {
                    const float m = h2 * s2[i] + inc;
                    s2[i] = m;
                    pi -= m;
                } else {
                    pi -= inc;
                }
                break;
            }
            case JRNN_OPT_ADAGRAD: {
                const float acc = s1[i] + gi * gi;
                s1[i] = acc;
                pi -= lr * gi / sqrtf(acc + eps);
                break;
            }
            case JRNN_OPT_LION: {
                const float c = h1 * s1[i] + (1.0f - h1) * gi;
                pi -= lr * (c > 0.0f ? 1.0f : (c < 0.0f ? -1.0f : c));
                s1[i] = h2 * s1[i] + (1.0f - h2) * gi;
                break;
            }
            case JRNN_OPT_ADADELTA: {
                const float ag = h1 * s1[i] + (1.0f - h1) * (gi * gi);
                s1[i] = ag;
                const float d = -(sqrtf(s2[i] + eps) * gi) / sqrtf(ag + eps);
                s2[i] = h1 * s2[i] + (1.0f - h1) * (d * d);
                pi += lr * d;
                break;
            }
            case JRNN_OPT_ADAMAX: {
                const float m = s1[i] + (gi - s1[i]) * (1.0f - h1);
                const float u = fmaxf(h2 * s2[i], fabsf(gi));
                s1[i] = m;
                s2[i] = u;
                pi -= c0 * m / (u + eps);
                break;
            }
            default: {  // ADAMW, NADAM
                const float m = s1[i] + (gi - s1[i]) * (1.0f - h1);
                const float v = s2[i] + (gi * gi - s2[i]) * (1.0f - h2);
                s1[i] = m;
                s2[i] = v;
                if (kind == JRNN_OPT_ADAMW) {
                    float vh = v;
                    if (s3 != nullptr) {   // amsgrad: the largest v so far
                        vh = (v != v || s3[i] != s3[i]) ? v + s3[i] : fmaxf(s3[i], v);   // a NaN wins, as the CPU's Math.max
                        s3[i] = vh;
                    }
                    pi -= c0 * m / (sqrtf(vh) + eps);
                } else {
                    pi -= (c0 * m + c1 * gi) * lr / (sqrtf(v * c2) + eps);
                }
                break;
            }
        }
        p[i] = pi;
    }
}

// LayerNormalization's inverse deviation: y[i] = 1 / sqrt(x[i] + eps) (y may alias x).
// args: (long long n, float eps, const float* x, float* y)
extern "C" __global__ void jrnn_rsqrt(long long n, float eps, const float* x, float* y) {
    JRNN_GRID_STRIDE(i, n) y[i] = rsqrtf(x[i] + eps);
}
