package dev.jrnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CudaErrorsTest {

    @Test
    void driverCodesMapToCudaHNames() {
        assertEquals("CUDA_SUCCESS", CudaErrors.driverName(0));
        assertEquals("CUDA_ERROR_INVALID_VALUE", CudaErrors.driverName(1));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaErrors.driverName(2));
        assertEquals("CUDA_ERROR_NOT_INITIALIZED", CudaErrors.driverName(3));
        assertEquals("CUDA_ERROR_STUB_LIBRARY", CudaErrors.driverName(34));
        assertEquals("CUDA_ERROR_NO_DEVICE", CudaErrors.driverName(100));
        assertEquals("CUDA_ERROR_INVALID_IMAGE", CudaErrors.driverName(200));
        assertEquals("CUDA_ERROR_NO_BINARY_FOR_GPU", CudaErrors.driverName(209));
        assertEquals("CUDA_ERROR_INVALID_PTX", CudaErrors.driverName(218));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", CudaErrors.driverName(222));
        assertEquals("CUDA_ERROR_INVALID_HANDLE", CudaErrors.driverName(400));
        assertEquals("CUDA_ERROR_NOT_FOUND", CudaErrors.driverName(500));
        assertEquals("CUDA_ERROR_NOT_READY", CudaErrors.driverName(600));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", CudaErrors.driverName(700));
        assertEquals("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", CudaErrors.driverName(701));
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", CudaErrors.driverName(719));
        assertEquals("CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE", CudaErrors.driverName(720));
        assertEquals("CUDA_ERROR_NOT_SUPPORTED", CudaErrors.driverName(801));
        assertEquals("CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED", CudaErrors.driverName(900));
        assertEquals("CUDA_ERROR_STREAM_CAPTURE_IMPLICIT", CudaErrors.driverName(906));
        assertEquals("CUDA_ERROR_STREAM_DETACHED", CudaErrors.driverName(917));
        assertEquals("CUDA_ERROR_UNKNOWN", CudaErrors.driverName(999));
    }

    @Test
    void unknownCodesAreNamedWithTheirNumber() {
        assertEquals("CUDA_ERROR_UNRECOGNIZED_12345", CudaErrors.driverName(12345));
        assertFalse(CudaErrors.isKnownDriverCode(12345));
        assertTrue(CudaErrors.isKnownDriverCode(2));
        assertEquals("CUBLAS_STATUS_UNRECOGNIZED_99", CudaErrors.cublasName(99));
    }

    @Test
    void cublasStatusesMapToCublasApiNames() {
        assertEquals("CUBLAS_STATUS_SUCCESS", CudaErrors.cublasName(0));
        assertEquals("CUBLAS_STATUS_NOT_INITIALIZED", CudaErrors.cublasName(1));
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED", CudaErrors.cublasName(3));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", CudaErrors.cublasName(7));
        assertEquals("CUBLAS_STATUS_ARCH_MISMATCH", CudaErrors.cublasName(8));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", CudaErrors.cublasName(13));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", CudaErrors.cublasName(15));
    }

    @Test
    void exceptionMessageNamesCallErrorAndCode() {
        CudaException e = new CudaException("cuMemAlloc_v2", 2, CudaErrors.driverName(2));
        assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)", e.getMessage());
        assertEquals("cuMemAlloc_v2", e.call());
        assertEquals(2, e.code());
        assertTrue(e.isOutOfMemory());
        assertNull(e.detail());

        CudaException d = new CudaException("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "requested 8 bytes");
        assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): requested 8 bytes", d.getMessage());

        CudaException lib = new CudaException("dlopen libcuda.so.1", CudaException.NOT_A_CUDA_CODE,
                "LIBRARY_NOT_FOUND", "libcuda.so.1: cannot open shared object file");
        assertEquals("dlopen libcuda.so.1 failed: LIBRARY_NOT_FOUND: libcuda.so.1: cannot open shared object file",
                lib.getMessage());
        assertFalse(lib.isOutOfMemory());
        assertTrue(new CudaException("cublasCreate_v2", 3, CudaErrors.cublasName(3)).isOutOfMemory());
    }
}
