package dev.jrnn.io.keras;

import dev.jrnn.layers.BatchNormalization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' BatchNormalization config, read into the layer and written back as Keras 3's {@code get_config} writes it.
 * Initializers jrnn holds as constants (Zeros, Ones, Constant; as names or Keras' serialized objects); what jrnn does
 * not do (synchronized or renorm true, tf.keras' virtual_batch_size or adjustment, an axis other than the last) is
 * refused naming the layer and the option.
 */
final class KerasBatchNormalization {
    private KerasBatchNormalization() {}

    static BatchNormalization read(KerasConfig c, String where) {
        for (String opt : List.of("synchronized", "renorm")) {
            if (c.bool(opt, false)) throw new KerasFormatException(where + ": option " + opt + "=true is not supported by jrnn (false only)");
        }
        for (String opt : List.of("virtual_batch_size", "adjustment")) {
            if (c.has(opt)) {
                throw new KerasFormatException(where + ": option " + opt + "=" + KerasConfig.describe(c.raw(opt))
                        + " is not supported by jrnn (None only)");
            }
        }
        try {
            BatchNormalization bn = new BatchNormalization().momentum(c.number("momentum", 0.99)).epsilon(c.number("epsilon", 1e-3))
                    .center(c.bool("center", true)).scale(c.bool("scale", true));
            Integer a = KerasLayers.normalizedAxis(c, where);
            if (a != null) bn.axis(a);
            bn.gammaInitializer(constant(c, "gamma_initializer", 1, where)).betaInitializer(constant(c, "beta_initializer", 0, where))
                    .movingMeanInitializer(constant(c, "moving_mean_initializer", 0, where))
                    .movingVarianceInitializer(constant(c, "moving_variance_initializer", 1, where));
            return bn;
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** A constant initializer: "zeros" / "ones", or {"class_name": "Zeros" | "Ones" | "Constant", "config": {"value": v}}. */
    private static double constant(KerasConfig c, String key, double dflt, String where) {
        Object v = c.raw(key);
        if (v == null) return dflt;
        String cls;
        Object value = null;
        if (v instanceof String s) cls = s;
        else if (v instanceof Map<?, ?> m && m.get("class_name") instanceof String s) {
            cls = s;
            if (m.get("config") instanceof Map<?, ?> cfg) value = cfg.get("value");
        } else {
            throw new KerasFormatException(where + ": " + key + " should name an initializer, got " + KerasConfig.describe(v));
        }
        return switch (cls) {
            case "zeros", "Zeros" -> 0;
            case "ones", "Ones" -> 1;
            case "Constant" -> {
                if (!(value instanceof Number n)) {
                    throw new KerasFormatException(where + ": " + key + " Constant should hold a number 'value', got " + KerasConfig.describe(value));
                }
                yield n.doubleValue();
            }
            default -> throw new KerasFormatException(where + ": " + key + "='" + cls + "' is not supported by jrnn (Zeros, Ones or Constant)");
        };
    }

    /** Keras 3's get_config keys, after the base's name, trainable and dtype. */
    static void write(BatchNormalization b, Map<String, Object> c) {
        c.put("axis", b.axis());
        c.put("momentum", b.momentum());
        c.put("epsilon", b.epsilon());
        c.put("center", b.center());
        c.put("scale", b.scale());
        c.put("beta_initializer", initializer(b.betaInitializer()));
        c.put("gamma_initializer", initializer(b.gammaInitializer()));
        c.put("moving_mean_initializer", initializer(b.movingMeanInitializer()));
        c.put("moving_variance_initializer", initializer(b.movingVarianceInitializer()));
        for (String w : List.of("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint")) c.put(w, null);
        c.put("synchronized", false);   // renorm, renorm_clipping, renorm_momentum left out: Keras before 3.14 refuses them
    }

    private static Map<String, Object> initializer(double v) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        String cls = v == 0 ? "Zeros" : v == 1 ? "Ones" : "Constant";
        if (cls.equals("Constant")) cfg.put("value", v);
        return KerasExport.serialized("keras.initializers", cls, cfg);
    }
}
