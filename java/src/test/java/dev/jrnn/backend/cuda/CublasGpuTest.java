package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.backend.Precision;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** cuBLAS row-major GEMMs on a real device against double-precision loops. */
@Tag("gpu")
class CublasGpuTest {
    static CudaDriver cu;
    static Cublas blas;
    static long stream;

    @BeforeAll
    static void setUp() {
        Assumptions.assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        cu = CudaDriver.get();
        blas = Cublas.load(cu);
        stream = cu.streamCreate();
        blas.setStream(stream);
        System.out.println("[gpu] cuBLAS " + blas.version() + " from " + blas.libraryPath());
    }

    @AfterAll
    static void tearDown() {
        if (blas != null) blas.close();
        if (cu != null) cu.streamDestroy(stream);
    }

    record Problem(boolean ta, boolean tb, int m, int n, int k, int lda, int ldb, int ldc, float[] a, float[] b,
                   float[] c) {}

    static Problem problem(Random r, boolean ta, boolean tb, int m, int n, int k, int pad) {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        float[] a = new float[(ta ? k : m) * lda], b = new float[(tb ? n : k) * ldb], c = new float[m * ldc];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < c.length; i++) c[i] = (float) (r.nextDouble() * 2 - 1);
        return new Problem(ta, tb, m, n, k, lda, ldb, ldc, a, b, c);
    }

    /** Exact row-major result and, per element, the scale sum_l |a b| + |beta c| that rounding errors are relative to. */
    static double[][] reference(Problem p, float alpha, float beta) {
        double[] out = new double[p.c().length], scale = new double[p.c().length];
        for (int i = 0; i < out.length; i++) out[i] = p.c()[i];
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                double s = 0, abs = 0;
                for (int l = 0; l < p.k(); l++) {
                    double av = p.ta() ? p.a()[l * p.lda() + i] : p.a()[i * p.lda() + l];
                    double bv = p.tb() ? p.b()[j * p.ldb() + l] : p.b()[l * p.ldb() + j];
                    s += av * bv;
                    abs += Math.abs(av * bv);
                }
                int idx = i * p.ldc() + j;
                double cOld = p.c()[idx];
                out[idx] = alpha * s + (beta == 0 ? 0 : beta * cOld);
                scale[idx] = Math.abs(alpha) * abs + Math.abs(beta * cOld);
            }
        }
        return new double[][] {out, scale};
    }

    /** Runs the product on the device; C starts as p.c() except element 0, which is NaN when beta is 0. */
    static float[] run(Problem p, float alpha, float beta) {
        long da = cu.malloc(4L * p.a().length), db = cu.malloc(4L * p.b().length), dc = cu.malloc(4L * p.c().length);
        float[] c0 = p.c().clone();
        if (beta == 0) c0[0] = Float.NaN;
        cu.copyHtoD(da, p.a(), 0, p.a().length, stream);
        cu.copyHtoD(db, p.b(), 0, p.b().length, stream);
        cu.copyHtoD(dc, c0, 0, c0.length, stream);
        blas.sgemmRowMajor(p.ta(), p.tb(), p.m(), p.n(), p.k(), alpha, da, p.lda(), db, p.ldb(), beta, dc, p.ldc());
        float[] got = new float[c0.length];
        cu.copyDtoH(got, 0, got.length, dc, stream);
        cu.free(da);
        cu.free(db);
        cu.free(dc);
        return got;
    }

    static double maxRelError(Problem p, float[] got, double[][] ref) {
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            boolean inside = (i % p.ldc()) < p.n();
            double err = Math.abs(got[i] - ref[0][i]);
            if (!inside) {
                assertEquals(p.c()[i], got[i], "padding column " + (i % p.ldc()) + " must not be written");
                continue;
            }
            assertTrue(Double.isFinite(got[i]), "non-finite at " + i);
            worst = Math.max(worst, err / (ref[1][i] + 1e-30));
        }
        return worst;
    }

    @Test
    void fp32RowMajorMatchesAllTransposes() {
        blas.setMathMode(Precision.FP32);
        Random r = new Random(11);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 0.75f}) {
                    Problem p = problem(r, ta, tb, 67, 45, 33, 3);
                    double err = maxRelError(p, run(p, 1.25f, beta), reference(p, 1.25f, beta));
                    assertTrue(err < 1e-5, "ta=" + ta + " tb=" + tb + " beta=" + beta + ": rel err " + err);
                }
            }
        }
    }

    @Test
    void tf32ErrorStaysUnder5e3() {
        Random r = new Random(12);
        Problem p = problem(r, false, true, 256, 256, 512, 0);
        double[][] ref = reference(p, 1f, 0f);
        blas.setMathMode(Precision.TF32);
        float[] tf32 = run(p, 1f, 0f);
        blas.setMathMode(Precision.FP32);
        float[] fp32 = run(p, 1f, 0f);
        double eTf32 = maxRelError(p, tf32, ref), eFp32 = maxRelError(p, fp32, ref);
        System.out.println("[gpu] rel err FP32 " + eFp32 + ", TF32 " + eTf32);
        assertTrue(eTf32 < 5e-3, "TF32 rel err " + eTf32);
        assertTrue(eFp32 < 1e-5, "FP32 rel err " + eFp32);
    }

    @Test
    void bf16ComputeOnFloatData() {
        Random r = new Random(13);
        Problem p = problem(r, true, false, 128, 96, 256, 1);
        blas.setMathMode(Precision.BF16);
        try {
            double err = maxRelError(p, run(p, 1f, 0.5f), reference(p, 1f, 0.5f));
            System.out.println("[gpu] rel err BF16 (GemmEx fast-16BF) " + err);
            assertTrue(err < 2e-2, "BF16 rel err " + err);
        } finally {
            blas.setMathMode(Precision.FP32);
        }
    }

    private static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @Test
    void gemmWithBf16Inputs() {
        Random r = new Random(14);
        Problem p = problem(r, false, false, 64, 48, 80, 0);
        float[] a = p.a().clone(), b = p.b().clone();
        long da = cu.malloc(2L * a.length), db = cu.malloc(2L * b.length), dc = cu.malloc(4L * p.c().length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ha = arena.allocate(2L * a.length), hb = arena.allocate(2L * b.length);
            for (int i = 0; i < a.length; i++) {
                ha.setAtIndex(JAVA_SHORT, i, toBf16(a[i]));
                a[i] = Float.intBitsToFloat(toBf16(a[i]) << 16);
            }
            for (int i = 0; i < b.length; i++) {
                hb.setAtIndex(JAVA_SHORT, i, toBf16(b[i]));
                b[i] = Float.intBitsToFloat(toBf16(b[i]) << 16);
            }
            cu.copyHtoD(da, ha, ha.byteSize(), stream);
            cu.copyHtoD(db, hb, hb.byteSize(), stream);
            cu.streamSynchronize(stream);
        }
        blas.gemmBf16RowMajor(false, false, p.m(), p.n(), p.k(), 1f, da, p.lda(), db, p.ldb(), 0f, dc, p.ldc());
        float[] got = new float[p.c().length];
        cu.copyDtoH(got, 0, got.length, dc, stream);
        // Reference on the rounded inputs: only accumulation order differs.
        Problem rounded = new Problem(false, false, p.m(), p.n(), p.k(), p.lda(), p.ldb(), p.ldc(), a, b, p.c());
        double err = maxRelError(rounded, got, reference(rounded, 1f, 0f));
        assertTrue(err < 1e-4, "bf16-input GEMM rel err " + err);
        cu.free(da);
        cu.free(db);
        cu.free(dc);
    }

    @Test
    void sgemmInsideACapturedGraph() {
        Random r = new Random(15);
        Problem p = problem(r, false, false, 64, 64, 64, 0);
        long da = cu.malloc(4L * p.a().length), db = cu.malloc(4L * p.b().length), dc = cu.malloc(4L * p.c().length);
        cu.copyHtoD(da, p.a(), 0, p.a().length, stream);
        cu.copyHtoD(db, p.b(), 0, p.b().length, stream);
        // Warm-up outside the capture: cuBLAS loads its kernels lazily on first use.
        long dw = cu.malloc(4L * p.c().length);
        blas.sgemmRowMajor(false, false, 64, 64, 64, 1f, da, 64, db, 64, 0f, dw, 64);
        cu.copyHtoD(dc, p.c(), 0, p.c().length, stream);
        cu.free(dw);
        cu.streamBeginCapture(stream);
        long graph;
        try {
            blas.sgemmRowMajor(false, false, 64, 64, 64, 1f, da, 64, db, 64, 1f, dc, 64);   // C += A B
            graph = cu.streamEndCapture(stream);
        } catch (RuntimeException e) {
            cu.abortCapture(stream);
            throw e;
        }
        long exec = cu.graphInstantiate(graph);
        cu.graphLaunch(exec, stream);
        cu.graphLaunch(exec, stream);   // C + 2 A B
        float[] got = new float[p.c().length];
        cu.copyDtoH(got, 0, got.length, dc, stream);
        double[][] once = reference(p, 2f, 1f);
        double err = maxRelError(p, got, once);
        assertTrue(err < 1e-5, "graph-replayed sgemm rel err " + err);
        cu.graphExecDestroy(exec);
        cu.graphDestroy(graph);
        cu.free(da);
        cu.free(db);
        cu.free(dc);
    }
}
