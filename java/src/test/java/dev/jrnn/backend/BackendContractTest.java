package dev.jrnn.backend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.jrnn.backend.BufAt.at;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@link Backend} contract, checked against plain double-precision loops written here, on random
 * non-zero inputs at non-zero offsets with odd sizes. Every backend extends this class and supplies
 * {@link #backend()}; only the {@code Backend} interface is used, so CPU and CUDA pass the same checks.
 * Every output buffer is surrounded by garbage that must stay untouched.
 */
public abstract class BackendContractTest {
    /** Relative error allowed against the float64 references (fp32 arithmetic). */
    protected static final double TOL = 1e-5;

    protected abstract Backend backend();

    private final SplittableRandom rnd = new SplittableRandom(20240917);
    private final List<Buf> open = new ArrayList<>();

    @AfterEach
    void closeBuffers() {
        for (Buf b : open) b.close();
        open.clear();
    }

    // ================================================================ helpers

    /** Uniform in [lo, hi], never (nearly) zero. */
    protected float[] rand(int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            float v;
            do { v = (float) (lo + (hi - lo) * rnd.nextDouble()); } while (Math.abs(v) < 1e-3 * Math.max(Math.abs(lo), Math.abs(hi)));
            x[i] = v;
        }
        return x;
    }

    /** A device copy of {@code data} at offset {@code off}, with garbage around it. */
    protected final class Dev {
        final Buf buf;
        final long off;
        final float[] init;     // full initial content (garbage + data)

        Dev(float[] data, int off, int tail) {
            int size = off + data.length + tail;
            init = rand(size, -50, 50);
            System.arraycopy(data, 0, init, off, data.length);
            buf = backend().alloc(size);
            open.add(buf);
            backend().upload(init, 0, buf, 0, size);
            this.off = off;
        }

        float[] get(int n) {
            float[] out = new float[n];
            backend().download(buf, off, out, 0, n);
            return out;
        }

        float[] all() {
            float[] out = new float[init.length];
            backend().download(buf, 0, out, 0, out.length);
            return out;
        }

        /** Asserts nothing outside the [rows, cols] block with row stride ld (from off) changed. */
        void untouched(String what, int rows, int cols, int ld) {
            float[] now = all();
            for (int i = 0; i < now.length; i++) {
                long rel = i - off;
                boolean inside = rel >= 0 && rel / ld < rows && rel % ld < cols;
                if (!inside && Float.floatToRawIntBits(now[i]) != Float.floatToRawIntBits(init[i])) {
                    fail(what + ": wrote outside its span at buffer index " + i + " (offset " + off + ")");
                }
            }
        }

        void untouched(String what, int n) { untouched(what, 1, n, Math.max(n, 1)); }

        Span span() { return new Span(buf, off); }
    }

    protected Dev dev(float[] data) { return new Dev(data, 3 + rnd.nextInt(9), 5); }

    private static Span span(Dev d) { return d == null ? null : d.span(); }

    /** The mean loss {@link Backend#lossAsync} writes, read back ({@code w} and {@code g} nullable). */
    protected float loss(Loss kind, int rows, int cols, Dev p, Dev t, Dev w, Dev g) {
        Dev out = dev(new float[1]);
        backend().lossAsync(new LossArgs(kind, rows, cols, p.span(), t.span(), span(w), span(g), out.span()));
        return out.get(1)[0];
    }

    /** One Adam update at step {@code t}: its device counter is set to t - 1 first. */
    protected void adam(int n, Dev p, Dev g, Dev m, Dev v, float lr, float b1, float b2, float eps, long t) {
        Dev step = dev(new float[] {CounterRng.lo(t - 1), CounterRng.hi(t - 1), 0f});
        backend().adamUpdate(new AdamArgs(n, p.span(), g.span(), m.span(), v.span(), step.span(), null, lr, b1, b2, eps));
    }

    /** One SGD update ({@code velocity} and {@code guard} nullable). */
    protected void sgd(int n, Dev p, Dev g, Dev velocity, Dev guard, float lr, float momentum, boolean nesterov) {
        backend().sgdUpdate(new SgdArgs(n, p.span(), g.span(), span(velocity), span(guard), lr, momentum, nesterov));
    }

    private static void assertAllFinite(float[] x, String what) {
        for (int i = 0; i < x.length; i++) assertTrue(Float.isFinite(x[i]), what + ": x[" + i + "] = " + x[i]);
    }

    protected static double[] d(float[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) r[i] = x[i];
        return r;
    }

    /** |got - ref| <= TOL * max(|ref|, rms(ref)) elementwise. */
    protected static void close(String what, float[] got, double[] ref) {
        double ss = 0;
        for (double v : ref) ss += v * v;
        double rms = Math.sqrt(ss / Math.max(1, ref.length));
        double[] mag = new double[ref.length];
        for (int i = 0; i < ref.length; i++) mag[i] = Math.max(Math.abs(ref[i]), rms);
        close(what, got, ref, mag);
    }

    /** |got - ref| <= TOL * mag elementwise (mag: the size of the terms that make up ref). */
    protected static void close(String what, float[] got, double[] ref, double[] mag) {
        assertEquals(ref.length, got.length, what + ": length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < ref.length; i++) {
            double e = Math.abs(got[i] - ref[i]) / Math.max(mag[i], 1e-30);
            if (!(e <= worst)) { worst = e; at = i; }
        }
        if (!(worst <= TOL)) {
            fail(what + ": relative error " + worst + " > " + TOL + " at index " + at + ": got " + got[at]
                    + ", expected " + ref[at]);
        }
    }

    protected static void closeScalar(String what, double got, double ref) {
        double e = Math.abs(got - ref) / Math.max(Math.abs(ref), 1e-30);
        assertTrue(e <= TOL, what + ": got " + got + ", expected " + ref + " (relative error " + e + ")");
    }

    protected static final Activation[] ELEMENTWISE = {
        Activation.LINEAR, Activation.TANH, Activation.SIGMOID, Activation.RELU, Activation.HARD_SIGMOID,
        Activation.ELU, Activation.SELU, Activation.SOFTPLUS, Activation.SOFTSIGN, Activation.HARD_SIGMOID_V3,
        Activation.LEAKY_RELU, Activation.EXPONENTIAL};

    /** The activations whose backward takes the input x: their gates keep x, not a(x) ({@code Activation.needsInput}). */
    protected static final Activation[] INPUT_DERIVATIVE = {Activation.GELU, Activation.SWISH, Activation.RELU6,
        Activation.MISH, Activation.HARD_SILU, Activation.CELU, Activation.LOG_SIGMOID, Activation.HARD_TANH,
        Activation.TANH_SHRINK, Activation.SOFT_SHRINK, Activation.HARD_SHRINK, Activation.SQUAREPLUS,
        Activation.SPARSE_PLUS, Activation.SPARSE_SIGMOID};

    /** The standard normal CDF by Simpson's rule on its density (2000 intervals: 1e-13), independent of any erf. */
    protected static double normalCdf(double x) {
        int n = 2000;
        double h = x / n, s = 0;
        for (int i = 0; i <= n; i++) {
            double t = i * h, w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            s += w * Math.exp(-t * t / 2);
        }
        return 0.5 + s * h / 3 / Math.sqrt(2 * Math.PI);
    }

    /** f'(x) from the input, for {@link #INPUT_DERIVATIVE}. */
    protected static double dfx(Activation a, double x) {
        double sg = 1 / (1 + Math.exp(-x));
        return switch (a) {
            case GELU -> normalCdf(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
            case SWISH -> sg + x * sg * (1 - sg);
            // Keras 3's, differentiated by hand from keras/src/ops/nn.py's formulas
            case RELU6 -> x > 0 && x < 6 ? 1 : 0;
            case MISH -> {
                double sp = Math.log1p(Math.exp(x)), t = Math.tanh(sp);
                yield t + x * sg / (Math.cosh(sp) * Math.cosh(sp));
            }
            case HARD_SILU -> x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6;
            case CELU -> x > 0 ? 1 : Math.exp(x);
            case LOG_SIGMOID -> 1 - sg;
            case HARD_TANH -> Math.abs(x) < 1 ? 1 : 0;
            case TANH_SHRINK -> 1 - 1 / (Math.cosh(x) * Math.cosh(x));
            case SOFT_SHRINK, HARD_SHRINK -> Math.abs(x) > 0.5 ? 1 : 0;
            case SQUAREPLUS -> 0.5 + 0.5 * x / Math.sqrt(x * x + 4);
            case SPARSE_PLUS -> x < -1 ? 0 : x > 1 ? 1 : 0.5 * x + 0.5;
            case SPARSE_SIGMOID -> Math.abs(x) < 1 ? 0.5 : 0;
            default -> throw new IllegalArgumentException(a + " takes its derivative from the output");
        };
    }

    protected static double f(Activation a, double x) {
        return switch (a) {
            case LINEAR -> x;
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case RELU -> Math.max(x, 0);
            case HARD_SIGMOID -> Math.min(1, Math.max(0, 0.2 * x + 0.5));
            case HARD_SIGMOID_V3 -> Math.min(1, Math.max(0, x / 6 + 0.5));
            case ELU -> x > 0 ? x : Math.exp(x) - 1;
            case SELU -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1));
            case SOFTPLUS -> Math.log1p(Math.exp(x));
            case SOFTSIGN -> x / (1 + Math.abs(x));
            case LEAKY_RELU -> x > 0 ? x : 0.2 * x;
            case EXPONENTIAL -> Math.exp(x);
            case GELU -> x * normalCdf(x);
            case SWISH -> x / (1 + Math.exp(-x));
            case RELU6 -> Math.min(Math.max(x, 0), 6);
            case MISH -> x * Math.tanh(Math.log1p(Math.exp(x)));
            case HARD_SILU -> x * Math.min(Math.max(x + 3, 0), 6) / 6;
            case CELU -> Math.max(x, 0) + Math.min(0, Math.exp(x) - 1);
            case LOG_SIGMOID -> Math.log(1 / (1 + Math.exp(-x)));
            case HARD_TANH -> Math.min(Math.max(x, -1), 1);
            case TANH_SHRINK -> x - Math.tanh(x);
            case SOFT_SHRINK -> Math.signum(x) * Math.max(Math.abs(x) - 0.5, 0);
            case HARD_SHRINK -> Math.abs(x) > 0.5 ? x : 0;
            case SQUAREPLUS -> (x + Math.sqrt(x * x + 4)) / 2;
            case SPARSE_PLUS -> x <= -1 ? 0 : x >= 1 ? x : 0.25 * (x + 1) * (x + 1);
            case SPARSE_SIGMOID -> Math.min(Math.max(0.5 * (x + 1), 0), 1);
            case SOFTMAX, LOG_SOFTMAX -> throw new IllegalArgumentException();
        };
    }

    /** f'(x) written with y = f(x). */
    protected static double df(Activation a, double y) {
        return switch (a) {
            case LINEAR -> 1;
            case TANH -> 1 - y * y;
            case SIGMOID -> y * (1 - y);
            case RELU -> y > 0 ? 1 : 0;
            case HARD_SIGMOID -> y > 0 && y < 1 ? 0.2 : 0;
            case HARD_SIGMOID_V3 -> y > 0 && y < 1 ? 1.0 / 6 : 0;
            case ELU -> y > 0 ? 1 : y + 1;
            case SELU -> y > 0 ? 1.0507009873554805 : y + 1.0507009873554805 * 1.6732632423543772;
            case SOFTPLUS -> 1 - Math.exp(-y);
            case SOFTSIGN -> (1 - Math.abs(y)) * (1 - Math.abs(y));
            case LEAKY_RELU -> y > 0 ? 1 : 0.2;
            case EXPONENTIAL -> y;
            default -> throw new IllegalArgumentException(a + " takes its derivative from the input");
        };
    }

    /** Activated values rounded to float, as a forward kernel stores them. */
    protected float[] activated(Activation a, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (float) f(a, x[i]);
        return y;
    }

    /** A [batch] mask with some rows 0 (rows 1 and 4 when present). */
    protected static float[] mask(int batch) {
        float[] m = new float[batch];
        for (int b = 0; b < batch; b++) m[b] = (b == 1 || b == 4) ? 0f : 1f;
        return m;
    }

    // ================================================================ memory

    @Test
    void nameAndSynchronize() {
        String name = backend().name();
        assertTrue(name.equals("cpu") || name.equals("cuda"), "name() is cpu or cuda, got " + name);
        Dev a = dev(rand(37, -1, 1));
        backend().fill(a.buf, a.off, 37, 3f);
        backend().synchronize();
        for (float v : a.get(37)) assertEquals(3f, v);
    }

    @Test
    void allocIsZeroFilled() {
        Buf b = backend().alloc(129);
        open.add(b);
        assertEquals(129, b.size());
        float[] out = new float[129];
        java.util.Arrays.fill(out, 7f);
        backend().download(b, 0, out, 0, 129);
        for (float v : out) assertEquals(0f, v);
    }

    @Test
    void uploadDownloadCopyFill() {
        float[] x = rand(37, -2, 2);
        Dev a = dev(x);
        float[] got = new float[40];
        backend().download(a.buf, a.off + 2, got, 3, 35);
        for (int i = 0; i < 35; i++) assertEquals(x[i + 2], got[i + 3]);
        // partial upload from an offset of the host array
        float[] src = rand(50, -1, 1);
        backend().upload(src, 7, a.buf, a.off + 1, 20);
        float[] now = a.get(37);
        for (int i = 0; i < 20; i++) assertEquals(src[7 + i], now[1 + i]);
        assertEquals(x[0], now[0]);
        assertEquals(x[21], now[21]);

        Dev b = dev(rand(37, -1, 1));
        backend().copy(a.buf, a.off, b.buf, b.off, 37);
        float[] copied = b.get(37);
        for (int i = 0; i < 37; i++) assertEquals(now[i], copied[i]);
        b.untouched("copy", 37);

        Dev c = dev(rand(37, -1, 1));
        backend().fill(c.buf, c.off, 37, -2.5f);
        for (float v : c.get(37)) assertEquals(-2.5f, v);
        c.untouched("fill", 37);
    }

    @Test
    void copy2d() {
        int rows = 7, cols = 13, sld = 17, dld = 29;
        float[] s = rand((rows - 1) * sld + cols, -1, 1);
        float[] dInit = rand((rows - 1) * dld + cols, -1, 1);
        Dev src = dev(s), dst = dev(dInit);
        backend().copy2d(rows, cols, src.buf, src.off, sld, dst.buf, dst.off, dld);
        float[] got = dst.get(dInit.length);
        for (int r = 0; r < rows; r++)
            for (int cc = 0; cc < cols; cc++) assertEquals(s[r * sld + cc], got[r * dld + cc], "copy2d[" + r + "," + cc + "]");
        dst.untouched("copy2d", rows, cols, dld);
    }

    @Test
    void transpose01() {
        int d0 = 5, d1 = 7, d2 = 3;
        float[] x = rand(d0 * d1 * d2, -1, 1);
        Dev xs = dev(x), ys = dev(rand(x.length, -1, 1));
        backend().transpose01(d0, d1, d2, xs.buf, xs.off, ys.buf, ys.off);
        float[] y = ys.get(x.length);
        for (int i = 0; i < d0; i++)
            for (int j = 0; j < d1; j++)
                for (int k = 0; k < d2; k++) assertEquals(x[(i * d1 + j) * d2 + k], y[(j * d0 + i) * d2 + k]);
        ys.untouched("transpose01", x.length);
    }

    // ================================================================ BLAS-like

    private void checkGemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta) {
        String what = "gemm(" + (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
                + " alpha=" + alpha + " beta=" + beta + ")";
        int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
        int lda = ac + 3, ldb = bc + 1, ldc = n + 2;
        float[] a = rand((ar - 1) * lda + ac, -1, 1), b = rand((br - 1) * ldb + bc, -1, 1);
        float[] c0 = rand((m - 1) * ldc + n, -1, 1);
        if (beta == 0) for (int i = 0; i < c0.length; i++) if (i % 3 == 0) c0[i] = Float.NaN;
        Dev A = dev(a), B = dev(b), C = dev(c0);
        backend().gemm(ta, tb, m, n, k, alpha, A.buf, A.off, lda, B.buf, B.off, ldb, beta, C.buf, C.off, ldc);
        float[] got = C.get(c0.length);
        float[] g = new float[m * n];
        double[] ref = new double[m * n], mag = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, sa = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[p * lda + i] : a[i * lda + p];
                    double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                    s += av * bv;
                    sa += Math.abs(av * bv);
                }
                double cv = beta == 0 ? 0 : c0[i * ldc + j];
                ref[i * n + j] = alpha * s + beta * cv;
                mag[i * n + j] = Math.abs(alpha) * sa + Math.abs(beta * cv);
                g[i * n + j] = got[i * ldc + j];
            }
        }
        close(what, g, ref, mag);
        C.untouched(what, m, n, ldc);
    }

    @Test
    void gemmAllTransposesSmallAndOdd() {
        int[][] sizes = {{37, 129, 67}, {1, 1, 1}, {5, 3, 1}, {1, 37, 129}, {129, 1, 37}, {17, 33, 9}};
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true})
                for (int[] s : sizes) {
                    checkGemm(ta, tb, s[0], s[1], s[2], 1f, 0f);
                    checkGemm(ta, tb, s[0], s[1], s[2], -0.7f, 0.3f);
                    checkGemm(ta, tb, s[0], s[1], s[2], 1.3f, 1f);
                }
    }

    @Test
    void gemmAllTransposesLarge() {
        // Large enough for blocked, packed and multi-threaded paths; odd sizes leave edge tiles.
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true}) {
                checkGemm(ta, tb, 263, 301, 277, 1f, 0f);
                checkGemm(ta, tb, 131, 97, 515, 0.5f, -1.5f);
            }
    }

    /** Each product of a strided batch against its own float64 reference; stride 0 shares A or B over the batch. */
    private void checkGemmBatched(int batch, boolean ta, boolean tb, int m, int n, int k, boolean shareA, boolean shareB,
                                  float alpha, float beta) {
        String what = "gemmBatched(batch=" + batch + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
                + (shareA ? " A shared" : "") + (shareB ? " B shared" : "") + " beta=" + beta + ")";
        int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
        int lda = ac + 1, ldb = bc + 2, ldc = n + 1;
        int oneA = (ar - 1) * lda + ac, oneB = (br - 1) * ldb + bc, oneC = (m - 1) * ldc + n;
        int sa = shareA ? 0 : oneA + 2, sb = shareB ? 0 : oneB + 1, sc = oneC + 3;
        float[] a = rand((batch - 1) * sa + oneA, -1, 1), b = rand((batch - 1) * sb + oneB, -1, 1);
        float[] c0 = rand((batch - 1) * sc + oneC, -1, 1);
        if (beta == 0) for (int i = 0; i < c0.length; i += 3) c0[i] = Float.NaN;
        Dev A = dev(a), B = dev(b), C = dev(c0);
        backend().gemmBatched(batch, ta, tb, m, n, k, alpha, A.buf, A.off, lda, sa, B.buf, B.off, ldb, sb, beta, C.buf, C.off,
                ldc, sc);
        float[] got = C.get(c0.length);
        float[] g = new float[batch * m * n];
        double[] ref = new double[g.length], mag = new double[g.length];
        for (int q = 0; q < batch; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0, abs = 0;
                    for (int p = 0; p < k; p++) {
                        double av = ta ? a[q * sa + p * lda + i] : a[q * sa + i * lda + p];
                        double bv = tb ? b[q * sb + j * ldb + p] : b[q * sb + p * ldb + j];
                        s += av * bv;
                        abs += Math.abs(av * bv);
                    }
                    double cv = beta == 0 ? 0 : c0[q * sc + i * ldc + j];
                    int at = (q * m + i) * n + j;
                    ref[at] = alpha * s + beta * cv;
                    mag[at] = Math.abs(alpha) * abs + Math.abs(beta * cv);
                    g[at] = got[q * sc + i * ldc + j];
                    got[q * sc + i * ldc + j] = C.init[(int) C.off + q * sc + i * ldc + j];   // checked: back to what it was
                }
            }
        }
        close(what, g, ref, mag);
        for (int i = 0; i < got.length; i++) {   // the gaps between the products are left as they were
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(C.init[(int) C.off + i])) {
                fail(what + ": wrote outside its products at C index " + i);
            }
        }
        C.untouched(what, c0.length);
    }

    @Test
    void gemmBatchedMatchesEachProductWithSharedOperands() {
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true}) {
                checkGemmBatched(5, ta, tb, 7, 9, 4, false, false, 1f, 0f);
                checkGemmBatched(3, ta, tb, 6, 5, 1, true, false, -0.5f, 1f);   // a broadcast: k = 1, A shared
                checkGemmBatched(4, ta, tb, 1, 8, 11, false, true, 1.5f, 0.25f);
            }
        checkGemmBatched(1, false, true, 70, 90, 130, false, false, 1f, 0f);      // one large product: the packed, split path
        checkGemmBatched(40, false, true, 12, 12, 16, false, false, 1f, 0f);      // many small ones: split by batch
    }

    @Test
    void gemmBatchedRefusesOverlappingOutputsAndNegativeStrides() {
        Dev A = dev(rand(64, -1, 1)), C = dev(new float[64]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend().gemmBatched(2, false, false,
                2, 2, 2, 1f, A.buf, A.off, 2, 4, A.buf, A.off, 2, 4, 0f, C.buf, C.off, 2, 3));
        assertTrue(e.getMessage().contains("gemmBatched: C batch stride 3 is smaller than one C matrix's span of 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> backend().gemmBatched(2, false, false, 2, 2, 2, 1f, A.buf, A.off, 2,
                -4, A.buf, A.off, 2, 4, 0f, C.buf, C.off, 2, 4));
        assertTrue(e.getMessage().contains("batch stride must be >= 0, got -4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> backend().gemmBatched(20, false, false, 2, 2, 2, 1f, A.buf, A.off, 2,
                4, A.buf, A.off, 2, 4, 0f, C.buf, C.off, 2, 4));
        assertTrue(e.getMessage().contains("gemmBatched: A span ["), e.getMessage());
        C.untouched("refused gemmBatched", 0);
    }

    @Test
    void gemmWithZeroDepthScalesC() {
        float[] c0 = rand(6 * 5, -1, 1);
        Dev A = dev(rand(6, -1, 1)), B = dev(rand(5, -1, 1)), C = dev(c0);
        backend().gemm(false, false, 6, 5, 0, 1f, A.buf, A.off, 1, B.buf, B.off, 5, 0.5f, C.buf, C.off, 5);
        double[] ref = new double[c0.length];
        for (int i = 0; i < ref.length; i++) ref[i] = 0.5 * c0[i];
        close("gemm k=0", C.get(c0.length), ref);
    }

    @Test
    void axpyScaleMul() {
        int n = 129;
        float[] x = rand(n, -2, 2), y = rand(n, -2, 2);
        Dev X = dev(x), Y = dev(y);
        backend().axpy(n, -0.75f, X.buf, X.off, Y.buf, Y.off);
        double[] ref = new double[n];
        for (int i = 0; i < n; i++) ref[i] = y[i] - 0.75 * x[i];
        close("axpy", Y.get(n), ref);
        Y.untouched("axpy", n);

        Dev S = dev(x);
        backend().scale(n, 1.7f, S.buf, S.off);
        for (int i = 0; i < n; i++) ref[i] = 1.7 * x[i];
        close("scale", S.get(n), ref);
        S.untouched("scale", n);

        Dev A = dev(x), B = dev(y), O = dev(rand(n, -1, 1));
        backend().mul(n, A.buf, A.off, B.buf, B.off, O.buf, O.off);
        for (int i = 0; i < n; i++) ref[i] = (double) x[i] * y[i];
        close("mul", O.get(n), ref);
        O.untouched("mul", n);
        backend().mul(n, A.buf, A.off, B.buf, B.off, A.buf, A.off);   // out aliases a
        close("mul aliased", A.get(n), ref);
    }

    @Test
    void addRowVectorAndSumRows() {
        int rows = 37, cols = 129;
        float[] y = rand(rows * cols, -1, 1), bias = rand(cols, -1, 1);
        Dev Y = dev(y), Bi = dev(bias);
        backend().addRowVector(rows, cols, Bi.buf, Bi.off, Y.buf, Y.off);
        double[] ref = new double[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) ref[r * cols + c] = y[r * cols + c] + (double) bias[c];
        close("addRowVector", Y.get(rows * cols), ref);
        Y.untouched("addRowVector", rows * cols);

        float[] x = rand(rows * cols, -1, 1), out0 = rand(cols, -1, 1);
        Dev X = dev(x), O = dev(out0);
        double[] sum = new double[cols], mag = new double[cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) { sum[c] += x[r * cols + c]; mag[c] += Math.abs(x[r * cols + c]); }
        backend().sumRows(rows, cols, X.buf, X.off, O.buf, O.off, false);
        close("sumRows", O.get(cols), sum, mag);
        O.untouched("sumRows", cols);
        backend().sumRows(rows, cols, X.buf, X.off, O.buf, O.off, true);
        double[] twice = new double[cols];
        for (int c = 0; c < cols; c++) { twice[c] = 2 * sum[c]; mag[c] *= 2; }
        close("sumRows accumulate", O.get(cols), twice, mag);
    }

    // ================================================================ activations

    /** Inputs spanning tiny, ordinary and saturating magnitudes, both signs. */
    protected float[] actInputs(int n) {
        float[] x = rand(n, -6, 6);
        float[] special = {1e-6f, -3e-5f, 2e-3f, -0.009f, 0.011f, 0.3f, -0.7f, 9f, -12f, 20f, -40f, 88f, -100f};
        System.arraycopy(special, 0, x, 0, special.length);
        return x;
    }

    @Test
    void activateElementwise() {
        int n = 1031;
        for (Activation a : ELEMENTWISE) {
            float[] x = actInputs(n);
            Dev X = dev(x), Y = dev(rand(n, -1, 1));
            backend().activate(a, n, 1, X.buf, X.off, Y.buf, Y.off);
            double[] ref = new double[n], mag = new double[n];
            for (int i = 0; i < n; i++) { ref[i] = f(a, x[i]); mag[i] = Math.abs(ref[i]); }
            if (a == Activation.HARD_SIGMOID || a == Activation.HARD_SIGMOID_V3 || a == Activation.RELU || a == Activation.LEAKY_RELU) {
                // The kinks are exact in both; elsewhere the value is a float op on x.
                for (int i = 0; i < n; i++) mag[i] = Math.max(mag[i], 1e-6);
            }
            close("activate " + a, Y.get(n), ref, mag);
            Y.untouched("activate " + a, n);
            backend().activate(a, n, 7, X.buf, X.off, X.buf, X.off);   // in place
            close("activate in place " + a, X.get(n), ref, mag);
        }
        for (Activation a : INPUT_DERIVATIVE) {
            float[] x = actInputs(n);
            Dev X = dev(x), Y = dev(rand(n, -1, 1));
            backend().activate(a, n, 1, X.buf, X.off, Y.buf, Y.off);
            double[] ref = new double[n], mag = new double[n];
            for (int i = 0; i < n; i++) {
                ref[i] = f(a, x[i]);
                mag[i] = Math.max(Math.abs(ref[i]), Math.abs(x[i]) * 1e-3);   // near its zero, relative to x
            }
            close("activate " + a, Y.get(n), ref, mag);
            Y.untouched("activate " + a, n);
        }
    }

    @Test
    void activateSoftmaxRows() {
        int rows = 7, cols = 37, n = rows * cols;
        float[] x = rand(n, -8, 8);
        x[5] = 60f;   // a large logit: must not overflow
        Dev X = dev(x), Y = dev(rand(n, -1, 1));
        backend().activate(Activation.SOFTMAX, n, cols, X.buf, X.off, Y.buf, Y.off);
        double[] ref = new double[n];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[r * cols + c]);
            for (int c = 0; c < cols; c++) s += Math.exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++) ref[r * cols + c] = Math.exp(x[r * cols + c] - max) / s;
        }
        double[] mag = new double[n];
        for (int i = 0; i < n; i++) mag[i] = Math.max(Math.abs(ref[i]), 1e-12);
        close("softmax", Y.get(n), ref, mag);
        Y.untouched("softmax", n);
    }

    @Test
    void activateBackwardAll() {
        int n = 259;
        List<Activation> all = new ArrayList<>(List.of(ELEMENTWISE));
        all.addAll(List.of(INPUT_DERIVATIVE));
        for (Activation a : all) {
            // what backward is handed: the output y, or for gelu and swish the input x
            float[] x = rand(n, -4, 4), y = a.needsInput() ? x : activated(a, x), dy = rand(n, -2, 2);
            Dev Yd = dev(y), DY = dev(dy), DX = dev(rand(n, -1, 1));
            backend().activateBackward(a, n, 1, Yd.buf, Yd.off, DY.buf, DY.off, DX.buf, DX.off);
            double[] ref = new double[n];
            for (int i = 0; i < n; i++) ref[i] = dy[i] * (a.needsInput() ? dfx(a, x[i]) : df(a, y[i]));
            close("activateBackward " + a, DX.get(n), ref);
            DX.untouched("activateBackward " + a, n);
            backend().activateBackward(a, n, 1, Yd.buf, Yd.off, DY.buf, DY.off, DY.buf, DY.off);   // dx aliases dy
            close("activateBackward aliased " + a, DY.get(n), ref);
        }
        int rows = 5, cols = 37, m = rows * cols;
        float[] y = new float[m];
        float[] raw = rand(m, 0.05, 1);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += raw[r * cols + c];
            for (int c = 0; c < cols; c++) y[r * cols + c] = (float) (raw[r * cols + c] / s);
        }
        float[] dy = rand(m, -2, 2);
        Dev Yd = dev(y), DY = dev(dy);
        backend().activateBackward(Activation.SOFTMAX, m, cols, Yd.buf, Yd.off, DY.buf, DY.off, DY.buf, DY.off);
        double[] ref = new double[m], mag = new double[m];
        for (int r = 0; r < rows; r++) {
            double dot = 0, adot = 0;
            for (int c = 0; c < cols; c++) { dot += (double) dy[r * cols + c] * y[r * cols + c]; adot += Math.abs((double) dy[r * cols + c] * y[r * cols + c]); }
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                ref[i] = y[i] * (dy[i] - dot);
                mag[i] = y[i] * (Math.abs(dy[i]) + adot);
            }
        }
        close("softmax backward (aliased)", DY.get(m), ref, mag);
    }

    /** Keras' log_softmax over rows: x - max - log(sum(exp(x - max))) in float64, in place and not; its backward. */
    @Test
    void logSoftmaxRows() {
        int rows = 6, cols = 41, n = rows * cols;
        float[] x = rand(n, -8, 8);
        x[3] = 70f;   // a large logit: must not overflow
        double[] ref = new double[n], mag = new double[n];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[r * cols + c]);
            for (int c = 0; c < cols; c++) s += Math.exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                ref[i] = x[i] - max - Math.log(s);
                mag[i] = Math.abs(x[i] - max) + Math.log(s) + 1;   // its terms' size: the subtraction may cancel
            }
        }
        Dev X = dev(x), Y = dev(rand(n, -1, 1));
        backend().activate(Activation.LOG_SOFTMAX, n, cols, X.buf, X.off, Y.buf, Y.off);
        close("log_softmax", Y.get(n), ref, mag);
        Y.untouched("log_softmax", n);
        backend().activate(Activation.LOG_SOFTMAX, n, cols, X.buf, X.off, X.buf, X.off);
        close("log_softmax in place", X.get(n), ref, mag);
        // backward through y: dx = dy - softmax(x) * sum(dy), with dx aliasing dy
        float[] y = Y.get(n), dy = rand(n, -2, 2);
        Dev Yd = dev(y), DY = dev(dy);
        backend().activateBackward(Activation.LOG_SOFTMAX, n, cols, Yd.buf, Yd.off, DY.buf, DY.off, DY.buf, DY.off);
        double[] dref = new double[n], dmag = new double[n];
        for (int r = 0; r < rows; r++) {
            double sum = 0, asum = 0;
            for (int c = 0; c < cols; c++) { sum += dy[r * cols + c]; asum += Math.abs(dy[r * cols + c]); }
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                double p = Math.exp(ref[i]);
                dref[i] = dy[i] - p * sum;
                dmag[i] = Math.abs(dy[i]) + p * asum;
            }
        }
        close("log_softmax backward (aliased)", DY.get(n), dref, dmag);
    }

    /** Spans large enough that a backend may split them over threads or blocks (odd sizes: ragged ends). */
    @Test
    void largeSpans() {
        int n = 300_001;
        float[] x = rand(n, -5, 5), y = rand(n, -1, 1);
        Dev X = dev(x), Y = dev(y);
        backend().activate(Activation.TANH, n, 1, X.buf, X.off, Y.buf, Y.off);
        double[] ref = new double[n];
        for (int i = 0; i < n; i++) ref[i] = Math.tanh(x[i]);
        close("large tanh", Y.get(n), ref);
        Y.untouched("large tanh", n);
        backend().axpy(n, 0.5f, X.buf, X.off, Y.buf, Y.off);
        for (int i = 0; i < n; i++) ref[i] += 0.5 * x[i];
        close("large axpy", Y.get(n), ref);

        float[] g = rand(n, -1, 1), p0 = rand(n, -1, 1), m0 = rand(n, -0.1, 0.1), v0 = rand(n, 0.001, 0.01);
        Dev P = dev(p0), G = dev(g), M = dev(m0), V = dev(v0);
        adam(n, P, G, M, V, 0.01f, 0.9f, 0.999f, 1e-7f, 3);
        double alpha = 0.01 * Math.sqrt(1 - Math.pow(0.999, 3)) / (1 - Math.pow(0.9, 3));
        double[] pr = new double[n];
        for (int i = 0; i < n; i++) {
            double mi = m0[i] + (g[i] - m0[i]) * (1 - (double) 0.9f);
            double vi = v0[i] + ((double) g[i] * g[i] - v0[i]) * (1 - (double) 0.999f);
            pr[i] = p0[i] - alpha * mi / (Math.sqrt(vi) + 1e-7f);
        }
        close("large adam", P.get(n), pr);
        P.untouched("large adam", n);

        int rows = 601, cols = 515;
        float[] a = rand(rows * cols, -1, 1), bias = rand(cols, -1, 1);
        Dev A = dev(a), Bi = dev(bias), O = dev(rand(cols, -1, 1));
        backend().sumRows(rows, cols, A.buf, A.off, O.buf, O.off, false);
        double[] sum = new double[cols], mag = new double[cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) { sum[c] += a[r * cols + c]; mag[c] += Math.abs(a[r * cols + c]); }
        close("large sumRows", O.get(cols), sum, mag);
        O.untouched("large sumRows", cols);
        backend().addRowVector(rows, cols, Bi.buf, Bi.off, A.buf, A.off);
        double[] ar = new double[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) ar[r * cols + c] = a[r * cols + c] + (double) bias[c];
        close("large addRowVector", A.get(rows * cols), ar);
        A.untouched("large addRowVector", rows * cols);

        int B = 67, H = 1031, nh = B * H;
        float[] pre = rand(4 * nh, -3, 3), cPrev = rand(nh, -2, 2), hPrev = rand(nh, -1, 1), mk = mask(B);
        Dev Gt = dev(pre), CP = dev(cPrev), HP = dev(hPrev), MK = dev(mk), C = dev(rand(nh, -1, 1)), Hd = dev(rand(nh, -1, 1));
        backend().recurrentStepForward(new CellConfig(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, B, H),
                CellStep.Forward.lstm(at(Gt.buf, Gt.off), at(CP.buf, CP.off), at(HP.buf, HP.off), at(MK.buf, MK.off),
                        at(C.buf, C.off), at(Hd.buf, Hd.off)));
        double[][] fw = lstmForwardRef(Activation.TANH, Activation.SIGMOID, B, H, d(pre), d(cPrev), d(hPrev), mk);
        close("large lstm gates", Gt.get(4 * nh), fw[0]);
        close("large lstm c", C.get(nh), fw[1]);
        close("large lstm h", Hd.get(nh), fw[2]);
        Hd.untouched("large lstm h", nh);
    }

    // ================================================================ SimpleRNN step

    @Test
    void rnnStepForwardAndBackward() {
        int B = 7, H = 37, n = B * H;
        for (Activation a : ELEMENTWISE) {
            for (boolean masked : new boolean[] {false, true}) {
                String w = "rnn " + a + (masked ? " masked" : "");
                float[] pre = rand(n, -3, 3), hPrev = rand(n, -1, 1), m = mask(B);
                Dev P = dev(pre), HP = dev(hPrev), M = dev(m), Hd = dev(rand(n, -1, 1));
                backend().recurrentStepForward(new CellConfig(RecurrentCell.SIMPLE_RNN, a, a, B, H),
                        CellStep.Forward.rnn(at(P.buf, P.off), at(HP.buf, HP.off), at(masked ? M.buf : null, M.off),
                                at(Hd.buf, Hd.off)));
                double[] ref = new double[n];
                for (int b = 0; b < B; b++)
                    for (int j = 0; j < H; j++)
                        ref[b * H + j] = masked && m[b] == 0 ? hPrev[b * H + j] : f(a, pre[b * H + j]);
                float[] h = Hd.get(n);
                close(w + " forward", h, ref);
                Hd.untouched(w + " forward", n);

                for (boolean withDy : new boolean[] {false, true}) {
                    float[] dhNext = rand(n, -1, 1), dy = rand(n, -1, 1);
                    Dev DN = dev(dhNext), DY = dev(dy), DP = dev(rand(n, -1, 1)), DHP = dev(rand(n, -1, 1));
                    backend().recurrentStepBackward(new CellConfig(RecurrentCell.SIMPLE_RNN, a, a, B, H),
                            CellStep.Backward.rnn(at(Hd.buf, Hd.off), at(DN.buf, DN.off),
                                    at(withDy ? DY.buf : null, DY.off), at(masked ? M.buf : null, M.off),
                                    at(DP.buf, DP.off), at(DHP.buf, DHP.off)));
                    double[] dpre = new double[n], dhp = new double[n];
                    for (int b = 0; b < B; b++)
                        for (int j = 0; j < H; j++) {
                            int i = b * H + j;
                            double g = dhNext[i] + (withDy ? dy[i] : 0);
                            if (masked && m[b] == 0) { dpre[i] = 0; dhp[i] = g; }
                            else { dpre[i] = g * df(a, h[i]); dhp[i] = 0; }
                        }
                    close(w + " backward dpre" + (withDy ? "" : " (dy null)"), DP.get(n), dpre);
                    close(w + " backward dhPrev", DHP.get(n), dhp);
                    DP.untouched(w + " dpre", n);
                    DHP.untouched(w + " dhPrev", n);
                }
            }
        }
    }

    // ================================================================ LSTM step

    /** Reference LSTM forward in double: returns {gates(act), c, h}. */
    static double[][] lstmForwardRef(Activation act, Activation rec, int B, int H, double[] pre, double[] cPrev,
                                     double[] hPrev, float[] mask) {
        double[] g = new double[4 * B * H], c = new double[B * H], h = new double[B * H];
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                int r = b * 4 * H, i = b * H + j;
                double ig = f(rec, pre[r + j]), fg = f(rec, pre[r + H + j]), gg = f(act, pre[r + 2 * H + j]), og = f(rec, pre[r + 3 * H + j]);
                g[r + j] = ig; g[r + H + j] = fg; g[r + 2 * H + j] = gg; g[r + 3 * H + j] = og;
                if (mask != null && mask[b] == 0) { c[i] = cPrev[i]; h[i] = hPrev[i]; }
                else { c[i] = fg * cPrev[i] + ig * gg; h[i] = og * f(act, c[i]); }
            }
        return new double[][] {g, c, h};
    }

    /** Reference LSTM backward in double: returns {dgates, dcPrev, dhPrev}. */
    static double[][] lstmBackwardRef(Activation act, Activation rec, int B, int H, double[] g, double[] cPrev, double[] c,
                                      double[] gh, double[] dcNext, float[] mask) {
        double[] dg = new double[4 * B * H], dcp = new double[B * H], dhp = new double[B * H];
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                int r = b * 4 * H, i = b * H + j;
                if (mask != null && mask[b] == 0) { dcp[i] = dcNext[i]; dhp[i] = gh[i]; continue; }
                double ig = g[r + j], fg = g[r + H + j], gg = g[r + 2 * H + j], og = g[r + 3 * H + j];
                double tc = f(act, c[i]);
                double dc = dcNext[i] + gh[i] * og * df(act, tc);
                dg[r + j] = dc * gg * df(rec, ig);
                dg[r + H + j] = dc * cPrev[i] * df(rec, fg);
                dg[r + 2 * H + j] = dc * ig * df(act, gg);
                dg[r + 3 * H + j] = gh[i] * tc * df(rec, og);
                dcp[i] = dc * fg;
            }
        return new double[][] {dg, dcp, dhp};
    }

    /** The references above agree with central differences of the forward (so they are right, not just matched). */
    @Test
    void lstmReferenceMatchesFiniteDifferences() {
        int B = 2, H = 3;
        double[] pre = d(rand(4 * B * H, -2, 2)), cPrev = d(rand(B * H, -1, 1)), hPrev = d(rand(B * H, -1, 1));
        double[] gh = d(rand(B * H, -1, 1)), dcNext = d(rand(B * H, -1, 1));
        Activation act = Activation.TANH, rec = Activation.SIGMOID;
        double[][] fw = lstmForwardRef(act, rec, B, H, pre, cPrev, hPrev, null);
        double[][] bw = lstmBackwardRef(act, rec, B, H, fw[0], cPrev, fw[1], gh, dcNext, null);
        java.util.function.Supplier<Double> obj = () -> {
            double[][] o = lstmForwardRef(act, rec, B, H, pre, cPrev, hPrev, null);
            double s = 0;
            for (int i = 0; i < B * H; i++) s += gh[i] * o[2][i] + dcNext[i] * o[1][i];
            return s;
        };
        double eps = 1e-6;
        for (int i = 0; i < pre.length; i++) {
            double old = pre[i];
            pre[i] = old + eps; double up = obj.get();
            pre[i] = old - eps; double dn = obj.get();
            pre[i] = old;
            assertEquals((up - dn) / (2 * eps), bw[0][i], 1e-7, "lstm ref dgates[" + i + "]");
        }
        for (int i = 0; i < cPrev.length; i++) {
            double old = cPrev[i];
            cPrev[i] = old + eps; double up = obj.get();
            cPrev[i] = old - eps; double dn = obj.get();
            cPrev[i] = old;
            assertEquals((up - dn) / (2 * eps), bw[1][i], 1e-7, "lstm ref dcPrev[" + i + "]");
        }
    }

    @Test
    void lstmStepForwardAndBackward() {
        int B = 7, H = 37, n = B * H;
        Activation[][] pairs = {{Activation.TANH, Activation.SIGMOID}, {Activation.RELU, Activation.HARD_SIGMOID},
                                {Activation.LINEAR, Activation.TANH}, {Activation.SIGMOID, Activation.SIGMOID}};
        for (Activation[] pr : pairs) {
            Activation act = pr[0], rec = pr[1];
            for (boolean masked : new boolean[] {false, true}) {
                String w = "lstm " + act + "/" + rec + (masked ? " masked" : "");
                float[] pre = rand(4 * n, -3, 3), cPrev = rand(n, -2, 2), hPrev = rand(n, -1, 1), m = mask(B);
                Dev G = dev(pre), CP = dev(cPrev), HP = dev(hPrev), M = dev(m), C = dev(rand(n, -1, 1)), Hd = dev(rand(n, -1, 1));
                backend().recurrentStepForward(new CellConfig(RecurrentCell.LSTM, act, rec, B, H),
                        CellStep.Forward.lstm(at(G.buf, G.off), at(CP.buf, CP.off), at(HP.buf, HP.off),
                                at(masked ? M.buf : null, M.off), at(C.buf, C.off), at(Hd.buf, Hd.off)));
                double[][] fw = lstmForwardRef(act, rec, B, H, d(pre), d(cPrev), d(hPrev), masked ? m : null);
                float[] gates = G.get(4 * n), c = C.get(n);
                close(w + " gates", gates, fw[0]);
                close(w + " c", c, fw[1]);
                close(w + " h", Hd.get(n), fw[2]);
                G.untouched(w + " gates", 4 * n);
                C.untouched(w + " c", n);
                Hd.untouched(w + " h", n);

                for (boolean withDy : new boolean[] {false, true}) {
                    for (boolean alias : new boolean[] {false, true}) {
                        float[] dhNext = rand(n, -1, 1), dy = rand(n, -1, 1), dcNext = rand(n, -1, 1);
                        Dev DN = dev(dhNext), DY = dev(dy), DCN = dev(dcNext);
                        Dev DG = dev(rand(4 * n, -1, 1)), DCP = alias ? DCN : dev(rand(n, -1, 1)), DHP = dev(rand(n, -1, 1));
                        backend().recurrentStepBackward(new CellConfig(RecurrentCell.LSTM, act, rec, B, H),
                                CellStep.Backward.lstm(at(G.buf, G.off), at(CP.buf, CP.off), at(C.buf, C.off),
                                        at(DN.buf, DN.off), at(withDy ? DY.buf : null, DY.off), at(DCN.buf, DCN.off),
                                        at(masked ? M.buf : null, M.off), at(DG.buf, DG.off), at(DCP.buf, DCP.off),
                                        at(DHP.buf, DHP.off)));
                        double[] gh = new double[n];
                        for (int i = 0; i < n; i++) gh[i] = dhNext[i] + (withDy ? dy[i] : 0);
                        double[][] bw = lstmBackwardRef(act, rec, B, H, d(gates), d(cPrev), d(c), gh, d(dcNext), masked ? m : null);
                        String ww = w + (withDy ? "" : " dy=null") + (alias ? " dcPrev=dcNext" : "");
                        close(ww + " dgates", DG.get(4 * n), bw[0]);
                        close(ww + " dcPrev", DCP.get(n), bw[1]);
                        close(ww + " dhPrev", DHP.get(n), bw[2]);
                        DG.untouched(ww + " dgates", 4 * n);
                        DCP.untouched(ww + " dcPrev", n);
                        DHP.untouched(ww + " dhPrev", n);
                    }
                }
            }
        }
    }

    // ================================================================ GRU step

    /** Reference GRU forward (reset_after): returns {xpOut (z,r,hh), rpOut (with bias), h}. */
    static double[][] gruForwardRef(Activation act, Activation rec, int B, int H, double[] xp, double[] rp, double[] bRec,
                                    double[] hPrev, float[] mask) {
        double[] xo = new double[3 * B * H], ro = new double[3 * B * H], h = new double[B * H];
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                int r = b * 3 * H, i = b * H + j;
                double rz = rp[r + j] + (bRec == null ? 0 : bRec[j]);
                double rr = rp[r + H + j] + (bRec == null ? 0 : bRec[H + j]);
                double rh = rp[r + 2 * H + j] + (bRec == null ? 0 : bRec[2 * H + j]);
                double z = f(rec, xp[r + j] + rz), rg = f(rec, xp[r + H + j] + rr), hh = f(act, xp[r + 2 * H + j] + rg * rh);
                xo[r + j] = z; xo[r + H + j] = rg; xo[r + 2 * H + j] = hh;
                ro[r + j] = rz; ro[r + H + j] = rr; ro[r + 2 * H + j] = rh;
                h[i] = mask != null && mask[b] == 0 ? hPrev[i] : z * hPrev[i] + (1 - z) * hh;
            }
        return new double[][] {xo, ro, h};
    }

    /** Reference GRU backward: returns {dxp, drp, dhPrev}. */
    static double[][] gruBackwardRef(Activation act, Activation rec, int B, int H, double[] xo, double[] ro, double[] hPrev,
                                     double[] gh, float[] mask) {
        double[] dxp = new double[3 * B * H], drp = new double[3 * B * H], dhp = new double[B * H];
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                int r = b * 3 * H, i = b * H + j;
                if (mask != null && mask[b] == 0) { dhp[i] = gh[i]; continue; }
                double z = xo[r + j], rg = xo[r + H + j], hh = xo[r + 2 * H + j], rh = ro[r + 2 * H + j];
                double dz = gh[i] * (hPrev[i] - hh) * df(rec, z);
                double dah = gh[i] * (1 - z) * df(act, hh);
                double dr = dah * rh * df(rec, rg);
                dxp[r + j] = dz; dxp[r + H + j] = dr; dxp[r + 2 * H + j] = dah;
                drp[r + j] = dz; drp[r + H + j] = dr; drp[r + 2 * H + j] = dah * rg;
                dhp[i] = gh[i] * z;
            }
        return new double[][] {dxp, drp, dhp};
    }

    @Test
    void gruReferenceMatchesFiniteDifferences() {
        int B = 2, H = 3;
        double[] xp = d(rand(3 * B * H, -2, 2)), rp = d(rand(3 * B * H, -2, 2)), bRec = d(rand(3 * H, -1, 1));
        double[] hPrev = d(rand(B * H, -1, 1)), gh = d(rand(B * H, -1, 1));
        Activation act = Activation.TANH, rec = Activation.SIGMOID;
        double[][] fw = gruForwardRef(act, rec, B, H, xp, rp, bRec, hPrev, null);
        double[][] bw = gruBackwardRef(act, rec, B, H, fw[0], fw[1], hPrev, gh, null);
        java.util.function.Supplier<Double> obj = () -> {
            double[] h = gruForwardRef(act, rec, B, H, xp, rp, bRec, hPrev, null)[2];
            double s = 0;
            for (int i = 0; i < B * H; i++) s += gh[i] * h[i];
            return s;
        };
        double eps = 1e-6;
        double[][] vars = {xp, rp, hPrev};
        double[][] grads = {bw[0], bw[1], null};
        for (int v = 0; v < 3; v++) {
            double[] x = vars[v];
            for (int i = 0; i < x.length; i++) {
                double old = x[i];
                x[i] = old + eps; double up = obj.get();
                x[i] = old - eps; double dn = obj.get();
                x[i] = old;
                double fd = (up - dn) / (2 * eps);
                if (v < 2) assertEquals(fd, grads[v][i], 1e-7, "gru ref grad " + v + "[" + i + "]");
                else assertEquals(fd, bw[2][i], 1e-7, "gru ref dhPrev (direct part)[" + i + "]");
            }
        }
    }

    /**
     * An infinite candidate (hh = +-inf, here a linear activation of an infinite input): Keras' h = z * hPrev + (1 - z) * hh
     * is hh's infinity for a gate z in (0, 1), both GRU variants; z * (hPrev - hh) + hh, the same for finite values, is NaN.
     */
    @Test
    void gruWithAnInfiniteCandidateKeepsKerasInfinity() {
        int B = 2, H = 17, n = B * H;
        for (boolean resetBefore : new boolean[] {false, true}) {
            float[] xp = rand(3 * n, -2, 2), hPrev = rand(n, -1, 1);
            for (int b = 0; b < B; b++) {
                for (int j = 0; j < H; j++) xp[b * 3 * H + 2 * H + j] = j % 2 == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            }
            Dev XP = dev(xp), HP = dev(hPrev), Hd = dev(rand(n, -1, 1));
            CellConfig cell = new CellConfig(RecurrentCell.GRU, Activation.LINEAR, Activation.SIGMOID, B, H, resetBefore);
            if (resetBefore) {
                Dev U = dev(new float[3 * H * H]), RS = dev(rand(n, -1, 1));
                backend().recurrentStepForward(cell, CellStep.Forward.gruResetBefore(at(XP.buf, XP.off), at(U.buf, U.off),
                        at(HP.buf, HP.off), null, at(RS.buf, RS.off), at(Hd.buf, Hd.off)));
            } else {
                Dev RP = dev(new float[3 * n]);
                backend().recurrentStepForward(cell, CellStep.Forward.gru(at(XP.buf, XP.off), at(RP.buf, RP.off), null,
                        at(HP.buf, HP.off), null, at(Hd.buf, Hd.off)));
            }
            float[] h = Hd.get(n);
            for (int b = 0; b < B; b++) {
                for (int j = 0; j < H; j++) {
                    float want = j % 2 == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                    assertEquals(want, h[b * H + j], "gru" + (resetBefore ? " reset-before" : "") + " h[" + b + ", " + j + "]");
                }
            }
        }
    }

    @Test
    void gruStepForwardAndBackward() {
        int B = 7, H = 37, n = B * H;
        Activation[][] pairs = {{Activation.TANH, Activation.SIGMOID}, {Activation.RELU, Activation.HARD_SIGMOID},
                                {Activation.LINEAR, Activation.TANH}};
        for (Activation[] pr : pairs) {
            Activation act = pr[0], rec = pr[1];
            for (int variant = 0; variant < 4; variant++) {
                boolean masked = (variant & 1) != 0, withBias = (variant & 2) != 0;
                String w = "gru " + act + "/" + rec + (masked ? " masked" : "") + (withBias ? "" : " bRec=null");
                float[] xp = rand(3 * n, -2, 2), rp = rand(3 * n, -2, 2), b = rand(3 * H, -1, 1), hPrev = rand(n, -1, 1), m = mask(B);
                Dev XP = dev(xp), RP = dev(rp), BR = dev(b), HP = dev(hPrev), M = dev(m), Hd = dev(rand(n, -1, 1));
                backend().recurrentStepForward(new CellConfig(RecurrentCell.GRU, act, rec, B, H),
                        CellStep.Forward.gru(at(XP.buf, XP.off), at(RP.buf, RP.off),
                                at(withBias ? BR.buf : null, BR.off), at(HP.buf, HP.off),
                                at(masked ? M.buf : null, M.off), at(Hd.buf, Hd.off)));
                double[][] fw = gruForwardRef(act, rec, B, H, d(xp), d(rp), withBias ? d(b) : null, d(hPrev), masked ? m : null);
                float[] xo = XP.get(3 * n), ro = RP.get(3 * n);
                close(w + " xp out (z, r, hh)", xo, fw[0]);
                close(w + " rp out", ro, fw[1]);
                close(w + " h", Hd.get(n), fw[2]);
                XP.untouched(w + " xp", 3 * n);
                RP.untouched(w + " rp", 3 * n);
                Hd.untouched(w + " h", n);

                for (boolean withDy : new boolean[] {false, true}) {
                    float[] dhNext = rand(n, -1, 1), dy = rand(n, -1, 1);
                    Dev DN = dev(dhNext), DY = dev(dy), DX = dev(rand(3 * n, -1, 1)), DR = dev(rand(3 * n, -1, 1)), DHP = dev(rand(n, -1, 1));
                    backend().recurrentStepBackward(new CellConfig(RecurrentCell.GRU, act, rec, B, H),
                            CellStep.Backward.gru(at(XP.buf, XP.off), at(RP.buf, RP.off), at(HP.buf, HP.off),
                                    at(DN.buf, DN.off), at(withDy ? DY.buf : null, DY.off),
                                    at(masked ? M.buf : null, M.off), at(DX.buf, DX.off), at(DR.buf, DR.off),
                                    at(DHP.buf, DHP.off)));
                    double[] gh = new double[n];
                    for (int i = 0; i < n; i++) gh[i] = dhNext[i] + (withDy ? dy[i] : 0);
                    double[][] bw = gruBackwardRef(act, rec, B, H, d(xo), d(ro), d(hPrev), gh, masked ? m : null);
                    String ww = w + (withDy ? "" : " dy=null");
                    close(ww + " dxp", DX.get(3 * n), bw[0]);
                    close(ww + " drp", DR.get(3 * n), bw[1]);
                    close(ww + " dhPrev", DHP.get(n), bw[2]);
                    DX.untouched(ww + " dxp", 3 * n);
                    DR.untouched(ww + " drp", 3 * n);
                    DHP.untouched(ww + " dhPrev", n);
                }
            }
        }
    }

    // ================================================================ embedding

    @Test
    void gatherAndScatterAddRows() {
        int vocab = 11, dim = 13, n = 37;
        float[] table = rand(vocab * dim, -1, 1), idx = new float[n];
        for (int i = 0; i < n; i++) idx[i] = rnd.nextInt(vocab);
        idx[0] = 3; idx[1] = 3; idx[2] = vocab - 1;    // repeated ids and the last row
        Dev I = dev(idx), T = new Dev(table, 4, 0), O = dev(rand(n * dim, -1, 1));
        backend().gatherRows(n, dim, I.buf, I.off, T.buf, T.off, O.buf, O.off);
        float[] out = O.get(n * dim);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dim; j++) assertEquals(table[(int) idx[i] * dim + j], out[i * dim + j], "gatherRows");
        O.untouched("gatherRows", n * dim);

        float[] dOut = rand(n * dim, -1, 1), dt = rand(vocab * dim, -1, 1);
        Dev DO = dev(dOut), DT = dev(dt);
        backend().scatterAddRows(n, dim, I.buf, I.off, DO.buf, DO.off, DT.buf, DT.off);
        double[] ref = d(dt), mag = new double[dt.length];
        for (int i = 0; i < dt.length; i++) mag[i] = Math.abs(dt[i]);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dim; j++) {
                ref[(int) idx[i] * dim + j] += dOut[i * dim + j];
                mag[(int) idx[i] * dim + j] += Math.abs(dOut[i * dim + j]);
            }
        close("scatterAddRows", DT.get(dt.length), ref, mag);
        DT.untouched("scatterAddRows", dt.length);
    }

    // ================================================================ losses

    /** Keras clips probabilities in float32: to [1e-7f, 1 - 1e-7f] (the upper bound rounds to 1 - 2^-23). */
    private static final double KERAS_EPS = 1e-7f, KERAS_ONE_MINUS_EPS = 1f - 1e-7f;

    /**
     * Reference loss in double, Keras semantics (sum over batch size), with the loss's options: label smoothing of the dense
     * cross-entropies' targets, Huber's delta, the focal losses' gamma, alpha and class balancing.
     */
    static double lossRef(Loss kind, int rows, int cols, double[] p, float[] t, float[] w) {
        double total = 0;
        double ls = kind.labelSmoothing(), gamma = kind.gamma(), alpha = kind.alpha(), delta = kind.delta();
        // Keras' smoothed targets: y (1 - ls) + ls / 2 (binary forms), y (1 - ls) + ls / classes (categorical forms)
        java.util.function.IntToDoubleFunction ys = i -> t[i] * (1 - ls) + ls * (kind.name().startsWith("BINARY") ? 0.5 : 1.0 / cols);
        boolean zeroOne = true;   // Keras' hinge losses take a batch of 0/1 targets as -1/1
        for (int i = 0; i < rows * cols && !kind.sparse(); i++) zeroOne &= t[i] == 0 || t[i] == 1;
        for (int r = 0; r < rows; r++) {
            double l = 0;
            switch (kind.kind()) {
                case HINGE, SQUARED_HINGE -> {
                    for (int c = 0; c < cols; c++) {
                        double y = zeroOne ? 2.0 * t[r * cols + c] - 1 : t[r * cols + c], h = Math.max(1 - y * p[r * cols + c], 0);
                        l += (kind.kind() == Loss.Kind.HINGE ? h : h * h) / cols;
                    }
                }
                case CATEGORICAL_HINGE -> {
                    double pos = 0, neg = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < cols; c++) {
                        pos += t[r * cols + c] * p[r * cols + c];
                        neg = Math.max(neg, (1 - t[r * cols + c]) * p[r * cols + c]);
                    }
                    l = Math.max(neg - pos + 1, 0);
                }
                case MSE -> { for (int c = 0; c < cols; c++) { double e = p[r * cols + c] - t[r * cols + c]; l += e * e / cols; } }
                case MAE -> { for (int c = 0; c < cols; c++) l += Math.abs(p[r * cols + c] - t[r * cols + c]) / cols; }
                case BINARY_CROSSENTROPY -> {
                    for (int c = 0; c < cols; c++) {
                        double q = Math.min(Math.max(p[r * cols + c], KERAS_EPS), KERAS_ONE_MINUS_EPS), yc = ys.applyAsDouble(r * cols + c);
                        l -= (yc * Math.log(q) + (1 - yc) * Math.log(1 - q)) / cols;
                    }
                }
                case BINARY_CROSSENTROPY_LOGITS -> {
                    for (int c = 0; c < cols; c++) {
                        double x = p[r * cols + c], yc = ys.applyAsDouble(r * cols + c), s = 1 / (1 + Math.exp(-x));
                        l -= (yc * Math.log(s) + (1 - yc) * Math.log(1 - s)) / cols;
                    }
                }
                case CATEGORICAL_FOCAL_CROSSENTROPY, CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS -> {
                    // Keras' categorical_focal_crossentropy: softmax from logits, normalised, clipped
                    double[] pr = new double[cols];
                    double s = 0;
                    for (int c = 0; c < cols; c++) {
                        pr[c] = kind.kind() == Loss.Kind.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS ? Math.exp(p[r * cols + c]) : p[r * cols + c];
                        s += pr[c];
                    }
                    for (int c = 0; c < cols; c++) {
                        double q = Math.min(Math.max(pr[c] / s, KERAS_EPS), KERAS_ONE_MINUS_EPS);
                        l -= alpha * Math.pow(1 - q, gamma) * ys.applyAsDouble(r * cols + c) * Math.log(q);
                    }
                }
                case BINARY_FOCAL_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY_LOGITS -> {
                    // Keras' binary_focal_crossentropy: cw (1 - p_t)^gamma bce(clip(p)); from logits p = sigmoid(z) and
                    // TensorFlow's bce of z: -(y log sigmoid(z) + (1 - y) log sigmoid(-z)), unclipped
                    for (int c = 0; c < cols; c++) {
                        double x = p[r * cols + c], yc = ys.applyAsDouble(r * cols + c);
                        double cw = kind.classBalancing() ? yc * alpha + (1 - yc) * (1 - alpha) : 1;
                        boolean logits = kind.kind() == Loss.Kind.BINARY_FOCAL_CROSSENTROPY_LOGITS;
                        double pv = logits ? 1 / (1 + Math.exp(-x)) : x;
                        double q = Math.min(Math.max(pv, KERAS_EPS), KERAS_ONE_MINUS_EPS);
                        double bce = logits ? yc * Math.log1p(Math.exp(-x)) + (1 - yc) * Math.log1p(Math.exp(x))
                                : -(yc * Math.log(q) + (1 - yc) * Math.log(1 - q));
                        double pt = yc * pv + (1 - yc) * (1 - pv);
                        l += cw * Math.pow(1 - pt, gamma) * bce / cols;
                    }
                }
                case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> {
                    double s = 0;
                    for (int c = 0; c < cols; c++) s += p[r * cols + c];
                    for (int c = 0; c < cols; c++) {
                        double yc = kind.sparse() ? (c == (int) t[r] ? 1 : 0) : ys.applyAsDouble(r * cols + c);
                        double q = Math.min(Math.max(p[r * cols + c] / s, KERAS_EPS), KERAS_ONE_MINUS_EPS);
                        l -= yc * Math.log(q);
                    }
                }
                case HUBER -> {
                    for (int c = 0; c < cols; c++) {
                        double e = Math.abs(p[r * cols + c] - t[r * cols + c]);
                        l += (e <= delta ? e * e / 2 : delta * e - delta * delta / 2) / cols;
                    }
                }
                case LOG_COSH -> { for (int c = 0; c < cols; c++) l += Math.log(Math.cosh(p[r * cols + c] - t[r * cols + c])) / cols; }
                case KL_DIVERGENCE -> {
                    for (int c = 0; c < cols; c++) {
                        double y = Math.min(Math.max(t[r * cols + c], KERAS_EPS), 1), q = Math.min(Math.max(p[r * cols + c], KERAS_EPS), 1);
                        l += y * Math.log(y / q);
                    }
                }
                case POISSON -> { for (int c = 0; c < cols; c++) l += (p[r * cols + c] - t[r * cols + c] * Math.log(p[r * cols + c] + KERAS_EPS)) / cols; }
                case CATEGORICAL_CROSSENTROPY_LOGITS, SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> {
                    double s = 0;
                    for (int c = 0; c < cols; c++) s += Math.exp(p[r * cols + c]);
                    for (int c = 0; c < cols; c++) {
                        double yc = kind.sparse() ? (c == (int) t[r] ? 1 : 0) : ys.applyAsDouble(r * cols + c);
                        l -= yc * (p[r * cols + c] - Math.log(s));
                    }
                }
            }
            total += (w == null ? 1 : w[r]) * l;
        }
        return total / rows;
    }

    private float[] lossPred(Loss kind, int rows, int cols) {
        return switch (kind.kind()) {
            case CUSTOM -> throw new IllegalArgumentException("a custom loss has no backend pass");
            case MSE, MAE, HUBER, LOG_COSH, BINARY_CROSSENTROPY_LOGITS, CATEGORICAL_CROSSENTROPY_LOGITS,
                 SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, HINGE, SQUARED_HINGE, CATEGORICAL_HINGE,
                 BINARY_FOCAL_CROSSENTROPY_LOGITS, CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS -> rand(rows * cols, -3, 3);
            case POISSON -> rand(rows * cols, 0.05, 4);
            case BINARY_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY -> rand(rows * cols, 0.03, 0.97);
            case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY, KL_DIVERGENCE, CATEGORICAL_FOCAL_CROSSENTROPY -> {
                float[] p = rand(rows * cols, 0.05, 1);
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    for (int c = 0; c < cols; c++) s += p[r * cols + c];
                    for (int c = 0; c < cols; c++) p[r * cols + c] /= (float) s;
                }
                yield p;
            }
        };
    }

    private float[] lossTarget(Loss kind, int rows, int cols) {
        return switch (kind.kind()) {
            case CUSTOM -> throw new IllegalArgumentException("a custom loss has no backend pass");
            case MSE, MAE, HUBER, LOG_COSH -> rand(rows * cols, -3, 3);
            case HINGE -> {   // -1/1 targets, kept as they are
                float[] t = new float[rows * cols];
                for (int i = 0; i < t.length; i++) t[i] = rnd.nextBoolean() ? 1f : -1f;
                yield t;
            }
            case SQUARED_HINGE -> {   // 0/1 targets, taken as -1/1
                float[] t = new float[rows * cols];
                for (int i = 0; i < t.length; i++) t[i] = rnd.nextInt(2);
                yield t;
            }
            case POISSON -> {
                float[] t = new float[rows * cols];
                for (int i = 0; i < t.length; i++) t[i] = rnd.nextInt(5);   // counts
                yield t;
            }
            case BINARY_CROSSENTROPY, BINARY_CROSSENTROPY_LOGITS, BINARY_FOCAL_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY_LOGITS -> {
                float[] t = rand(rows * cols, 0, 1);
                for (int i = 0; i < t.length; i += 2) t[i] = t[i] < 0.5f ? 0f : 1f;   // hard and soft labels
                yield t;
            }
            case CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY_LOGITS, KL_DIVERGENCE, CATEGORICAL_HINGE, CATEGORICAL_FOCAL_CROSSENTROPY,
                 CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS -> {
                float[] t = new float[rows * cols];
                for (int r = 0; r < rows; r++) {
                    if (r % 2 == 0) t[r * cols + rnd.nextInt(cols)] = 1f;
                    else {   // soft labels
                        float[] u = rand(cols, 0.01, 1);
                        double s = 0;
                        for (float v : u) s += v;
                        for (int c = 0; c < cols; c++) t[r * cols + c] = (float) (u[c] / s);
                    }
                }
                yield t;
            }
            case SPARSE_CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> {
                float[] t = new float[rows];
                for (int r = 0; r < rows; r++) t[r] = rnd.nextInt(cols);
                t[0] = cols - 1;
                yield t;
            }
        };
    }

    @Test
    void lossValueAndGradientEveryKind() {
        for (Loss kind : Loss.values()) {
            for (boolean weighted : new boolean[] {false, true}) {
                checkLossAgainstReference(kind, 7, 13, lossPred(kind, 7, 13), lossTarget(kind, 7, 13), weighted ? rand(7, 0.2, 2) : null);
            }
        }
    }

    /**
     * Keras' loss options on every backend: the value and the gradient (central differences) of each option away from its
     * default against the reference written from Keras' formulas, weighted and not.
     */
    @Test
    void lossOptionsValueAndGradient() {
        List<Loss> variants = List.of(Loss.HUBER.delta(0.4), Loss.HUBER.delta(3), Loss.BINARY_CROSSENTROPY.labelSmoothing(0.2),
                Loss.BINARY_CROSSENTROPY_LOGITS.labelSmoothing(0.3), Loss.CATEGORICAL_CROSSENTROPY.labelSmoothing(0.1),
                Loss.CATEGORICAL_CROSSENTROPY_LOGITS.labelSmoothing(0.25), Loss.BINARY_FOCAL_CROSSENTROPY.gamma(3).labelSmoothing(0.1),
                Loss.BINARY_FOCAL_CROSSENTROPY.gamma(0), Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS.gamma(1.5).classBalancing(true).alpha(0.3),
                Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS.classBalancing(true).labelSmoothing(0.2),
                Loss.CATEGORICAL_FOCAL_CROSSENTROPY.gamma(1.5).alpha(0.6).labelSmoothing(0.1),
                Loss.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS.gamma(3).alpha(1));
        for (Loss kind : variants) {
            for (boolean weighted : new boolean[] {false, true}) {
                float[] p = lossPred(kind, 6, 5), t = lossTarget(kind, 6, 5), w = weighted ? rand(6, 0.2, 2) : null;
                double got = checkLossAgainstReference(kind, 6, 5, p, t, w);
                assertNotEquals(lossRef(Loss.of(kind.kind()), 6, 5, d(p), t, w), got, 1e-4, kind + ": the options change the value");
            }
        }
    }

    /**
     * The backend's loss of {@code kind} on predictions {@code p}, targets {@code t} and row weights {@code ww} (nullable)
     * against {@link #lossRef}, its gradient against central differences of it; the backend's value.
     */
    private float checkLossAgainstReference(Loss kind, int rows, int cols, float[] p, float[] t, float[] ww) {
        int n = rows * cols;
        String w = "loss " + kind + (ww != null ? " weighted" : "");
        Dev P = dev(p), T = dev(t), G = dev(rand(n, -1, 1));
        float got = loss(kind, rows, cols, P, T, ww == null ? null : dev(ww), G);
        double[] pd = d(p);
        closeScalar(w + " value", got, lossRef(kind, rows, cols, pd, t, ww));
        double[] fd = new double[n];
        for (int i = 0; i < n; i++) {
            double old = pd[i], h = 1e-6 * Math.max(1, Math.abs(old));
            pd[i] = old + h; double up = lossRef(kind, rows, cols, pd, t, ww);
            pd[i] = old - h; double dn = lossRef(kind, rows, cols, pd, t, ww);
            pd[i] = old;
            fd[i] = (up - dn) / (2 * h);
        }
        // fp32 vs central differences of a double function: allow TOL of the gradient's scale.
        close(w + " gradient vs central differences", G.get(n), fd);
        G.untouched(w + " grad", n);
        assertTrue(Float.isFinite(got), w);
        return got;
    }

    /**
     * categorical_hinge with tied negatives shares their gradient, as TF's reduce_max: p = [0.5, 0.5, 0.2] with class 2
     * the target gives loss 1.3 and gradient [0.5, 0.5, -1]; p = [0.9, -0.3, 0.9] with class 1 loss 2.2, [0.5, -1, 0.5];
     * the mean over the two rows halves both gradients.
     */
    @Test
    void categoricalHingeSharesTheGradientOfTiedNegatives() {
        Dev P = dev(new float[] {0.5f, 0.5f, 0.2f, 0.9f, -0.3f, 0.9f}), T = dev(new float[] {0, 0, 1, 0, 1, 0}), G = dev(rand(6, -1, 1));
        float got = loss(Loss.CATEGORICAL_HINGE, 2, 3, P, T, null, G);
        closeScalar("categorical_hinge with ties", got, (1.3 + 2.2) / 2);
        close("categorical_hinge gradient with ties", G.get(6), new double[] {0.25, 0.25, -0.5, 0.25, -0.5, 0.25});
        G.untouched("categorical_hinge with ties", 6);
    }

    @Test
    void lossClipsProbabilities() {
        int rows = 2, cols = 3;
        float[] p = {0f, 1f, 0.5f, 1f, 0f, 0.25f};
        float[] t = {1f, 0f, 1f, 1f, 1f, 0f};
        Dev P = dev(p), T = dev(t), G = dev(rand(6, -1, 1));
        float got = loss(Loss.BINARY_CROSSENTROPY, rows, cols, P, T, null, G);
        closeScalar("bce clipped value", got, lossRef(Loss.BINARY_CROSSENTROPY, rows, cols, d(p), t, null));
        assertAllFinite(G.get(6), "bce clipped gradient");
        float[] pc = {0f, 0.25f, 0.75f, 0.5f, 0.5f, 0f};
        float[] tc = {1f, 0f, 0f, 0f, 0f, 1f};
        Dev PC = dev(pc), TC = dev(tc);
        got = loss(Loss.CATEGORICAL_CROSSENTROPY, rows, cols, PC, TC, null, G);
        closeScalar("cce clipped value", got, lossRef(Loss.CATEGORICAL_CROSSENTROPY, rows, cols, d(pc), tc, null));
        assertAllFinite(G.get(6), "cce clipped gradient");
        got = loss(Loss.KL_DIVERGENCE, rows, cols, PC, T, null, G);   // p = 0 clipped to eps, t = 0 to eps
        closeScalar("kld clipped value", got, lossRef(Loss.KL_DIVERGENCE, rows, cols, d(pc), t, null));
        assertAllFinite(G.get(6), "kld clipped gradient");
    }

    /**
     * The focal losses where their probabilities are clipped (p at 0 and 1, logits of +-25, a one-hot row with q near 1):
     * the value as the reference's, and the gradient as its central differences with steps that stay inside the clipped
     * region (the cross-entropy's part vanishes there, the binary focal factor's does not).
     */
    @Test
    void focalLossesClipAsKeras() {
        int rows = 2, cols = 3;
        float[] t = {1f, 0f, 1f, 0f, 1f, 0f};
        Map<Loss, float[]> preds = Map.of(
                Loss.BINARY_FOCAL_CROSSENTROPY, new float[] {1e-9f, 1f, 0.5f, 0f, 0.3f, 1f},
                Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS, new float[] {-25f, 25f, 0.5f, 30f, -0.2f, -40f},
                Loss.CATEGORICAL_FOCAL_CROSSENTROPY, new float[] {1f, 1e-9f, 1e-9f, 0.2f, 0.5f, 0.3f},
                Loss.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS, new float[] {30f, -30f, 0f, 0.2f, 0.5f, -0.3f});
        float[] tc = {1f, 0f, 0f, 0f, 1f, 0f};
        for (Map.Entry<Loss, float[]> e : preds.entrySet()) {
            Loss kind = e.getKey();
            float[] p = e.getValue(), y = kind.name().startsWith("CATEGORICAL") ? tc : t;
            Dev P = dev(p), T = dev(y), G = dev(rand(6, -1, 1));
            float got = loss(kind, rows, cols, P, T, null, G);
            double[] pd = d(p), fd = new double[6];
            closeScalar(kind + " clipped value", got, lossRef(kind, rows, cols, pd, y, null));
            for (int i = 0; i < 6; i++) {
                double old = pd[i], h = 1e-9 * Math.max(1, Math.abs(old));
                pd[i] = old + h; double up = lossRef(kind, rows, cols, pd, y, null);
                pd[i] = old - h; double dn = lossRef(kind, rows, cols, pd, y, null);
                pd[i] = old;
                fd[i] = (up - dn) / (2 * h);
            }
            close(kind + " clipped gradient vs central differences", G.get(6), fd);
        }
    }

    /** The examples of Keras' docstrings (keras/src/losses/losses.py), to the digits they print. */
    @Test
    void lossKerasDocstringValues() {
        Dev T = dev(new float[] {0, 1, 0, 0}), P = dev(new float[] {0.6f, 0.4f, 0.4f, 0.6f});
        assertEquals(0.155, loss(Loss.HUBER, 2, 2, P, T, null, null), 5e-4);
        assertEquals(0.108, loss(Loss.LOG_COSH, 2, 2, dev(new float[] {1, 1, 0, 0}), dev(new float[] {0, 1, 0, 0}), null, null), 5e-4);
        // poisson: mean(p - y log(p + eps)) = ((0.6 - 0 + 0.4 - log 0.4) / 2 + (0.4 + 0.6) / 2) / 2
        assertEquals(((1 - Math.log(0.4 + 1e-7)) / 2 + 0.5) / 2, loss(Loss.POISSON, 2, 2, P, T, null, null), 1e-6);
        // kld: y clipped to [eps, 1]: row 0 = eps log(eps / 0.6) + log(1 / 0.4), row 1 = eps log(eps / 0.4) + eps log(eps / 0.6)
        double e = 1e-7f;
        double kld = (e * Math.log(e / 0.6) + Math.log(1 / 0.4) + e * Math.log(e / 0.4) + e * Math.log(e / 0.6)) / 2;
        assertEquals(kld, loss(Loss.KL_DIVERGENCE, 2, 2, P, T, null, null), 1e-6);
    }

    /**
     * Keras' hinge losses by hand on y = [[0, 1], [0, 0]], p = [[0.6, 0.4], [0.4, 0.6]]: all targets 0/1, so taken as
     * -1/1 (hinge rows (1.6 + 0.6) / 2 and (1.4 + 1.6) / 2); with a -1 among them they stay as they are.
     */
    @Test
    void hingeLossesByHand() {
        Dev T = dev(new float[] {0, 1, 0, 0}), P = dev(new float[] {0.6f, 0.4f, 0.4f, 0.6f});
        assertEquals((1.1 + 1.5) / 2, loss(Loss.HINGE, 2, 2, P, T, null, null), 1e-6);
        assertEquals(((2.56 + 0.36) / 2 + (1.96 + 2.56) / 2) / 2, loss(Loss.SQUARED_HINGE, 2, 2, P, T, null, null), 1e-6);
        // categorical: row 0 pos 0.4, neg max(0.6, 0) -> 1.2; row 1 pos 0, neg 0.6 -> 1.6
        assertEquals((1.2 + 1.6) / 2, loss(Loss.CATEGORICAL_HINGE, 2, 2, P, T, null, null), 1e-6);
        // y = [[-1, 1], [0, 1]] is not all 0/1: row 0 (1.6 + 0.6) / 2, row 1 (1 + 0.4) / 2
        assertEquals((1.1 + 0.7) / 2, loss(Loss.HINGE, 2, 2, P, dev(new float[] {-1, 1, 0, 1}), null, null), 1e-6);
        // the gradient of hinge: -y / (rows cols) where 1 - y p >= 0 (every element here)
        Dev G = dev(new float[4]);
        loss(Loss.HINGE, 2, 2, P, T, null, G);
        assertArrayEqualsF(new float[] {0.25f, -0.25f, 0.25f, 0.25f}, G.get(4), "hinge gradient");
    }

    // ================================================================ global max pooling

    /** maxOverSteps and its backward against a double reference: the max per (sample, feature), ties sharing dy. */
    @Test
    void maxOverStepsAndItsGradient() {
        int b = 5, t = 7, f = 9;
        float[] x = rand(b * t * f, -2, 2);
        for (int i = 0; i < b * f; i += 2) x[(i / f * t + 1) * f + i % f] = x[(i / f * t + 4) * f + i % f] = 3f;   // ties at the max
        float[] dyv = rand(b * f, -1, 1);
        Dev X = dev(x), Y = dev(rand(b * f, -9, 9)), DY = dev(dyv), DX = dev(rand(b * t * f, -9, 9));
        backend().maxOverSteps(b, t, f, X.buf, X.off, Y.buf, Y.off);
        backend().maxOverStepsBackward(b, t, f, X.buf, X.off, Y.buf, Y.off, DY.buf, DY.off, DX.buf, DX.off);
        double[] y = new double[b * f], dx = new double[b * t * f];
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < f; c++) {
                double m = Double.NEGATIVE_INFINITY;
                int k = 0;
                for (int s = 0; s < t; s++) m = Math.max(m, x[(i * t + s) * f + c]);
                for (int s = 0; s < t; s++) k += x[(i * t + s) * f + c] == m ? 1 : 0;
                y[i * f + c] = m;
                for (int s = 0; s < t; s++) dx[(i * t + s) * f + c] = x[(i * t + s) * f + c] == m ? dyv[i * f + c] / k : 0;
            }
        }
        close("maxOverSteps", Y.get(b * f), y);
        close("maxOverStepsBackward", DX.get(b * t * f), dx);
        Y.untouched("maxOverSteps", b * f);
        DX.untouched("maxOverStepsBackward", b * t * f);
        // the first of the tied steps takes all of dy (max pooling's gradient in TensorFlow and JAX)
        Dev DX1 = dev(rand(b * t * f, -9, 9));
        backend().maxOverStepsFirstBackward(b, t, f, X.buf, X.off, Y.buf, Y.off, DY.buf, DY.off, DX1.buf, DX1.off);
        double[] dx1 = new double[b * t * f];
        for (int i = 0; i < b * f; i++) {
            int s = 0;
            while (x[(i / f * t + s) * f + i % f] != y[i]) s++;
            dx1[(i / f * t + s) * f + i % f] = dyv[i];
        }
        close("maxOverStepsFirstBackward", DX1.get(b * t * f), dx1);
        DX1.untouched("maxOverStepsFirstBackward", b * t * f);
        assertThrows(IllegalArgumentException.class, () -> backend().maxOverSteps(b, 0, f, X.buf, X.off, Y.buf, Y.off));
    }

    // ================================================================ clipping

    @Test
    void clipClampsItsSpan() {
        int n = 1031;
        float[] x = rand(n, -3, 3);
        Dev C = dev(x);
        backend().clip(n, -1.25f, 0.5f, C.buf, C.off);
        double[] cr = new double[n];
        for (int i = 0; i < n; i++) cr[i] = Math.min(Math.max(x[i], -1.25), 0.5);
        close("clip", C.get(n), cr);
        C.untouched("clip", n);
    }

    // ================================================================ optimizers

    @Test
    void adamMatchesScalarReferenceOverSteps() {
        int n = 1031;
        float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-7f;
        float[] p0 = rand(n, -1, 1), m0 = rand(n, -0.1, 0.1), v0 = rand(n, 0.001, 0.01);
        Dev P = dev(p0), M = dev(m0), V = dev(v0);
        double[] p = d(p0), m = d(m0), v = d(v0);
        long t0 = 2;   // the device counter goes on from t0: the update advances it, then uses it
        Dev S = dev(new float[] {CounterRng.lo(t0), CounterRng.hi(t0), 0f});
        for (long t = t0 + 1; t <= t0 + 5; t++) {
            float[] g = rand(n, -1, 1);
            if (t == 3) for (int i = 0; i < n; i += 5) g[i] *= 1e-3f;   // small gradients: eps matters less, ratios still exact
            Dev G = dev(g);
            backend().adamUpdate(new AdamArgs(n, P.span(), G.span(), M.span(), V.span(), S.span(), null, lr, b1, b2, eps));
            float[] st = S.get(2);
            assertEquals(t, CounterRng.counter(st[0], st[1]), "step counter");
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int i = 0; i < n; i++) {
                m[i] += (g[i] - m[i]) * (1 - (double) b1);
                v[i] += ((double) g[i] * g[i] - v[i]) * (1 - (double) b2);
                p[i] -= alpha * m[i] / (Math.sqrt(v[i]) + eps);
            }
            close("adam m, step " + t, M.get(n), m);
            close("adam v, step " + t, V.get(n), v);
            close("adam p, step " + t, P.get(n), p);
        }
        P.untouched("adam p", n);
        M.untouched("adam m", n);
        V.untouched("adam v", n);
        S.untouched("adam step", 3);
    }

    /** Every kind of optimizerUpdate over 6 steps against Keras' rules in double (OptimizerReference). */
    @Test
    void optimizerUpdateMatchesKerasReferenceOverSteps() {
        int n = 1031;
        record Case(OptimizerArgs.Kind kind, float lr, float h1, float h2, float eps, float wd, boolean centered, float s1Initial) {}
        Case[] cases = {
            new Case(OptimizerArgs.Kind.RMSPROP, 0.01f, 0.9f, 0f, 1e-7f, 0f, false, 0f),
            new Case(OptimizerArgs.Kind.RMSPROP, 0.01f, 0.8f, 0.9f, 1e-7f, 0f, false, 0f),
            new Case(OptimizerArgs.Kind.RMSPROP, 0.01f, 0.9f, 0.5f, 1e-4f, 0.01f, true, 0f),
            new Case(OptimizerArgs.Kind.ADAGRAD, 0.05f, 0f, 0f, 1e-7f, 0f, false, 0.1f),
            new Case(OptimizerArgs.Kind.ADAMW, 0.01f, 0.9f, 0.999f, 1e-7f, 0.004f, false, 0f),
            new Case(OptimizerArgs.Kind.NADAM, 0.01f, 0.9f, 0.999f, 1e-7f, 0f, false, 0f),
            new Case(OptimizerArgs.Kind.NADAM, 0.002f, 0.95f, 0.99f, 1e-7f, 0.1f, false, 0f),
            new Case(OptimizerArgs.Kind.ADAMAX, 0.01f, 0.9f, 0.999f, 1e-7f, 0f, false, 0f),
            new Case(OptimizerArgs.Kind.ADAMAX, 0.002f, 0.8f, 0.9f, 1e-3f, 0.05f, false, 0f),
            new Case(OptimizerArgs.Kind.ADADELTA, 1.0f, 0.95f, 0f, 1e-7f, 0f, false, 0f),
            new Case(OptimizerArgs.Kind.ADADELTA, 0.5f, 0.9f, 0f, 1e-4f, 0.01f, false, 0f),
            new Case(OptimizerArgs.Kind.LION, 0.01f, 0.9f, 0.99f, 0f, 0f, false, 0f),
            new Case(OptimizerArgs.Kind.LION, 0.003f, 0.5f, 0.9f, 0f, 0.1f, false, 0f)};
        for (Case c : cases) {
            String what = c.kind() + (c.centered() ? " centered" : "") + (c.h2() > 0 && c.kind() == OptimizerArgs.Kind.RMSPROP ? " momentum" : "")
                    + (c.wd() > 0 ? " weight decay" : "");
            float[] p0 = rand(n, -1, 1), s10 = new float[n];
            java.util.Arrays.fill(s10, c.s1Initial());
            Dev P = dev(p0), S1 = dev(s10), S2 = dev(new float[n]), S3 = dev(new float[n]);
            Dev ST = dev(new float[OptimizerArgs.STEP_FLOATS]);
            boolean rms = c.kind() == OptimizerArgs.Kind.RMSPROP;
            Span s2 = c.kind().needsS2() || (rms && c.h2() > 0) ? S2.span() : null, s3 = c.centered() ? S3.span() : null;
            OptimizerReference ref = new OptimizerReference(c.kind(), d(p0), c.s1Initial(), c.lr(), c.h1(), c.h2(), c.eps(), c.wd(),
                    c.centered());
            for (int t = 1; t <= 6; t++) {
                float[] g = rand(n, -1, 1);
                if (t == 2) for (int i = 0; i < n; i += 3) g[i] *= 0.05f;
                Dev G = dev(g);
                backend().optimizerUpdate(new OptimizerArgs(c.kind(), n, P.span(), G.span(), S1.span(), s2, s3,
                        c.kind().counted() ? ST.span() : null, null, c.lr(), c.h1(), c.h2(), c.eps(), c.wd()));
                ref.step(g, c.lr());
                if (c.kind().counted()) {
                    float[] st = ST.get(2);
                    assertEquals(t, CounterRng.counter(st[0], st[1]), what + ": step counter");
                }
                close(what + " s1, step " + t, S1.get(n), ref.s1);
                close(what + " p, step " + t, P.get(n), ref.p);
            }
            P.untouched(what + " p", n);
            S1.untouched(what + " s1", n);
            if (s2 != null) S2.untouched(what + " s2", n);
            ST.untouched(what + " step", OptimizerArgs.STEP_FLOATS);
        }
    }

    @Test
    void optimizerUpdateSkipsOnGuardAndChecksArguments() {
        int n = 37;
        float[] p0 = rand(n, -1, 1), g = rand(n, -1, 1);
        Dev P = dev(p0), G = dev(g), M = dev(new float[n]), V = dev(new float[n]), ST = dev(new float[OptimizerArgs.STEP_FLOATS]);
        Dev GUARD = dev(new float[] {3f});
        backend().optimizerUpdate(new OptimizerArgs(OptimizerArgs.Kind.NADAM, n, P.span(), G.span(), M.span(), V.span(), null,
                ST.span(), GUARD.span(), 0.01f, 0.9f, 0.999f, 1e-7f, 0f));
        assertArrayEqualsF(p0, P.get(n), "guarded nadam skipped: p");
        assertArrayEqualsF(new float[OptimizerArgs.STEP_FLOATS], ST.get(OptimizerArgs.STEP_FLOATS), "guarded nadam skipped: step");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OptimizerArgs(OptimizerArgs.Kind.ADAMW,
                n, P.span(), G.span(), M.span(), null, null, ST.span(), null, 0.01f, 0.9f, 0.999f, 1e-7f, 0f));
        assertTrue(e.getMessage().contains("s2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new OptimizerArgs(OptimizerArgs.Kind.NADAM,
                n, P.span(), G.span(), M.span(), V.span(), null, null, null, 0.01f, 0.9f, 0.999f, 1e-7f, 0f));
        assertTrue(e.getMessage().contains("step"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> backend().optimizerUpdate(new OptimizerArgs(OptimizerArgs.Kind.ADAGRAD,
                n + 64, P.span(), G.span(), M.span(), null, null, null, null, 0.01f, 0f, 0f, 1e-7f, 0f)));
    }

    @Test
    void sgdPlainMomentumNesterov() {
        int n = 259;
        float lr = 0.05f, mom = 0.9f;
        for (int mode = 0; mode < 3; mode++) {
            String w = "sgd " + new String[] {"plain", "momentum", "nesterov"}[mode];
            float[] p0 = rand(n, -1, 1), v0 = rand(n, -0.1, 0.1);
            Dev P = dev(p0), V = dev(v0);
            double[] p = d(p0), v = d(v0);
            for (int step = 0; step < 4; step++) {
                float[] g = rand(n, -1, 1);
                Dev G = dev(g);
                sgd(n, P, G, mode == 0 ? null : V, null, lr, mode == 0 ? 0f : mom, mode == 2);
                for (int i = 0; i < n; i++) {
                    if (mode == 0) { p[i] -= lr * (double) g[i]; continue; }
                    v[i] = mom * v[i] - lr * (double) g[i];
                    p[i] += mode == 2 ? mom * v[i] - lr * (double) g[i] : v[i];
                }
                close(w + " p, step " + step, P.get(n), p);
                if (mode > 0) close(w + " velocity, step " + step, V.get(n), v);
            }
            P.untouched(w + " p", n);
            if (mode == 0) V.untouched(w + " velocity untouched without momentum", n);
        }
    }

    // ================================================================ training-step primitives (no host round trip)

    @Test
    void maskFromValuesAndMulRows() {
        int rows = 23, cols = 5;
        float mv = 0.25f;
        float[] x = rand(rows * cols, -2, 2);
        boolean[] real = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            if (r % 3 == 1) for (int c = 0; c < cols; c++) x[r * cols + c] = mv;        // padding row
            else if (r % 3 == 2) for (int c = 0; c < cols; c++) x[r * cols + c] = c == cols - 1 ? -mv : mv;
            real[r] = r % 3 != 1;
        }
        x[4 * cols + 2] = Float.NaN;   // NaN differs from every mask value
        for (int c = 0; c < cols; c++) if (c != 2) x[4 * cols + c] = mv;
        real[4] = true;
        Dev X = dev(x), M = dev(rand(rows, 5, 6));
        backend().maskFromValues(rows, cols, X.buf, X.off, mv, M.buf, M.off);
        float[] m = M.get(rows);
        for (int r = 0; r < rows; r++) assertEquals(real[r] ? 1f : 0f, m[r], "mask row " + r);
        M.untouched("maskFromValues", rows);
        // cols = 1, maskValue 0: Embedding's mask_zero
        float[] ids = {0, 3, 0, 7, 1};
        Dev I = dev(ids), MI = dev(rand(5, 5, 6));
        backend().maskFromValues(5, 1, I.buf, I.off, 0f, MI.buf, MI.off);
        assertArrayEqualsF(new float[] {0, 1, 0, 1, 1}, MI.get(5), "mask_zero");

        float[] y0 = rand(rows * cols, -1, 1), s = rand(rows, -2, 2);
        Dev Y = dev(y0), S = dev(s), Z = dev(rand(rows * cols, -1, 1));
        backend().mulRows(rows, cols, Y.buf, Y.off, S.buf, S.off, Z.buf, Z.off);
        double[] ref = new double[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) ref[r * cols + c] = (double) y0[r * cols + c] * s[r];
        close("mulRows", Z.get(rows * cols), ref);
        Z.untouched("mulRows", rows * cols);
        backend().mulRows(rows, cols, Y.buf, Y.off, S.buf, S.off, Y.buf, Y.off);   // in place
        close("mulRows in place", Y.get(rows * cols), ref);

        // maskedMulRows: a zero scale zeroes its row even where x holds Inf or NaN; otherwise mulRows
        float[] xm = rand(rows * cols, -1, 1), sm = s.clone();
        for (int r = 0; r < rows; r += 3) {
            sm[r] = 0;
            xm[r * cols] = r % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
        }
        Dev XM = dev(xm), SM = dev(sm), ZM = dev(rand(rows * cols, -1, 1));
        backend().maskedMulRows(rows, cols, XM.buf, XM.off, SM.buf, SM.off, ZM.buf, ZM.off);
        double[] mref = new double[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) mref[r * cols + c] = sm[r] == 0 ? 0 : (double) xm[r * cols + c] * sm[r];
        close("maskedMulRows", ZM.get(rows * cols), mref);
        ZM.untouched("maskedMulRows", rows * cols);
        backend().maskedMulRows(rows, cols, XM.buf, XM.off, SM.buf, SM.off, XM.buf, XM.off);   // in place
        close("maskedMulRows in place", XM.get(rows * cols), mref);

        float[] v = rand(rows, 0, 3);
        Dev V = dev(v), R = dev(rand(rows, -1, 1));
        backend().rsqrt(rows, 1e-3f, V.buf, V.off, R.buf, R.off);
        double[] rref = new double[rows];
        for (int r = 0; r < rows; r++) rref[r] = 1 / Math.sqrt((double) v[r] + 1e-3f);
        close("rsqrt", R.get(rows), rref);
        R.untouched("rsqrt", rows);
        backend().rsqrt(rows, 1e-3f, V.buf, V.off, V.buf, V.off);   // in place
        close("rsqrt in place", V.get(rows), rref);

        // mulRowVector: each row times the row vector (BatchNormalization's per-feature scale); 37 columns: vector body and tail
        int vrows = 9, vcols = 37;
        float[] xr = rand(vrows * vcols, -1, 1), vr = rand(vcols, -2, 2);
        Dev XR = dev(xr), VR = dev(vr), ZR = dev(rand(vrows * vcols, -1, 1));
        backend().mulRowVector(vrows, vcols, XR.buf, XR.off, VR.buf, VR.off, ZR.buf, ZR.off);
        double[] vref = new double[vrows * vcols];
        for (int r = 0; r < vrows; r++) for (int c = 0; c < vcols; c++) vref[r * vcols + c] = (double) xr[r * vcols + c] * vr[c];
        close("mulRowVector", ZR.get(vrows * vcols), vref);
        ZR.untouched("mulRowVector", vrows * vcols);
        backend().mulRowVector(vrows, vcols, XR.buf, XR.off, VR.buf, VR.off, XR.buf, XR.off);   // in place
        close("mulRowVector in place", XR.get(vrows * vcols), vref);
        backend().mulRowVector(0, vcols, XR.buf, XR.off, VR.buf, VR.off, ZR.buf, ZR.off);      // no rows: nothing to do
        close("mulRowVector, no rows", ZR.get(vrows * vcols), vref);
    }

    private static void assertArrayEqualsF(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                    what + ": element " + i + " expected " + want[i] + " got " + got[i]);
        }
    }

    @Test
    void dropoutMaskIsTheCounterHashAndAdvancesTheCounter() {
        int n = 4099;
        float rate = 0.3f;
        long seed = 0x5EEDL;
        // counter 2^24 - 1 in (lo, hi) = (2^24 - 1, 5): advancing carries into hi
        long c0 = 5L * CounterRng.COUNTER_LIMB + CounterRng.COUNTER_LIMB - 1;
        Dev C = dev(new float[] {CounterRng.lo(c0), CounterRng.hi(c0)}), O = dev(new float[n]);
        for (int call = 0; call < 2; call++) {
            backend().dropoutMask(n, rate, seed, C.buf, C.off, O.buf, O.off);
            float[] got = O.get(n);
            float scale = 1f / (1f - rate);
            float[] want = new float[n];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                want[i] = CounterRng.uniform(seed, c0 + call, i) >= rate ? scale : 0f;
                if (want[i] != 0) kept++;
            }
            assertArrayEqualsF(want, got, "dropout mask of call " + call);
            // about 70 % kept (binomial, 5 sigma)
            double sd = Math.sqrt(n * rate * (1 - rate));
            assertTrue(Math.abs(kept - n * (1 - rate)) < 5 * sd, "kept " + kept + " of " + n);
            float[] cnt = C.get(2);
            assertEquals(c0 + call + 1, CounterRng.counter(cnt[0], cnt[1]), "counter after call " + call);
        }
        O.untouched("dropoutMask", n);
        C.untouched("dropout counter", 2);
    }

    /**
     * normalNoise: Box-Muller on the counter hash (CounterRng.normal; the device's double log and cos within 1e-5), the
     * counter advanced, and the draws' mean and variance those asked for (5 standard errors).
     */
    @Test
    void normalNoiseIsTheCounterHashWithTheAskedMeanAndVariance() {
        int n = 20011;
        float mean = 0.5f, sd = 2f;
        long seed = 0xC0FFEEL;
        Dev C = dev(new float[2]), O = dev(new float[n]);
        for (int call = 0; call < 2; call++) {
            backend().normalNoise(n, mean, sd, seed, C.buf, C.off, O.buf, O.off);
            float[] got = O.get(n);
            long base = CounterRng.base(seed, call);
            double sum = 0, sq = 0;
            for (int i = 0; i < n; i++) {
                double want = mean + sd * CounterRng.normal(base, i);
                assertEquals(want, got[i], 1e-5 * Math.max(1, Math.abs(want)), "noise " + i + " of call " + call);
                sum += got[i];
                sq += (got[i] - mean) * (got[i] - mean);
            }
            double m = sum / n, var = sq / n;
            assertEquals(mean, m, 5 * sd / Math.sqrt(n), "mean of call " + call);
            assertEquals(sd * sd, var, 5 * sd * sd * Math.sqrt(2.0 / n), "variance of call " + call);
            float[] cnt = C.get(2);
            assertEquals(call + 1, CounterRng.counter(cnt[0], cnt[1]), "counter after call " + call);
        }
        O.untouched("normalNoise", n);
        C.untouched("noise counter", 2);
        assertThrows(IllegalArgumentException.class, () -> backend().normalNoise(1, 0f, -1f, seed, C.buf, C.off, O.buf, O.off));
    }

    @Test
    void counterRngMatchesSplitMix64() {
        // SplittableRandom(base).nextLong() is mix64(base + GOLDEN): element 0 of the stream
        long base = CounterRng.base(7, 3);
        long h = new SplittableRandom(base).nextLong();
        assertEquals((h >>> 40) * 0x1.0p-24f, CounterRng.uniformAt(base, 0));
        assertEquals(3L * CounterRng.COUNTER_LIMB + 12, CounterRng.counter(12f, 3f));
    }

    @Test
    void checkIdsCopiesGoodIdsAndReportsTheFirstBadOne() {
        float[] ids = {0, 4, 6, 2, 6, 1};
        Dev I = dev(ids), O = dev(rand(6, 10, 20));
        backend().checkIds(6, I.buf, I.off, 7, "emb", O.buf, O.off);
        backend().synchronize();
        assertArrayEqualsF(ids, O.get(6), "checked ids");
        O.untouched("checkIds", 6);
        for (float bad : new float[] {7f, -1f, 2.5f, Float.NaN}) {
            float[] b = ids.clone();
            b[3] = bad;
            b[5] = 9f;   // a later bad id: the first one is reported
            Dev B = dev(b), BO = dev(new float[6]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                backend().checkIds(6, B.buf, B.off, 7, "my_embedding", BO.buf, BO.off);
                backend().synchronize();
            });
            assertTrue(e.getMessage().contains("my_embedding: id " + bad + " at flat index 3 is not an integer in [0, 7)"),
                    e.getMessage());
            backend().synchronize();   // reported once
        }
    }

    @Test
    void lossAsyncWritesOneFloatAndReportsBadTargets() {
        int rows = 7, cols = 13, n = rows * cols;
        for (Loss kind : Loss.values()) {
            float[] p = lossPred(kind, rows, cols), t = lossTarget(kind, rows, cols), wt = rand(rows, 0.2, 2);
            Dev P = dev(p), T = dev(t), W = dev(wt), G1 = dev(new float[n]), G2 = dev(new float[n]), L = dev(rand(3, 5, 6));
            float want = loss(kind, rows, cols, P, T, W, G1);
            backend().lossAsync(new LossArgs(kind, rows, cols, P.span(), T.span(), W.span(), G2.span(), new Span(L.buf, L.off + 1)));
            float[] l = L.get(3);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(l[1]), kind + ": lossAsync " + l[1] + " vs the same call " + want);
            assertArrayEqualsF(G1.get(n), G2.get(n), kind + " gradient");
            assertEquals(L.init[(int) L.off], l[0]);
            assertEquals(L.init[(int) L.off + 2], l[2]);
        }
        float[] p = lossPred(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, rows, cols);
        float[] t = lossTarget(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, rows, cols);
        t[2] = cols;
        t[5] = 1.5f;   // a later bad index: the first row is named, with its value, on either backend
        Dev P = dev(p), T = dev(t), L = dev(new float[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            backend().lossAsync(new LossArgs(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, rows, cols, P.span(), T.span(), null,
                    null, L.span()));
            backend().synchronize();
        });
        assertEquals("lossAsync(sparse_categorical_crossentropy): index 13.0 at position 2 is not an integer in [0, 13)", e.getMessage());
        backend().synchronize();   // reported once
        for (float bad : new float[] {Float.NaN, -1f}) {
            float[] u = lossTarget(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, rows, cols);
            u[rows - 1] = bad;
            Dev U = dev(u), Z = dev(lossPred(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, rows, cols));
            IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> {
                backend().lossAsync(new LossArgs(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, rows, cols, Z.span(), U.span(),
                        null, null, L.span()));
                backend().synchronize();
            });
            assertEquals("lossAsync(sparse_categorical_crossentropy_logits): index " + bad + " at position " + (rows - 1)
                    + " is not an integer in [0, 13)", f.getMessage());
        }
        Dev Good = dev(lossTarget(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, rows, cols));
        backend().lossAsync(new LossArgs(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, rows, cols, P.span(), Good.span(), null, null, L.span()));
        backend().synchronize();   // the refusal is not reported again for a good call
    }

    @Test
    void scaleToSumAndClipNorm() {
        int n = 3001;
        float[] x = rand(n, 0.1, 2);
        double sum = 0, ss = 0;
        for (float v : x) {
            sum += v;
            ss += (double) v * v;
        }
        Dev X = dev(x);
        backend().scaleToSum(n, 17.5, X.buf, X.off);
        double[] ref = new double[n];
        for (int i = 0; i < n; i++) ref[i] = x[i] * (17.5 / sum);
        close("scaleToSum", X.get(n), ref);
        X.untouched("scaleToSum", n);
        Dev Zero = dev(new float[9]);
        backend().scaleToSum(9, 3, Zero.buf, Zero.off);
        assertArrayEqualsF(new float[9], Zero.get(9), "scaleToSum of zeros");

        double norm = Math.sqrt(ss);
        Dev A = dev(x), B = dev(x);
        backend().clipNorm(n, (float) (norm / 4), A.buf, A.off);
        for (int i = 0; i < n; i++) ref[i] = x[i] * ((float) (norm / 4) / norm);
        close("clipNorm above", A.get(n), ref);
        A.untouched("clipNorm", n);
        backend().clipNorm(n, (float) (norm * 2), B.buf, B.off);
        assertArrayEqualsF(x, B.get(n), "clipNorm below the limit leaves x as it is");
    }

    @Test
    void finiteGuardCopyIfGuardAndGuardedUpdates() {
        int n = 517;
        float[] x = rand(n, -2, 2);
        Dev X = dev(x), G = dev(new float[1]);
        backend().fill(X.buf, X.off - 1, 1, Float.NaN);        // outside the span: ignored
        backend().fill(X.buf, X.off + n, 1, Float.POSITIVE_INFINITY);
        backend().finiteGuard(n, X.buf, X.off, 2f, G.buf, G.off);
        assertEquals(0f, G.get(1)[0], "finite data leaves the guard at 0");
        float[] bad = x.clone();
        bad[311] = Float.NEGATIVE_INFINITY;
        Dev B = dev(bad), N = dev(new float[] {Float.NaN});
        backend().finiteGuard(n, B.buf, B.off, 2f, G.buf, G.off);
        assertEquals(2f, G.get(1)[0], "an infinity sets the guard to its code");
        backend().finiteGuard(1, N.buf, N.off, 3f, G.buf, G.off);
        assertEquals(2f, G.get(1)[0], "the first failure sticks");
        G.untouched("finiteGuard", 1);

        Dev Z = dev(new float[1]), S = dev(rand(n, -1, 1)), D = dev(x);
        backend().copyIfGuard(n, Z.buf, Z.off, S.buf, S.off, D.buf, D.off);
        assertArrayEqualsF(x, D.get(n), "copyIfGuard with a clear guard");
        backend().copyIfGuard(n, G.buf, G.off, S.buf, S.off, D.buf, D.off);
        assertArrayEqualsF(S.get(n), D.get(n), "copyIfGuard with a set guard");
        D.untouched("copyIfGuard", n);

        // guarded updates: a set guard changes nothing (Adam's t included), a clear one is the plain update
        float[] p0 = rand(n, -1, 1), g = rand(n, -1, 1), v0 = rand(n, -0.1, 0.1);
        Dev P1 = dev(p0), P2 = dev(p0), V1 = dev(v0), V2 = dev(v0), Gr = dev(g);
        sgd(n, P1, Gr, V1, G, 0.1f, 0.9f, true);
        assertArrayEqualsF(p0, P1.get(n), "guarded sgd skipped");
        assertArrayEqualsF(v0, V1.get(n), "guarded sgd velocity untouched");
        sgd(n, P1, Gr, V1, Z, 0.1f, 0.9f, true);
        sgd(n, P2, Gr, V2, null, 0.1f, 0.9f, true);
        assertArrayEqualsF(P2.get(n), P1.get(n), "sgd with a clear guard");
        float[] m0 = rand(n, -0.1, 0.1), s0 = rand(n, 0.001, 0.01);
        Dev AP = dev(p0), AM = dev(m0), AV = dev(s0), ST = dev(new float[] {4f, 0f, 0f});
        backend().adamUpdate(new AdamArgs(n, AP.span(), Gr.span(), AM.span(), AV.span(), ST.span(), G.span(),
                0.01f, 0.9f, 0.999f, 1e-7f));
        assertArrayEqualsF(p0, AP.get(n), "guarded adam skipped: p");
        assertArrayEqualsF(m0, AM.get(n), "guarded adam skipped: m");
        assertArrayEqualsF(s0, AV.get(n), "guarded adam skipped: v");
        assertEquals(4f, ST.get(1)[0], "guarded adam skipped: t");
        backend().adamUpdate(new AdamArgs(n, AP.span(), Gr.span(), AM.span(), AV.span(), ST.span(), Z.span(),
                0.01f, 0.9f, 0.999f, 1e-7f));
        assertEquals(5f, ST.get(1)[0], "adam with a clear guard advances t");
        Dev RP = dev(p0), RM = dev(m0), RV = dev(s0);
        adam(n, RP, Gr, RM, RV, 0.01f, 0.9f, 0.999f, 1e-7f, 5);
        close("adam with a clear guard", AP.get(n), d(RP.get(n)));
    }

    /** Whether this backend captures graphs ({@link Backend#capture} returns a graph); the CPU's does not. */
    protected boolean captures() { return true; }

    @Test
    void captureRecordsWithoutRunningAndReplays() {
        int n = 301;
        float[] x = rand(n, -1, 1), y0 = rand(n, -1, 1);
        Dev X = dev(x), Y = dev(y0), C = dev(new float[2]), O = dev(new float[n]);
        GraphCapture g = backend().capture(() -> {
            backend().axpy(n, 2f, X.buf, X.off, Y.buf, Y.off);
            backend().dropoutMask(n, 0.5f, 99L, C.buf, C.off, O.buf, O.off);
        });
        assertArrayEqualsF(y0, Y.get(n), "capture must not run the step");
        assertArrayEqualsF(new float[2], C.get(2), "capture must not run the step (counter)");
        if (!captures()) {   // the caller then runs its steps itself: nothing to replay
            assertNull(g, backend() + " does not capture: capture returns null");
            return;
        }
        assertNotNull(g, backend() + " captures graphs");
        try (g) {
            double[] ref = d(y0);
            for (int r = 0; r < 3; r++) {
                g.replay();
                for (int i = 0; i < n; i++) ref[i] += 2.0 * x[i];
                close("replay " + r, Y.get(n), ref);
                float[] mask = O.get(n);
                for (int i = 0; i < n; i++) {
                    assertEquals(CounterRng.uniform(99L, r, i) >= 0.5f ? 2f : 0f, mask[i], "replay " + r + " mask " + i);
                }
            }
        }
        // a synchronizing call inside a capture is refused, nothing is recorded, the backend stays usable
        assertThrows(RuntimeException.class, () -> backend().capture(() -> {
            backend().scale(n, 3f, Y.buf, Y.off);
            backend().download(Y.buf, Y.off, new float[n], 0, n);
        }));
        float[] before = Y.get(n);
        backend().scale(n, 0.5f, Y.buf, Y.off);
        double[] half = new double[n];
        for (int i = 0; i < n; i++) half[i] = before[i] * 0.5;
        close("after a refused capture", Y.get(n), half);
    }
}
