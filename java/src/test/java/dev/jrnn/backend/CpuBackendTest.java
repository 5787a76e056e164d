package dev.jrnn.backend;

import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.backend.cpu.CpuBuf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static dev.jrnn.backend.BufAt.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend contract on the CPU ({@link BackendContractTest}: every operation against float64 references),
 * plus what is the CPU's own: its argument checks, forks on a second thread with an injected chunk floor,
 * and parallel GEMMs that give the same bits every time.
 */
class CpuBackendTest extends BackendContractTest {
    private static final Backend BE = CpuBackend.create();

    @Override
    protected Backend backend() { return BE; }

    /** The CPU backend runs steps as they come (Backend.capture returns null). */
    @Override
    protected boolean captures() { return false; }

    @AfterAll
    static void closeBackend() { BE.close(); }

    @Test
    void createdThroughBackendsAndComputes() {
        try (Backend be = Backends.create("cpu"); Buf a = be.alloc(4); Buf b = be.alloc(4); Buf c = be.alloc(4)) {
            assertEquals("cpu", be.name());
            assertTrue(be instanceof CpuBackend);
            be.upload(new float[] {1, 2, 3, 4}, 0, a, 0, 4);
            be.upload(new float[] {5, 6, 7, 8}, 0, b, 0, 4);
            be.gemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
            float[] got = new float[4];
            be.download(c, 0, got, 0, 4);
            assertArrayEquals(new float[] {19, 22, 43, 50}, got, "[[1, 2], [3, 4]] x [[5, 6], [7, 8]]");
        }
    }

    @Test
    void forksRunOnTheForkThreadAndTheChunkFloorIsInjected() throws Exception {
        assertFalse(BE.overlapsForks(), "forks are off by default");
        assertEquals(Backend.MIN_FORK_ROWS, BE.minForkRows());
        try (CpuBackend be = CpuBackend.create(true, 1)) {
            assertTrue(be.overlapsForks());
            assertEquals(1, be.minForkRows());
            java.util.concurrent.atomic.AtomicReference<String> thread = new java.util.concurrent.atomic.AtomicReference<>();
            be.fork(() -> thread.set(Thread.currentThread().getName())).join();
            assertEquals("jrnn-cpu-fork", thread.get());
            Fork boom = be.fork(() -> { throw new IllegalStateException("boom"); });
            assertEquals("boom", assertThrows(IllegalStateException.class, boom::join).getMessage(), "join rethrows");
        }
        assertEquals(512, CpuBackend.create(true).minForkRows());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuBackend.create(true, 0));
        assertTrue(e.getMessage().contains("minForkRows") && e.getMessage().contains("0"), e.getMessage());
    }

    @Test
    void aLargeParallelGemmIsTheSameEveryTimeAndMatchesFloat64() {
        int m = 96, n = 80, k = 200;   // above the parallel threshold: rows split over the threads
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] ha = new float[m * k], hb = new float[k * n];
        for (int i = 0; i < ha.length; i++) ha[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < hb.length; i++) hb[i] = (float) r.nextDouble(-1, 1);
        try (Buf a = BE.alloc(ha.length); Buf b = BE.alloc(hb.length); Buf c = BE.alloc((long) m * n)) {
            BE.upload(ha, 0, a, 0, ha.length);
            BE.upload(hb, 0, b, 0, hb.length);
            float[] first = new float[m * n], again = new float[m * n];
            BE.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            BE.download(c, 0, first, 0, m * n);
            for (int rep = 0; rep < 3; rep++) {
                BE.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                BE.download(c, 0, again, 0, m * n);
                assertArrayEquals(first, again, "bit for bit, repeat " + rep);
            }
            for (int i = 0; i < m; i += 17) {
                for (int j = 0; j < n; j += 13) {
                    double want = 0;
                    for (int p = 0; p < k; p++) want += (double) ha[i * k + p] * hb[p * n + j];
                    assertEquals(want, first[i * n + j], 1e-4, "C[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void closeIsIdempotent() {
        Backend be = CpuBackend.create();
        Buf b = be.alloc(3);
        b.close();
        b.close();
        be.close();
        be.close();
        assertThrows(IllegalStateException.class, () -> be.alloc(1));
    }

    @Test
    void oversizedAllocationIsRejectedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BE.alloc(CpuBuf.MAX_FLOATS + 1));
        assertTrue(e.getMessage().contains(String.valueOf(CpuBuf.MAX_FLOATS)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BE.alloc(-1));
    }

    @Test
    void badArgumentsNameTheOperation() {
        try (Buf a = BE.alloc(10); Buf b = BE.alloc(10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BE.gemm(false, false, 3, 3, 3, 1f, a, 0, 3, b, 0, 3, 0f, b, 2, 3));
            assertTrue(e.getMessage().startsWith("gemm"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> BE.axpy(8, 1f, a, 5, b, 0));
            assertTrue(e.getMessage().contains("axpy") && e.getMessage().contains("x"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> BE.recurrentStepForward(new CellConfig(RecurrentCell.SIMPLE_RNN, Activation.SOFTMAX, Activation.SOFTMAX, 1, 2),
                            CellStep.Forward.rnn(at(a, 0), at(a, 2), null, at(b, 0))));
            assertTrue(e.getMessage().contains("softmax"), e.getMessage());
            BE.fill(a, 0, 10, 0f);
            BE.fill(a, 0, 1, 4f);   // class index 4 with only 3 classes
            e = assertThrows(IllegalArgumentException.class,
                    () -> BE.lossAsync(new LossArgs(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 1, 3, Span.of(b), Span.of(a), null,
                            new Span(b, 3), new Span(b, 9))));
            assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
            BE.fill(a, 0, 1, 2.5f);
            e = assertThrows(IllegalArgumentException.class, () -> BE.gatherRows(1, 2, a, 0, b, 0, b, 6));
            assertTrue(e.getMessage().contains("gatherRows"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> BE.adamUpdate(new AdamArgs(2, Span.of(a), Span.of(b),
                    new Span(a, 2), new Span(b, 2), new Span(b, 8), null, 0.1f, 0.9f, 0.99f, 1e-7f)));
            assertEquals("adamUpdate: step span [8, 11) is outside its buffer of 10 floats", e.getMessage());
        }
    }

    @Test
    void buffersOfAnotherBackendAreRejected() {
        try (Backend other = CpuBackend.create(); Buf foreign = other.alloc(4); Buf mine = BE.alloc(4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BE.copy(foreign, 0, mine, 0, 4));
            assertTrue(e.getMessage().contains("copy"), e.getMessage());
        }
    }

    @Test
    void useAfterCloseIsAClearError() {
        Buf b = BE.alloc(4);
        b.close();
        assertThrows(IllegalStateException.class, () -> BE.fill(b, 0, 4, 1f));
    }
}
