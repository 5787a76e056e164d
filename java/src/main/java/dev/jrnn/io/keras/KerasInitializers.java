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
     * seed, Keras 3.16's axes, an array Constant) keeps the default with a warning, as MultiHeadAttention's: a whole
     * model's file brings the weights that replace it. A malformed one (an argument the class lacks, mode "fan_x", a config
     * that is no object nor name) is refused naming the layer, the option and the argument, as Keras refuses it; so is an
     * initializer the weight's shape cannot take.
     */
    static void read(Layer l, KerasConfig c, String where) {
        options(l).forEach((opt, setter) -> {
            if (!c.hasKey(opt)) return;
            Object raw = c.raw(opt);
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
        try {
            Initializer.of(cls);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Why a config Keras takes, of a class jrnn has, is beyond jrnn (a SeedGenerator seed, Keras 3.16's fan axes, an array
     * Constant); null when jrnn can read it or Keras would refuse it too.
     */
    private static String beyondJrnn(Object raw) {
        if (!(raw instanceof Map<?, ?> m) || !(m.get("config") instanceof Map<?, ?> config)) return null;
        if (config.get("seed") instanceof Map<?, ?>) return "is seeded by a SeedGenerator, which jrnn cannot read";
        for (String axes : new String[] {"input_axes", "output_axes"}) {
            if (config.get(axes) != null) return "sets Keras 3.16's " + axes + ", which jrnn lacks (its fans are compute_fans' defaults)";
        }
        if ("Constant".equals(m.get("class_name")) && config.get("value") instanceof java.util.List<?>) {
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
