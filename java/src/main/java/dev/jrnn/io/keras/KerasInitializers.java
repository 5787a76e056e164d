package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.RecurrentLayer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Keras layer config's {@code kernel_initializer}, {@code recurrent_initializer}, {@code bias_initializer} and
 * {@code embeddings_initializer} of Dense, Conv1D, SimpleRNN, LSTM, GRU and Embedding, and PReLU's {@code alpha_initializer}: read into the layer (so that a model
 * built from a config without weights starts from them), and written back as Keras 3's {@code get_config} writes them
 * ({@code {"module": "keras.initializers", "class_name": "HeNormal", "config": {"seed": null}, "registered_name": null}}).
 * Keras 2's {@code {"class_name", "config"}} (its {@code "dtype"} ignored) and the names Keras' {@code get} takes
 * ("he_normal", "uniform") read as well; an unknown or custom class, or a config Keras takes that jrnn cannot honour, keeps
 * jrnn's default with a warning naming the layer and the option; a malformed config of a class jrnn has (an unknown
 * argument, a value Keras refuses) is refused, as Keras refuses it.
 */
final class KerasInitializers {
    private KerasInitializers() {}

    /** The options of {@code l}'s class: Keras option -> jrnn's weight setter, in Keras' config order. */
    private static Map<String, Setter> options(Layer l) {
        Map<String, Setter> m = new LinkedHashMap<>();
        switch (l) {
            case RecurrentLayer r -> {
                m.put("kernel_initializer", new Setter(r::kernelInitializer, r::kernelInitializer));
                m.put("recurrent_initializer", new Setter(r::recurrentInitializer, r::recurrentInitializer));
                m.put("bias_initializer", new Setter(r::biasInitializer, r::biasInitializer));
            }
            case Dense d -> {
                m.put("kernel_initializer", new Setter(d::kernelInitializer, d::kernelInitializer));
                m.put("bias_initializer", new Setter(d::biasInitializer, d::biasInitializer));
            }
            case Conv1D v -> {
                m.put("kernel_initializer", new Setter(v::kernelInitializer, v::kernelInitializer));
                m.put("bias_initializer", new Setter(v::biasInitializer, v::biasInitializer));
            }
            case Embedding e -> m.put("embeddings_initializer", new Setter(e::embeddingsInitializer, e::embeddingsInitializer));
            case dev.jrnn.layers.PReLU p -> m.put("alpha_initializer", new Setter(p::alphaInitializer, p::alphaInitializer));
            default -> { }
        }
        return m;
    }

    /** One option: its getter and setter on the layer. */
    private record Setter(java.util.function.Supplier<Initializer> get, java.util.function.Consumer<Initializer> set) {}

    /**
     * Sets {@code c}'s initializers on {@code l}: a missing option keeps the layer's default; null is glorot_uniform, as
     * Keras' {@code add_weight(initializer=None)} makes it. One jrnn cannot read (a custom class, STFT, a SeedGenerator
     * seed, Keras 3.15's fan axes, an array Constant) keeps the default with a warning, as MultiHeadAttention's: a whole
     * model's file brings the weights that replace it. A malformed one (an argument the class lacks, mode "fan_x", a config
     * that is no object nor name) is refused naming the layer, the option and the argument, as Keras refuses it; so is an
     * initializer the weight's shape cannot take.
     */
    static void read(Layer l, KerasConfig c, String where, int kerasMajor) {
        options(l).forEach((opt, setter) -> {
            if (!c.hasKey(opt)) return;
            Object raw = aliased(c.raw(opt));
            refuseUnknownName(raw, where + ": " + opt, kerasMajor);
            String unreadable = !jrnnHas(raw) ? "is not one jrnn has" : beyondJrnn(raw);
            if (unreadable != null) {
                FileFaults.warn(KerasImport.class.getName(), where + ": " + opt + " " + KerasConfig.describe(raw) + " " + unreadable
                        + "; the layer starts from jrnn's default (a whole model's file brings the weights that replace it)");
                return;
            }
            // a malformed config Keras refuses too (an unknown argument, mode "fan_x") is refused, naming the argument
            Initializer init = raw == null ? Initializer.glorotUniform() : KerasPenalties.parse(raw, where + ": " + opt, "keras.initializers",
                    Initializer::of, (cls, config) -> Initializer.fromConfig(cls, config.entries()));
            try {
                setter.set().accept(init);
            } catch (IllegalArgumentException e) {
                throw new KerasFormatException(where + ": " + opt + ": " + e.getMessage());
            }
        });
    }

    /**
     * Every name some Keras jrnn reads takes for an initializer (Keras 3.0-3.15's ALL_OBJECTS_DICT, tf.keras 2.6-2.15's and
     * tf_keras 2.21's populate_deserializable_objects, Keras 2.0-2.3's module names) beyond jrnn's own ({@link
     * Initializer#of}): STFT (Keras 3.6+), the abstract base Initializer, and tf.keras 2's "V2" aliases ({@link #aliased}).
     */
    private static final java.util.Set<String> KERAS_ONLY = java.util.Set.of("STFT", "stft", "STFTInitializer", "Initializer", "initializer");

    /** The snake_case names of the initializers jrnn has ({@link Initializer#of} takes these and their class names). */
    private static final java.util.List<String> SNAKE_NAMES = java.util.List.of("zeros", "ones", "constant", "random_uniform",
            "random_normal", "truncated_normal", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
            "lecun_normal", "variance_scaling", "orthogonal", "identity");

    /** tf.keras 2's and tf_keras' aliases of its v2 classes ("GlorotUniformV2", "glorot_uniformV2"): the same initializers. */
    private static final java.util.regex.Pattern V2 = java.util.regex.Pattern.compile(
            "(Constant|GlorotNormal|GlorotUniform|HeNormal|HeUniform|Identity|LecunNormal|LecunUniform|Ones|Orthogonal|RandomNormal"
            + "|RandomUniform|TruncatedNormal|VarianceScaling|Zeros|glorot_normal|glorot_uniform|he_normal|he_uniform|lecun_normal"
            + "|lecun_uniform)V2");

    /** {@code raw} with a tf.keras 2 "V2" alias replaced by its class's name. */
    static Object aliased(Object raw) {
        if (raw instanceof String s && V2.matcher(s).matches()) return s.substring(0, s.length() - 2);
        if (raw instanceof Map<?, ?> m && m.get("class_name") instanceof String s && V2.matcher(s).matches()) {
            Map<Object, Object> copy = new LinkedHashMap<>(m);
            copy.put("class_name", s.substring(0, s.length() - 2));
            return copy;
        }
        return raw;
    }

    /**
     * Refuses an initializer name no Keras has, as Keras refuses it ({@code initializers.get}: 'Could not interpret
     * initializer identifier'), naming {@code where} (the layer and option), the name and the nearest name Keras has. Not
     * refused: a custom class a file marks as one (a Keras 3 object of another module or with a registered name, a tf.keras 2
     * registered name "package>Name"), and in a tf.keras 2 or Keras 2 file ({@code kerasMajor} below 3) any bare name or
     * module-less object: those writers serialize a user's initializer function by its bare name ("my_init") and a user's
     * unregistered class by its class name alone, so such a file loads in Keras with custom_objects; jrnn warns there and
     * keeps its default (the file's weights replace it). Keras 3 writes every custom object with its module.
     */
    static void refuseUnknownName(Object raw, String where, int kerasMajor) {
        String name = raw instanceof String s ? s : raw instanceof Map<?, ?> m && m.get("class_name") instanceof String s ? s : null;
        if (name == null || name.contains(">") || KERAS_ONLY.contains(name) || knownToJrnn(name)) return;
        if (raw instanceof Map<?, ?> m) {
            boolean module = m.containsKey("module");
            Object mod = m.get("module");
            boolean keras = mod instanceof String x && (x.equals("keras.initializers") || x.startsWith("keras.src.initializers"));
            Object registered = m.get("registered_name");
            if (module && (!keras || registered != null && !registered.equals(name))) return;   // a Keras 3 custom object
            if (!module && kerasMajor < 3) return;
        } else if (kerasMajor < 3) {
            return;
        }
        if (name.equals("__lambda__")) {
            throw new KerasFormatException(where + ": a Python lambda (__lambda__), which Keras 3 cannot load as an initializer either"
                    + " ('Could not interpret initializer identifier'); give the layer a named initializer");
        }
        String near = nearestName(name);
        throw new KerasFormatException(where + ": " + (raw instanceof String ? "\"" + name + "\"" : "class " + name) + " is not an initializer of any Keras jrnn reads"
                + " (Keras 3 refuses it too: 'Could not interpret initializer identifier')" + (near == null ? "" : "; did you mean " + near + "?")
                + "; expected one of " + String.join(", ", SNAKE_NAMES) + " (or Keras' class names and aliases)");
    }

    private static boolean knownToJrnn(String name) {
        try {
            Initializer.of(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The Keras initializer name nearest {@code name} (within a third of its length in edits), or null. */
    private static String nearestName(String name) {
        java.util.List<String> all = new java.util.ArrayList<>();
        for (String n : SNAKE_NAMES) {
            all.add(n);
            StringBuilder cls = new StringBuilder();
            for (String part : n.split("_")) cls.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            all.add(cls.toString());
        }
        all.addAll(KERAS_ONLY);
        String best = null;
        int bestD = Math.max(2, name.length() / 3) + 1;
        for (String k : all) {
            int d = KerasLayerKeys.distance(name, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    /**
     * Whether {@code raw} names an initializer class jrnn has, of Keras' own module: a custom class or one jrnn lacks (STFT)
     * is not (a malformed config of a class jrnn has is, and is refused when parsed).
     */
    private static boolean jrnnHas(Object raw) {
        String cls = raw instanceof String s ? s : raw instanceof Map<?, ?> m && m.get("class_name") instanceof String n ? n : null;
        if (cls == null) return true;   // null, or not a name nor an object: parse refuses it
        if (raw instanceof Map<?, ?> m && (m.get("registered_name") != null && !cls.equals(m.get("registered_name"))
                || m.get("module") instanceof String mod && !mod.equals("keras.initializers") && !mod.startsWith("keras.src.initializers"))) {
            return false;
        }
        return knownToJrnn(cls);
    }

    /**
     * Why a config Keras takes, of a class jrnn has, is beyond jrnn (a SeedGenerator seed, Keras 3.15's fan axes, an array
     * Constant); null when jrnn can read it or Keras would refuse it too.
     */
    private static String beyondJrnn(Object raw) {
        if (!(raw instanceof Map<?, ?> m) || !(m.get("config") instanceof Map<?, ?> config)) return null;
        if (config.get("seed") instanceof Map<?, ?>) return "is seeded by a SeedGenerator, which jrnn cannot read";
        for (String axes : new String[] {"input_axes", "output_axes"}) {
            if (config.get(axes) != null) return "sets Keras 3.15's " + axes + ", which jrnn lacks (its fans are compute_fans' defaults)";
        }
        // Keras 3 writes an array value wrapped ({"class_name": "__numpy__", ...}; a scalar comes as a plain number), Keras 2 a list
        Object value = config.get("value");
        if ("Constant".equals(m.get("class_name")) && (value instanceof java.util.List<?>
                || value instanceof Map<?, ?> a && ("__numpy__".equals(a.get("class_name")) || "__tensor__".equals(a.get("class_name"))))) {
            return "holds an array value; jrnn's Constant takes one number";
        }
        return null;
    }

    /** Writes {@code l}'s initializers into its config {@code c} as Keras 3 does (every option of its class). */
    static void write(Layer l, Map<String, Object> c) {
        options(l).forEach((opt, setter) -> c.put(opt, serialize(setter.get().get())));
    }

    /** An initializer as Keras 3 serializes it. */
    static Map<String, Object> serialize(Initializer i) {
        return KerasExport.serialized("keras.initializers", i.kerasClass(), i.kerasConfig());
    }
}
