package dev.jrnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pool's deferred frees, which CudaBackend.runConcurrently relies on: while two streams run, a block
 * freed by one must not be handed to the other (a kernel of the first may still read it).
 */
class DevicePoolDeferredFreeTest {

    @Test
    void blocksFreedWhileDeferredAreNotHandedOutUntilTheEnd() {
        DevicePoolTest.FakeDevice dev = new DevicePoolTest.FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        long a = pool.allocate(1000), b = pool.allocate(1000);
        pool.beginDeferredFrees();
        pool.free(a);
        assertEquals(1024, pool.bytesDeferred());
        assertEquals(1024, pool.bytesInUse(), "a is no longer in use");
        assertEquals(2048, pool.bytesReserved(), "but still reserved");
        long c = pool.allocate(1000);     // same class: must not be a
        assertNotEquals(a, c);
        assertEquals(3, dev.mallocs);
        pool.endDeferredFrees();
        assertEquals(0, pool.bytesDeferred());
        assertEquals(a, pool.allocate(1000), "after the join a is reused");
        pool.free(b);
        assertEquals(b, pool.allocate(1000), "outside a region frees are reused at once");
        pool.close();
        assertEquals(0, dev.blocks.size());
    }

    @Test
    void deferralNestsAndOnlyTheOutermostEndReleases() {
        DevicePoolTest.FakeDevice dev = new DevicePoolTest.FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        long a = pool.allocate(5000);
        pool.beginDeferredFrees();
        pool.beginDeferredFrees();
        pool.free(a);
        pool.endDeferredFrees();
        assertNotEquals(a, pool.allocate(5000), "still inside the outer region");
        pool.endDeferredFrees();
        assertEquals(a, pool.allocate(5000));
        assertThrows(IllegalStateException.class, pool::endDeferredFrees, "unbalanced end");
    }

    @Test
    void doubleFreeInsideARegionIsStillCaught() {
        DevicePool pool = new DevicePool(new DevicePoolTest.FakeDevice(1L << 30));
        long a = pool.allocate(100);
        pool.beginDeferredFrees();
        pool.free(a);
        assertThrows(IllegalArgumentException.class, () -> pool.free(a));
        pool.endDeferredFrees();
    }

    @Test
    void outOfMemoryInsideARegionDoesNotGiveBackDeferredBlocks() {
        DevicePoolTest.FakeDevice dev = new DevicePoolTest.FakeDevice(8L << 20);
        DevicePool pool = new DevicePool(dev);
        long a = pool.allocate(4L << 20);
        pool.beginDeferredFrees();
        pool.free(a);   // deferred: the trim on out-of-memory must not free it under a running kernel
        CudaException e = assertThrows(CudaException.class, () -> pool.allocate(6L << 20));
        assertTrue(e.isOutOfMemory());
        assertTrue(dev.blocks.containsKey(a), "the deferred block stayed allocated");
        pool.endDeferredFrees();
        long b = pool.allocate(6L << 20);   // now the cache can be trimmed
        assertFalse(dev.blocks.containsKey(a));
        pool.free(b);
        pool.close();
        assertEquals(0, dev.blocks.size());
    }

    @Test
    void closeFreesDeferredBlocksToo() {
        DevicePoolTest.FakeDevice dev = new DevicePoolTest.FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        long a = pool.allocate(100), b = pool.allocate(1L << 22);
        pool.beginDeferredFrees();
        pool.free(a);
        pool.free(b);
        pool.close();
        assertEquals(0, dev.blocks.size(), "nothing leaked");
        assertEquals(dev.mallocs, dev.frees);
    }

    @Test
    void deferredBlocksFreedDuringACaptureArePinnedForTheGraph() {
        DevicePoolTest.FakeDevice dev = new DevicePoolTest.FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        pool.beginCapture();
        pool.beginDeferredFrees();
        long a = pool.allocate(2000);   // made and freed by the second stream inside the captured step
        pool.free(a);
        pool.endDeferredFrees();        // the join, still inside the capture
        long[] token = pool.endCapture();
        Set<Long> pinned = new HashSet<>();
        for (long p : token) pinned.add(p);
        assertTrue(pinned.contains(a), "the graph uses a at replay");
        assertNotEquals(a, pool.allocate(2000), "a pinned block is not handed out");
        pool.unpin(token);
        assertEquals(a, pool.allocate(2000));
    }
}
