package dev.jrnn.model;

import java.util.Collections;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * What {@link Callback#onBatchEnd} gets after each training batch: the batch's size, its own loss, and {@link #logs()}, the
 * epoch's running loss and metrics as Keras' batch-end {@code logs} hold them. The loss stays on the device until
 * {@link #loss()} or {@link #logs()} is called (on CUDA a synchronization), so fit hands every callback every batch and
 * only those that read it pay for it.
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
    private final Supplier<Map<String, Double>> epoch;
    private double loss = Double.NaN;
    private Map<String, Double> logs;
    private boolean current = true;

    /** {@code read} reads the batch's loss back (once), after which {@code epoch} gives the epoch's logs so far. */
    BatchLogs(int size, DoubleSupplier read, Supplier<Map<String, Double>> epoch) {
        this.size = size;
        this.read = read;
        this.epoch = epoch;
    }

    /** The number of samples in the batch. */
    public int size() { return size; }

    /**
     * The batch's loss (summed over the outputs with targets), read back from the device at the first call. Read it
     * inside onBatchEnd: once the next batch has run, a loss not read before is gone. Throws the batch's
     * {@link NonFiniteException} when its training step went non-finite (a test batch's loss comes as it is, NaN too).
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

    /**
     * Keras' batch-end {@code logs}: "loss" (and each output's loss when several train) and the compiled metrics over the
     * epoch's batches so far, this one included (their running means, as Keras' {@code on_train_batch_end} gets them; after
     * the last batch they equal the epoch's logs; in data-parallel training this rank's). Read it inside onBatchEnd;
     * unmodifiable.
     */
    public Map<String, Double> logs() {
        if (logs == null) {
            if (!current) {
                throw new IllegalStateException("BatchLogs.logs: read the logs inside onBatchEnd; the epoch has gone on since");
            }
            loss();
            logs = Collections.unmodifiableMap(epoch.get());
        }
        return logs;
    }

    /** After the callbacks: the loss can no longer be read (the log moves on to the next batch). */
    void close() { current = false; }

    @Override
    public String toString() { return "BatchLogs{size=" + size + (read == null ? ", loss=" + loss : "") + "}"; }
}
