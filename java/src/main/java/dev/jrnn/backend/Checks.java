package dev.jrnn.backend;

/**
 * The argument checks both backends make, with one wording: every message starts with the operation and
 * names the argument, what was expected and what came.
 *
 * <pre>{@code
 * Checks.owned("axpy", "x", x, this);                 // non-null, allocated by this backend
 * int off = (int) Checks.span("axpy", "x", x.size(), xOff, n);
 * }</pre>
 */
public final class Checks {
    private Checks() {}

    /**
     * {@code b}, after checking it is not null and was allocated by {@code owner}.
     *
     * @throws IllegalArgumentException "op: what is null" or "op: what belongs to another backend (name), expected
     *                                  a buffer of this cpu|cuda backend"
     */
    public static Buf owned(String op, String what, Buf b, Backend owner) {
        if (b == null) throw new IllegalArgumentException(op + ": " + what + " is null");
        if (b.backend() != owner) {
            String other = b.backend() == null ? "none" : b.backend().name();
            throw new IllegalArgumentException(op + ": " + what + " belongs to another backend (" + other
                    + "), expected a buffer of this " + owner.name() + " backend");
        }
        return b;
    }

    /** Checks that [off, off + len) lies inside a buffer of {@code size} floats; returns off. */
    public static long span(String op, String what, long size, long off, long len) {
        if (off < 0 || len < 0 || off > size - len) {
            throw new IllegalArgumentException(op + ": " + what + " span [" + off + ", " + (off + len)
                    + ") is outside its buffer of " + size + " floats");
        }
        return off;
    }

    /** The floats a row-major [rows, cols] matrix with row stride {@code ld} spans, after checking its shape. */
    public static long matrixLength(String op, String what, int rows, int cols, int ld) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": " + what + " shape [" + rows + ", " + cols + "] is negative");
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(op + ": " + what + " row stride " + ld + " is smaller than its "
                    + cols + " columns (and 1)");
        }
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    /**
     * The floats a strided batch of {@code batch} row-major [rows, cols] matrices spans (matrix i at {@code i * stride}),
     * after checking the shape and that the stride is not negative (0: one matrix for the whole batch).
     */
    public static long batchLength(String op, String what, int batch, long stride, int rows, int cols, int ld) {
        long one = matrixLength(op, what, rows, cols, ld);
        if (stride < 0) throw new IllegalArgumentException(op + ": " + what + " batch stride must be >= 0, got " + stride);
        if (batch <= 0 || one == 0) return 0;
        if (stride > 0 && batch - 1 > (Long.MAX_VALUE - one) / stride) {
            throw new IllegalArgumentException(op + ": " + what + " spans more than 2^63 floats (" + batch + " matrices "
                    + stride + " apart)");
        }
        return (batch - 1) * stride + one;
    }

    /**
     * Checks a batched GEMM's batch count (&gt;= 0) and that its C matrices do not overlap: with more than one,
     * {@code strideC} must be at least one [m, n] C's span.
     */
    /**
     * The floats a strided batch of products spans in A, B and C ({@code {aLen, bLen, cLen}}), A and B as stored (transposed
     * or not), after {@link #gemmSizes} and {@link #gemmBatch}: what both backends check their buffers against.
     */
    public static long[] gemmBatchLengths(String op, int batch, boolean ta, boolean tb, int m, int n, int k, int lda, long strideA,
                                          int ldb, long strideB, int ldc, long strideC) {
        gemmSizes(m, n, k);
        gemmBatch(op, batch, m, n, ldc, strideC);
        long aLen = ta ? batchLength(op, "A (stored [k, m])", batch, strideA, k, m, lda)
                : batchLength(op, "A (stored [m, k])", batch, strideA, m, k, lda);
        long bLen = tb ? batchLength(op, "B (stored [n, k])", batch, strideB, n, k, ldb)
                : batchLength(op, "B (stored [k, n])", batch, strideB, k, n, ldb);
        return new long[] {aLen, bLen, batchLength(op, "C", batch, strideC, m, n, ldc)};
    }

    public static void gemmBatch(String op, int batch, int m, int n, int ldc, long strideC) {
        if (batch < 0) throw new IllegalArgumentException(op + ": batch must be >= 0, got " + batch);
        long one = matrixLength(op, "C", m, n, ldc);
        if (batch > 1 && strideC < one) {
            throw new IllegalArgumentException(op + ": C batch stride " + strideC + " is smaller than one C matrix's span of "
                    + one + " floats: the products would overlap");
        }
    }

    /** @throws IllegalArgumentException "op: what must be >= 0, got v" */
    public static void nonNegative(String op, String what, long v) {
        if (v < 0) throw new IllegalArgumentException(op + ": " + what + " must be >= 0, got " + v);
    }

    /** Checks {@code act} is an elementwise activation (not null, not softmax or log_softmax). */
    public static void elementwise(String op, Activation act) {
        if (act == null) throw new IllegalArgumentException(op + ": activation is null");
        if (act.rowwise()) {
            throw new IllegalArgumentException(op + ": activation " + act.kerasName() + " is not elementwise; expected an elementwise one"
                    + " (linear, tanh, sigmoid, relu, hard_sigmoid, ...: any but softmax and log_softmax)");
        }
    }

    /** Checks the [batch, steps, features] of a pooling op over steps ({@code maxOverSteps}); returns its size. */
    public static long poolDims(String op, int batch, int steps, int features) {
        if (batch < 0 || steps < 1 || features < 0) {
            throw new IllegalArgumentException(op + ": expected batch >= 0, steps >= 1, features >= 0, got batch " + batch + ", steps "
                    + steps + ", features " + features);
        }
        return (long) batch * steps * features;
    }

    /** Checks a loss's kind and shape: kind non-null, rows and cols positive. */
    public static void lossShape(String op, Loss kind, int rows, int cols) {
        if (kind == null) throw new IllegalArgumentException(op + ": kind is null");
        if (kind.customFunction() != null) {
            throw new IllegalArgumentException(op + ": kind must be a built-in loss (a custom loss runs on the host: LossMath), got " + kind);
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(op + " " + kind + ": rows and cols must be > 0, got rows=" + rows
                    + " cols=" + cols);
        }
    }

    /** Checks {@code code} is a positive finite float (a NaN guard's failure code). */
    public static void guardCode(String op, float code) {
        if (!(code > 0) || !Float.isFinite(code)) {
            throw new IllegalArgumentException(op + ": code must be a positive float, got " + code);
        }
    }

    /** Checks {@code x} is not null: "op: what is null". */
    public static void notNull(String op, String what, Object x) {
        if (x == null) throw new IllegalArgumentException(op + ": " + what + " is null");
    }

    /** Checks that [off, off + len) lies inside the host array {@code a} (an upload's source, a download's target). */
    public static void arraySpan(String op, String what, float[] a, int off, int len) {
        notNull(op, what, a);
        if (off < 0 || len < 0 || off > a.length - len) {
            throw new IllegalArgumentException(op + ": " + what + " span [" + off + ", " + ((long) off + len)
                    + ") is outside the array of " + a.length + " floats");
        }
    }

    /** Checks a GEMM's sizes are not negative. */
    public static void gemmSizes(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: m, n, k must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
    }

    /** The rows of a row-wise softmax over n floats, after checking n is a multiple of cols &gt; 0 (and rows fit an int). */
    public static int softmaxRows(String op, long n, int cols) {
        if (cols <= 0 || n % cols != 0) {
            throw new IllegalArgumentException(op + ": softmax needs n to be a multiple of cols > 0, got n=" + n
                    + " cols=" + cols);
        }
        long rows = n / cols;
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": softmax over " + rows + " rows exceeds " + Integer.MAX_VALUE);
        }
        return (int) rows;
    }

    /** Checks an embedding lookup's n &gt;= 0 and dim &gt; 0. */
    public static void rows(String op, int n, int dim) {
        if (n < 0 || dim <= 0) {
            throw new IllegalArgumentException(op + ": need n >= 0 and dim > 0, got n=" + n + " dim=" + dim);
        }
    }

    /** Checks a matrix's rows and cols are not negative. */
    public static void dims(String op, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": rows and cols must be >= 0, got rows=" + rows + " cols=" + cols);
        }
    }

    /** Checks clip's bounds: lo &lt;= hi. */
    public static void clipRange(float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clip: need lo <= hi, got lo=" + lo + " hi=" + hi);
    }

    /** Checks a dropout rate is in [0, 1). */
    public static void dropoutRate(String op, float rate) {
        if (!(rate >= 0f && rate < 1f)) throw new IllegalArgumentException(op + ": rate must be in [0, 1), got " + rate);
    }

    /** Checks a noise op's standard deviation is finite and >= 0. */
    public static void noiseStddev(String op, float stddev) {
        if (!(stddev >= 0f && stddev <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException(op + ": stddev must be finite and >= 0, got " + stddev);
        }
    }

    /** Checks an id check's vocabulary is positive. */
    public static void vocab(String op, int vocab) {
        if (vocab <= 0) throw new IllegalArgumentException(op + ": vocab must be > 0, got " + vocab);
    }

    /** Checks clipnorm's bound is positive. */
    public static void maxNorm(String op, float maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException(op + ": maxNorm must be > 0, got " + maxNorm);
    }
}
