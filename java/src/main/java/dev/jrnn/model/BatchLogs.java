package dev.jrnn.model;

import java.util.function.DoubleSupplier;

/**
 * What {@link Callback#onBatchEnd} gets after each training batch, as Keras' batch-end {@code logs}: the batch's
 * size and its loss. The loss stays on the device until {@link #loss()} is called (on CUDA a synchronization), so
 * fit hands every callback every batch and only those that read the loss pay for it.
 *
 * <pre>{@code
 * Callback perBatch = new Callback() {
 *     public void onBatchEnd(int batch, BatchLogs logs, Model model) { System.out.println(batch + " " + logs.loss()); }
 * };
 * }</pre>
 */
public final class BatchLogs {
    private final int size;
    private DoubleSupplier read;
    private double loss = Double.NaN;
    private boolean current = true;

    BatchLogs(int size, DoubleSupplier read) {
        this.size = size;
        this.read = read;
    }

    /** The number of samples in the batch. */
    public int size() { return size; }

    /**
     * The batch's loss (summed over the outputs with targets), read back from the device at the first call. Read it
     * inside onBatchEnd: once the next batch has run, a loss not read before is gone. Throws the batch's
     * {@link NonFiniteException} when its step went non-finite.
     */
    public double loss() {
        if (read != null) {
            if (!current) {
                throw new IllegalStateException("BatchLogs.loss: read the loss inside onBatchEnd; the batch's loss was not kept"
                        + " after the callback returned");
            }
            DoubleSupplier r = read;
            read = null;
            loss = r.getAsDouble();
        }
        return loss;
    }

    /** After the callbacks: the loss can no longer be read (the log moves on to the next batch). */
    void close() { current = false; }

    @Override
    public String toString() { return "BatchLogs{size=" + size + (read == null ? ", loss=" + loss : "") + "}"; }
}
