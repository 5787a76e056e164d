package dev.jrnn.io.keras;

import dev.jrnn.model.Model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * tf.keras 2's {@code training_config} of a model, which {@link KerasLegacyExport} writes into an {@code .h5}: the loss,
 * metrics and optimizer as tf.keras 2 deserializes them (Keras 3 reads them too).
 */
final class KerasLegacyTrainingConfig {
    private KerasLegacyTrainingConfig() {}

    /**
     * A map by output (losses, metrics by the outputs' keys) as tf.keras 2 reads it: each value {@link KerasLegacyExport#plain} and
     * {@link #legacy}, the keys as they are, which are the user's ({@code plain} would drop an output keyed "module").
     */
    static Map<String, Object> plainValues(Map<?, ?> byOutput) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (var e : byOutput.entrySet()) r.put((String) e.getKey(), legacy(KerasLegacyExport.plain(e.getValue())));
        return r;
    }

    /**
     * Keras 3 metric names tf.keras 2's metrics.deserialize does not know (it finds classes and functions by their
     * Python names: "auc" is no function there), as the class names both read.
     */
    private static final Map<String, String> METRIC_CLASSES = Map.ofEntries(Map.entry("auc", "AUC"), Map.entry("precision", "Precision"),
            Map.entry("recall", "Recall"), Map.entry("f1_score", "F1Score"), Map.entry("fbeta_score", "FBetaScore"),
            Map.entry("r2_score", "R2Score"), Map.entry("true_positives", "TruePositives"), Map.entry("true_negatives", "TrueNegatives"),
            Map.entry("false_positives", "FalsePositives"), Map.entry("false_negatives", "FalseNegatives"));

    /**
     * Losses and metrics (one, a list, a dict by output) as tf.keras 2 deserializes them: metric names it lacks as their
     * classes; SparseCategoricalCrossentropy without Keras 3's {@code axis} (tf.keras 2's __init__ refuses it) and without
     * an unset {@code ignore_class} (before 2.10 refused too).
     */
    @SuppressWarnings("unchecked")
    static Object legacy(Object v) {
        if (v instanceof String name) return METRIC_CLASSES.getOrDefault(name, name);
        if (v instanceof List<?> l) return l.stream().map(KerasLegacyTrainingConfig::legacy).toList();
        if (!(v instanceof Map<?, ?> m)) return v;
        Map<String, Object> r = new LinkedHashMap<>();
        for (var e : m.entrySet()) r.put((String) e.getKey(), e.getKey().equals("config") ? e.getValue() : legacy(e.getValue()));
        if (m.containsKey("class_name") && "SparseCategoricalCrossentropy".equals(m.get("class_name")) && m.get("config") instanceof Map<?, ?> c) {
            Map<String, Object> cc = new LinkedHashMap<>((Map<String, Object>) c);
            cc.remove("axis");
            if (cc.get("ignore_class") == null) cc.remove("ignore_class");
            r.put("config", cc);
        }
        return r;
    }

    /** Optimizers tf.keras 2 has as legacy ones (optimizer_v2), with the same settings as Keras 3's beside decay. */
    private static final List<String> LEGACY_OPTIMIZERS = List.of("Adam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl");
    /** Keras 3's BaseOptimizer keys that the legacy optimizers lack, written only where they are set. */
    private static final List<String> NEW_OPTIMIZER_KEYS = List.of("weight_decay", "use_ema", "ema_momentum",
            "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps");

    /**
     * tf.keras 2's training_config: loss, metrics, loss_weights, weighted_metrics and optimizer_config. The optimizer is
     * written as tf.keras 2.4-2.10 wrote it (its legacy optimizer_v2 config: {@code decay} 0, no weight_decay / EMA
     * keys), which tf.keras 2.11-2.15 read as a legacy optimizer (no {@code is_legacy_optimizer} key) and Keras 3
     * takes too (it warns of decay); Keras 3 refuses {@code is_legacy_optimizer} and {@code jit_compile}. An optimizer
     * that needs the new optimizers (AdamW, Lion, weight decay, EMA) is written with {@code is_legacy_optimizer}
     * false, which tf.keras 2.11+ compiles and Keras 3 does not (load it there with compile=False).
     */
    static Map<String, Object> of(Model model) {
        Map<String, Object> k3 = KerasExport.compileConfig(model);
        Map<String, Object> t = new LinkedHashMap<>();
        // maps by output keep their keys, the user's (an output keyed "module" or "config" too): only their values plain
        t.put("loss", KerasExport.lossByOutputKey(model) ? plainValues((Map<?, ?>) k3.get("loss")) : legacy(KerasLegacyExport.plain(k3.get("loss"))));
        t.put("metrics", k3.get("metrics") instanceof Map<?, ?> m ? plainValues(m) : legacy(KerasLegacyExport.plain(k3.get("metrics"))));
        t.put("loss_weights", k3.get("loss_weights"));
        t.put("weighted_metrics", k3.get("weighted_metrics") instanceof Map<?, ?> m ? plainValues(m)
                : legacy(KerasLegacyExport.plain(k3.get("weighted_metrics"))));
        Map<?, ?> opt = (Map<?, ?>) k3.get("optimizer");
        Map<?, ?> c3 = (Map<?, ?>) opt.get("config");
        if (KerasLossScale.has(model)) {
            // as Keras 3's own .h5 holds it: the wrapper's Keras 3 config, the inner optimizer with its module, which
            // Keras 3's LossScaleOptimizer.from_config needs (tf.keras 2's loader has no such class); a fixed scale's inner
            // optimizer with its loss_scale_factor
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("class_name", opt.get("class_name"));
            o.put("config", c3);
            t.put("optimizer_config", o);
            return t;
        }
        if (c3.get("gradient_accumulation_steps") != null) {
            throw new IllegalArgumentException(model.name() + ": the optimizer's gradient_accumulation_steps cannot be saved in"
                    + " tf.keras 2's .h5 layout (tf.keras 2 has no such option); save it as .keras (Keras 3) instead");
        }
        boolean legacy = LEGACY_OPTIMIZERS.contains((String) opt.get("class_name")) && c3.get("weight_decay") == null
                && !Boolean.TRUE.equals(c3.get("use_ema"));
        Map<String, Object> oc = new LinkedHashMap<>();
        for (var e : c3.entrySet()) {
            String k = (String) e.getKey();
            if (k.equals("loss_scale_factor") || k.equals("gradient_accumulation_steps")) continue;
            if (legacy && NEW_OPTIMIZER_KEYS.contains(k)) continue;
            if (legacy && e.getValue() == null && List.of("clipnorm", "clipvalue", "global_clipnorm").contains(k)) continue;   // as optimizer_v2: when set
            // a schedule keeps its module, as tf.keras 2.13 writes it: Keras 3's optimizers deserialize it only so
            oc.put(k, k.equals("learning_rate") && e.getValue() instanceof Map<?, ?> ? e.getValue() : KerasLegacyExport.plain(e.getValue()));
            if (legacy && k.equals("learning_rate")) oc.put("decay", 0.0);
        }
        if (!legacy) {
            oc.put("jit_compile", false);
            oc.put("is_legacy_optimizer", false);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("class_name", opt.get("class_name"));
        o.put("config", oc);
        t.put("optimizer_config", o);
        return t;
    }
}
