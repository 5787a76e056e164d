package dev.jrnn.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order of Keras 3's {@code evaluate(..., return_dict=False)} list (Trainer._flatten_metrics_in_order, 3.15.1):
 * first the values whose key is one of the names in {@code model.metrics} order, that is "loss", each compiled metric's
 * own name (no output prefix, no renaming: on a model of several outputs "mae" matches no "a_mae"; a name given twice
 * takes its value twice), each output's "out_loss" where several outputs have losses; then every other key, sorted.
 * A metric that logs an array (jrnn's "f1_score_0", "f1_score_1", ...) stays one run of values in index order.
 */
final class EvaluateOrder {
    private EvaluateOrder() {}

    /** The names Keras reads first, in its order, for the compiled model of {@code s}. */
    static List<String> names(Setup s) {
        List<String> names = new ArrayList<>();
        names.add("loss");
        for (CompileMetrics.Slot sl : s.metrics().slots) names.add(sl.name());
        List<String> keys = s.graph().outputKeys();
        List<dev.jrnn.backend.Loss> losses = s.losses();
        int withLoss = 0;
        for (dev.jrnn.backend.Loss l : losses) if (l != null) withLoss++;
        if (withLoss > 1) {
            for (int k = 0; k < losses.size(); k++) if (losses.get(k) != null) names.add(keys.get(k) + "_loss");
        }
        return names;
    }

    /**
     * The keys of {@code logs} in the order of Keras' list, one per value (a name Keras reads twice is here twice); every
     * key of {@code logs} is among them.
     */
    static List<String> keys(List<String> names, Map<String, Double> logs) {
        Set<String> arrays = new HashSet<>();
        for (String k : logs.keySet()) {
            if (k.endsWith("_0") && logs.containsKey(k.substring(0, k.length() - 2) + "_1")) arrays.add(k.substring(0, k.length() - 2));
        }
        List<String> out = new ArrayList<>();
        for (String name : names) out.addAll(run(name, logs, arrays));
        Set<String> taken = new HashSet<>(out);
        List<String> rest = new ArrayList<>();
        for (String k : logs.keySet()) if (!taken.contains(k)) rest.add(k);
        rest.sort(EpochLogs.keyOrder(logs.keySet()));
        out.addAll(rest);
        return out;
    }

    /** The keys of {@code logs} that Keras' value under {@code name} is: itself, an array's run, or none. */
    private static List<String> run(String name, Map<String, Double> logs, Set<String> arrays) {
        if (logs.containsKey(name)) return List.of(name);
        if (!arrays.contains(name)) return List.of();
        List<String> r = new ArrayList<>();
        for (int i = 0; logs.containsKey(name + "_" + i); i++) r.add(name + "_" + i);
        return r;
    }

    /** Keras' list: the values of {@code logs} under {@link #keys}. */
    static List<Double> values(List<String> names, Map<String, Double> logs) {
        List<Double> v = new ArrayList<>();
        for (String k : keys(names, logs)) v.add(logs.get(k));
        return List.copyOf(v);
    }
}
