package dev.jrnn.model;

import dev.jrnn.optim.Optimizer;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Lowers the learning rate when a monitored value stops improving, as Keras 3's {@code ReduceLROnPlateau}
 * (defaults: monitor "val_loss", factor 0.1, patience 10, mode "auto", minDelta 1e-4, cooldown 0, minLr 0).
 * After {@code patience} epochs without an improvement of more than {@code minDelta}, the rate becomes
 * {@code max(lr * factor, minLr)} (when it is above minLr), then {@code cooldown} epochs pass before waiting again.
 * The optimizer's rate must be a fixed one: with a schedule it is not settable (as in Keras). Each epoch's rate,
 * before a reduction, is added to the epoch's logs as {@code "learning_rate"}, as Keras 3 does. Changed (session 21):
 * in mode "auto" a monitor whose direction cannot be told (not the loss, and no compiled metric with a direction logs
 * it) is refused when fit starts, as Keras 3.15.1 refuses it; give mode "min" or "max" for such a value.
 *
 * <pre>{@code
 * ReduceLROnPlateau plateau = new ReduceLROnPlateau().monitor("loss").factor(0.5).patience(3).minLr(1e-5);
 * model.fit(x, y, new FitOptions().epochs(100).callbacks(plateau));
 * }</pre>
 */
public final class ReduceLROnPlateau implements Callback, KnownLogs {
    private String monitor = "val_loss";
    private double factor = 0.1;
    private int patience = 10;
    private String mode = "auto";
    private double minDelta = 1e-4;
    private int cooldown;
    private double minLr;
    private int verbose;

    private Double best;
    private int wait;
    private int cooldownCounter;
    private boolean warned;

    /** Keras' {@code ReduceLROnPlateau()} at its defaults (the class comment). */
    public ReduceLROnPlateau() {}

    private Boolean max;   // from the mode and the monitored metric, at the first epoch's end as Keras (null: not yet)

    /** Keras' {@code monitor}: the logged value watched, e.g. "loss"; default "val_loss". */
    public ReduceLROnPlateau monitor(String key) {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("ReduceLROnPlateau: monitor must name a logged value, e.g. val_loss");
        this.monitor = key;
        return this;
    }

    /** The factor the rate is multiplied by, in (0, 1) (Keras refuses factor >= 1). */
    public ReduceLROnPlateau factor(double f) {
        if (!(f > 0 && f < 1)) throw new IllegalArgumentException("ReduceLROnPlateau: factor must be in (0, 1), got " + f);
        this.factor = f;
        return this;
    }

    /** Keras' {@code patience}: the epochs without improvement before the rate is reduced, >= 0; default 10. */
    public ReduceLROnPlateau patience(int p) {
        if (p < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience must be >= 0, got " + p);
        this.patience = p;
        return this;
    }

    /**
     * "min", "max" or "auto" (from the monitored metric as Keras 3: max for accuracies, precision, recall, cosine
     * similarity; min for losses and errors).
     */
    public ReduceLROnPlateau mode(String m) {
        String s = m == null ? "" : m.toLowerCase(Locale.ROOT);
        if (!s.equals("min") && !s.equals("max") && !s.equals("auto")) {
            throw new IllegalArgumentException("ReduceLROnPlateau: mode must be min, max or auto, got " + m);
        }
        this.mode = s;
        return this;
    }

    /** An improvement must beat the best value by more than this (Keras {@code min_delta}). */
    public ReduceLROnPlateau minDelta(double d) {
        if (!(d >= 0) || !Double.isFinite(d)) throw new IllegalArgumentException("ReduceLROnPlateau: minDelta must be >= 0 and finite, got " + d);
        this.minDelta = d;
        return this;
    }

    /** Epochs to wait after a reduction before counting epochs without improvement again. */
    public ReduceLROnPlateau cooldown(int c) {
        if (c < 0) throw new IllegalArgumentException("ReduceLROnPlateau: cooldown must be >= 0, got " + c);
        this.cooldown = c;
        return this;
    }

    /** The rate is never lowered below this. */
    public ReduceLROnPlateau minLr(double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("ReduceLROnPlateau: minLr must be >= 0 and finite, got " + lr);
        this.minLr = lr;
        return this;
    }

    /** 1 prints Keras' "Epoch N: ReduceLROnPlateau reducing learning rate to X." (X as Python prints it) at each reduction. */
    public ReduceLROnPlateau verbose(int v) {
        if (v < 0) throw new IllegalArgumentException("ReduceLROnPlateau: verbose must be >= 0, got " + v);
        this.verbose = v;
        return this;
    }

    String monitor() { return monitor; }

    String mode() { return mode; }

    private boolean improved(double v) {
        if (best == null) return true;
        return max ? v - minDelta > best : v + minDelta < best;
    }

    private boolean inCooldown() { return cooldownCounter > 0; }

    @Override
    public void onTrainBegin(Model model) {
        max = null;
        best = null;
        wait = 0;
        cooldownCounter = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
        if (max == null) max = MonitorDirection.maximizes("ReduceLROnPlateau", mode, monitor, model, logs.keySet());   // fit checked it before training
        logs.put(LearningRateScheduler.LOG_KEY, (double) model.optimizer().learningRate());   // the epoch's rate, before a reduction
        Double v = logs.get(monitor);
        if (v == null) {
            if (!warned) {
                model.fitWarnings().println("ReduceLROnPlateau: learning rate reduction is conditioned on '" + monitor
                        + "', which is not logged (logged: " + logs.keySet() + ")");
                warned = true;
            }
            return;
        }
        if (inCooldown()) {
            cooldownCounter--;
            wait = 0;
        }
        if (improved(v)) {
            best = v;
            wait = 0;
        } else if (!inCooldown()) {
            wait++;
            if (wait >= patience) reduce(model, epoch);
        }
    }

    /** Keras' _reduce_optimizer_lr: only a rate above minLr (as float32) is lowered. */
    private void reduce(Model model, int epoch) {
        Optimizer opt = model.optimizer();
        double old = opt.learningRate();
        if (!(old > (float) minLr)) return;
        double lr = Math.max(old * factor, minLr);
        opt.learningRate((float) lr);
        if (verbose > 0) model.fitMessages().println("\nEpoch " + (epoch + 1) + ": ReduceLROnPlateau reducing learning rate to " + PythonFloat.repr(lr) + ".");
        cooldownCounter = cooldown;
        wait = 0;
    }

    @Override
    public Set<String> logsAdded() { return Set.of(LearningRateScheduler.LOG_KEY); }
}
