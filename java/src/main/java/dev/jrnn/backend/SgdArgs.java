package dev.jrnn.backend;

/**
 * The arguments of {@link Backend#sgdUpdate}: SGD as Keras over {@code n} floats of each span. Without
 * momentum ({@code velocity} null) {@code p -= lr * g}; with it {@code v = momentum * v - lr * g}, then
 * {@code p += v} or, nesterov, {@code p += momentum * v - lr * g}. {@code guard} (nullable) skips the
 * update when {@code guard[0] != 0} (see {@link Backend#finiteGuard}).
 *
 * <pre>{@code
 * be.sgdUpdate(new SgdArgs(n, Span.of(p), Span.of(g), Span.of(velocity), null, 0.01f, 0.9f, false));
 * }</pre>
 */
public record SgdArgs(long n, Span params, Span grads, Span velocity, Span guard,
                      float lr, float momentum, boolean nesterov) {
    public SgdArgs {
        Checks.nonNegative("sgdUpdate", "n", n);
        if (params == null || grads == null) throw new IllegalArgumentException("sgdUpdate: params and grads must not be null");
    }
}
