package dev.jrnn.jcuda;

import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.cuda.CudaBackend;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.backend.cuda.DevicePointers;
import dev.jrnn.tensor.Tensor;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On a device, through JCuda's natives: JCuda memory in the primary context used by jrnn in place, jrnn's memory
 * read by JCuda, another context's memory refused, a closed backend refusing.
 */
@Tag("gpu")
class JCudaTensorsGpuTest {
    static CudaBackend be;
    static CUdevice dev = new CUdevice();

    @BeforeAll
    static void start() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        be = CudaBackend.create();
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        JCudaDriver.cuDeviceGet(dev, DevicePointers.device());
        CUcontext primary = new CUcontext();
        JCudaDriver.cuDevicePrimaryCtxRetain(primary, dev);
        JCudaDriver.cuCtxSetCurrent(primary);
    }

    @AfterAll
    static void stop() {
        if (be != null) {
            be.close();
            JCudaDriver.cuDevicePrimaryCtxRelease(dev);
        }
    }

    @Test
    void jcudaMemoryIsUsedInPlaceAndNeverFreedByJrnn() {
        float[] host = {1, 2, 3, 4, 5, 6};
        CUdeviceptr p = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(p, host.length * Sizeof.FLOAT);
        try {
            JCudaDriver.cuMemcpyHtoD(p, Pointer.to(host), host.length * Sizeof.FLOAT);
            DTensor x = JCudaTensors.wrap(be, p, 2, 3);
            assertArrayEquals(host, x.toTensor().data());
            be.scale(6, 2f, x.buf(), 0);
            be.synchronize();
            x.close();   // frees nothing: JCuda still reads the memory, and frees it below
            float[] back = new float[6];
            JCudaDriver.cuMemcpyDtoH(Pointer.to(back), p, back.length * Sizeof.FLOAT);
            assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, back);
        } finally {
            JCudaDriver.cuMemFree(p);
        }
    }

    @Test
    void jrnnMemoryIsReadByJcuda() {
        try (DTensor t = DTensor.from(be, Tensor.of(new float[] {7, 8, 9}, 3))) {
            be.synchronize();
            CUdeviceptr p = JCudaTensors.pointer(t);
            assertEquals(DevicePointers.address(t), JCudaTensors.address(p));
            float[] back = new float[2];
            JCudaDriver.cuMemcpyDtoH(Pointer.to(back), p.withByteOffset(Sizeof.FLOAT), 2 * Sizeof.FLOAT);
            assertArrayEquals(new float[] {8, 9}, back);
        }
    }

    @Test
    void memoryOfAnotherContextIsRefused() {
        CUcontext other = new CUcontext();
        JCudaDriver.cuCtxCreate(other, 0, dev);
        CUdeviceptr p = new CUdeviceptr();
        try {
            JCudaDriver.cuMemAlloc(p, 16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JCudaTensors.wrap(be, p, 4));
            assertTrue(e.getMessage().contains("another CUDA context"), e.getMessage());
            JCudaDriver.cuMemFree(p);
        } finally {
            JCudaDriver.cuCtxDestroy(other);
            CUcontext primary = new CUcontext();
            JCudaDriver.cuDevicePrimaryCtxRetain(primary, dev);
            JCudaDriver.cuCtxSetCurrent(primary);
            JCudaDriver.cuDevicePrimaryCtxRelease(dev);
        }
    }

    @Test
    void aClosedBackendRefuses() {
        CudaBackend closed = CudaBackend.create();
        closed.close();
        assertThrows(IllegalStateException.class, () -> JCudaTensors.wrap(closed, JCudaTensors.devicePointer(0x1000), 4));
    }
}
