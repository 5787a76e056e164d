package dev.jrnn.model;

import dev.jrnn.losses.EpochMetric;

import java.util.Collection;
import java.util.List;

/**
 * Which way a monitoring callback ({@link EarlyStopping}, {@link ReduceLROnPlateau}, {@link ModelCheckpoint}) reads its
 * value: Keras 3's {@code MonitorCallback._set_monitor_op}. Mode "min" and "max" say it; mode "auto" minimises the loss
 * and follows the direction of the compiled metric that logs the value, and refuses a value it cannot place (Keras 3.15.1
 * raises a ValueError then, at the end of the first epoch; fit refuses it before training, so that the model is left as
 * it was). Beyond Keras, "auto" also places a multi-output model's "out_loss" and "out_auc" keys, which Keras 3.15.1
 * refuses as it looks the metrics up by their unprefixed names only.
 */
final class MonitorDirection {
    private MonitorDirection() {}

    /**
     * Whether larger is better for {@code monitor} in {@code mode} ("min", "max" or "auto"); IllegalArgumentException naming
     * {@code who}, the monitor, {@code logged} (the keys the epoch logs hold; null when not known) and the fix where mode
     * "auto" cannot tell.
     */
    static boolean maximizes(String who, String mode, String monitor, Model model, Collection<String> logged) {
        if (!mode.equals("auto")) return mode.equals("max");
        Boolean up = auto(monitor, model);
        if (up != null) return up;
        String name = unprefixed(monitor);
        EpochMetric m = model == null ? null : metric(model, name);
        String why = m != null
                ? "the metric logged as '" + name + "' has no direction (a MeanMetric without higherIsBetter, or a confusion count such as true_positives)"
                : "it is not the loss and no compiled metric logs '" + name + "'";
        throw new IllegalArgumentException(who + ": mode \"auto\" cannot tell whether monitor '" + monitor + "' should go up or down: "
                + why + (logged == null ? "" : " (the epochs log " + List.copyOf(logged) + ")")
                + "; Keras 3 refuses it too. Pass mode(\"max\") to keep the highest value or mode(\"min\") to keep the lowest,"
                + " or monitor a name the epochs log");
    }

    /** Whether mode "auto" maximises {@code monitor}: null where it cannot tell (no model: only the loss is known). */
    static Boolean auto(String monitor, Model model) {
        String name = unprefixed(monitor);
        if (name.equals("loss")) return false;
        if (model == null) return null;
        EpochMetric m = metric(model, name);
        if (m != null) return m.hasDirection() ? m.higherIsBetter() : null;
        if (model.isBuilt()) {
            List<String> outs = model.graph().outputKeys();
            if (outs.size() > 1 && outs.stream().anyMatch(o -> name.equals(o + "_loss"))) return false;   // an output's loss
        }
        return null;
    }

    /** The compiled metric logged as {@code name} (jrnn's keys: "kind_auc", a class's "f1_score_2"), else one so named (Keras' m.name). */
    private static EpochMetric metric(Model model, String name) {
        EpochMetric m = model.metrics().loggedAs(name);
        return m != null ? m : model.metrics().named(name);
    }

    private static String unprefixed(String monitor) {
        return monitor.startsWith("val_") ? monitor.substring(4) : monitor;
    }

    /**
     * Refuses, before a fit changes anything, each monitoring callback among {@code callbacks} whose mode "auto" cannot
     * tell its direction; {@code logged}: the keys the epochs will log.
     */
    static void check(List<Callback> callbacks, Model model, Collection<String> logged) {
        for (Callback cb : callbacks) {
            switch (cb) {
                case EarlyStopping es -> maximizes("EarlyStopping", es.mode(), es.monitor(), model, logged);
                case ReduceLROnPlateau r -> maximizes("ReduceLROnPlateau", r.mode(), r.monitor(), model, logged);
                case ModelCheckpoint c -> maximizes("ModelCheckpoint", c.mode(), c.monitor(), model, logged);
                default -> { }
            }
        }
    }
}
