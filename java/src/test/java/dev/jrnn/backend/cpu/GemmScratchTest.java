package dev.jrnn.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GemmScratch}: the packing arrays kept stay within one set per worker plus {@link Parallel#THREADS} shared
 * ones however many threads ran products (a thread-local per thread kept one per caller for its life), a steady
 * stream of products (also each on a new virtual thread) makes no new set, sets are as big as the products need, and
 * {@link GemmScratch#trim()} drops them all with products still right afterwards.
 */
class GemmScratchTest {
    private static final int M = 256, N = 256, K = 256;   // 2*M*N*K over Gemm.PARALLEL_FLOPS: split over the pool
    private static final float[] A = random(M * K, 1), B = random(K * N, 2), EXPECTED = reference();

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() - 0.5f;
        return x;
    }

    private static float[] reference() {
        float[] c = new float[M * N];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int p = 0; p < K; p++) s += (double) A[i * K + p] * B[p * N + j];
                c[i * N + j] = (float) s;
            }
        }
        return c;
    }

    /** One parallel product, checked against the float64 reference. */
    private static void product() {
        float[] c = new float[M * N];
        Gemm.gemm(false, false, M, N, K, 1f, A, 0, K, B, 0, N, 0f, c, 0, N);
        assertArrayEquals(EXPECTED, c, 1e-4f);
    }

    @Test
    void keptScratchIsBoundedByTheCoresNotByTheCallerThreads() throws Exception {
        int callers = 32;
        CyclicBarrier start = new CyclicBarrier(callers);
        CountDownLatch checked = new CountDownLatch(1), ran = new CountDownLatch(callers);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    product();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    ran.countDown();
                }
                try {
                    checked.await();   // alive until the count: a thread's own scratch would still be held
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            th.start();
            threads.add(th);
        }
        ran.await();
        try {
            assertNull(failure.get());
            assertEquals(2 * Parallel.THREADS - 1, GemmScratch.bound());
            assertTrue(GemmScratch.kept() >= 1);
            // the callers are alive: a set held per thread (a thread-local) would stay reachable, 32 or more of them
            int reachable = Integer.MAX_VALUE;
            for (int i = 0; i < 10 && reachable > GemmScratch.bound(); i++) {
                System.gc();
                Thread.sleep(20);
                reachable = GemmScratch.reachable();
            }
            assertTrue(reachable <= GemmScratch.bound(), "sets reachable after " + callers
                    + " caller threads, still alive, and a GC: " + reachable + ", bound " + GemmScratch.bound());
        } finally {
            checked.countDown();
            for (Thread th : threads) th.join();
        }
    }

    @Test
    void steadyProductsMakeNoNewScratchAlsoOnVirtualThreads() throws Exception {
        product();   // warm: the shared set this product shape needs exists
        int made = GemmScratch.madeForCallers();
        for (int i = 0; i < 20; i++) product();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < 20; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    product();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }).join();
        }
        assertNull(failure.get());
        // the count is process-wide: one set made by another thread's product (a class before this one leaving work
        // behind) was seen once in a run of several classes; per-thread sets would make 20 here
        int more = GemmScratch.madeForCallers() - made;
        assertTrue(more <= 1, more + " sets made by 20 products on this thread and 20 on new virtual threads");
    }

    @Test
    void scratchIsSizedForTheProductsRun() {
        GemmScratch.trim();
        int m = 64, n = 96, k = 80;   // not split (under PARALLEL_FLOPS), over SMALL_MACS: packed on this thread
        float[] c = new float[m * n];
        Gemm.gemm(false, false, m, n, k, 1f, A, 0, k, B, 0, n, 0f, c, 0, n);
        long need = Gemm.roundUp(m, Gemm.MR) * k + Gemm.roundUp(n, Gemm.NR) * k + Gemm.MR * Gemm.NR;
        assertEquals(1, GemmScratch.kept());
        assertEquals(need, GemmScratch.keptFloats(), "floats kept after one " + m + "x" + n + "x" + k + " product");
        assertTrue(need < Gemm.KC * Gemm.NC);
    }

    @Test
    void trimDropsEveryKeptSetAndOneInUseWhenGivenBack() {
        product();
        assertTrue(GemmScratch.kept() > 0);
        GemmScratch inUse = GemmScratch.borrow();
        GemmScratch.trim();
        assertEquals(0, GemmScratch.kept());
        assertEquals(0, GemmScratch.keptFloats());
        GemmScratch.giveBack(inUse);
        assertEquals(0, GemmScratch.kept(), "a set borrowed before the trim, given back after it");
        product();   // new sets, the same result
        assertTrue(GemmScratch.kept() > 0);
    }

    /**
     * {@code Jrnn.clearSession()} drops the scratch whatever the current backend is: the default one closed (its trim is
     * not called on a closed backend), or replaced by a backend without a trim of its own (a RecordingBackend over a CPU
     * one: the interface's trim, which does nothing). The scratch is the process's, so it goes in both.
     */
    @Test
    void clearSessionDropsTheScratchWhenTheDefaultBackendIsClosedOrReplaced() {
        try {
            for (boolean close : new boolean[] {true, false}) {
                String how = close ? "the default backend closed" : "the default backend replaced";
                dev.jrnn.Jrnn.setBackend("cpu");
                product();
                assertTrue(GemmScratch.kept() > 0, how + ": scratch kept after a product");
                if (close) dev.jrnn.Jrnn.backend().close();
                else dev.jrnn.Jrnn.setBackend(new dev.jrnn.backend.RecordingBackend(CpuBackend.create()));
                dev.jrnn.Jrnn.clearSession();
                assertEquals(0, GemmScratch.kept(), how + ": scratch sets kept after clearSession");
                product();   // products right after
            }
        } finally {
            dev.jrnn.Jrnn.setBackend("cpu");
        }
    }

    /**
     * A current backend whose trim throws (as CUDA's does inside a capture or a forked task): clearSession passes the
     * exception on, and the CPU scratch is dropped all the same.
     */
    @Test
    void clearSessionDropsTheScratchWhenTheBackendsTrimThrows() {
        CpuBackend cpu = CpuBackend.create();
        IllegalStateException refusal = new IllegalStateException("trim synchronizes: it cannot run inside a forked task");
        dev.jrnn.backend.Backend refusing = (dev.jrnn.backend.Backend) java.lang.reflect.Proxy.newProxyInstance(
                dev.jrnn.backend.Backend.class.getClassLoader(), new Class<?>[] {dev.jrnn.backend.Backend.class},
                (p, m, args) -> {
                    if (m.getName().equals("trim")) throw refusal;
                    try {
                        return m.invoke(cpu, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try {
            dev.jrnn.Jrnn.setBackend(refusing);
            product();
            assertTrue(GemmScratch.kept() > 0, "scratch kept after a product");
            IllegalStateException e = assertThrows(IllegalStateException.class, dev.jrnn.Jrnn::clearSession);
            assertSame(refusal, e);
            assertEquals(0, GemmScratch.kept(), "scratch sets kept after a clearSession whose trim threw");
        } finally {
            dev.jrnn.Jrnn.setBackend("cpu");
        }
    }
}
