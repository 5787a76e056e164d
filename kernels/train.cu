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

// LayerNormalization's inverse deviation: y[i] = 1 / sqrt(x[i] + eps) (y may alias x).
// args: (long long n, float eps, const float* x, float* y)
extern "C" __global__ void jrnn_rsqrt(long long n, float eps, const float* x, float* y) {
    JRNN_GRID_STRIDE(i, n) y[i] = rsqrtf(x[i] + eps);
}
