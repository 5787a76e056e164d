package dev.jrnn.backend.cuda;

/**
 * The kernels of {@code kernels/normalization.cu} (the normalization layers' operations), resolved from the same
 * module as {@link CudaKernels}: one typed {@link Kernel} launcher per kernel, its handle below it.
 */
final class NormKernels extends KernelModule {
    NormKernels(CudaDriver d, long module) {
        super(d, module);
    }

    /** y[r, c] = x[r, c] * v[c] for [rows, cols] x (y may alias x). (normalization.cu) */
    @Kernel("jrnn_mul_row_vector")
    void mulRowVector(Grid grid, int rows, int cols, @Ptr long x, @Ptr long v, @Ptr long y) {
        launch(mulRowVector, grid, rows, cols, x, v, y);
    }
    private final long mulRowVector = fn("jrnn_mul_row_vector");
}
