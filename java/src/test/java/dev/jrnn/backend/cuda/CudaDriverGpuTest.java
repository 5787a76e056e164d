package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The driver bindings on a real device; skipped where {@link CudaDriver#isAvailable()} is false. */
@Tag("gpu")
class CudaDriverGpuTest {
    /** Two kernels in hand-written PTX (loaded by cuModuleLoadDataEx, JIT-compiled for the device). */
    static final String PTX = """
            .version 7.0
            .target sm_80
            .address_size 64

            // y[i] += a * x[i] for i < n
            .visible .entry jrnn_test_axpy(
                .param .u64 p_y,
                .param .u64 p_x,
                .param .f32 p_a,
                .param .u32 p_n
            )
            {
                .reg .pred %p<2>;
                .reg .b32 %r<6>;
                .reg .f32 %f<5>;
                .reg .b64 %rd<8>;

                ld.param.u64 %rd1, [p_y];
                ld.param.u64 %rd2, [p_x];
                ld.param.f32 %f1, [p_a];
                ld.param.u32 %r1, [p_n];
                mov.u32 %r2, %ctaid.x;
                mov.u32 %r3, %ntid.x;
                mov.u32 %r4, %tid.x;
                mad.lo.s32 %r5, %r2, %r3, %r4;
                setp.ge.s32 %p1, %r5, %r1;
                @%p1 bra AXPY_DONE;
                cvta.to.global.u64 %rd3, %rd1;
                cvta.to.global.u64 %rd4, %rd2;
                mul.wide.s32 %rd5, %r5, 4;
                add.s64 %rd6, %rd3, %rd5;
                add.s64 %rd7, %rd4, %rd5;
                ld.global.f32 %f2, [%rd7];
                ld.global.f32 %f3, [%rd6];
                fma.rn.f32 %f4, %f1, %f2, %f3;
                st.global.f32 [%rd6], %f4;
            AXPY_DONE:
                ret;
            }

            // y[i] = (float) (base + i) for i < n: a 64-bit scalar after a 32-bit one
            .visible .entry jrnn_test_fill_i64(
                .param .u64 p_y,
                .param .u32 p_n,
                .param .u64 p_base
            )
            {
                .reg .pred %p<2>;
                .reg .b32 %r<6>;
                .reg .f32 %f<2>;
                .reg .b64 %rd<8>;

                ld.param.u64 %rd1, [p_y];
                ld.param.u32 %r1, [p_n];
                ld.param.u64 %rd2, [p_base];
                mov.u32 %r2, %ctaid.x;
                mov.u32 %r3, %ntid.x;
                mov.u32 %r4, %tid.x;
                mad.lo.s32 %r5, %r2, %r3, %r4;
                setp.ge.s32 %p1, %r5, %r1;
                @%p1 bra FILL_DONE;
                cvt.s64.s32 %rd3, %r5;
                add.s64 %rd4, %rd2, %rd3;
                cvt.rn.f32.s64 %f1, %rd4;
                cvta.to.global.u64 %rd5, %rd1;
                mul.wide.s32 %rd6, %r5, 4;
                add.s64 %rd7, %rd5, %rd6;
                st.global.f32 [%rd7], %f1;
            FILL_DONE:
                ret;
            }
            """;

    static CudaDriver cu;
    static long module, axpy, fill;

    @BeforeAll
    static void setUp() {
        Assumptions.assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        cu = CudaDriver.get();
        System.out.println("[gpu] " + cu + " symbols " + cu.symbols());
        module = cu.moduleLoadPtx(PTX);
        axpy = cu.function(module, "jrnn_test_axpy");
        fill = cu.function(module, "jrnn_test_fill_i64");
    }

    @Test
    void deviceIsDescribed() {
        assertTrue(cu.computeCapability() >= 50, "sm_" + cu.computeCapability());
        assertTrue(cu.multiprocessorCount() > 0);
        assertTrue(cu.totalMemory() > (1L << 30));
        assertTrue(!cu.deviceName().isBlank());
        long[] info = cu.memGetInfo();
        assertTrue(info[0] > 0 && info[0] <= info[1], info[0] + " of " + info[1]);
        assertTrue(cu.driverVersion() >= 12000, "driver " + cu.driverVersion());
    }

    @Test
    void mallocAndCopiesRoundTrip() {
        long s = cu.streamCreate();
        int n = (int) (2 * CudaDriver.STAGING_BYTES / 4) + 4321;   // three staging chunks
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) Math.sin(i);
        long d = cu.malloc(4L * n), e = cu.malloc(4L * n);
        float[] sent = x.clone();
        cu.copyHtoD(d, MemorySegment.ofArray(sent), 4L * n, s);
        java.util.Arrays.fill(sent, Float.NaN);   // the array may change as soon as copyHtoD returns
        cu.copyDtoD(e, d, 4L * n, s);
        float[] back = new float[n];
        cu.copyDtoH(MemorySegment.ofArray(back), e, 4L * n, s);
        assertArrayEquals(x, back);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(4L * 1000);
            cu.memsetD32(e, Float.floatToRawIntBits(-2.5f), 1000, s);
            cu.copyDtoH(host, e, 4L * 1000, s);
            for (int i = 0; i < 1000; i++) assertEquals(-2.5f, host.getAtIndex(JAVA_FLOAT, i));
            for (int i = 0; i < 1000; i++) host.setAtIndex(JAVA_FLOAT, i, i);
            cu.copyHtoD(e, host, 4L * 1000, s);
            cu.streamSynchronize(s);
        }
        float[] part = new float[3];
        cu.copyDtoH(part, 0, 3, e + 4L * 997, s);
        assertArrayEquals(new float[] {997, 998, 999}, part);
        assertEquals(x[1000], copyOne(e + 4L * 1000, s));
        cu.free(d);
        cu.free(e);
        cu.streamDestroy(s);
    }

    private static float copyOne(long p, long s) {
        float[] v = new float[1];
        cu.copyDtoH(v, 0, 1, p, s);
        return v[0];
    }

    @Test
    void ptxKernelsRunWithTheirArguments() {
        long s = cu.streamCreate();
        int n = 100_003;
        long y = cu.malloc(4L * n), x = cu.malloc(4L * n);
        long base = -(1L << 32) + 3;   // needs all 64 bits
        cu.launch(fill, (n + 255) / 256, 1, 1, 256, 1, 1, 0, s, x, n, base);
        float[] xs = new float[n];
        cu.copyDtoH(xs, 0, n, x, s);
        for (int i = 0; i < n; i += 997) assertEquals((float) (base + i), xs[i], "x[" + i + "]");

        cu.launch(fill, (n + 127) / 128, 1, 1, 128, 1, 1, 0, s, x, n, 0L);
        cu.memsetD32(y, Float.floatToRawIntBits(1f), n, s);
        cu.launch(axpy, (n + 255) / 256, 1, 1, 256, 1, 1, 0, s, y, x, 0.5f, n);
        float[] ys = new float[n];
        cu.copyDtoH(ys, 0, n, y, s);
        for (int i = 0; i < n; i++) assertEquals(1f + 0.5f * i, ys[i], "y[" + i + "]");
        cu.free(y);
        cu.free(x);
        cu.streamDestroy(s);
    }

    @Test
    void cooperativeLaunchWithinOccupancy() {
        Assumptions.assumeTrue(cu.supportsCooperativeLaunch());
        int perSm = cu.occupancyMaxActiveBlocksPerMultiprocessor(axpy, 256, 0);
        assertTrue(perSm >= 1, "blocks per SM " + perSm);
        int blocks = perSm * cu.multiprocessorCount();
        int n = blocks * 256;
        long y = cu.malloc(4L * n), x = cu.malloc(4L * n);
        cu.memsetD32(x, Float.floatToRawIntBits(3f), n, 0);
        cu.memsetD32(y, 0, n, 0);
        cu.launchCooperative(axpy, blocks, 1, 1, 256, 1, 1, 0, 0, y, x, 2f, n);
        assertEquals(6f, copyOne(y + 4L * (n - 1), 0));
        CudaException tooMany = assertThrows(CudaException.class,
                () -> cu.launchCooperative(axpy, blocks * 4 + 1, 1, 1, 256, 1, 1, 0, 0, y, x, 2f, n));
        assertEquals("CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE", tooMany.errorName());
        cu.setMaxDynamicSharedMemory(axpy, 64 * 1024);
        assertEquals(64 * 1024, cu.functionAttribute(axpy, CudaDriver.FUNC_MAX_DYNAMIC_SHARED_SIZE_BYTES));
        cu.free(y);
        cu.free(x);
    }

    @Test
    void eventsTimeWork() {
        long s = cu.streamCreate();
        long words = 64L << 20;   // 256 MiB
        long p = cu.malloc(4 * words);
        long a = cu.eventCreate(), b = cu.eventCreate();
        cu.eventRecord(a, s);
        for (int i = 0; i < 4; i++) cu.memsetD32(p, i, words, s);
        cu.eventRecord(b, s);
        float ms = cu.eventElapsedMs(a, b);
        System.out.println("[gpu] 1 GiB of memset: " + ms + " ms via " + cu.elapsedTimeSymbol());
        assertTrue(ms > 0 && ms < 10_000, ms + " ms");
        cu.eventDestroy(a);
        cu.eventDestroy(b);
        cu.free(p);
        cu.streamDestroy(s);
    }

    @Test
    void graphCaptureAndReplay() {
        long s = cu.streamCreate();
        int n = 4096;
        long y = cu.malloc(4L * n), x = cu.malloc(4L * n);
        cu.memsetD32(x, Float.floatToRawIntBits(2f), n, s);
        cu.memsetD32(y, 0, n, s);
        cu.streamSynchronize(s);
        cu.streamBeginCapture(s);
        long graph;
        try {
            cu.launch(axpy, n / 256, 1, 1, 256, 1, 1, 0, s, y, x, 1f, n);
            cu.launch(axpy, n / 256, 1, 1, 256, 1, 1, 0, s, y, x, 0.25f, n);
            graph = cu.streamEndCapture(s);
        } catch (RuntimeException e) {
            cu.abortCapture(s);
            throw e;
        }
        assertEquals(0f, copyOne(y, s), "capture does not execute");
        long exec = cu.graphInstantiate(graph);
        for (int r = 0; r < 5; r++) cu.graphLaunch(exec, s);
        cu.streamSynchronize(s);
        float[] got = new float[n];
        cu.copyDtoH(got, 0, n, y, s);
        for (float v : got) assertEquals(5 * 2.5f, v);
        cu.graphExecDestroy(exec);
        cu.graphDestroy(graph);
        cu.free(y);
        cu.free(x);
        cu.streamDestroy(s);
    }

    @Test
    void outOfMemoryIsAnExceptionAndTheDeviceStaysUsable() {
        long petabyte = 1L << 50;
        CudaException e = assertThrows(CudaException.class, () -> cu.malloc(petabyte));
        assertTrue(e.isOutOfMemory(), e.getMessage());
        assertTrue(e.getMessage().startsWith("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)"), e.getMessage());
        try (DevicePool pool = new DevicePool(cu)) {
            long p = pool.allocate(1 << 20);
            CudaException pe = assertThrows(CudaException.class, () -> pool.allocate(petabyte));
            assertTrue(pe.getMessage().contains("requested " + petabyte + " bytes"), pe.getMessage());
            pool.free(p);
            assertEquals(p, pool.allocate(1 << 20));
        }
        long q = cu.malloc(1024);
        cu.memsetD32(q, 7, 256, 0);
        cu.free(q);
    }

    @Test
    void poolReusesAndReleasesDeviceMemory() {
        long freeBefore = cu.memGetInfoFree();
        DevicePool pool = new DevicePool(cu);
        long a = pool.allocate(256L << 20);
        pool.free(a);
        assertEquals(a, pool.allocate(255L << 20));
        assertTrue(cu.memGetInfoFree() <= freeBefore - (256L << 20));
        pool.close();
        assertTrue(cu.memGetInfoFree() >= freeBefore - (16L << 20), "memory given back on close");
    }

    @Test
    void anotherThreadCanUseTheDriver() throws Exception {
        float[] got = new float[1];
        Thread t = new Thread(() -> {
            long p = cu.malloc(4);
            cu.memsetD32(p, Float.floatToRawIntBits(9f), 1, 0);
            cu.copyDtoH(got, 0, 1, p, 0);
            cu.free(p);
        });
        t.start();
        t.join();
        assertEquals(9f, got[0]);
    }

    @Test
    void badModuleAndKernelNamesAreReported() {
        CudaException bad = assertThrows(CudaException.class, () -> cu.moduleLoadPtx(".version 7.0\n.target sm_80\nnot ptx"));
        assertTrue(bad.getMessage().startsWith("cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX (218)"), bad.getMessage());
        CudaException missing = assertThrows(CudaException.class, () -> cu.function(module, "jrnn_no_such_kernel"));
        assertEquals("CUDA_ERROR_NOT_FOUND", missing.errorName());
    }
}
