package dev.jrnn.backend.cuda;

/**
 * The kernels of {@code kernels/train.cu} (device-side training-step primitives), resolved from the same
 * module as {@link CudaKernels}: one typed {@link Kernel} launcher per kernel, its handle below it. The kernel's
 * comment in train.cu gives the full contract.
 */
final class TrainKernels extends KernelModule {
    TrainKernels(CudaDriver d, long module) {
        super(d, module);
    }

    /** mask[r] = 1 when some x[r, c] != maskValue (NaN counts as different), else 0; one thread per row. (train.cu) */
    @Kernel("jrnn_mask_from_values")
    void maskFromValues(Grid grid, int rows, int cols, @Ptr long x, float maskValue, @Ptr long mask) {
        launch(maskFromValues, grid, rows, cols, x, maskValue, mask);
    }
    private final long maskFromValues = fn("jrnn_mask_from_values");

    /** y[r, c] = x[r, c] * s[r] (y may alias x). (train.cu) */
    @Kernel("jrnn_mul_rows")
    void mulRows(Grid grid, int rows, int cols, @Ptr long x, @Ptr long s, @Ptr long y) {
        launch(mulRows, grid, rows, cols, x, s, y);
    }
    private final long mulRows = fn("jrnn_mul_rows");

    /** y[r, c] = s[r] == 0 ? 0 : x[r, c] * s[r] (y may alias x). (train.cu) */
    @Kernel("jrnn_masked_mul_rows")
    void maskedMulRows(Grid grid, int rows, int cols, @Ptr long x, @Ptr long s, @Ptr long y) {
        launch(maskedMulRows, grid, rows, cols, x, s, y);
    }
    private final long maskedMulRows = fn("jrnn_masked_mul_rows");

    /** y[b, f] = max over t of x[b, t, f] for [batch, steps, features] x (steps &gt;= 1; a NaN wins); one thread per (b, f). (train.cu) */
    @Kernel("jrnn_max_over_steps")
    void maxOverSteps(Grid grid, int batch, int steps, int features, @Ptr long x, @Ptr long y) {
        launch(maxOverSteps, grid, batch, steps, features, x, y);
    }
    private final long maxOverSteps = fn("jrnn_max_over_steps");

    /** dx[b, t, f] = dy[b, f] / k where x[b, t, f] == y[b, f] (k such steps), else 0; one thread per (b, f). (train.cu) */
    @Kernel("jrnn_max_over_steps_bwd")
    void maxOverStepsBackward(Grid grid, int batch, int steps, int features, @Ptr long x, @Ptr long y, @Ptr long dy, @Ptr long dx) {
        launch(maxOverStepsBackward, grid, batch, steps, features, x, y, dy, dx);
    }
    private final long maxOverStepsBackward = fn("jrnn_max_over_steps_bwd");

    /** dx[b, t, f] = dy[b, f] at the first t with x[b, t, f] == y[b, f], else 0; one thread per (b, f). (train.cu) */
    @Kernel("jrnn_max_over_steps_first_bwd")
    void maxOverStepsFirstBackward(Grid grid, int batch, int steps, int features, @Ptr long x, @Ptr long y, @Ptr long dy, @Ptr long dx) {
        launch(maxOverStepsFirstBackward, grid, batch, steps, features, x, y, dy, dx);
    }
    private final long maxOverStepsFirstBackward = fn("jrnn_max_over_steps_first_bwd");

    /** Dropout keep mask of call c = counter value: out[i] = u_i &gt;= rate ? 1 / (1 - rate) : 0 with (train.cu) */
    @Kernel("jrnn_dropout_mask")
    void dropoutMask(Grid grid, long n, float rate, long seed, @Ptr long counter, @Ptr long out) {
        launch(dropoutMask, grid, n, rate, seed, counter, out);
    }
    private final long dropoutMask = fn("jrnn_dropout_mask");

    /** out[i] = mean + stddev * z_i, z_i = CounterRng.normal(base of call c, i) in double. (train.cu) */
    @Kernel("jrnn_normal_noise")
    void normalNoise(Grid grid, long n, float mean, float stddev, long seed, @Ptr long counter, @Ptr long out) {
        launch(normalNoise, grid, n, mean, stddev, seed, counter, out);
    }
    private final long normalNoise = fn("jrnn_normal_noise");

    /** counter += 1 (one thread). (train.cu) */
    @Kernel("jrnn_counter_add")
    void counterAdd(Grid grid, @Ptr long counter) {
        launch(counterAdd, grid, counter);
    }
    private final long counterAdd = fn("jrnn_counter_add");

    /** out[i] = ids[i] when it is an integer in [0, vocab), else -1. A bad id lowers *slot to (train.cu) */
    @Kernel("jrnn_check_ids")
    void checkIds(Grid grid, long n, @Ptr long ids, int vocab, @Ptr long out, @Ptr long slot) {
        launch(checkIds, grid, n, ids, vocab, out, slot);
    }
    private final long checkIds = fn("jrnn_check_ids");

    /** *out = (float)(*acc / rows): the mean loss as CudaBackend.loss returns it, left on the device. (train.cu) */
    @Kernel("jrnn_loss_finish")
    void lossFinish(Grid grid, @Ptr long acc, int rows, @Ptr long out) {
        launch(lossFinish, grid, acc, rows, out);
    }
    private final long lossFinish = fn("jrnn_loss_finish");

    /** partial[blockIdx.x] = sum over this block's grid-stride elements of x[i] (squares != 0: x[i]^2), in double. (train.cu) */
    @Kernel("jrnn_sum_partial")
    void sumPartial(Grid grid, long n, @Ptr long x, int squares, @Ptr long partial) {
        launch(sumPartial, grid, n, x, squares, partial);
    }
    private final long sumPartial = fn("jrnn_sum_partial");

    /** S = sum of the parts partials (each block adds them in the same order). mode 0 (scale-to-sum): (train.cu) */
    @Kernel("jrnn_scale_by_sum")
    void scaleBySum(Grid grid, int parts, @Ptr long partial, int mode, double param, long n, @Ptr long x) {
        launch(scaleBySum, grid, parts, partial, mode, param, n, x);
    }
    private final long scaleBySum = fn("jrnn_scale_by_sum");

    /** Advances Adam's step counter t (step[0..1]) and stores lrT = lr * sqrt(1 - b2^t) / (1 - b1^t) (double math, (train.cu) */
    @Kernel("jrnn_adam_step")
    void adamStep(Grid grid, @Ptr long step, float lr, float beta1, float beta2, @Ptr long guard) {
        launch(adamStep, grid, step, lr, beta1, beta2, guard);
    }
    private final long adamStep = fn("jrnn_adam_step");

    /** Adam as Keras: m += (g - m) * oneMinusB1; v += (g*g - v) * oneMinusB2; p -= lrT * m / (sqrt(v) + eps), (train.cu) */
    @Kernel("jrnn_adam_t")
    void adamT(Grid grid, long n, @Ptr long p, @Ptr long g, @Ptr long m, @Ptr long v, @Ptr long step, float oneMinusB1, float oneMinusB2, float eps, @Ptr long guard) {
        launch(adamT, grid, n, p, g, m, v, step, oneMinusB1, oneMinusB2, eps, guard);
    }
    private final long adamT = fn("jrnn_adam_t");

    /** SGD as Keras, skipped when the guard (nullable) is set. velocity == 0: p -= lr * g. Otherwise (train.cu) */
    @Kernel("jrnn_sgd_guarded")
    void sgdGuarded(Grid grid, long n, @Ptr long p, @Ptr long g, @Ptr long velocity, float lr, float momentum, int nesterov, @Ptr long guard) {
        launch(sgdGuarded, grid, n, p, g, velocity, lr, momentum, nesterov, guard);
    }
    private final long sgdGuarded = fn("jrnn_sgd_guarded");

    /** NaN guard: when *guard == 0 and some x[i] is NaN or infinite, *guard = code (the first failure sticks: (train.cu) */
    @Kernel("jrnn_finite_guard")
    void finiteGuard(Grid grid, long n, @Ptr long x, float code, @Ptr long guard) {
        launch(finiteGuard, grid, n, x, code, guard);
    }
    private final long finiteGuard = fn("jrnn_finite_guard");

    /** dst[i] = src[i] for i &lt; n when *guard != 0 (undoes an update that made the weights non-finite). (train.cu) */
    @Kernel("jrnn_copy_if")
    void copyIf(Grid grid, long n, @Ptr long guard, @Ptr long src, @Ptr long dst) {
        launch(copyIf, grid, n, guard, src, dst);
    }
    private final long copyIf = fn("jrnn_copy_if");

    /** Advances the optimizer step counter and writes AdamW's / Nadam's / Adamax's step coefficients into step[2..4]. (train.cu) */
    @Kernel("jrnn_opt_step")
    void optStep(Grid grid, int kind, @Ptr long step, float lr, float beta1, float beta2, @Ptr long guard) {
        launch(optStep, grid, kind, step, lr, beta1, beta2, guard);
    }
    private final long optStep = fn("jrnn_opt_step");

    /** One RMSprop / Adagrad / AdamW / Nadam / Adamax / Adadelta / Lion update of p[0, n), skipped when the guard is set. (train.cu) */
    @Kernel("jrnn_opt_update")
    void optUpdate(Grid grid, int kind, long n, @Ptr long p, @Ptr long g, @Ptr long s1, @Ptr long s2, @Ptr long s3,
                   @Ptr long step, float lr, float h1, float h2, float eps, float wd, @Ptr long guard) {
        launch(optUpdate, grid, kind, n, p, g, s1, s2, s3, step, lr, h1, h2, eps, wd, guard);
    }
    private final long optUpdate = fn("jrnn_opt_update");

    /** y[i] = 1 / sqrt(x[i] + eps) (LayerNormalization). (train.cu) */
    @Kernel("jrnn_rsqrt")
    void rsqrt(Grid grid, long n, float eps, @Ptr long x, @Ptr long y) {
        launch(rsqrt, grid, n, eps, x, y);
    }
    private final long rsqrt = fn("jrnn_rsqrt");
}
