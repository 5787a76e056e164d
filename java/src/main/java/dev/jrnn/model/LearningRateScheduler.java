package dev.jrnn.model;

import dev.jrnn.optim.Optimizer;

import java.util.Map;
import java.util.Set;

/**
 * Sets the optimizer's learning rate at the start of every epoch from a function of the epoch (from 0) and the
 * current rate, as Keras' {@code LearningRateScheduler}; it adds the rate used to the epoch's logs as
 * {@code "learning_rate"} (so {@link History} records it). The optimizer's rate must be a fixed one: one that
 * follows a {@link dev.jrnn.optim.schedules.LearningRateSchedule} is not settable (as in Keras).
 *
 * <pre>{@code
 * // the first ten epochs at the compiled rate, then lower by exp(-0.1) each epoch
 * LearningRateScheduler scheduler = new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1));
 * model.fit(x, y, new FitOptions().epochs(15).callbacks(scheduler));
 * }</pre>
 */
public final class LearningRateScheduler implements Callback, KnownLogs {
    /** The key of the rate in the epoch logs (Keras 3's; tf.keras 2 wrote "lr"). */
    static final String LOG_KEY = "learning_rate";

    /** The rate for an epoch. */
    @FunctionalInterface
    public interface Schedule {
        /** The learning rate of epoch {@code epoch} (from 0), given the optimizer's current rate {@code lr}. */
        double rate(int epoch, double lr);
    }

    private final Schedule schedule;
    private int verbose;

    /** Keras' {@code LearningRateScheduler(schedule)}: sets the rate {@code schedule} gives at each epoch's start. */
    public LearningRateScheduler(Schedule schedule) {
        if (schedule == null) throw new IllegalArgumentException("LearningRateScheduler: schedule must be a function (epoch, lr) -> lr, got null");
        this.schedule = schedule;
    }

    /** 1 prints Keras' "Epoch N: LearningRateScheduler setting learning rate to X." at every epoch's start. */
    public LearningRateScheduler verbose(int v) {
        if (v < 0) throw new IllegalArgumentException("LearningRateScheduler: verbose must be >= 0, got " + v);
        this.verbose = v;
        return this;
    }

    @Override
    public void onEpochBegin(int epoch, Model model) {
        Optimizer opt = model.optimizer();
        double lr = schedule.rate(epoch, opt.learningRate());
        if (!(lr >= 0) || !Double.isFinite(lr) || Float.isInfinite((float) lr) || lr > 0 && (float) lr == 0) {
            throw new IllegalStateException("LearningRateScheduler: the schedule gave " + lr + " at epoch " + epoch
                    + "; a learning rate must be a finite number >= 0 (as a float)");
        }
        opt.learningRate((float) lr);
        if (verbose > 0) model.fitMessages().println("\nEpoch " + (epoch + 1) + ": LearningRateScheduler setting learning rate to " + PythonFloat.repr(lr) + ".");
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
        logs.put(LOG_KEY, (double) model.optimizer().learningRate());
    }

    @Override
    public Set<String> logsAdded() { return Set.of(LOG_KEY); }
}
