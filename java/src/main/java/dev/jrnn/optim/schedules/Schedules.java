package dev.jrnn.optim.schedules;

import java.util.LinkedHashMap;
import java.util.Map;

/** Argument checks the schedules share. */
final class Schedules {
    private Schedules() {}

    static double positive(String schedule, String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(schedule + ": " + what + " must be a positive finite number, got " + v);
        }
        return v;
    }

    static double nonNegative(String schedule, String what, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(schedule + ": " + what + " must be a finite number >= 0, got " + v);
        }
        return v;
    }

    /** {@code config} (plus its name) wrapped as Keras serialises a schedule. */
    static Map<String, Object> serialized(String className, Map<String, Object> config) {
        return serialized(className, className, config);
    }

    /** As above, where Keras' default {@code name} differs from the class (PiecewiseConstantDecay's is "PiecewiseConstant"). */
    static Map<String, Object> serialized(String className, String name, Map<String, Object> config) {
        config.put("name", name);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("module", "keras.optimizers.schedules");
        s.put("class_name", className);
        s.put("config", config);
        s.put("registered_name", null);
        return s;
    }
}
