package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Buf;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ArrayPool}: a kept array comes back zero-filled for the same length only, small arrays are not kept, the
 * cap empties the pool; through {@link CpuBackend}: a closed buffer's array serves the next buffer of its size,
 * zeroed, and the closed buffer stays unusable.
 */
class ArrayPoolTest {

    @Test
    void keptArraysComeBackZeroedForTheirLength() {
        ArrayPool pool = new ArrayPool(1 << 22);
        int n = ArrayPool.MIN_FLOATS + 5;
        float[] a = pool.take(n);
        Arrays.fill(a, 3f);
        pool.give(a);
        assertEquals(n, pool.held());
        float[] other = pool.take(n + 1);
        assertNotSame(a, other);
        float[] b = pool.take(n);
        assertSame(a, b);
        for (float v : b) assertEquals(0f, v);
        assertEquals(0, pool.held());
    }

    @Test
    void smallArraysAreNotKeptAndTheCapStartsOver() {
        ArrayPool pool = new ArrayPool(3L * ArrayPool.MIN_FLOATS);
        pool.give(new float[ArrayPool.MIN_FLOATS - 1]);
        assertEquals(0, pool.held());
        float[] first = new float[2 * ArrayPool.MIN_FLOATS];
        pool.give(first);
        pool.give(new float[ArrayPool.MIN_FLOATS]);
        assertEquals(3L * ArrayPool.MIN_FLOATS, pool.held());
        pool.give(new float[ArrayPool.MIN_FLOATS + 1]);   // over the cap: the others go
        assertEquals(ArrayPool.MIN_FLOATS + 1, pool.held());
        assertNotSame(first, pool.take(first.length));
    }

    @Test
    void backendReusesClosedBuffersZeroed() {
        try (CpuBackend be = CpuBackend.create()) {
            int n = ArrayPool.MIN_FLOATS * 2;
            Buf a = be.alloc(n);
            be.fill(a, 0, n, 7f);
            float[] arr = ((CpuBuf) a).array();
            a.close();
            assertThrows(IllegalStateException.class, () -> ((CpuBuf) a).array());
            Buf b = be.alloc(n);
            assertSame(arr, ((CpuBuf) b).array());
            float[] back = new float[n];
            be.download(b, 0, back, 0, n);
            for (float v : back) assertEquals(0f, v);
            assertEquals(1, be.liveBuffers());
            assertEquals(n, be.liveFloats());
            b.close();
        }
    }
}
