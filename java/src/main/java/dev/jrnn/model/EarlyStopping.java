package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Stops training when a monitored value stops improving, as Keras 3's {@code EarlyStopping}
 * (defaults: monitor "val_loss", minDelta 0, patience 0, mode "auto", no baseline, no restore, startFromEpoch 0).
 * With {@code restoreBestWeights} the best epoch's weights come back at the end of training, whether this
 * callback stopped it or not (as Keras 3). A NaN value is never an improvement, not even the first one (Keras
 * would keep a first NaN as the best for good and restore its weights). Changed (session 21): in mode "auto" a monitor
 * whose direction cannot be told (not the loss, and no compiled metric with a direction logs it: "val_acc" where
 * "val_accuracy" is logged) is refused when fit starts, as Keras 3.15.1 refuses it (at the end of the first epoch);
 * give mode "min" or "max" for such a value. A monitored value the logs lack is warned about once and never stops
 * training, as Keras warns.
 *
 * <pre>{@code
 * EarlyStopping es = new EarlyStopping().monitor("loss").patience(5).restoreBestWeights(true);
 * model.fit(x, y, new FitOptions().epochs(500).callbacks(es));
 * System.out.println("stopped at epoch " + es.stoppedEpoch());
 * }</pre>
 */
public final class EarlyStopping implements Callback, KnownLogs {
    private String monitor = "val_loss";
    private double minDelta;
    private int patience;
    private String mode = "auto";
    private Double baseline;
    private boolean restoreBestWeights;
    private int verbose;
    private int startFromEpoch;

    private Double best;
    private int wait;
    private int stoppedEpoch;
    private int bestEpoch;

    /** Keras' {@code EarlyStopping()} at its defaults (the class comment). */
    public EarlyStopping() {}

    private Boolean max;   // from the mode and the monitored metric, at the first epoch's end as Keras (null: not yet)
    private List<Tensor> bestWeights;
    private boolean warned;

    /** Keras' {@code monitor}: the logged value watched, e.g. "loss", "val_accuracy"; default "val_loss". */
    public EarlyStopping monitor(String key) {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("EarlyStopping: monitor must name a logged value, e.g. val_loss");
        this.monitor = key;
        return this;
    }

    /** Keras' {@code min_delta}: an improvement must beat the best value by more than this, >= 0; default 0. */
    public EarlyStopping minDelta(double d) {
        if (!(d >= 0) || !Double.isFinite(d)) throw new IllegalArgumentException("EarlyStopping: minDelta must be >= 0 and finite, got " + d);
        this.minDelta = d;
        return this;
    }

    /** Keras' {@code patience}: the epochs without improvement after which training stops, >= 0; default 0. */
    public EarlyStopping patience(int p) {
        if (p < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + p);
        this.patience = p;
        return this;
    }

    /**
     * "min", "max" or "auto" (from the monitored metric as Keras 3: max for accuracies, precision, recall, cosine similarity;
     * min for losses and errors; fit refuses a monitor it cannot place, as Keras 3).
     */
    public EarlyStopping mode(String m) {
        this.mode = checkMode("EarlyStopping", m);
        return this;
    }

    /** Training stops if the value does not improve on this baseline within {@code patience} epochs. */
    public EarlyStopping baseline(double b) {
        if (Double.isNaN(b)) throw new IllegalArgumentException("EarlyStopping: baseline must be a number, got NaN");
        this.baseline = b;
        return this;
    }

    /** Restores the weights of the best epoch at the end of training (early stop or not), as Keras 3. */
    public EarlyStopping restoreBestWeights(boolean r) {
        this.restoreBestWeights = r;
        return this;
    }

    /** Epochs (warm-up) before this one are not monitored: no best value, no wait (Keras {@code start_from_epoch}). */
    public EarlyStopping startFromEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("EarlyStopping: startFromEpoch must be >= 0, got " + epoch);
        this.startFromEpoch = epoch;
        return this;
    }

    /** 1 prints "Epoch N: early stopping" when it stops, and which epoch's weights it restores. */
    public EarlyStopping verbose(int v) {
        if (v < 0) throw new IllegalArgumentException("EarlyStopping: verbose must be >= 0, got " + v);
        this.verbose = v;
        return this;
    }

    /**
     * The epoch (from 0, counted as fit numbers them) at which this callback stopped training, or 0 when it did not
     * stop it: Keras' {@code stopped_epoch}, which is 0 until a stop (a stop is never at epoch 0: it needs an epoch
     * before to compare with).
     */
    public int stoppedEpoch() { return stoppedEpoch; }

    /** The epoch (from 0) with the best monitored value, or 0 when none was monitored yet (Keras' {@code best_epoch}). */
    public int bestEpoch() { return bestEpoch; }

    String monitor() { return monitor; }

    String mode() { return mode; }

    /**
     * Keras' _is_improvement: anything improves on no reference; but a NaN never does (Keras would keep it as the best
     * for good).
     */
    private boolean improved(double v, Double ref) {
        if (Double.isNaN(v)) return false;
        if (ref == null) return true;
        return max ? v - minDelta > ref : v + minDelta < ref;
    }

    @Override
    public void onTrainBegin(Model model) {
        max = null;
        wait = 0;
        stoppedEpoch = 0;
        bestEpoch = 0;
        bestWeights = null;
        best = null;   // Keras 3: the baseline only decides when the wait restarts, the first epoch is always the best so far
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
        if (max == null) max = MonitorDirection.maximizes("EarlyStopping", mode, monitor, model, logs.keySet());   // fit checked it before training
        Double v = logs.get(monitor);
        if (v == null) {
            if (!warned) {
                model.fitWarnings().println("EarlyStopping: monitored value '" + monitor + "' is not logged (logged: "
                        + logs.keySet() + "); not stopping");
                warned = true;
            }
            return;
        }
        if (epoch < startFromEpoch) return;
        if (restoreBestWeights && bestWeights == null && !Double.isNaN(v)) {
            bestWeights = model.getWeights();
            bestEpoch = epoch;
        }
        wait++;
        if (improved(v, best)) {
            best = v;
            bestEpoch = epoch;
            if (restoreBestWeights) bestWeights = model.getWeights();
            // Keras only resets the wait when the baseline (if any) is beaten
            if (baseline == null || improved(v, baseline)) wait = 0;
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining(true);
        }
    }

    @Override
    public void onTrainEnd(Model model) {
        if (stoppedEpoch > 0 && verbose > 0) model.fitMessages().println("Epoch " + (stoppedEpoch + 1) + ": early stopping");
        if (restoreBestWeights && bestWeights != null) {
            if (!model.closed()) {   // a callback may have closed it after the last epoch
                if (verbose > 0) model.fitMessages().println("Restoring model weights from the end of the best epoch: " + (bestEpoch + 1) + ".");
                model.setWeights(bestWeights);
            }
            bestWeights = null;   // a second fit starts afresh; this one's copies are not kept alive
        }
    }

    /** {@code m} ("min", "max" or "auto", any case) in lower case; IllegalArgumentException naming {@code who} otherwise. */
    static String checkMode(String who, String m) {
        String s = m == null ? "" : m.toLowerCase(Locale.ROOT);
        if (!s.equals("min") && !s.equals("max") && !s.equals("auto")) {
            throw new IllegalArgumentException(who + ": mode must be min, max or auto, got " + m);
        }
        return s;
    }

    /**
     * Whether {@code mode} means larger is better for {@code monitor}. "auto" minimises the loss and asks the compiled metric
     * that logs the value (as Keras 3: precision, recall and the accuracies are maximised, errors and losses minimised);
     * IllegalArgumentException for a name it cannot place (tf.keras 2 maximised any name with "acc" in it; Keras 3
     * refuses them, and so does jrnn since session 21).
     */
    static boolean maximizes(String mode, String monitor, Model model) {
        return MonitorDirection.maximizes("EarlyStopping", mode, monitor, model, null);
    }

    @Override
    public Set<String> logsAdded() { return Set.of(); }
}
