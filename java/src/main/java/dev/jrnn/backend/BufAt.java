package dev.jrnn.backend;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A buffer and an offset into it (in floats): one argument of the recurrent operations' records, where an
 * absent optional buffer (no mask, no output gradient at this step) is a null {@code BufAt}.
 *
 * <pre>{@code
 * BufAt h = BufAt.at(hs, (long) s * batch * units);   // null when hs is null
 * }</pre>
 */
public record BufAt(Buf buf, long offset) {
    public BufAt {
        Objects.requireNonNull(buf, "buf");
    }

    /** {@code buf} at {@code offset}, or null when {@code buf} is null (an absent optional argument). */
    public static BufAt at(Buf buf, long offset) {
        return buf == null ? null : new BufAt(buf, offset);
    }

    /** The buffer of {@code a}, or null when absent. */
    public static Buf buf(BufAt a) { return a == null ? null : a.buf; }

    /** The offset of {@code a}, or 0 when absent. */
    public static long offset(BufAt a) { return a == null ? 0 : a.offset; }

    /** {@code a} with its buffer replaced by {@code f(buf)} (null stays null). */
    static BufAt map(BufAt a, UnaryOperator<Buf> f) {
        return a == null ? null : at(f.apply(a.buf), a.offset);
    }
}
