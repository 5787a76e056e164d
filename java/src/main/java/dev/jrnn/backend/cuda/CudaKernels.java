package dev.jrnn.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The jrnn kernels ({@code kernels/*.cu}, built by {@code native/build.sh} into the classpath resource
 * {@value #RESOURCE}): loads the fatbin as one module and resolves every function once.
 * Each field is a {@code CUfunction} handle; the argument lists are documented at each kernel.
 */
final class CudaKernels {
    /** Where the build puts the fatbin (inside the jar / target/classes). */
    static final String RESOURCE = "/dev/jrnn/backend/cuda/jrnn_kernels.fatbin";
    /** First four bytes of a CUDA fatbin container, little-endian. */
    static final int FATBIN_MAGIC = 0xBA55ED50;

    /** Every kernel CudaBackend launches, in field order. */
    static final List<String> NAMES = List.of(
            "jrnn_fill", "jrnn_copy", "jrnn_copy2d", "jrnn_transpose01", "jrnn_axpy", "jrnn_scale",
            "jrnn_scale2d", "jrnn_mul", "jrnn_add_row_vector", "jrnn_sum_rows_partial", "jrnn_sum_rows_finish",
            "jrnn_activate", "jrnn_activate_bwd", "jrnn_softmax_rows", "jrnn_softmax_rows_bwd", "jrnn_clip",
            "jrnn_rnn_step_fwd", "jrnn_rnn_step_bwd", "jrnn_lstm_step_fwd", "jrnn_lstm_step_bwd",
            "jrnn_gru_step_fwd", "jrnn_gru_step_bwd",
            "jrnn_gather_rows", "jrnn_scatter_add_rows", "jrnn_loss");

    final long module;
    final long fill, copy, copy2d, transpose01, axpy, scale, scale2d, mul, addRowVector, sumRowsPartial,
            sumRowsFinish, activate, activateBwd, softmaxRows, softmaxRowsBwd, clip,
            rnnFwd, rnnBwd, lstmFwd, lstmBwd, gruFwd, gruBwd, gatherRows, scatterAddRows, loss;

    CudaKernels(CudaDriver d, byte[] fatbin) {
        module = d.moduleLoadFatbin(fatbin);
        long[] f = new long[NAMES.size()];
        for (int i = 0; i < f.length; i++) f[i] = d.function(module, NAMES.get(i));
        int i = 0;
        fill = f[i++]; copy = f[i++]; copy2d = f[i++]; transpose01 = f[i++]; axpy = f[i++]; scale = f[i++];
        scale2d = f[i++]; mul = f[i++]; addRowVector = f[i++]; sumRowsPartial = f[i++]; sumRowsFinish = f[i++];
        activate = f[i++]; activateBwd = f[i++]; softmaxRows = f[i++]; softmaxRowsBwd = f[i++]; clip = f[i++];
        rnnFwd = f[i++]; rnnBwd = f[i++]; lstmFwd = f[i++]; lstmBwd = f[i++]; gruFwd = f[i++]; gruBwd = f[i++];
        gatherRows = f[i++]; scatterAddRows = f[i++]; loss = f[i++];
    }

    /** The fatbin bytes from the classpath, or null when the build had no nvcc. */
    static byte[] loadResource() {
        try (InputStream in = CudaKernels.class.getResourceAsStream(RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /** Whether {@code image} starts with the fatbin magic 0xBA55ED50 (stored little-endian). */
    static boolean isFatbin(byte[] image) {
        if (image == null || image.length < 16) return false;
        int m = (image[0] & 0xff) | (image[1] & 0xff) << 8 | (image[2] & 0xff) << 16 | (image[3] & 0xff) << 24;
        return m == FATBIN_MAGIC;
    }
}
