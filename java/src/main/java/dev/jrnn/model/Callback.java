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
 * Keras' {@code LambdaCallback} is one static factory per hook, several of them passed together:
 * {@link #onTrainBegin(Runnable)}, {@link #onEpochBegin(java.util.function.IntConsumer)},
 * {@link #onBatchBegin(java.util.function.IntConsumer)} ({@code on_train_batch_begin}), {@link #onBatchEnd(BatchListener)}
 * ({@code on_train_batch_end}), {@link #onEpochEnd(EpochListener)} and {@link #onTrainEnd(java.util.function.Consumer)}.
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

    /** Before the first epoch of fit (Keras' {@code on_train_begin}). */
    default void onTrainBegin(Model model) {}

    /** Before each epoch's first batch, {@code epoch} counting from 0 (Keras' {@code on_epoch_begin}). */
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

    /** After the last epoch, what {@link #onTrainEnd(Map, Model)} calls by default (Keras' {@code on_train_end}). */
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
        /** Called after epoch {@code epoch} (from 0) with the epoch's logs, as {@link Callback#onEpochEnd(int, Map, Model)}. */
        void onEpoch(int epoch, Map<String, Double> logs);
    }

    /** A per-batch listener: the batch (from 0 in each epoch) and its {@link BatchLogs}. */
    @FunctionalInterface
    interface BatchListener {
        /** Called with the batch (from 0 in each epoch) and its logs. */
        void onBatch(int batch, BatchLogs logs);
    }

    /**
     * A callback that calls {@code listener} at the end of every epoch (Keras' {@code LambdaCallback(on_epoch_end=...)}).
     * <pre>{@code
     * Callback printer = Callback.onEpochEnd((epoch, logs) -> System.out.println(epoch + " " + logs.get("loss")));
     * }</pre>
     */
    static Callback onEpochEnd(EpochListener listener) {
        check("onEpochEnd", listener);
        return new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                listener.onEpoch(epoch, logs);
            }
        };
    }

    /** A callback that calls {@code listener} with the epoch (from 0) before every epoch (Keras' {@code on_epoch_begin}). */
    static Callback onEpochBegin(java.util.function.IntConsumer listener) {
        check("onEpochBegin", listener);
        return new Callback() {
            @Override
            public void onEpochBegin(int epoch, Model model) { listener.accept(epoch); }
        };
    }

    /**
     * A callback that calls {@code listener} with the batch (from 0 in each epoch) before every training batch (Keras'
     * {@code on_train_batch_begin}).
     */
    static Callback onBatchBegin(java.util.function.IntConsumer listener) {
        check("onBatchBegin", listener);
        return new Callback() {
            @Override
            public void onBatchBegin(int batch, Model model) { listener.accept(batch); }
        };
    }

    /**
     * A callback that calls {@code listener} after every training batch (Keras' {@code on_train_batch_end}; its
     * {@code logs} are {@link BatchLogs#logs()}, the epoch's running loss and metrics).
     * <pre>{@code
     * Callback c = Callback.onBatchEnd((batch, logs) -> losses.add(logs.loss()));
     * }</pre>
     */
    static Callback onBatchEnd(BatchListener listener) {
        check("onBatchEnd", listener);
        return new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) { listener.onBatch(batch, logs); }
        };
    }

    /** A callback that runs {@code listener} once when fit starts, after {@link #setParams} (Keras' {@code on_train_begin}). */
    static Callback onTrainBegin(Runnable listener) {
        check("onTrainBegin", listener);
        return new Callback() {
            @Override
            public void onTrainBegin(Model model) { listener.run(); }
        };
    }

    /**
     * A callback that calls {@code listener} with the last epoch's logs when fit ends (Keras' {@code
     * on_train_end(logs)}, see {@link #onTrainEnd(Map, Model)}).
     */
    static Callback onTrainEnd(java.util.function.Consumer<Map<String, Double>> listener) {
        check("onTrainEnd", listener);
        return new Callback() {
            @Override
            public void onTrainEnd(Map<String, Double> logs, Model model) { listener.accept(logs); }
        };
    }

    private static void check(String factory, Object listener) {
        if (listener == null) throw new IllegalArgumentException("Callback." + factory + ": listener is null");
    }
}
