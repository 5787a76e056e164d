package dev.jrnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool's bookkeeping against a fake device with a fixed capacity. */
class DevicePoolTest {

    /** A fake device: hands out increasing addresses until {@code capacity} bytes are taken. */
    static class FakeDevice implements DevicePool.Allocator {
        final long capacity;
        final Map<Long, Long> blocks = new HashMap<>();
        long used, next = 0x10000, mallocs, frees;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long malloc(long bytes) {
            if (used + bytes > capacity) {
                throw new CudaException("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "requested " + bytes + " bytes");
            }
            long p = next;
            next += (bytes + 255) / 256 * 256;
            blocks.put(p, bytes);
            used += bytes;
            mallocs++;
            return p;
        }

        @Override
        public void free(long ptr) {
            Long b = blocks.remove(ptr);
            if (b == null) throw new AssertionError("double free of " + ptr);
            used -= b;
            frees++;
        }

        @Override
        public long freeMemory() {
            return capacity - used;
        }

        @Override
        public long totalMemory() {
            return capacity;
        }
    }

    @Test
    void sizeClassesArePowersOfTwoThenTwoMebibyteSteps() {
        assertEquals(512, DevicePool.sizeClass(0));
        assertEquals(512, DevicePool.sizeClass(1));
        assertEquals(512, DevicePool.sizeClass(512));
        assertEquals(1024, DevicePool.sizeClass(513));
        assertEquals(4096, DevicePool.sizeClass(4000));
        assertEquals(1L << 20, DevicePool.sizeClass(1L << 20));
        assertEquals(2L << 20, DevicePool.sizeClass((1L << 20) + 1));
        assertEquals(4L << 20, DevicePool.sizeClass((2L << 20) + 1));
        assertEquals(100L << 20, DevicePool.sizeClass((99L << 20) + 12345));
        assertThrows(IllegalArgumentException.class, () -> DevicePool.sizeClass(-1));
    }

    @Test
    void freedBlocksAreReusedForTheSameClass() {
        FakeDevice dev = new FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        long a = pool.allocate(1000);
        long b = pool.allocate(3000);
        assertNotEquals(a, b);
        assertEquals(1024 + 4096, pool.bytesInUse());
        pool.free(a);
        assertEquals(4096, pool.bytesInUse());
        assertEquals(1024 + 4096, pool.bytesReserved());
        long c = pool.alloc(900);             // same 1 KiB class: the cached block
        assertEquals(a, c);
        assertEquals(2, dev.mallocs);
        assertEquals(1, pool.cacheHits());
        assertEquals(2, pool.cacheMisses());
        assertEquals(2, pool.liveBlocks());
        assertTrue(pool.peakBytesReserved() >= 1024 + 4096);
    }

    @Test
    void outOfMemoryTrimsTheCacheAndRetries() {
        FakeDevice dev = new FakeDevice(8L << 20);
        DevicePool pool = new DevicePool(dev);
        long a = pool.allocate(4L << 20);
        pool.free(a);                        // 4 MiB cached, device full for another 6 MiB
        long b = pool.allocate(6L << 20);    // needs the cache trimmed first
        assertEquals(6L << 20, pool.bytesInUse());
        assertEquals(6L << 20, pool.bytesReserved());
        assertEquals(1, dev.frees);
        pool.free(b);
    }

    @Test
    void outOfMemoryAfterTrimNamesTheRequestAndFreeMemory() {
        FakeDevice dev = new FakeDevice(8L << 20);
        DevicePool pool = new DevicePool(dev);
        long a = pool.allocate(6L << 20);
        long request = 1L << 50;   // 1 PiB
        CudaException e = assertThrows(CudaException.class, () -> pool.allocate(request));
        assertTrue(e.isOutOfMemory());
        assertEquals("DevicePool.allocate", e.call());
        assertEquals(2, e.code());
        String m = e.getMessage();
        assertTrue(m.contains("requested " + request + " bytes"), m);
        assertTrue(m.contains("2.0 MiB free of 8.0 MiB"), m);
        assertTrue(m.contains("6.0 MiB in use"), m);
        // The pool is still usable.
        pool.free(a);
        assertEquals(a, pool.allocate(6L << 20));
    }

    @Test
    void otherDriverErrorsPassThroughUntouched() {
        DevicePool pool = new DevicePool(new FakeDevice(1L << 20) {
            @Override
            public long malloc(long bytes) {
                throw new CudaException("cuMemAlloc_v2", 201, "CUDA_ERROR_INVALID_CONTEXT");
            }
        });
        CudaException e = assertThrows(CudaException.class, () -> pool.allocate(10));
        assertEquals("cuMemAlloc_v2", e.call());
        assertEquals(201, e.code());
    }

    @Test
    void closeFreesEverythingIncludingLiveBlocks() {
        FakeDevice dev = new FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        long a = pool.allocate(100);
        long b = pool.allocate(5L << 20);
        pool.allocate(777);
        pool.free(b);
        pool.close();
        assertEquals(0, dev.used);
        assertEquals(0, dev.blocks.size());
        assertEquals(0, pool.bytesReserved());
        pool.free(a);                         // after close: ignored
        pool.close();                         // twice: harmless
        assertThrows(IllegalStateException.class, () -> pool.allocate(1));
    }

    @Test
    void freeingAForeignPointerIsAnError() {
        DevicePool pool = new DevicePool(new FakeDevice(1L << 20));
        long a = pool.allocate(10);
        pool.free(a);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> pool.free(a));
        assertTrue(twice.getMessage().contains("0x" + Long.toHexString(a)), twice.getMessage());
        pool.free(0);                         // null pointer: ignored
        assertSame(IllegalArgumentException.class,
                assertThrows(IllegalArgumentException.class, () -> pool.free(0xdead00)).getClass());
    }
}
