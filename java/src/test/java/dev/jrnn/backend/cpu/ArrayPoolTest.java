package dev.jrnn.backend.cpu;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Buf;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ArrayPool}: a kept array comes back zero-filled for the same length only, small arrays are not kept, the
 * cap empties the pool; through {@link CpuBackend}: a closed buffer's array serves the next buffer of its size,
 * zeroed, and the closed buffer stays unusable; {@code Jrnn.clearSession()} ({@link CpuBackend#trim()}) empties the
 * pool and the products' scratch, the backend staying open.
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

    @AfterEach
    void reset() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void clearSessionEmptiesThePoolAndTheScratchAndModelsStayUsable() {
        Jrnn.setBackend("cpu");
        CpuBackend be = (CpuBackend) Jrnn.backend();
        float[] v = new float[32 * 20 * 64];
        Random r = new Random(3);
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() - 0.5f;
        Tensor x = Tensor.of(v, 32, 20, 64);
        try (Sequential m = new Sequential(new LSTM(128).inputShape(20, 64), new Dense(4))) {
            float[] before = m.predict(x).toArray();
            assertTrue(be.pool.held() > 0, "the pass's closed arrays are pooled");
            assertTrue(GemmScratch.kept() > 0, "the products' scratch is kept");
            Jrnn.clearSession();
            assertEquals(0, be.pool.held(), "floats pooled after clearSession");
            assertEquals(0, GemmScratch.kept(), "scratch sets kept after clearSession");
            assertFalse(be.isClosed());
            assertArrayEquals(before, m.predict(x).toArray());
        }
    }
}
