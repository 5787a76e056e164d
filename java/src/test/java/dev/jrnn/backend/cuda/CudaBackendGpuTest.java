package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.Loss;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.Span;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.jrnn.backend.BufAt.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CUDA-only behaviour: ownership and span checks, use after close, out-of-memory, device-side id
 * checks, and a few results against plain double loops (independent of the CPU backend).
 */
@Tag("gpu")
class CudaBackendGpuTest {
    static CudaBackend be;

    @BeforeAll
    static void backend() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        be = CudaBackend.create();
    }

    @AfterAll
    static void close() {
        if (be != null) be.close();
    }

    private float[] down(Buf b, int n) {
        float[] d = new float[n];
        be.download(b, 0, d, 0, n);
        return d;
    }

    private Buf up(float[] d) {
        Buf b = be.alloc(d.length);
        be.upload(d, 0, b, 0, d.length);
        return b;
    }

    @Test
    void namesItselfAndRoundTrips() {
        assertEquals("cuda", be.name());
        assertFalse(be.deviceName().isBlank());
        float[] d = {1, -2, 3.5f, Float.NaN, Float.POSITIVE_INFINITY};
        try (Buf b = be.alloc(7)) {
            be.upload(d, 0, b, 2, d.length);
            float[] back = new float[7];
            be.download(b, 0, back, 0, 7);
            assertArrayEquals(new float[] {0, 0, 1, -2, 3.5f, Float.NaN, Float.POSITIVE_INFINITY}, back);
        }
    }

    @Test
    void rejectsForeignClosedAndOutOfRangeBuffers() {
        try (Buf mine = be.alloc(10)) {
            try (Backend cpu = Backends.cpu(); Buf foreign = cpu.alloc(10)) {   // the CPU backend is always there
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> be.axpy(10, 1f, foreign, 0, mine, 0));
                assertTrue(e.getMessage().contains("axpy") && e.getMessage().contains("another backend"), e.getMessage());
            }
            try (CudaBackend other = CudaBackend.create(); Buf theirs = other.alloc(10)) {
                assertThrows(IllegalArgumentException.class, () -> be.copy(theirs, 0, mine, 0, 10));
            }
            IllegalArgumentException span = assertThrows(IllegalArgumentException.class, () -> be.fill(mine, 5, 6, 1f));
            assertTrue(span.getMessage().contains("[5, 11)"), span.getMessage());
            assertThrows(IllegalArgumentException.class, () -> be.gemm(false, false, 4, 4, 4, 1f, mine, 0, 4, mine, 0, 4,
                    0f, mine, 0, 4));
            assertThrows(IllegalArgumentException.class, () -> be.recurrentStepForward(new CellConfig(RecurrentCell.SIMPLE_RNN, Activation.SOFTMAX, Activation.SOFTMAX, 1, 2),
                    CellStep.Forward.rnn(at(mine, 0), at(mine, 2), null, at(mine, 4))));
        }
        Buf b = be.alloc(4);
        b.close();
        b.close();  // idempotent
        assertThrows(IllegalStateException.class, () -> be.fill(b, 0, 4, 0f));
    }

    @Test
    void outOfMemoryIsAnExceptionAndTheBackendGoesOn() {
        CudaException e = assertThrows(CudaException.class, () -> be.alloc(1L << 42));  // 16 TiB
        assertTrue(e.isOutOfMemory(), e.getMessage());
        try (Buf b = up(new float[] {3, 4})) {
            assertArrayEquals(new float[] {3, 4}, down(b, 2));
        }
    }

    @Test
    void poolGetsMemoryBackOnClose() {
        be.synchronize();
        long before = be.pool().bytesInUse();
        for (int i = 0; i < 50; i++) {
            Buf b = be.alloc(1000 + i * 100);
            be.fill(b, 0, 1000, 1f);
            b.close();
        }
        be.synchronize();
        assertEquals(before, be.pool().bytesInUse());
    }

    /**
     * {@code trim()}, which {@code Jrnn.clearSession()} calls on the current backend, gives the pool's cached blocks back
     * to the driver after the queued work (a kernel queued on a block just freed): nothing stays cached, a buffer in use
     * keeps its values, and the backend goes on. Before, CUDA's trim did nothing.
     */
    @Test
    void trimAndClearSessionGiveTheCachedBlocksBack() {
        try (Buf kept = up(new float[] {1, 2, 3})) {
            for (int round = 0; round < 2; round++) {
                Buf[] freed = new Buf[8];   // 8 blocks of 4 MiB or more, all in use at once: 8 blocks cached after
                for (int i = 0; i < freed.length; i++) {
                    freed[i] = be.alloc((1 << 20) + i * 4096);
                    be.fill(freed[i], 0, 1 << 20, 2f);   // queued: its block is cached while the kernel may still run
                }
                for (Buf b : freed) b.close();
                long cached = be.pool().bytesReserved() - be.pool().bytesInUse() - be.pool().bytesHeldForGraphs();
                assertTrue(cached >= 8L << 22, "freed blocks cached: " + be.pool());
                if (round == 0) {
                    be.trim();
                } else {
                    dev.jrnn.Jrnn.setBackend(be);
                    try {
                        dev.jrnn.Jrnn.clearSession();
                    } finally {
                        dev.jrnn.Jrnn.setBackend("cpu");
                    }
                }
                assertEquals(be.pool().bytesInUse() + be.pool().bytesHeldForGraphs(), be.pool().bytesReserved(), "round " + round + ": " + be.pool());
                assertFalse(be.isClosed());
                assertArrayEquals(new float[] {1, 2, 3}, down(kept, 3));
            }
        }
        try (Buf b = up(new float[] {5, 6})) {   // allocates afresh
            assertArrayEquals(new float[] {5, 6}, down(b, 2));
        }
    }

    /**
     * {@code trim()} leaves a pending bad-id report for the next synchronize (it came out of {@code clearSession()}
     * before, and the pool was not trimmed), and is refused inside a forked task with the pool as it was.
     */
    @Test
    void trimLeavesAPendingReportAndIsRefusedInAFork() {
        try (Buf table = up(new float[] {1, 2, 3, 4, 5, 6}); Buf ids = up(new float[] {0, 3}); Buf out = be.alloc(4)) {
            be.alloc(1 << 20).close();   // a cached block for the trim to give back
            be.gatherRows(2, 2, ids, 0, table, 0, out, 0);  // vocab 3: id 3 is outside, reported at a synchronize
            be.trim();
            assertEquals(be.pool().bytesInUse() + be.pool().bytesHeldForGraphs(), be.pool().bytesReserved(), be.pool().toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, be::synchronize);
            assertTrue(e.getMessage().contains("not an integer in [0, vocab)"), e.getMessage());
        }
        try (CudaBackend two = CudaBackend.create(dev.jrnn.backend.Settings.current().withStreams(true))) {
            assertTrue(two.concurrentStreams());
            two.alloc(1 << 20).close();
            two.synchronize();
            String before = two.pool().toString();
            long reserved = two.pool().bytesReserved();
            two.fork(() -> {
                IllegalStateException e = assertThrows(IllegalStateException.class, two::trim);
                assertTrue(e.getMessage().startsWith("trim synchronizes"), e.getMessage());
            }).join();
            assertEquals(reserved, two.pool().bytesReserved(), before + " -> " + two.pool());
            two.trim();   // on the main stream it runs
            assertEquals(two.pool().bytesInUse() + two.pool().bytesHeldForGraphs(), two.pool().bytesReserved(), two.pool().toString());
        }
    }

    @Test
    void badEmbeddingIdsAndClassIdsAreReported() {
        try (Buf table = up(new float[] {1, 2, 3, 4, 5, 6}); Buf ids = up(new float[] {0, 3}); Buf out = be.alloc(4)) {
            be.gatherRows(2, 2, ids, 0, table, 0, out, 0);  // vocab 3: id 3 is outside
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, be::synchronize);
            assertTrue(e.getMessage().contains("not an integer in [0, vocab)"), e.getMessage());
            be.synchronize();  // reported once, then the backend is usable again
            assertArrayEquals(new float[] {1, 2, 0, 0}, down(out, 4));
        }
        try (Buf p = up(new float[] {0.2f, 0.8f}); Buf t = up(new float[] {2}); Buf g = be.alloc(2); Buf l = be.alloc(1)) {
            be.lossAsync(new LossArgs(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 1, 2, Span.of(p), Span.of(t), null, Span.of(g),
                    Span.of(l)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, be::synchronize);
            assertTrue(e.getMessage().contains("[0, 2)"), e.getMessage());
        }
    }

    @Test
    void gemmAndLstmStepMatchDoubleLoops() {
        SplittableRandom r = new SplittableRandom(7);
        int m = 19, n = 23, k = 31;
        float[] a = rand(r, m * k), b = rand(r, k * n);
        try (Buf A = up(a); Buf B = up(b); Buf C = be.alloc(m * n)) {
            be.gemm(false, false, m, n, k, 1f, A, 0, k, B, 0, n, 0f, C, 0, n);
            float[] c = down(C, m * n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) s += (double) a[i * k + q] * b[q * n + j];
                    assertEquals(s, c[i * n + j], 1e-5 * Math.max(1, Math.abs(s)), "C[" + i + "," + j + "]");
                }
            }
        }
        int batch = 3, units = 5;
        float[] gates = rand(r, batch * 4 * units), cPrev = rand(r, batch * units);
        try (Buf G = up(gates); Buf CP = up(cPrev); Buf C = be.alloc(batch * units); Buf H = be.alloc(batch * units)) {
            be.recurrentStepForward(new CellConfig(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, batch, units),
                    CellStep.Forward.lstm(at(G, 0), at(CP, 0), at(CP, 0), null, at(C, 0), at(H, 0)));
            float[] c = down(C, batch * units), h = down(H, batch * units);
            for (int bb = 0; bb < batch; bb++) {
                for (int j = 0; j < units; j++) {
                    int o = bb * 4 * units + j;
                    double i = sig(gates[o]), f = sig(gates[o + units]), g = Math.tanh(gates[o + 2 * units]);
                    double og = sig(gates[o + 3 * units]);
                    double cn = f * cPrev[bb * units + j] + i * g;
                    assertEquals(cn, c[bb * units + j], 1e-6);
                    assertEquals(og * Math.tanh(cn), h[bb * units + j], 1e-6);
                }
            }
        }
    }

    private static double sig(double x) { return 1 / (1 + Math.exp(-x)); }

    private static float[] rand(SplittableRandom r, int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (2 * r.nextDouble() - 1);
        return d;
    }

    @Test
    void closeIsIdempotentAndLaterUseFails() {
        CudaBackend other = CudaBackend.create();
        Buf b = other.alloc(3);
        other.close();
        other.close();
        b.close();  // after the backend: harmless
        assertThrows(IllegalStateException.class, () -> other.alloc(1));
    }
}
