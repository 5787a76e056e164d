package dev.jrnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Driver behaviour that can be checked on any machine. */
class CudaDriverTest {

    private static boolean libcudaLoads() {
        try {
            NativeLib.open(CudaLibraries.CUDA_SONAME, false);
            return true;
        } catch (CudaException e) {
            return false;
        }
    }

    @Test
    void withoutLibcudaGetThrowsCudaExceptionAndIsAvailableIsFalse() {
        Assumptions.assumeFalse(libcudaLoads(), "libcuda.so.1 is present here");
        assertFalse(CudaDriver.isAvailable());
        CudaException e = assertThrows(CudaException.class, CudaDriver::get);
        assertEquals("LIBRARY_NOT_FOUND", e.errorName());
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
        // Asked again: the same answer, a fresh exception, still no crash.
        CudaException again = assertThrows(CudaException.class, CudaDriver::get);
        assertEquals(e.getMessage(), again.getMessage());
    }

    @Test
    void isAvailableNeverThrowsAndAgreesWithGet() {
        boolean available = CudaDriver.isAvailable();
        if (available) {
            assertTrue(CudaDriver.get().multiprocessorCount() > 0);
        } else {
            assertThrows(CudaException.class, CudaDriver::get);
        }
    }

    @Test
    void deviceOrdinalIsCheckedAgainstTheDeviceCount() {
        assertEquals(0, CudaDriver.deviceOrdinal(0, 2));
        assertEquals(1, CudaDriver.deviceOrdinal(1, 2));
        CudaException tooBig = assertThrows(CudaException.class, () -> CudaDriver.deviceOrdinal(2, 2));
        assertEquals("CUDA_ERROR_INVALID_DEVICE", tooBig.errorName());
        assertTrue(tooBig.getMessage().contains("JRNN_CUDA_DEVICE=2 but the driver sees 2 device(s)"), tooBig.getMessage());
        CudaException none = assertThrows(CudaException.class, () -> CudaDriver.deviceOrdinal(0, 0));
        assertEquals(100, none.code());
        assertEquals("CUDA_ERROR_NO_DEVICE", none.errorName());
    }

    @Test
    void gemmArgumentChecksNameTheBadStride() {
        Cublas.checkGemm("gemm", false, false, 2, 3, 4, 4, 3, 3);
        Cublas.checkGemm("gemm", true, true, 2, 3, 4, 2, 4, 3);
        IllegalArgumentException lda = assertThrows(IllegalArgumentException.class,
                () -> Cublas.checkGemm("gemm", false, false, 2, 3, 4, 3, 3, 3));
        assertTrue(lda.getMessage().contains("lda must be >= 4"), lda.getMessage());
        IllegalArgumentException ldaT = assertThrows(IllegalArgumentException.class,
                () -> Cublas.checkGemm("gemm", true, false, 2, 3, 4, 1, 3, 3));
        assertTrue(ldaT.getMessage().contains("lda must be >= 2 (A stored [k, m])"), ldaT.getMessage());
        IllegalArgumentException ldb = assertThrows(IllegalArgumentException.class,
                () -> Cublas.checkGemm("gemm", false, true, 2, 3, 4, 4, 3, 3));
        assertTrue(ldb.getMessage().contains("ldb must be >= 4 (B stored [n, k])"), ldb.getMessage());
        IllegalArgumentException ldc = assertThrows(IllegalArgumentException.class,
                () -> Cublas.checkGemm("gemm", false, false, 2, 3, 4, 4, 3, 2));
        assertTrue(ldc.getMessage().contains("ldc must be >= 3"), ldc.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cublas.checkGemm("gemm", false, false, -1, 3, 4, 4, 3, 3));
    }
}
