package dev.jrnn.backend;

/**
 * The arguments of {@link Backend#optimizerUpdate}: one fused update of {@code n} floats of {@code params} from
 * {@code grads}, Keras 3's formulas, skipped when {@code guard[0] != 0} (nullable; see {@link Backend#finiteGuard}).
 * First Keras' weight decay {@code p -= p * weightDecay * lr} (0: none), then by kind, with the state spans
 * {@code s1..s3} and the hyper-parameters {@code h1, h2}:
 * <ul>
 *   <li>RMSPROP ({@code h1} = rho, {@code h2} = momentum): s1 = velocity; s2 = momentum buffer (null: no momentum);
 *       s3 = average gradient (null: not centered); {@code inc = lr g / sqrt(s1 (- s3^2) + eps)}.</li>
 *   <li>ADAGRAD: s1 = accumulator (starts at Keras' initial_accumulator_value);
 *       {@code p -= lr g / sqrt(s1 + eps)}.</li>
 *   <li>ADAMW ({@code h1} = beta1, {@code h2} = beta2): s1 = m, s2 = v, as Adam; s3 = Keras' amsgrad velocity_hat
 *       (null: no amsgrad), {@code s3 = max(s3, v)} then used in v's place.</li>
 *   <li>NADAM ({@code h1} = beta1, {@code h2} = beta2): s1 = m, s2 = v, Keras' Nadam (momentum schedule 0.96).</li>
 *   <li>ADAMAX ({@code h1} = beta1, {@code h2} = beta2): s1 = m, s2 = u (the infinity norm), Keras' Adamax:
 *       {@code u = max(beta2 u, |g|)}, {@code p -= lr m / ((1 - beta1^t) (u + eps))}.</li>
 *   <li>ADADELTA ({@code h1} = rho): s1 = accumulated_grad, s2 = accumulated_delta_var, Keras' Adadelta:
 *       {@code s1 = rho s1 + (1 - rho) g^2}, {@code d = -sqrt(s2 + eps) g / sqrt(s1 + eps)},
 *       {@code s2 = rho s2 + (1 - rho) d^2}, {@code p += lr d}.</li>
 *   <li>LION ({@code h1} = beta1, {@code h2} = beta2): s1 = momentum, Keras' Lion:
 *       {@code p -= lr sign(beta1 s1 + (1 - beta1) g)}, then {@code s1 = beta2 s1 + (1 - beta2) g}.</li>
 * </ul>
 * ADAMW, NADAM and ADAMAX keep the step count t in the backend's memory: {@code step} holds 5 floats (t as a lo, hi
 * counter pair as {@link CounterRng#counter}, then scratch); each update first advances t by one. Others take a
 * null step.
 *
 * <pre>{@code
 * be.optimizerUpdate(new OptimizerArgs(OptimizerArgs.Kind.ADAGRAD, n, Span.of(p), Span.of(g), Span.of(acc), null, null,
 *                                      null, null, 0.001f, 0, 0, 1e-7f, 0));
 * }</pre>
 */
public record OptimizerArgs(Kind kind, long n, Span params, Span grads, Span s1, Span s2, Span s3, Span step, Span guard,
                            float lr, float h1, float h2, float eps, float weightDecay) {
    /** Floats of {@code step} for ADAMW, NADAM and ADAMAX. */
    public static final int STEP_FLOATS = 5;

    /** The update rule; {@link #code()} is what the CUDA kernels receive. */
    public enum Kind {
        RMSPROP(0), ADAGRAD(1), ADAMW(2), NADAM(3), ADAMAX(4), ADADELTA(5), LION(6);

        private final int code;

        Kind(int code) { this.code = code; }

        public int code() { return code; }

        /** Whether the rule keeps a step count (and needs {@code step}). */
        public boolean counted() { return this == ADAMW || this == NADAM || this == ADAMAX; }

        /** Whether the rule needs {@code s2}. */
        public boolean needsS2() { return this == ADAMW || this == NADAM || this == ADAMAX || this == ADADELTA; }
    }

    public OptimizerArgs {
        String op = "optimizerUpdate";
        Checks.nonNegative(op, "n", n);
        if (kind == null) throw new IllegalArgumentException(op + ": kind is null");
        if (params == null || grads == null || s1 == null) {
            throw new IllegalArgumentException(op + " " + kind + ": params, grads and s1 must not be null");
        }
        if (kind.needsS2() && s2 == null) throw new IllegalArgumentException(op + " " + kind + ": s2 (v) must not be null");
        if (kind.counted() && step == null) throw new IllegalArgumentException(op + " " + kind + ": step must not be null");
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException(op + " " + kind + ": weightDecay must be >= 0 and finite, got " + weightDecay);
        }
    }
}
