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

    /** @throws IllegalArgumentException "op: what must be >= 0, got v" */
    public static void nonNegative(String op, String what, long v) {
        if (v < 0) throw new IllegalArgumentException(op + ": " + what + " must be >= 0, got " + v);
    }

    /** Checks {@code act} is an elementwise activation (not null, not softmax). */
    public static void elementwise(String op, Activation act) {
        if (act == null) throw new IllegalArgumentException(op + ": activation is null");
        if (act == Activation.SOFTMAX) {
            throw new IllegalArgumentException(op + ": activation softmax is not elementwise; expected one of"
                    + " linear, tanh, sigmoid, relu, hard_sigmoid");
        }
    }

    /** Checks a loss's kind and shape: kind non-null, rows and cols positive. */
    public static void lossShape(String op, Loss kind, int rows, int cols) {
        if (kind == null) throw new IllegalArgumentException(op + ": kind is null");
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
}
