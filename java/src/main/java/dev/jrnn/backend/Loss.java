package dev.jrnn.backend;

/**
 * Loss kinds the backends compute in one fused pass (value and gradient). Keras semantics:
 * the per-element or per-row loss is averaged over everything but the class axis.
 */
public enum Loss {
    /** mean((p - y)^2). */
    MSE(0),
    /** mean(|p - y|). */
    MAE(1),
    /** Binary cross-entropy on probabilities (clipped to [eps, 1 - eps], eps = 1e-7). */
    BINARY_CROSSENTROPY(2),
    /** Binary cross-entropy on logits (numerically stable form). */
    BINARY_CROSSENTROPY_LOGITS(3),
    /** Categorical cross-entropy on probabilities (rows sum to 1; clipped to eps). */
    CATEGORICAL_CROSSENTROPY(4),
    /** Categorical cross-entropy on logits (log-softmax inside). */
    CATEGORICAL_CROSSENTROPY_LOGITS(5),
    /** Sparse categorical cross-entropy on probabilities: target holds class indices as floats, one per row. */
    SPARSE_CATEGORICAL_CROSSENTROPY(6),
    /** Sparse categorical cross-entropy on logits. */
    SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS(7),
    /** Huber with Keras' default delta 1: mean(|e| &lt;= 1 ? e^2 / 2 : |e| - 1/2), e = p - y. */
    HUBER(8),
    /** mean(log(cosh(p - y))), as Keras: {@code x + softplus(-2x) - log 2}. */
    LOG_COSH(9),
    /** Kullback-Leibler divergence: sum(y log(y / p)) per row, y and p clipped to [1e-7, 1] (Keras). */
    KL_DIVERGENCE(10),
    /** Poisson: mean(p - y log(p + 1e-7)). */
    POISSON(11),
    /** Hinge: mean(max(1 - y p, 0)); targets all 0 or 1 in a batch become -1 / 1 first (Keras). */
    HINGE(12),
    /** Squared hinge: mean(max(1 - y p, 0)^2), targets converted as {@link #HINGE}'s. */
    SQUARED_HINGE(13),
    /** Categorical hinge per row: max(max((1 - y) p) - sum(y p) + 1, 0) on one-hot targets. */
    CATEGORICAL_HINGE(14),
    /**
     * Keras' binary focal cross-entropy at its defaults (gamma 2, no class balancing): mean((1 - p_t)^2 * bce), p_t = y p +
     * (1 - y)(1 - p), bce as {@link #BINARY_CROSSENTROPY}'s (p clipped there, not in p_t).
     */
    BINARY_FOCAL_CROSSENTROPY(15),
    /**
     * {@link #BINARY_FOCAL_CROSSENTROPY} from logits as Keras' TensorFlow backend and tf.keras 2 compute it: p_t of
     * sigmoid(z), the cross-entropy from the logits themselves (unclipped, so a confidently wrong logit keeps its gradient;
     * Keras 3's JAX and PyTorch backends clip sigmoid(z) there, which differs where |z| is above ~16).
     */
    BINARY_FOCAL_CROSSENTROPY_LOGITS(16),
    /**
     * Keras' categorical focal cross-entropy at its defaults (alpha 0.25, gamma 2) on one-hot targets: per row
     * sum(-0.25 (1 - q)^2 y log q), q = p / sum(p) clipped to [eps, 1 - eps] (in both factors).
     */
    CATEGORICAL_FOCAL_CROSSENTROPY(17),
    /** {@link #CATEGORICAL_FOCAL_CROSSENTROPY} of softmax(z), as Keras computes its from_logits form. */
    CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS(18);

    /** Huber's delta: Keras' default (the only one supported). */
    public static final double HUBER_DELTA = 1.0;
    /** The focal cross-entropies' gamma: Keras' default (the only one supported). */
    public static final double FOCAL_GAMMA = 2.0;
    /** The categorical focal cross-entropy's alpha: Keras' default (the only one supported). */
    public static final double FOCAL_ALPHA = 0.25;

    private final int code;

    Loss(int code) { this.code = code; }

    /** What CUDA kernels receive. */
    public int code() { return code; }

    /** Whether the loss takes the batch's targets as -1 / 1 when every one of them is 0 or 1 (Keras' hinge losses). */
    public boolean hingeLabels() { return this == HINGE || this == SQUARED_HINGE; }

    /** Whether the predictions are logits (a sigmoid or softmax inside the loss). */
    public boolean fromLogits() { return name().endsWith("_LOGITS"); }

    /** Whether the target has one value per row (class index) instead of one per prediction element. */
    public boolean sparse() {
        return this == SPARSE_CATEGORICAL_CROSSENTROPY || this == SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS;
    }
}
