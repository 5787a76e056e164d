package dev.jrnn.initializers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' names of its initializers (keras.initializers' ALL_OBJECTS_DICT: the class names, their snake_case names and
 * the aliases "normal", "uniform", "zero", "one", "IdentityInitializer", "OrthogonalInitializer", "orthogonal_initializer") and their config
 * arguments, for {@link Initializer#of} and {@link Initializer#fromConfig}.
 */
final class KerasInitializerNames {
    private KerasInitializerNames() {}

    /** Every name Keras' {@code get} takes -> the class name. */
    private static final Map<String, String> CLASSES = new LinkedHashMap<>();
    /** The snake_case names, for messages. */
    static final List<String> NAMES = List.of("zeros", "ones", "constant", "random_uniform", "random_normal", "truncated_normal",
            "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "variance_scaling",
            "orthogonal", "identity");

    static {
        for (String snake : NAMES) {
            StringBuilder cls = new StringBuilder();
            for (String part : snake.split("_")) cls.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            CLASSES.put(snake, cls.toString());
            CLASSES.put(cls.toString(), cls.toString());
        }
        CLASSES.put("normal", "RandomNormal");
        CLASSES.put("uniform", "RandomUniform");
        CLASSES.put("zero", "Zeros");
        CLASSES.put("one", "Ones");
        CLASSES.put("IdentityInitializer", "Identity");
        CLASSES.put("OrthogonalInitializer", "Orthogonal");
        CLASSES.put("orthogonal_initializer", "Orthogonal");   // Keras 3.0-3.6: the snake case of OrthogonalInitializer
    }

    /** The class a Keras name means, or a refusal that {@code subject} (the parameter) heads. */
    private static String className(String name, String subject) {
        String cls = name == null ? null : CLASSES.get(name);
        if (cls == null) {
            throw new IllegalArgumentException(subject + " must be one of " + String.join(", ", NAMES)
                    + " (or Keras' class names and aliases), got " + (name == null ? "null" : "'" + name + "'"));
        }
        return cls;
    }

    static Initializer of(String name, String subject) { return fromConfig(name, Map.of(), subject); }

    /** The arguments each class takes (besides Keras 2's dtype, which is ignored). */
    private static List<String> arguments(String cls) {
        return switch (cls) {
            case "Zeros", "Ones" -> List.of();
            case "Constant" -> List.of("value");
            case "RandomUniform" -> List.of("minval", "maxval", "seed");
            case "RandomNormal", "TruncatedNormal" -> List.of("mean", "stddev", "seed");
            case "VarianceScaling" -> List.of("scale", "mode", "distribution", "seed", "input_axes", "output_axes");
            case "Orthogonal" -> List.of("gain", "seed");
            case "Identity" -> List.of("gain");
            default -> List.of("seed", "input_axes", "output_axes");   // the presets
        };
    }

    static Initializer fromConfig(String name, Map<String, ?> config, String subject) {
        if (config == null) throw new IllegalArgumentException("Initializer.fromConfig: config must be a map of arguments, got null");
        String cls = className(name, subject);
        List<String> args = arguments(cls);
        for (Object key : config.keySet()) {
            if (!args.contains(key) && !"dtype".equals(key)) {
                throw new IllegalArgumentException(cls + ": unknown argument '" + key + "' (" + cls + " takes "
                        + (args.isEmpty() ? "none" : String.join(", ", args)) + ")");
            }
        }
        for (String axes : List.of("input_axes", "output_axes")) {   // Keras 3.15's fan axes (new in 3.15.0): jrnn's fans are compute_fans' defaults
            if (config.get(axes) != null) {
                throw new IllegalArgumentException(cls + ": " + axes + "=" + config.get(axes) + " is not supported by jrnn (null only)");
            }
        }
        Long seed = seed(cls, config.get("seed"));
        return switch (cls) {
            case "Zeros" -> Initializer.zeros();
            case "Ones" -> Initializer.ones();
            case "Constant" -> Initializer.constant(number(cls, config, "value", 0.0));
            case "RandomUniform" -> new RandomUniform(number(cls, config, "minval", -0.05), number(cls, config, "maxval", 0.05), seed);
            case "RandomNormal", "TruncatedNormal" -> new RandomNormal(number(cls, config, "mean", 0.0), number(cls, config, "stddev", 0.05),
                    cls.equals("TruncatedNormal"), seed);
            case "VarianceScaling" -> new VarianceScaling(number(cls, config, "scale", 1.0), string(cls, config, "mode", "fan_in"),
                    string(cls, config, "distribution", "truncated_normal"), seed, cls);
            case "Orthogonal" -> new Orthogonal(number(cls, config, "gain", 1.0), seed);
            case "Identity" -> new Identity(number(cls, config, "gain", 1.0));
            default -> VarianceScaling.preset(cls, seed);
        };
    }

    private static Long seed(String cls, Object v) {
        if (v == null) return null;
        if (v instanceof Long || v instanceof Integer) return ((Number) v).longValue();
        throw new IllegalArgumentException(cls + ": seed should be an integer or null, got " + shortened(v));
    }

    private static double number(String cls, Map<String, ?> c, String key, double dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number n)) throw new IllegalArgumentException(cls + ": " + key + " should be a number, got " + shortened(v));
        return n.doubleValue();
    }

    /** A value as a message shows it: an array of a pretrained matrix would put megabytes into the message. */
    private static String shortened(Object v) {
        String s = String.valueOf(v);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static String string(String cls, Map<String, ?> c, String key, String dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (!(v instanceof String s)) throw new IllegalArgumentException(cls + ": " + key + " should be a string, got " + shortened(v));
        return s;
    }

}
