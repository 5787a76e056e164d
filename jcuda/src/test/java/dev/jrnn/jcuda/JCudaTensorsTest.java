package dev.jrnn.jcuda;

import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.cpu.CpuBackend;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What needs no device: JCuda pointers read and made without JCuda's natives, and every refusal before the device. */
class JCudaTensorsTest {
    private static void refuses(String part, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void addressesRoundTripWithByteOffsets() {
        CUdeviceptr p = JCudaTensors.devicePointer(0x7f00_0000_1000L);
        assertEquals(0x7f00_0000_1000L, JCudaTensors.address(p));
        assertEquals(0x7f00_0000_1000L + 24, JCudaTensors.address(p.withByteOffset(24)), "JCuda's byte offset counts");
        assertTrue(p.toString().contains("7f0000001000"), p.toString());   // JCuda itself sees the address
    }

    @Test
    void refusesNullHostAndUnallocatedPointers() {
        refuses("pointer is null", () -> JCudaTensors.address(null));
        refuses("pointer to host memory", () -> JCudaTensors.address(Pointer.to(new float[4])));
        refuses("pointer to host memory", () -> JCudaTensors.address(Pointer.to(java.nio.ByteBuffer.allocateDirect(16))));
        refuses("the pointer is null (0)", () -> JCudaTensors.address(new CUdeviceptr()));
        refuses("the pointer is null (0)", () -> JCudaTensors.wrap(null, new CUdeviceptr(), 4));
    }

    @Test
    void wrapChecksShapeAlignmentAndBackendBeforeTheDevice() {
        CUdeviceptr p = JCudaTensors.devicePointer(0x1000);
        refuses("not aligned to 4 bytes", () -> JCudaTensors.wrap(null, p.withByteOffset(2), 4));
        refuses("dimensions must be positive", () -> JCudaTensors.wrap(null, p, 3, -1));
        refuses("backend is null", () -> JCudaTensors.wrap(null, p, 3));
        try (CpuBackend cpu = CpuBackend.create(); DTensor t = DTensor.zeros(cpu, 3)) {
            refuses("expected a tensor of the CUDA backend, got one of cpu", () -> JCudaTensors.pointer(t));
        }
    }
}
