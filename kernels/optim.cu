// Optimizer updates over flat parameter / gradient / moment buffers: one launch updates every
// parameter of a model. Argument conventions: common.cuh.
#include "common.cuh"

// Adam as Keras: m += (g - m) * oneMinusB1; v += (g*g - v) * oneMinusB2; p -= lrT * m / (sqrt(v) + eps),
// with lrT = lr * sqrt(1 - b2^t) / (1 - b1^t) computed on the host.
// args: (long long n, float* p, const float* g, float* m, float* v, float lrT, float oneMinusB1,
//        float oneMinusB2, float eps)
extern "C" __global__ void jrnn_adam(long long n, float* __restrict__ p, const float* __restrict__ g,
                                     float* __restrict__ m, float* __restrict__ v, float lrT, float oneMinusB1,
                                     float oneMinusB2, float eps) {
    JRNN_GRID_STRIDE(i, n) {
        const float gi = g[i];
        const float mi = m[i] + (gi - m[i]) * oneMinusB1;
        const float vi = v[i] + (gi * gi - v[i]) * oneMinusB2;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lrT * mi / (sqrtf(vi) + eps);
    }
}

// SGD as Keras. velocity == 0: p -= lr * g. Otherwise v = momentum * v - lr * g, then
// p += v, or with nesterov p += momentum * v - lr * g.
// args: (long long n, float* p, const float* g, float* velocity (nullable), float lr, float momentum,
//        int nesterov)
extern "C" __global__ void jrnn_sgd(long long n, float* __restrict__ p, const float* __restrict__ g,
                                    float* __restrict__ velocity, float lr, float momentum, int nesterov) {
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
