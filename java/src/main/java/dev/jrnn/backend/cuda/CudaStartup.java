package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Settings;

/**
 * What {@link CudaBackend#create(Settings)} checks before it makes a backend: the CUDA driver, the kernels' fatbin in
 * the jar and cuBLAS, each failure an IllegalStateException that says what is missing and how to supply it.
 */
final class CudaStartup {
    private CudaStartup() {}

    static CudaBackend create(Settings settings) {
        if (settings == null) throw new IllegalArgumentException("CudaBackend.create: settings is null");
        CudaDriver d;
        try {
            d = CudaDriver.get();
        } catch (CudaException e) {
            throw new IllegalStateException(driverFailure(e), e);
        } catch (LinkageError e) {
            throw new IllegalStateException("CUDA driver not found (libcuda.so.1): " + e, e);
        }
        byte[] fatbin = CudaKernels.loadResource();
        if (fatbin == null) {
            throw new IllegalStateException("CUDA kernels not built (no nvcc at build time): the resource "
                    + CudaKernels.RESOURCE + " is missing; rebuild jrnn with the CUDA toolkit's nvcc on PATH");
        }
        if (!CudaKernels.isFatbin(fatbin)) {
            throw new IllegalStateException("CUDA kernels resource " + CudaKernels.RESOURCE
                    + " is not a CUDA fatbin (bad header): rebuild jrnn");
        }
        Cublas cb;
        try {
            cb = Cublas.load(d);
        } catch (CudaException e) {
            throw new IllegalStateException(
                    (e.code() == CudaException.NOT_A_CUDA_CODE ? "cuBLAS not found: " : "cuBLAS failed: ")
                            + e.getMessage() + " (set JRNN_CUBLAS=/path/to/libcublas.so.13 to point at it)", e);
        }
        return new CudaBackend(d, cb, fatbin, settings);
    }

    static String driverFailure(CudaException e) {
        if ("LIBRARY_NOT_FOUND".equals(e.errorName())) return "CUDA driver not found (libcuda.so.1): " + e.getMessage();
        if ("CUDA_ERROR_NO_DEVICE".equals(e.errorName())) return "no CUDA device: " + e.getMessage();
        return "CUDA driver initialisation failed: " + e.getMessage();
    }
}
