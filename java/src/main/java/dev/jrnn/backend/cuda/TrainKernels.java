package dev.jrnn.backend.cuda;

import java.util.List;

/**
 * The kernels of {@code kernels/train.cu} (device-side training-step primitives), resolved from the same
 * module as {@link CudaKernels}. Argument lists are documented at each kernel.
 */
final class TrainKernels {
    /** Every kernel of kernels/train.cu, in field order. */
    static final List<String> NAMES = List.of(
            "jrnn_mask_from_values", "jrnn_mul_rows", "jrnn_dropout_mask", "jrnn_counter_add", "jrnn_check_ids",
            "jrnn_loss_finish", "jrnn_sum_partial", "jrnn_scale_by_sum", "jrnn_adam_step", "jrnn_adam_t",
            "jrnn_sgd_guarded", "jrnn_finite_guard", "jrnn_copy_if", "jrnn_opt_step", "jrnn_opt_update", "jrnn_rsqrt");

    final long maskFromValues, mulRows, dropoutMask, counterAdd, checkIds, lossFinish, sumPartial, scaleBySum,
            adamStep, adamT, sgdGuarded, finiteGuard, copyIf, optStep, optUpdate, rsqrt;

    TrainKernels(CudaDriver d, long module) {
        long[] f = new long[NAMES.size()];
        for (int i = 0; i < f.length; i++) f[i] = d.function(module, NAMES.get(i));
        int i = 0;
        maskFromValues = f[i++]; mulRows = f[i++]; dropoutMask = f[i++]; counterAdd = f[i++]; checkIds = f[i++];
        lossFinish = f[i++]; sumPartial = f[i++]; scaleBySum = f[i++]; adamStep = f[i++]; adamT = f[i++];
        sgdGuarded = f[i++]; finiteGuard = f[i++]; copyIf = f[i++]; optStep = f[i++]; optUpdate = f[i++]; rsqrt = f[i++];
    }
}
