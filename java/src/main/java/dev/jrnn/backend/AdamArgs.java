package dev.jrnn.backend;

/**
 * The arguments of {@link Backend#adamUpdate}: Adam as Keras over {@code n} floats of each span,
 * {@code m += (g - m)(1 - beta1)}, {@code v += (g^2 - v)(1 - beta2)},
 * {@code p -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)}, with the step count t kept in
 * the backend's memory: {@code step} holds 3 floats (t as a lo, hi counter pair as in
 * {@link CounterRng#counter}, then the step's bias-corrected rate). {@code guard} (nullable) skips the whole update, t included,
 * when {@code guard[0] != 0} (see {@link Backend#finiteGuard}).
 *
 * <pre>{@code
 * be.adamUpdate(new AdamArgs(n, Span.of(p), Span.of(g), Span.of(m), Span.of(v), Span.of(step), null,
 *                            0.001f, 0.9f, 0.999f, 1e-7f));
 * }</pre>
 */
public record AdamArgs(long n, Span params, Span grads, Span m, Span v, Span step, Span guard,
                       float lr, float beta1, float beta2, float eps) {
    public AdamArgs {
        Checks.nonNegative("adamUpdate", "n", n);
        if (params == null || grads == null || m == null || v == null || step == null) {
            throw new IllegalArgumentException("adamUpdate: params, grads, m, v and step must not be null");
        }
    }
}
