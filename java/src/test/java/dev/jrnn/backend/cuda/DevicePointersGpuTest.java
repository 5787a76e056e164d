package dev.jrnn.backend.cuda;

import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** On a device: a wrapped address views the same memory, closing the view frees nothing, a closed backend refuses. */
@Tag("gpu")
class DevicePointersGpuTest {
    @Test
    void wrapViewsWithoutCopyOrOwnership() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        CudaBackend be = CudaBackend.create();
        try (DTensor a = DTensor.from(be, Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))) {
            long addr = DevicePointers.address(a);
            long inUse = be.pool().bytesInUse();
            DTensor view = DevicePointers.wrap(be, addr + 4 * 3, 3);   // the second row
            assertTrue(DevicePointers.isWrapped(view));
            assertArrayEquals(new float[] {4, 5, 6}, view.toTensor().data());
            be.scale(3, 10f, view.buf(), 0);
            view.close();
            assertEquals(inUse, be.pool().bytesInUse(), "closing a view gives nothing back to the pool");
            assertArrayEquals(new float[] {1, 2, 3, 40, 50, 60}, a.toTensor().data());
        } finally {
            be.close();
        }
        assertThrows(IllegalStateException.class, () -> DevicePointers.wrap(be, 0x1000, 2));
    }
}
