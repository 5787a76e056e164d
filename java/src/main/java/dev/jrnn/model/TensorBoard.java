package dev.jrnn.model;

import dev.jrnn.io.TfEvents;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Keras' {@code TensorBoard} callback for the scalars: each fit writes event files under {@code logDir/train} and
 * {@code logDir/validation}, as Keras 3 names them: per epoch {@code epoch_<name>} of the training logs and
 * {@code epoch_learning_rate} (step: the epoch; the optimizer's rate at this callback's turn, as Keras, so after a
 * {@link ReduceLROnPlateau} before it the lowered one, where the logs hold the epoch's), {@code epoch_<name>} of the validation logs without their {@code val_}
 * prefix, and at each validation's end, before those, {@code evaluation_<name>_vs_iterations} (step: the optimizer's
 * iterations; also for a standalone evaluate given this callback, in a validation event file of its own, as Keras 3); with {@link #updateFreq(int)}
 * also {@code batch_loss} and {@code batch_<metric>} every n batches (step: the batch count of the fit, from 1), the
 * epoch's values so far as Keras' batch logs hold them ({@link BatchLogs#logs()}). Histograms, images, the graph and the profiler are not written. In data-parallel training
 * only rank 0 writes. Run {@code tensorboard --logdir logs} to see the curves. A fit that fails closes its event files
 * (Keras 3.15.1 leaves its writers open; its next call drops them unclosed).
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(20).validationSplit(0.2).callbacks(new TensorBoard(Path.of("logs"))));
 * }</pre>
 */
public final class TensorBoard extends FailureAwareCallback {
    private final Path logDir;
    private int updateFreq;   // 0: per epoch
    private TfEvents train, validation;
    private long globalBatch;
    /**
     * From onTrainBegin to onTrainEnd or the next call's setParams: an evaluate's scalars go to the fit's validation
     * file, else to one of their own.
     */
    private boolean fitting;

    /** Keras' {@code TensorBoard(log_dir)}: event files under {@code logDir}/train and /validation, once per epoch. */
    public TensorBoard(Path logDir) {
        if (logDir == null) throw new IllegalArgumentException("TensorBoard: logDir must be a path, got null");
        this.logDir = logDir;
    }

    /** Keras' {@code update_freq="epoch"} (the default) or {@code "batch"} (every batch). */
    public TensorBoard updateFreq(String freq) {
        if ("epoch".equals(freq)) updateFreq = 0;
        else if ("batch".equals(freq)) updateFreq = 1;
        else throw new IllegalArgumentException("TensorBoard: updateFreq must be \"epoch\", \"batch\" or a number of batches, got "
                + (freq == null ? "null" : "\"" + freq + "\""));
        return this;
    }

    /** Keras' {@code update_freq=n}: the batch-level loss every {@code n} batches, besides the epoch summaries. */
    public TensorBoard updateFreq(int batches) {
        if (batches < 1) throw new IllegalArgumentException("TensorBoard: updateFreq must be >= 1 batches, got " + batches);
        updateFreq = batches;
        return this;
    }

    @Override
    public boolean rankZeroOnly() { return true; }

    /**
     * Every fit, and every standalone evaluate or predict given this callback, starts here (fit's validation does not): as
     * Keras' set_model, the writers of a call before are closed, also those of a fit that threw before onTrainEnd.
     */
    @Override
    public void setParams(FitParams params) {
        fitting = false;
        closeWriters();
    }

    @Override
    public void onTrainBegin(Model model) {
        closeWriters();   // a new fit writes new files, as Keras' set_model resets its writers
        globalBatch = 0;
        fitting = true;
        write(() -> java.nio.file.Files.createDirectories(logDir));   // a directory that cannot be made fails before any step
    }

    @Override
    public void onBatchEnd(int batch, BatchLogs logs, Model model) {
        globalBatch++;
        if (updateFreq == 0 || globalBatch % updateFreq != 0) return;
        write(() -> {
            for (Map.Entry<String, Double> e : logs.logs().entrySet()) train().scalar("batch_" + e.getKey(), globalBatch, e.getValue());
        });
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
        write(() -> {
            // Keras' _collect_learning_rate: the optimizer's rate now, over a "learning_rate" a callback before this one
            // logged (ReduceLROnPlateau logs the epoch's rate before it lowers it)
            boolean rate = model.optimizer() != null;
            for (Map.Entry<String, Double> e : logs.entrySet()) {
                if (e.getKey().startsWith("val_") || rate && e.getKey().equals(LearningRateScheduler.LOG_KEY)) continue;
                train().scalar("epoch_" + e.getKey(), epoch, e.getValue());
            }
            if (rate) train().scalar("epoch_learning_rate", epoch, model.optimizer().learningRate());
            for (Map.Entry<String, Double> e : logs.entrySet()) {
                if (e.getKey().startsWith("val_")) validation().scalar("epoch_" + e.getKey().substring(4), epoch, e.getValue());
            }
        });
    }

    /**
     * Keras 3's on_test_end: {@code evaluation_<name>_vs_iterations} of the evaluation's logs (step: the optimizer's
     * iterations), on the validation writer; fit's validation writes them before the epoch's {@code epoch_} values, a
     * standalone evaluate into a new event file of its own (Keras' set_model gives each call new writers).
     */
    @Override
    public void onTestEnd(Map<String, Double> logs, Model model) {
        if (model.optimizer() == null) return;
        // Keras' optimizer.iterations: the updates, with gradient accumulation the calls divided by its steps
        long iterations = model.optimizer().iterations() / model.optimizer().gradientAccumulationSteps();
        write(() -> {
            TfEvents w = fitting ? validation() : TfEvents.open(logDir.resolve("validation"));
            try {
                for (Map.Entry<String, Double> e : logs.entrySet()) w.scalar("evaluation_" + e.getKey() + "_vs_iterations", iterations, e.getValue());
            } finally {
                if (!fitting) w.close();
            }
        });
    }

    @Override
    public void onTrainEnd(Model model) {
        fitting = false;
        closeWriters();
    }

    /**
     * A failed call (Keras 3.15.1 calls no on_train_end then, and its writers stay open; the next call drops them): the event
     * files are closed with what they hold (each scalar was flushed as it was written), no descriptor left behind.
     */
    @Override
    void callFailed(Throwable failure, Model model) {
        fitting = false;
        closeWriters();
    }

    private TfEvents train() throws IOException {
        if (train == null) train = TfEvents.open(logDir.resolve("train"));
        return train;
    }

    private TfEvents validation() throws IOException {
        if (validation == null) validation = TfEvents.open(logDir.resolve("validation"));
        return validation;
    }

    private interface Write {
        void run() throws IOException;
    }

    private void write(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot write under " + logDir + ": " + e.getMessage(), e);
        }
    }

    private void closeWriters() {
        write(() -> {
            try {
                if (train != null) train.close();
            } finally {
                train = null;
                if (validation != null) validation.close();
                validation = null;
            }
        });
    }
}
