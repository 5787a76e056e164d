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
 * The pool's CUDA-graph bookkeeping (no GPU: a fake device): every block a captured step may touch stays
 * out of circulation until the graph is unpinned, however its owner frees it meanwhile.
 */
class DevicePoolCaptureTest {

    @Test
    void blocksOfACaptureAreNotHandedOutUntilUnpinned() {
        DevicePoolTest.FakeDevice dev = new DevicePoolTest.FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        long params = pool.allocate(4000);          // lives across the capture
        long old = pool.allocate(4000);             // freed inside the capture (a workspace that grows)
        long idle = pool.allocate(2000);
        pool.free(idle);                            // cached before the capture, never touched by it
        pool.beginCapture();
        long t1 = pool.allocate(1000);              // transient tensors of the step
        pool.free(t1);
        long t2 = pool.allocate(1000);
        assertEquals(t1, t2, "LIFO reuse inside the capture");
        pool.free(old);
        long t3 = pool.allocate(4000);              // may reuse `old`: same class
        pool.free(t3);
        pool.free(t2);
        long[] pins = pool.endCapture();
        Set<Long> pinned = new HashSet<>();
        for (long p : pins) pinned.add(p);
        assertTrue(pinned.containsAll(java.util.List.of(params, old, t1, t3)), "pinned " + pinned);
        assertFalse(pinned.contains(idle), "a block the capture never touched stays free");
        assertTrue(pool.bytesHeldForGraphs() > 0);

        // Between replays: new allocations never get a block the graph uses.
        Set<Long> given = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            given.add(pool.allocate(1000));
            given.add(pool.allocate(4000));
        }
        for (long p : given) assertFalse(pinned.contains(p), "handed out a pinned block " + Long.toHexString(p));
        assertTrue(given.contains(idle) || pool.allocate(2000) == idle, "untouched cache still usable");

        // The owner of a pinned live block frees it: held, not reused.
        pool.free(params);
        long again = pool.allocate(4000);
        assertNotEquals(params, again);
        // Trimming (out of memory) never gives pinned blocks back to the driver.
        pool.trim();
        assertTrue(dev.blocks.containsKey(params) && dev.blocks.containsKey(t1) && dev.blocks.containsKey(old));

        long heldBefore = pool.bytesHeldForGraphs();
        pool.unpin(pins);
        assertEquals(0, pool.bytesHeldForGraphs());
        assertTrue(heldBefore > 0);
        assertEquals(0, pool.pinnedBlocks());
        // Held blocks are back in the cache.
        long back = pool.allocate(1000);
        assertTrue(back == t1 || back == t2);
        pool.close();
        assertEquals(0, dev.blocks.size());
    }

    @Test
    void twoGraphsPinTheSameBlockUntilBothAreGone() {
        DevicePoolTest.FakeDevice dev = new DevicePoolTest.FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        long shared = pool.allocate(600);
        pool.beginCapture();
        long[] g1 = pool.endCapture();
        pool.beginCapture();
        long[] g2 = pool.endCapture();
        pool.free(shared);
        pool.unpin(g1);
        assertNotEquals(shared, pool.allocate(600), "still pinned by the second graph");
        pool.unpin(g2);
        assertEquals(shared, pool.allocate(600));
    }

    @Test
    void abortedCapturePinsNothingAndTrimDuringCaptureKeepsTouchedBlocks() {
        DevicePoolTest.FakeDevice dev = new DevicePoolTest.FakeDevice(1L << 30);
        DevicePool pool = new DevicePool(dev);
        pool.beginCapture();
        long a = pool.allocate(3000);
        pool.free(a);
        pool.trim();                               // out of memory inside a capture
        assertTrue(dev.blocks.containsKey(a), "a block the capture used must survive a trim");
        assertThrows(IllegalStateException.class, pool::beginCapture);
        pool.abortCapture();
        assertEquals(0, pool.pinnedBlocks());
        assertEquals(a, pool.allocate(3000));
        assertThrows(IllegalStateException.class, pool::endCapture);
    }
}
