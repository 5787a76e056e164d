package dev.jrnn.model;

import java.util.Map;

/**
 * Hooks into {@link Model#fit}, as Keras callbacks. Epochs and batches count from 0. {@code logs}
 * holds the epoch's averaged "loss", metrics and, with validation, "val_loss" and "val_..." values.
 *
 * <pre>{@code
 * Callback printer = Callback.onEpochEnd((epoch, logs) -> System.out.println(epoch + " " + logs.get("loss")));
 * model.fit(x, y, new FitOptions().epochs(10).callbacks(printer, new EarlyStopping().patience(3)));
 * }</pre>
 */
public interface Callback {
    default void onTrainBegin(Model model) {}

    default void onEpochBegin(int epoch, Model model) {}

    /**
     * Whether this callback wants {@link #onBatchEnd} after every batch. Saying yes makes {@link Model#fit}
     * read every batch's loss back at once (on CUDA a synchronization per batch); otherwise the losses stay
     * on the device until the epoch ends and onBatchEnd is not called. Override it with onBatchEnd.
     */
    default boolean needsBatchEnd() { return false; }

    /** After each training batch, with the batch's loss; called only when {@link #needsBatchEnd} says so. */
    default void onBatchEnd(int batch, double loss, Model model) {}

    default void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {}

    default void onTrainEnd(Model model) {}

    /**
     * Whether, in data-parallel training ({@link FitOptions#distributed}), only rank 0 runs this callback: true for
     * those that write files ({@link ModelCheckpoint}), so one process writes them. The others run on every rank,
     * where the averaged logs make them decide alike (EarlyStopping stops every rank at the same epoch).
     */
    default boolean rankZeroOnly() { return false; }

    /** A per-epoch listener. */
    @FunctionalInterface
    interface EpochListener {
        void onEpoch(int epoch, Map<String, Double> logs);
    }

    /** A callback that calls {@code listener} at the end of every epoch. */
    static Callback onEpochEnd(EpochListener listener) {
        if (listener == null) throw new IllegalArgumentException("Callback.onEpochEnd: listener is null");
        return new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                listener.onEpoch(epoch, logs);
            }
        };
    }
}
