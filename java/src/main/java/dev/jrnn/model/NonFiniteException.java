package dev.jrnn.model;

/**
 * Training produced a NaN or an infinity (in the loss, the gradients or the updated weights) and
 * stopped. The update of the failing batch was not applied: the model keeps the weights of the last
 * finite step, and {@link #history()} holds the epochs completed before.
 *
 * <pre>{@code
 * try {
 *     model.fit(x, y, new FitOptions().epochs(100));
 * } catch (NonFiniteException e) {
 *     // "sequential: the loss became NaN at epoch 3/100, batch 7/25 (output dense); the update was not applied, ..."
 *     model.optimizer().learningRate(model.optimizer().learningRate() / 10);
 * }
 * }</pre>
 */
public final class NonFiniteException extends IllegalStateException {
    /** What went non-finite ({@link #quantity()}). */
    private final String quantity;
    /** The failing batch's epoch ({@link #epoch()}). */
    private final int epoch;
    /** The failing batch ({@link #batch()}). */
    private final int batch;
    private final transient History history;

    NonFiniteException(String message, String quantity, int epoch, int batch, History history) {
        super(message);
        this.quantity = quantity;
        this.epoch = epoch;
        this.batch = batch;
        this.history = history;
    }

    /** What went non-finite: "loss", "gradients" or "weights". */
    public String quantity() { return quantity; }

    /** The epoch of the failing batch, from 0 as in {@link Callback}s (the message counts from 1); -1 outside fit. */
    public int epoch() { return epoch; }

    /** The failing batch within its epoch, from 0 (the message counts from 1); -1 outside fit. */
    public int batch() { return batch; }

    /** The epochs completed before the failure (empty when it failed in the first), or null outside fit. */
    public History history() { return history; }
}
