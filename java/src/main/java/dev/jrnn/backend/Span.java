package dev.jrnn.backend;

/**
 * Floats of a buffer from an offset on, as the argument records ({@link AdamArgs}, {@link SgdArgs},
 * {@link LossArgs}) take them; the operation says how many floats it touches.
 *
 * <pre>{@code
 * Span weights = Span.of(store.values());      // from float 0
 * Span slice = new Span(buf, 128);             // from float 128
 * }</pre>
 */
public record Span(Buf buf, long off) {
    public Span {
        if (buf == null) throw new IllegalArgumentException("Span: buf is null");
    }

    /** {@code buf} from float 0. */
    public static Span of(Buf buf) {
        return new Span(buf, 0);
    }

    /** {@code buf} from float 0, or null when {@code buf} is null (for nullable arguments). */
    public static Span ofNullable(Buf buf) {
        return buf == null ? null : new Span(buf, 0);
    }
}
