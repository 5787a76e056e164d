package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.backend.CopyQueue;
import dev.jrnn.backend.Precision;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FFM bindings end to end against stand-in libraries (test resources {@code mock_cuda.c},
 * {@code mock_cublas.c}, {@code mock_cublasLt.c}) built with the system C compiler: every downcall's
 * signature, out-parameters, status mapping, kernel-argument marshalling, heap copies through the staging
 * buffer, graph capture, the cuBLAS library search and the row-major GEMM operand swap. Skipped where no C
 * compiler is installed. The real device is covered by the {@code @Tag("gpu")} tests.
 */
class MockCudaTest {
    @TempDir
    static Path tmp;

    static Path cublasDir;
    static CudaDriver cu;
    static NativeLib mockCuda, mockCublas;
    static Cublas blas;

    @BeforeAll
    static void build() throws Exception {
        String cc = System.getenv().getOrDefault("CC", "cc");
        Assumptions.assumeTrue(runs(List.of(cc, "--version")), "no C compiler (" + cc + ") to build the stand-in libraries");
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        for (String f : List.of("mock_cuda.c", "mock_cublas.c", "mock_cublasLt.c")) {
            try (InputStream in = MockCudaTest.class.getResourceAsStream(f)) {
                Files.copy(in, src.resolve(f));
            }
        }
        Path cuda = tmp.resolve("libjrnn_mockcuda.so");
        cublasDir = tmp.resolve("venv/lib/python3.12/site-packages/nvidia/cu13/lib");
        Files.createDirectories(cublasDir);
        Path lt = cublasDir.resolve("libcublasLt.so.13");
        Path blasLib = cublasDir.resolve("libcublas.so.13");
        compile(cc, "-o", cuda.toString(), src.resolve("mock_cuda.c").toString(), "-Wl,-soname,libjrnn_mockcuda.so");
        compile(cc, "-o", lt.toString(), src.resolve("mock_cublasLt.c").toString(),
                "-Wl,-soname,libjrnn_mockcublasLt.so.13");
        // Linked against the Lt stand-in by soname, without a search path: loadable only once its sibling is.
        compile(cc, "-o", blasLib.toString(), src.resolve("mock_cublas.c").toString(), lt.toString(),
                "-Wl,-soname,libjrnn_mockcublas.so.13");

        mockCuda = NativeLib.open(cuda.toString(), false);
        cu = CudaDriver.open(new CudaLibraries.Loaded(mockCuda, cuda.toString()));
        CudaLibraries.Loaded found = CudaLibraries.loadCublas(new CudaLibraries.Search(
                Map.of(CudaLibraries.ENV_CUBLAS, blasLib.toString()), false, List.of(), List.of(), List.of()));
        mockCublas = found.lib();
        blas = Cublas.load(cu, found);
    }

    @AfterAll
    static void close() {
        if (blas != null) blas.close();
    }

    static boolean runs(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void compile(String cc, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(cc, "-shared", "-fPIC", "-O1", "-std=c11"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, cmd + " failed:\n" + out);
    }

    private static long mockAllocated() throws Throwable {
        MethodHandle h = mockCuda.downcall(FunctionDescriptor.of(JAVA_LONG), "mock_allocated");
        return (long) h.invokeExact();
    }

    private static int mockInt(String fn) throws Throwable {
        return mockInt(mockCublas, fn);
    }

    private static int mockInt(NativeLib lib, String fn) throws Throwable {
        MethodHandle h = lib.downcall(FunctionDescriptor.of(JAVA_INT), fn);
        return (int) h.invokeExact();
    }

    // ------------------------------------------------------------------ driver

    @Test
    void deviceQueriesGoThroughTheirOutParameters() {
        assertEquals("Mock GPU", cu.deviceName());
        assertEquals(90, cu.computeCapability());
        assertEquals(132, cu.multiprocessorCount());
        assertEquals(80L << 30, cu.totalMemory());
        assertEquals(13000, cu.driverVersion());
        assertEquals(232448, cu.maxSharedMemoryPerBlockOptin());
        assertTrue(cu.supportsCooperativeLaunch());
        assertEquals(0, cu.device());
        assertTrue(cu.toString().contains("Mock GPU"), cu.toString());
    }

    @Test
    void versionedSymbolsAndTheElapsedTimeFallback() {
        Map<String, String> s = cu.symbols();
        assertEquals("cuMemAlloc_v2", s.get("cuMemAlloc_v2"));
        assertEquals("cuStreamBeginCapture_v2", s.get("cuStreamBeginCapture_v2"));
        // The stand-in exports only the plain name, like drivers before CUDA 12.8.
        assertEquals("cuEventElapsedTime", s.get("cuEventElapsedTime_v2"));
        assertEquals("cuEventElapsedTime", cu.elapsedTimeSymbol());
    }

    @Test
    void heapAndNativeCopiesRoundTripIncludingChunkedStaging() throws Throwable {
        long s = cu.streamCreate();
        // Larger than the staging buffer, and not a multiple of it: three chunks.
        int n = (int) (2 * CudaDriver.STAGING_BYTES / 4) + 12345;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i * 0.25f - 7;
        long before = mockAllocated();
        int recordsBefore = mockInt(mockCuda, "mock_event_records"), syncsBefore = mockInt(mockCuda, "mock_event_syncs");
        long d = cu.malloc(4L * n);
        assertEquals(before + 4L * n, mockAllocated());
        cu.copyHtoD(d, MemorySegment.ofArray(x), 4L * n, s);
        // Three chunks through two staging buffers: an event after each, and the third waits for the first's.
        assertEquals(3, mockInt(mockCuda, "mock_event_records") - recordsBefore);
        int waits = mockInt(mockCuda, "mock_event_syncs") - syncsBefore;
        assertTrue(waits >= 1 && waits <= 3, waits + " waits");
        float[] back = new float[n];
        cu.copyDtoH(MemorySegment.ofArray(back), d, 4L * n, s);
        assertArrayEquals(x, back);

        // float[] overloads with offsets.
        float[] part = new float[10];
        cu.copyDtoH(part, 3, 5, d + 4L * 100, s);
        assertArrayEquals(new float[] {0, 0, 0, x[100], x[101], x[102], x[103], x[104], 0, 0}, part);
        cu.copyHtoD(d, new float[] {9, 8, 7, 6}, 1, 2, s);
        cu.copyDtoH(part, 0, 3, d, s);
        assertArrayEquals(new float[] {8, 7, x[2]}, java.util.Arrays.copyOf(part, 3));

        // Native segments, memset and device-to-device.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(4L * 64);
            long e = cu.malloc(4L * 64);
            cu.memsetD32(e, Float.floatToRawIntBits(1.5f), 64, s);
            cu.copyDtoD(e + 4L * 8, d, 4L * 4, s);
            cu.copyDtoH(host, e, 4L * 64, s);
            assertEquals(1.5f, host.getAtIndex(JAVA_FLOAT, 0));
            assertEquals(8f, host.getAtIndex(JAVA_FLOAT, 8));
            assertEquals(7f, host.getAtIndex(JAVA_FLOAT, 9));
            assertEquals(x[2], host.getAtIndex(JAVA_FLOAT, 10));
            assertEquals(1.5f, host.getAtIndex(JAVA_FLOAT, 63));
            for (int i = 0; i < 64; i++) host.setAtIndex(JAVA_FLOAT, i, -i);
            cu.copyHtoD(e, host, 4L * 64, s);
            cu.streamSynchronize(s);
            float[] got = new float[64];
            cu.copyDtoH(got, 0, 64, e, s);
            assertEquals(-63f, got[63]);
            cu.free(e);
        }
        cu.free(d);
        assertEquals(before, mockAllocated());
        cu.streamDestroy(s);
    }

    @Test
    void hostCopyArgumentsAreChecked() {
        float[] small = new float[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cu.copyHtoD(0x1000, MemorySegment.ofArray(small), 17, 0));
        assertTrue(e.getMessage().contains("17 bytes requested but the host segment holds 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> cu.copyDtoH(MemorySegment.ofArray(small).asReadOnly(), 0x1000, 4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> cu.copyDtoH(small, 2, 3, 0x1000, 0));
        assertThrows(IllegalArgumentException.class, () -> cu.malloc(0));
    }

    @Test
    void outOfMemoryIsACudaExceptionNamingTheRequest() {
        long petabyte = 1L << 50;
        CudaException e = assertThrows(CudaException.class, () -> cu.malloc(petabyte));
        assertEquals("cuMemAlloc_v2", e.call());
        assertEquals(2, e.code());
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.errorName());
        assertTrue(e.isOutOfMemory());
        assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory; requested " + petabyte
                + " bytes", e.getMessage());

        try (DevicePool pool = new DevicePool(cu)) {
            long p = pool.allocate(1000);
            CudaException pe = assertThrows(CudaException.class, () -> pool.allocate(petabyte));
            assertTrue(pe.getMessage().contains("requested " + petabyte + " bytes"), pe.getMessage());
            assertTrue(pe.getMessage().contains("free of 80.00 GiB"), pe.getMessage());
            pool.free(p);
        }
    }

    @Test
    void poolGivesEverythingBackOnClose() throws Throwable {
        long before = mockAllocated();
        DevicePool pool = new DevicePool(cu);
        long a = pool.allocate(100);
        pool.allocate(3L << 20);
        pool.free(a);
        assertEquals(a, pool.allocate(200));
        assertEquals(before + 512 + (4L << 20), mockAllocated());
        pool.close();
        assertEquals(before, mockAllocated());
    }

    @Test
    void unknownErrorCodesFallBackToTheTable() {
        // The stand-in's cuGetErrorName knows only a few codes, like a driver older than the table.
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", cu.errorName(2));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", cu.errorName(700));
        assertEquals("CUDA_ERROR_UNRECOGNIZED_4242", cu.errorName(4242));
    }

    @Test
    void kernelsGetTheirArgumentsInOrderAndWidth() {
        long s = cu.streamCreate();
        long mod = cu.moduleLoadPtx("//mock module\n");
        long axpy = cu.function(mod, "axpy");
        long fill = cu.function(mod, "fill_i64");
        int n = 1000;
        long y = cu.malloc(4L * n), x = cu.malloc(4L * n);
        // fill_i64(float* y, int n, long long base): a 64-bit scalar after a 32-bit one.
        long base = (1L << 33) + 5;
        cu.launch(fill, (n + 255) / 256, 1, 1, 256, 1, 1, 0, s, x, n, base - (1L << 33));
        cu.memsetD32(y, Float.floatToRawIntBits(1f), n, s);
        // axpy(float* y, const float* x, float a, int n): y += a*x, on a grid that covers only 512 threads.
        cu.launch(axpy, 2, 1, 1, 256, 1, 1, 0, s, y, x, 0.5f, n);
        float[] got = new float[n];
        cu.copyDtoH(got, 0, n, y, s);
        for (int i = 0; i < n; i++) assertEquals(i < 512 ? 1f + 0.5f * (5 + i) : 1f, got[i], "y[" + i + "]");

        cu.setMaxDynamicSharedMemory(axpy, 100_000);
        assertEquals(100_000, cu.functionAttribute(axpy, CudaDriver.FUNC_MAX_DYNAMIC_SHARED_SIZE_BYTES));
        cu.launchCooperative(axpy, 4, 1, 1, 256, 1, 1, 100_000, s, y, x, -1f, n);
        cu.copyDtoH(got, 0, n, y, s);
        assertEquals(1f + 0.5f * 5 - 5, got[0]);
        assertEquals(7, cu.occupancyMaxActiveBlocksPerMultiprocessor(axpy, 256, 100_001));

        CudaException tooLarge = assertThrows(CudaException.class,
                () -> cu.launchCooperative(axpy, 10_000, 1, 1, 256, 1, 1, 0, s, y, x, 1f, n));
        assertEquals("CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE", tooLarge.errorName());
        assertThrows(IllegalArgumentException.class, () -> cu.launch(axpy, 0, 1, 1, 256, 1, 1, 0, s, y, x, 1f, n));
        cu.free(y);
        cu.free(x);
        cu.moduleUnload(mod);
    }

    @Test
    void moduleFailuresCarryTheJitLogAndKernelName() {
        CudaException bad = assertThrows(CudaException.class, () -> cu.moduleLoadPtx("//mock-bad\n"));
        assertEquals("cuModuleLoadDataEx", bad.call());
        assertEquals("CUDA_ERROR_INVALID_PTX", bad.errorName());
        assertTrue(bad.getMessage().contains("ptxas mock: syntax error at line 3"), bad.getMessage());
        long mod = cu.moduleLoadFatbin("//mock".getBytes());   // NUL appended by the binding
        CudaException missing = assertThrows(CudaException.class, () -> cu.function(mod, "jrnn_nope"));
        assertEquals("CUDA_ERROR_NOT_FOUND", missing.errorName());
        assertTrue(missing.getMessage().contains("kernel 'jrnn_nope'"), missing.getMessage());
    }

    @Test
    void capturedGraphReplaysItsLaunches() {
        long s = cu.streamCreate();
        long mod = cu.moduleLoadPtx("//mock\n");
        long axpy = cu.function(mod, "axpy");
        int n = 64;
        long y = cu.malloc(4L * n), x = cu.malloc(4L * n);
        cu.memsetD32(x, Float.floatToRawIntBits(2f), n, s);
        cu.memsetD32(y, 0, n, s);
        assertEquals(s, cu.streamBeginCapture(s));
        cu.launch(axpy, 1, 1, 1, 64, 1, 1, 0, s, y, x, 1f, n);
        cu.launch(axpy, 1, 1, 1, 64, 1, 1, 0, s, y, x, 0.5f, n);
        long graph = cu.streamEndCapture(s);
        float[] got = new float[n];
        cu.copyDtoH(got, 0, n, y, s);
        assertEquals(0f, got[0], "capturing does not run the kernels");
        long exec = cu.graphInstantiate(graph);
        for (int r = 0; r < 3; r++) cu.graphLaunch(exec, s);
        cu.streamSynchronize(s);
        cu.copyDtoH(got, 0, n, y, s);
        for (float v : got) assertEquals(3 * (2f + 1f), v);
        cu.graphExecDestroy(exec);
        cu.graphDestroy(graph);

        // A copy inside a capture fails; abortCapture leaves the stream usable.
        cu.streamBeginCapture(s);
        CudaException e = assertThrows(CudaException.class, () -> cu.copyDtoH(got, 0, n, y, s));
        assertEquals("CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED", e.errorName());
        CudaException up = assertThrows(CudaException.class, () -> cu.copyHtoD(y, got, 0, n, s));
        assertEquals("copyHtoD", up.call());
        assertTrue(up.getMessage().contains("cannot be captured"), up.getMessage());
        cu.abortCapture(s);
        cu.copyDtoH(got, 0, n, y, s);
        assertThrows(IllegalArgumentException.class, () -> cu.streamBeginCapture(0));
        cu.free(y);
        cu.free(x);
    }

    @Test
    void eventsTimeThroughTheFloatOutParameter() {
        long a = cu.eventCreate(), b = cu.eventCreate();
        cu.eventRecord(a, 0);
        cu.eventRecord(b, 0);
        assertEquals((b - a) * 0.5f, cu.eventElapsedMs(a, b));
        CudaException e = assertThrows(CudaException.class, () -> cu.eventElapsedMs(a, 0));
        assertEquals("CUDA_ERROR_INVALID_HANDLE", e.errorName());
        cu.eventDestroy(a);
        cu.eventDestroy(b);
    }

    @Test
    void otherThreadsGetTheContextMadeCurrent() throws Exception {
        float[] got = new float[1];
        Thread t = new Thread(() -> {
            long p = cu.malloc(4);
            cu.memsetD32(p, Float.floatToRawIntBits(4f), 1, 0);
            cu.copyDtoH(got, 0, 1, p, 0);
            cu.free(p);
        });
        t.start();
        t.join();
        assertEquals(4f, got[0]);
    }

    // ------------------------------------------------------------------ cuBLAS

    @Test
    void cublasFromAWheelDirectoryNeedsItsLtSiblingPreloaded() {
        assertTrue(blas.libraryPath().endsWith("nvidia/cu13/lib/libcublas.so.13"), blas.libraryPath());
        assertEquals(130100, blas.version());
        // Found by walking a root, as on a machine where cuBLAS lives only in a Python install.
        CudaLibraries.Loaded walked = CudaLibraries.loadCublas(new CudaLibraries.Search(Map.of(), false, List.of(),
                List.of(), List.of(new CudaLibraries.Root(tmp, 4))));
        assertTrue(walked.where().endsWith("nvidia/cu13/lib/libcublas.so.13"), walked.where());
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** Row-major reference: C[i, j] = alpha * sum_l op(A)[i, l] op(B)[l, j] + beta * C[i, j]. */
    private static double[] reference(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int lda,
                                      float[] b, int ldb, float beta, float[] c, int ldc) {
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) out[i] = c[i];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    double av = ta ? a[l * lda + i] : a[i * lda + l];
                    double bv = tb ? b[j * ldb + l] : b[l * ldb + j];
                    s += av * bv;
                }
                out[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]);
            }
        }
        return out;
    }

    @Test
    void sgemmRowMajorMatchesTheReferenceForAllTransposesAndPaddedStrides() {
        Random r = new Random(7);
        long s = cu.streamCreate();
        blas.setStream(s);
        assertEquals(s, blas.stream());
        int m = 5, n = 7, k = 3;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                float[] a = random(r, (ta ? k : m) * lda), b = random(r, (tb ? n : k) * ldb), c = random(r, m * ldc);
                c[0] = Float.NaN;   // beta = 0 must not read C
                float alpha = 1.5f;
                for (float beta : new float[] {0f, -0.5f}) {
                    if (beta != 0) c[0] = 0.25f;
                    double[] want = reference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
                    long da = cu.malloc(4L * a.length), db = cu.malloc(4L * b.length), dc = cu.malloc(4L * c.length);
                    cu.copyHtoD(da, a, 0, a.length, s);
                    cu.copyHtoD(db, b, 0, b.length, s);
                    cu.copyHtoD(dc, c, 0, c.length, s);
                    blas.sgemmRowMajor(ta, tb, m, n, k, alpha, da, lda, db, ldb, beta, dc, ldc);
                    float[] got = new float[c.length];
                    cu.copyDtoH(got, 0, got.length, dc, s);
                    for (int i = 0; i < c.length; i++) {
                        assertEquals(want[i], got[i], 1e-5, "ta=" + ta + " tb=" + tb + " beta=" + beta + " at " + i);
                    }
                    cu.free(da);
                    cu.free(db);
                    cu.free(dc);
                }
            }
        }
    }

    @Test
    void stridedBatchedGemmRunsEachProductWithItsOperandsAndSplitsHugeBatches() throws Throwable {
        int m = 3, n = 4, k = 5, batch = 3, lda = k + 1, ldb = n, ldc = n + 2;
        long sa = 0, sb = (long) k * ldb + 3, sc = (long) m * ldc + 1;   // A shared by the batch (stride 0)
        Random r = new Random(11);
        float[] a = random(r, m * lda), b = random(r, (int) (batch * sb)), c = random(r, (int) (batch * sc));
        long da = cu.malloc(4L * a.length), db = cu.malloc(4L * b.length), dc = cu.malloc(4L * c.length);
        try {
            cu.copyHtoD(da, a, 0, a.length, 0);
            cu.copyHtoD(db, b, 0, b.length, 0);
            cu.copyHtoD(dc, c, 0, c.length, 0);
            for (Precision p : new Precision[] {Precision.FP32, Precision.BF16}) {
                blas.setMathMode(p);
                int calls = mockInt("mock_batched_calls");
                blas.sgemmStridedBatchedRowMajor(false, false, m, n, k, 0.5f, da, lda, sa, db, ldb, sb, 0f, dc, ldc, sc, batch);
                assertEquals(calls + 1, mockInt("mock_batched_calls"));
                assertEquals(p == Precision.BF16 ? Cublas.COMPUTE_32F_FAST_16BF : -1, mockInt("mock_last_compute"));
                float[] got = new float[c.length];
                cu.copyDtoH(got, 0, got.length, dc, 0);
                for (int i = 0; i < batch; i++) {
                    float[] bi = java.util.Arrays.copyOfRange(b, (int) (i * sb), (int) (i * sb) + k * ldb);
                    double[] want = reference(false, false, m, n, k, 0.5f, a, lda, bi, ldb, 0f, new float[m * ldc], ldc);
                    for (int row = 0; row < m; row++) {
                        for (int col = 0; col < n; col++) {
                            assertEquals(want[row * ldc + col], got[(int) (i * sc) + row * ldc + col], 1e-5, p + " product " + i);
                        }
                    }
                }
            }
            blas.setMathMode(Precision.FP32);
            // more products than one call takes: two calls, every product written from its own A and B (distinct values,
            // so a chunk that moved only C's offset would fail)
            int huge = Cublas.MAX_BATCH + 2;
            long ones = cu.malloc(4L * huge), out = cu.malloc(4L * huge);
            try {
                float[] h = new float[huge];
                for (int i = 0; i < huge; i++) h[i] = i + 1;
                cu.copyHtoD(ones, h, 0, huge, 0);
                int calls = mockInt("mock_batched_calls");
                blas.sgemmStridedBatchedRowMajor(false, false, 1, 1, 1, 1f, ones, 1, 1, ones, 1, 1, 0f, out, 1, 1, huge);
                assertEquals(calls + 2, mockInt("mock_batched_calls"));
                cu.copyDtoH(h, 0, huge, out, 0);
                for (int i = 0; i < huge; i++) assertEquals((float) (i + 1) * (float) (i + 1), h[i], "product " + i);
            } finally {
                cu.free(ones);
                cu.free(out);
            }
        } finally {
            cu.free(da);
            cu.free(db);
            cu.free(dc);
        }
    }

    @Test
    void precisionSelectsMathModeOrComputeType() throws Throwable {
        int m = 2, n = 3, k = 4;
        Random r = new Random(1);
        float[] a = random(r, m * k), b = random(r, k * n);
        long da = cu.malloc(4L * a.length), db = cu.malloc(4L * b.length), dc = cu.malloc(4L * m * n);
        cu.copyHtoD(da, a, 0, a.length, 0);
        cu.copyHtoD(db, b, 0, b.length, 0);
        blas.setMathMode(Precision.TF32);
        assertEquals(Cublas.TF32_TENSOR_OP_MATH, mockInt("mock_last_math"));
        blas.sgemmRowMajor(false, false, m, n, k, 1f, da, k, db, n, 0f, dc, n);
        assertEquals(-1, mockInt("mock_last_compute"), "TF32 uses cublasSgemm_v2");
        blas.setMathMode(Precision.BF16);
        blas.sgemmRowMajor(false, false, m, n, k, 1f, da, k, db, n, 0f, dc, n);
        assertEquals(Cublas.COMPUTE_32F_FAST_16BF, mockInt("mock_last_compute"));
        assertEquals(Cublas.DEFAULT_MATH, mockInt("mock_last_math"));
        float[] got = new float[m * n];
        cu.copyDtoH(got, 0, got.length, dc, 0);
        double[] want = reference(false, false, m, n, k, 1f, a, k, b, n, 0f, new float[m * n], n);
        for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], 1e-5);
        blas.setMathMode(Precision.FP32);
        assertEquals(Precision.FP32, blas.precision());
        cu.free(da);
        cu.free(db);
        cu.free(dc);
    }

    private static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @Test
    void bf16GemmReadsTwoByteInputs() throws Throwable {
        int m = 3, n = 4, k = 5;
        Random r = new Random(3);
        float[] a = random(r, k * m), b = random(r, n * k);   // both stored transposed
        float[] ar = new float[a.length], br = new float[b.length];
        long da = cu.malloc(2L * a.length), db = cu.malloc(2L * b.length), dc = cu.malloc(4L * m * n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ha = arena.allocate(2L * a.length), hb = arena.allocate(2L * b.length);
            for (int i = 0; i < a.length; i++) {
                ha.setAtIndex(JAVA_SHORT, i, toBf16(a[i]));
                ar[i] = Float.intBitsToFloat(toBf16(a[i]) << 16);
            }
            for (int i = 0; i < b.length; i++) {
                hb.setAtIndex(JAVA_SHORT, i, toBf16(b[i]));
                br[i] = Float.intBitsToFloat(toBf16(b[i]) << 16);
            }
            cu.copyHtoD(da, ha, ha.byteSize(), 0);
            cu.copyHtoD(db, hb, hb.byteSize(), 0);
        }
        blas.gemmBf16RowMajor(true, true, m, n, k, 2f, da, m, db, k, 0f, dc, n);
        assertEquals(Cublas.COMPUTE_32F, mockInt("mock_last_compute"));
        float[] got = new float[m * n];
        cu.copyDtoH(got, 0, got.length, dc, 0);
        double[] want = reference(true, true, m, n, k, 2f, ar, m, br, k, 0f, new float[m * n], n);
        for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], 1e-5);
        cu.free(da);
        cu.free(db);
        cu.free(dc);
    }

    @Test
    void closeDestroysTheHandleAndFreesTheWorkspace() throws Throwable {
        long before = mockAllocated();
        int handles = mockInt("mock_handles_open");
        Cublas extra = Cublas.load(cu, new CudaLibraries.Loaded(mockCublas, "mock"));
        assertEquals(handles + 1, mockInt("mock_handles_open"));
        assertEquals(before + Cublas.WORKSPACE_BYTES, mockAllocated());
        extra.close();
        extra.close();
        assertEquals(handles, mockInt("mock_handles_open"));
        assertEquals(before, mockAllocated());
        assertThrows(IllegalStateException.class,
                () -> extra.sgemmRowMajor(false, false, 1, 1, 1, 1f, 0, 1, 0, 1, 0f, 0, 1));
    }

    /** A device buffer of the mock for CudaCopyQueue's pointer lookup. */
    private record MockBuf(long ptr, long size) implements dev.jrnn.backend.Buf {
        public dev.jrnn.backend.Backend backend() { return null; }

        public void close() { cu.free(ptr); }
    }

    @Test
    void copyQueueCopiesPageLockedMemoryOnItsOwnStreamOrderedByEventsAndFreesEverything() throws Throwable {
        long main = cu.streamCreate();
        int live = mockInt(mockCuda, "mock_host_live"), waits = mockInt(mockCuda, "mock_stream_waits");
        int records = mockInt(mockCuda, "mock_event_records");
        CudaCopyQueue q = new CudaCopyQueue(cu, main, (b, off, n) -> ((MockBuf) b).ptr() + 4 * off);
        MockBuf d = new MockBuf(cu.malloc(4L * 64), 64);
        cu.memsetD32(d.ptr(), 0, 64, main);
        // host memory from another thread (the loader's): portable, counted
        MemorySegment[] h = new MemorySegment[1];
        Thread t = Thread.ofPlatform().start(() -> h[0] = q.allocHost(40));
        t.join();
        assertEquals(live + 1, mockInt(mockCuda, "mock_host_live"));
        assertEquals(160, h[0].byteSize());
        for (int i = 0; i < 40; i++) h[0].setAtIndex(JAVA_FLOAT, i, i * 0.5f);
        CopyQueue.Marker copied = q.marker(), read = q.marker();
        q.copiesWait(read);
        q.upload(h[0], d, 8, 40);
        q.recordCopies(copied);
        q.mainWaits(copied);
        q.recordMain(read);
        assertEquals(waits + 2, mockInt(mockCuda, "mock_stream_waits"));
        assertEquals(records + 2, mockInt(mockCuda, "mock_event_records"));
        copied.await();
        float[] back = new float[48];
        cu.copyDtoH(back, 0, 48, d.ptr(), main);
        assertEquals(0f, back[7]);
        assertEquals(0f, back[8]);
        assertEquals(19.5f, back[47]);
        // arguments: heap memory, too many floats, a marker of another queue, memory of another queue
        assertThrows(IllegalArgumentException.class, () -> q.upload(MemorySegment.ofArray(new float[4]), d, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> q.upload(h[0], d, 0, 41));
        CudaCopyQueue other = new CudaCopyQueue(cu, main, (b, off, n) -> ((MockBuf) b).ptr() + 4 * off);
        CopyQueue.Marker foreign = other.marker();
        assertThrows(IllegalArgumentException.class, () -> q.mainWaits(foreign));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment notOurs = a.allocate(16);
            assertThrows(IllegalArgumentException.class, () -> q.freeHost(notOurs));
        }
        other.close();
        q.freeHost(h[0]);
        assertEquals(live, mockInt(mockCuda, "mock_host_live"));
        assertThrows(IllegalArgumentException.class, () -> q.freeHost(h[0]), "freed twice");
        // close frees what is left, and refuses work afterwards
        q.allocHost(3);
        q.allocHost(5);
        assertEquals(2, q.liveHost());
        q.close();
        q.close();
        assertEquals(live, mockInt(mockCuda, "mock_host_live"));
        assertThrows(IllegalStateException.class, () -> q.allocHost(1));
        assertThrows(IllegalStateException.class, () -> q.marker());
        assertThrows(IllegalStateException.class, () -> q.recordCopies(copied));
        copied.await();   // a closed queue's marker: nothing to wait for
        d.close();
        cu.streamDestroy(main);
    }

    @Test
    void streamWaitEventPassesStreamEventAndZeroFlags() throws Throwable {
        long s1 = cu.streamCreate(), s2 = cu.streamCreate();
        long ev = cu.eventCreate(CudaDriver.EVENT_DISABLE_TIMING);
        int before = mockInt(mockCuda, "mock_stream_waits");
        cu.eventRecord(ev, s1);
        cu.streamWaitEvent(s2, ev);
        assertEquals(before + 1, mockInt(mockCuda, "mock_stream_waits"));
        CudaException e = assertThrows(CudaException.class, () -> cu.streamWaitEvent(s2, 0));
        assertTrue(e.getMessage().contains("cuStreamWaitEvent"), e.getMessage());
        cu.eventDestroy(ev);
        cu.streamDestroy(s1);
        cu.streamDestroy(s2);
    }

    @Test
    void siblingIsASecondHandleWithItsOwnWorkspace() throws Throwable {
        long before = mockAllocated();
        int handles = mockInt("mock_handles_open");
        Cublas sib = blas.sibling();
        assertEquals(handles + 1, mockInt("mock_handles_open"));
        assertEquals(before + Cublas.WORKSPACE_BYTES, mockAllocated());
        assertTrue(sib.handle() != blas.handle());
        assertEquals(dev.jrnn.backend.Precision.FP32, sib.precision());
        sib.close();
        assertEquals(handles, mockInt("mock_handles_open"));
        assertEquals(before, mockAllocated());
    }
}
