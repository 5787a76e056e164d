package dev.jrnn.io.keras;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys a file's training config may hold where Keras hands them on as keyword arguments: Keras 3's
 * {@code compile_from_config} calls {@code compile(**compile_config)} and its optimizers' {@code from_config}
 * {@code cls(**config)}, so an unknown or misspelt key ({@code "learing_rate"}, {@code "beta1"}, {@code "optimiser"})
 * fails there, and Keras 3.15.1's load_model with it. jrnn, which would otherwise compile without it (Adam at its default
 * 0.001 for a misspelt learning rate), leaves the model uncompiled with a warning naming the key and the nearest one the
 * class takes ({@link KerasTraining}).
 * <p>
 * A Keras 3 file is held to Keras 3.15.1's arguments (every Keras 3 writer's keys are among them); an older file (tf.keras 2,
 * Keras 2 and 1) also to the keys those wrote: {@code lr}, {@code decay}, tf.keras 2.11-2.15's {@code is_legacy_optimizer}
 * and {@code jit_compile}, Keras 2's Nadam {@code schedule_decay} and tf.keras 2's LossScaleOptimizerV3 {@code dynamic}.
 * tf.keras 2's {@code training_config} is read key by key by every Keras (unknown keys ignored), so only a Keras 3
 * {@code compile_config} (the one with {@code optimizer}, not {@code optimizer_config}) has its own keys checked.
 */
final class KerasCompileKeys {
    private KerasCompileKeys() {}

    /** Keras 3.15.1's {@code Model.compile} arguments. */
    static final List<String> COMPILE = List.of("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
            "steps_per_execution", "jit_compile", "auto_scale_loss");

    /** Keras 3.15.1's BaseOptimizer arguments, and decay, which it takes and ignores with a warning. */
    static final List<String> EVERY_OPTIMIZER = List.of("name", "learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm",
            "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps", "decay");

    /** Keys of every optimizer that only writers before Keras 3 wrote. */
    private static final List<String> EVERY_OLDER = List.of("lr", "is_legacy_optimizer", "jit_compile");

    /** Each optimizer's own keys in Keras 3.15.1. */
    private static final Map<String, String> OWN = Map.of("Adam", "beta_1 beta_2 epsilon amsgrad", "SGD", "momentum nesterov",
            "RMSprop", "rho momentum epsilon centered", "Adagrad", "initial_accumulator_value epsilon",
            "AdamW", "beta_1 beta_2 epsilon amsgrad", "Nadam", "beta_1 beta_2 epsilon", "Adamax", "beta_1 beta_2 epsilon",
            "Adadelta", "rho epsilon", "Lion", "beta_1 beta_2", "LossScaleOptimizer", "inner_optimizer initial_scale dynamic_growth_steps dynamic");

    /** Each optimizer's own keys that only writers before Keras 3 wrote. */
    private static final Map<String, String> OWN_OLDER = Map.of("Nadam", "schedule_decay",
            "LossScaleOptimizerV3", "inner_optimizer initial_scale dynamic_growth_steps dynamic");

    /**
     * Each learning-rate schedule's constructor arguments (Keras 3.15.1's, the same names tf.keras 2 wrote; CosineDecay's
     * warmup ones since tf.keras 2.13) and, first, the ones without a default.
     */
    private static final Map<String, List<String>> SCHEDULE = Map.of(
            "ExponentialDecay", List.of("initial_learning_rate decay_steps decay_rate", "staircase name"),
            "PiecewiseConstantDecay", List.of("boundaries values", "name"),
            "PolynomialDecay", List.of("initial_learning_rate decay_steps", "end_learning_rate power cycle name"),
            "InverseTimeDecay", List.of("initial_learning_rate decay_steps decay_rate", "staircase name"),
            "CosineDecay", List.of("initial_learning_rate decay_steps", "alpha name warmup_target warmup_steps"),
            "CosineDecayRestarts", List.of("initial_learning_rate first_decay_steps", "t_mul m_mul alpha name"));

    /**
     * Refuses a key of schedule {@code cls}'s config {@code c} that its constructor does not take, a missing or null one it needs,
     * and a {@code name} its schedule's first call refuses: in a Keras 3 file ({@code keras3}) one that is not a string
     * without '/' (Keras 3.15.1 loads it, then raises), in an older one one that is neither null (what tf.keras 2 wrote) nor a
     * string (tf.keras 2's name scope takes '/'). Every Keras builds a schedule by
     * {@code cls(**config)}; a class jrnn lacks is not checked (it does not compile).
     */
    static void checkSchedule(String cls, KerasConfig c, boolean keras3) {
        List<String> keys = SCHEDULE.get(cls);
        if (keys == null) return;
        Set<String> known = new TreeSet<>(List.of((keys.get(0) + " " + keys.get(1)).split(" ")));
        refuse(c, cls, known, "'__init__() got an unexpected keyword argument'");
        for (String k : keys.get(0).split(" ")) {
            if (!c.has(k)) {   // Keras: missing, a TypeError; null, a TypeError in __init__ (steps, boundaries, values) or at the first call (rates)
                String keras = !c.hasKey(k) ? "Keras 3.15.1 refuses the file: '__init__() missing 1 required positional argument'"
                        : k.endsWith("_rate") ? "Keras 3.15.1 builds the schedule, and its first call raises"
                        : "Keras 3.15.1 refuses it when building the schedule";
                throw new KerasFormatException(c.where() + ": '" + k + "' is " + (c.hasKey(k) ? "null" : "missing") + ", which " + cls
                        + " needs (" + keras + ")");
            }
        }
        Object name = c.raw("name");
        if (keras3 && c.hasKey("name") && !(name instanceof String n && !n.contains("/"))) {
            throw new KerasFormatException(c.where() + ": 'name' should be a string without '/', got " + KerasConfig.describe(name)
                    + " (Keras 3.15.1 loads it, and the schedule's first call raises)");
        }
        // tf.keras 2 opens tf.name_scope(name or the class name), which takes any string ('/' included) and refuses the rest
        if (!keras3 && name != null && !(name instanceof String)) {
            throw new KerasFormatException(c.where() + ": 'name' should be a string or null, got " + KerasConfig.describe(name)
                    + " (tf.keras 2 loads it, and the schedule's first call raises: 'name for name_scope must be a string')");
        }
    }

    /** Refuses a key of a Keras 3 {@code compile_config} {@code tc} that Keras' compile does not take. */
    static void checkCompile(KerasConfig tc) {
        refuse(tc, "Keras 3's compile", new TreeSet<>(COMPILE), "'compile() got an unexpected keyword argument'");
    }

    /**
     * Refuses a key of optimizer {@code cls}'s config {@code c} that its constructor does not take: Keras 3's arguments in a
     * Keras 3 file ({@code keras3}), else those of any Keras jrnn reads. A class jrnn lacks is not checked (it does not compile).
     */
    static void checkOptimizer(String cls, KerasConfig c, boolean keras3) {
        if (!OWN.containsKey(cls) && !(OWN_OLDER.containsKey(cls) && !keras3)) return;
        Set<String> known = new TreeSet<>(EVERY_OPTIMIZER);
        if (OWN.containsKey(cls)) known.addAll(List.of(OWN.get(cls).split(" ")));
        if (!keras3) {
            known.addAll(EVERY_OLDER);
            if (OWN_OLDER.containsKey(cls)) known.addAll(List.of(OWN_OLDER.get(cls).split(" ")));
        }
        refuse(c, cls + (keras3 ? " in Keras 3" : " in any Keras jrnn reads"), known, keras3 ? "'Argument(s) not recognized'" : null);
    }

    private static void refuse(KerasConfig c, String what, Set<String> known, String keras3Says) {
        KerasLayerKeys.Unknown u = KerasLayerKeys.unknown(c, known);
        if (u == null) return;
        throw new KerasFormatException(c.where() + ": " + u.options() + ": not an argument of " + what
                + (keras3Says == null ? "" : " (Keras 3.15.1 refuses the file: " + keras3Says + ")") + u.didYouMean() + "; it takes " + known);
    }
}
