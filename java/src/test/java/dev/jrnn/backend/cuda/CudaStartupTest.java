package dev.jrnn.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** CudaBackend.create() (CudaStartup) on machines without CUDA: a clear RuntimeException, never a crash. */
class CudaStartupTest {

    @Test
    void createWithoutCudaThrowsAClearException() {
        assumeFalse(CudaDriver.isAvailable(), "this machine has a CUDA device");
        RuntimeException e = assertThrows(RuntimeException.class, CudaBackend::create);
        String m = e.getMessage();
        assertTrue(m.startsWith("CUDA driver not found (libcuda.so.1)") || m.startsWith("no CUDA device")
                        || m.startsWith("CUDA driver initialisation failed"),
                "unclear message: " + m);
        // A second attempt reports the same, it does not crash or hang.
        RuntimeException again = assertThrows(RuntimeException.class, CudaBackend::create);
        assertEquals(m.substring(0, 20), again.getMessage().substring(0, 20));
    }

    @Test
    void driverFailuresAreNamed() {
        assertTrue(CudaStartup.driverFailure(new CudaException("dlopen", CudaException.NOT_A_CUDA_CODE,
                "LIBRARY_NOT_FOUND", "libcuda.so.1: cannot open shared object file"))
                .startsWith("CUDA driver not found (libcuda.so.1): "));
        assertTrue(CudaStartup.driverFailure(new CudaException("cuInit", 100, "CUDA_ERROR_NO_DEVICE"))
                .startsWith("no CUDA device: cuInit failed: CUDA_ERROR_NO_DEVICE (100)"));
        assertTrue(CudaStartup.driverFailure(new CudaException("cuInit", 999, "CUDA_ERROR_UNKNOWN"))
                .startsWith("CUDA driver initialisation failed: "));
        assertTrue(CudaStartup.driverFailure(new CudaException("CUDA driver initialization", CudaException.NOT_A_CUDA_CODE,
                "INITIALIZATION_FAILED", "native access refused")).startsWith("CUDA driver initialisation failed: "));
    }
}
