package dev.jrnn.backend.cuda;

import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interop hook's checks, and that a wrapped buffer never gives memory back (the device side: DevicePointersGpuTest). */
class DevicePointersTest {
    private static void refuses(String part, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void argumentsAreCheckedBeforeTheBackendIsTouched() {
        refuses("address is 0", () -> DevicePointers.wrap(null, 0, 4));
        refuses("0x1002 is not aligned to 4 bytes", () -> DevicePointers.wrap(null, 0x1002, 4));
        refuses("dimensions must be positive", () -> DevicePointers.wrap(null, 0x1000, 2, 0));
        refuses("a shape needs at least one dimension", () -> DevicePointers.wrap(null, 0x1000));
        refuses("backend is null", () -> DevicePointers.wrap(null, 0x1000, 2, 3));
        refuses("tensor is null", () -> DevicePointers.address(null));
        try (CpuBackend cpu = CpuBackend.create(); DTensor t = DTensor.zeros(cpu, 2)) {
            refuses("expected a tensor of the CUDA backend, got one of cpu", () -> DevicePointers.address(t));
            assertFalse(DevicePointers.isWrapped(t));
        }
    }

    /** A wrapped buffer's close never reaches its backend (here none: an owned one would fail giving memory back). */
    @Test
    void closingWrappedMemoryFreesNothing() {
        CudaBuf wrapped = new CudaBuf(null, 0x1000, 4, false);
        wrapped.close();
        wrapped.close();
        assertTrue(wrapped.isClosed());
        assertThrows(IllegalStateException.class, wrapped::ptr);
        CudaBuf owned = new CudaBuf(null, 0x1000, 4);
        assertThrows(NullPointerException.class, owned::close);   // it does go to its backend's pool
    }
}
