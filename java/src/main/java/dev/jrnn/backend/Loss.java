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
    SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS(7);

    private final int code;

    Loss(int code) { this.code = code; }

    /** What CUDA kernels receive. */
    public int code() { return code; }

    /** Whether the target has one value per row (class index) instead of one per prediction element. */
    public boolean sparse() {
        return this == SPARSE_CATEGORICAL_CROSSENTROPY || this == SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS;
    }
}
