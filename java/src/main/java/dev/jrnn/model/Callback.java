package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Hooks into {@link Model#fit}, as Keras callbacks, and into a standalone evaluate or predict given callbacks (the test and
 * predict hooks, as Keras' {@code evaluate(..., callbacks=[...])} and {@code predict(..., callbacks=[...])}). Epochs and
 * batches count from 0. {@code logs} holds the epoch's averaged "loss", metrics and, with validation, "val_loss" and
 * "val_..." values.
 *
 * <pre>{@code
 * Callback printer = Callback.onEpochEnd((epoch, logs) -> System.out.println(epoch + " " + logs.get("loss")));
 * model.fit(x, y, new FitOptions().epochs(10).callbacks(printer, new EarlyStopping().patience(3)));
 * }</pre>
 */
public interface Callback {
    /**
     * Before {@link #onTrainBegin}: the fit's verbosity, epochs and batches per epoch (Keras' {@code set_params}, which
     * a Keras callback reads back as {@code self.params}). A callback that needs them keeps them. A standalone evaluate or
     * predict given callbacks calls it too, before {@link #onTestBegin} / {@link #onPredictBegin}, as Keras 3.15.1 does,
     * with epochs 1 and steps its batches (or the {@code steps} it was given, as Keras' also past the data's end); verbose
     * is 0 there, as jrnn draws no progress bar for them (Keras hands on its {@code verbose} argument, "auto" by default).
     * A fit's verbose is Keras' "auto" unless given ({@link FitParams#verboseAuto()}).
     */
    default void setParams(FitParams params) {}

    default void onTrainBegin(Model model) {}

    default void onEpochBegin(int epoch, Model model) {}

    /**
     * Before each training batch's step (Keras' {@code on_train_batch_begin}), {@code batch} counting from 0 in each epoch:
     * a learning rate set here, or a layer frozen, applies to this batch's update.
     */
    default void onBatchBegin(int batch, Model model) {}

    /**
     * After each training batch: {@code logs} has its size and its loss, which stays on the device until
     * {@link BatchLogs#loss()} reads it (so a callback that does not read it costs nothing per batch).
     */
    default void onBatchEnd(int batch, BatchLogs logs, Model model) {}

    /**
     * After each epoch (and its validation). As in Keras, the callbacks share one {@code logs} map, in the order
     * they were given, and may add values to it ({@link ReduceLROnPlateau} adds "learning_rate"); the epoch's progress
     * line shows it and the {@link History} fit returns records it after the last callback (Keras 3's order).
     */
    default void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {}

    default void onTrainEnd(Model model) {}

    /**
     * After the last epoch (Keras' {@code on_train_end(logs)}): {@code logs} are the last epoch's as fit made them, before
     * the callbacks' additions ("val_" values only when that epoch validated; no {@link ReduceLROnPlateau} "learning_rate":
     * Keras 3.15.1 hands its callbacks a copy), empty when no epoch ran; unmodifiable. By default calls
     * {@link #onTrainEnd(Model)}: override one of the two.
     */
    default void onTrainEnd(Map<String, Double> logs, Model model) { onTrainEnd(model); }

    /**
     * Before fit validates an epoch (Keras' {@code on_test_begin}, which the evaluate inside Keras' fit calls on fit's
     * callbacks): after the epoch's batches, before {@link #onEpochEnd}; only in the epochs that validate. Also at the start
     * of a standalone evaluate given this callback ({@link Model#evaluateAll(java.util.List, java.util.List, int, int[],
     * java.util.List, Callback...)}, {@link Model#evaluateAll(dev.jrnn.data.Dataset, Callback...)}).
     */
    default void onTestBegin(Model model) {}

    /** Before each validation batch, {@code batch} counting from 0 (Keras' {@code on_test_batch_begin}). */
    default void onTestBatchBegin(int batch, Model model) {}

    /**
     * After each validation batch (Keras' {@code on_test_batch_end}): its size and loss, and {@link BatchLogs#logs()} the
     * validation's running loss and metrics, without the "val_" prefix.
     */
    default void onTestBatchEnd(int batch, BatchLogs logs, Model model) {}

    /**
     * After fit's validation (Keras' {@code on_test_end}): its loss and metrics without the "val_" prefix, which
     * {@link #onEpochEnd} then gets as "val_loss", ... ({@code logs} is a copy: changing it changes nothing, as in Keras).
     */
    default void onTestEnd(Map<String, Double> logs, Model model) {}

    /**
     * Before a predict given this callback runs its first batch (Keras' {@code on_predict_begin}; its logs are empty):
     * {@link Model#predictAll(java.util.List, int, int[], Callback...)}, {@link Model#predict(dev.jrnn.data.Dataset,
     * java.util.function.Consumer, Callback...)}.
     */
    default void onPredictBegin(Model model) {}

    /** Before each predict batch, {@code batch} counting from 0 (Keras' {@code on_predict_batch_begin}). */
    default void onPredictBatchBegin(int batch, Model model) {}

    /**
     * After each predict batch (Keras' {@code on_predict_batch_end(batch, {"outputs": ...})}): the batch's outputs, one
     * tensor per output in output order (Keras gives one array for a model of one output, a list for several), batch
     * axis first; the last batch may be smaller.
     */
    default void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) {}

    /** After predict's last batch (Keras' {@code on_predict_end}, whose logs are empty). */
    default void onPredictEnd(Model model) {}

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
