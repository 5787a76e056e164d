package dev.jrnn.backend;

/**
 * The arguments of {@link Backend#lossAsync}: the mean loss over {@code rows} rows of {@code cols} predictions,
 * Keras reduction ("sum over batch size": per-row losses averaged; MSE/MAE/BCE also average over cols),
 * written as one float to {@code out}, and its gradient {@code grad = d loss / d pred} (same layout as
 * pred; nullable: no gradient). Sparse losses read one class index per row from {@code target}.
 * {@code weights} (nullable, one per row) scales each row's loss; the mean then divides by the number of
 * rows (Keras sample weights).
 *
 * <pre>{@code
 * be.lossAsync(new LossArgs(Loss.MSE, batch, 1, Span.of(pred), Span.of(y), null, Span.of(grad), new Span(losses, i)));
 * }</pre>
 */
public record LossArgs(Loss kind, int rows, int cols, Span pred, Span target, Span weights, Span grad, Span out) {
    public LossArgs {
        Checks.lossShape("lossAsync", kind, rows, cols);
        if (pred == null || target == null || out == null) {
            throw new IllegalArgumentException("lossAsync " + kind + ": pred, target and out must not be null");
        }
    }

    /** Floats of {@code pred} (and {@code grad}): rows * cols. */
    public long size() {
        return (long) rows * cols;
    }

    /** Floats of {@code target}: one class index per row for sparse losses, else rows * cols. */
    public long targetSize() {
        return kind.sparse() ? rows : size();
    }
}
