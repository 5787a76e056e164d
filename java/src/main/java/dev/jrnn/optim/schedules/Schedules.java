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

    /** {@code config} (plus its name) wrapped as Keras serialises a schedule. */
    static Map<String, Object> serialized(String className, Map<String, Object> config) {
        config.put("name", className);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("module", "keras.optimizers.schedules");
        s.put("class_name", className);
        s.put("config", config);
        s.put("registered_name", null);
        return s;
    }
}
