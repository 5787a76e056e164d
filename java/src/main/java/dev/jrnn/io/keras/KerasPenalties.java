package dev.jrnn.io.keras;

import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.WeightRules;
import dev.jrnn.regularizers.Constraint;
import dev.jrnn.regularizers.Constraints;
import dev.jrnn.regularizers.Regularizer;
import dev.jrnn.regularizers.Regularizers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A Keras layer config's {@code *_regularizer} and {@code *_constraint} options: read into the layer's builders, and
 * written back as Keras 3's {@code get_config} writes them ({@code {"module": "keras.regularizers", "class_name": "L2",
 * "config": {"l2": 0.0001}, "registered_name": null}}, null when unset). Keras 2's {@code {"class_name", "config"}} and
 * the string names Keras 3's {@code get} takes ("l2", "max_norm") read as well; a kind jrnn lacks, or a custom class
 * (another module, a registered name), is refused naming the layer and the option. A constraint's {@code "axis": null}
 * is Keras' axis=None ({@link Constraint#allAxes()}), a missing axis Keras' default 0.
 */
final class KerasPenalties {
    private KerasPenalties() {}

    /** Every such option of the layers jrnn imports. */
    static final List<String> OPTIONS = List.of("kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
            "embeddings_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
            "embeddings_constraint", "gamma_regularizer", "beta_regularizer", "gamma_constraint", "beta_constraint",
            "alpha_regularizer", "alpha_constraint");

    /** The weights (Keras option prefixes) a layer class has: what its {@code <weight>_regularizer} options may name. */
    private static List<String> weights(Layer l) {
        return switch (l) {
            case RecurrentLayer _ -> List.of("kernel", "recurrent", "bias");
            case Dense _, Conv1D _, dev.jrnn.layers.MultiHeadAttention _ -> List.of("kernel", "bias");
            case Embedding _ -> List.of("embeddings");
            case dev.jrnn.layers.PReLU _ -> List.of("alpha");
            default -> List.of();
        };
    }

    /** Sets {@code c}'s regularizers and constraints on {@code l} (before a wrapper takes it). */
    static void read(Layer l, KerasConfig c, String where) {
        List<String> has = weights(l);
        for (String opt : OPTIONS) {
            if (!c.has(opt)) continue;
            String weight = opt.substring(0, opt.lastIndexOf('_'));
            if (weight.equals("activity")) {
                l.weightRules().activity(regularizer(c.raw(opt), where + ": " + opt));
                continue;
            }
            if (!has.contains(weight)) {
                throw new KerasFormatException(where + ": option " + opt + " is not one jrnn's " + l.kerasClass() + " takes (its"
                        + " regularizer and constraint options: " + (has.isEmpty() ? "activity_regularizer only" : has + " and activity")
                        + "), got " + KerasConfig.describe(c.raw(opt)));
            }
            if (opt.endsWith("_regularizer")) WeightRules.setRegularizer(l, param(weight), regularizer(c.raw(opt), where + ": " + opt));
            else WeightRules.setConstraint(l, param(weight), constraint(c.raw(opt), where + ": " + opt));
        }
    }

    /** The weight (param name) a Keras option prefix names: "recurrent" is the recurrent_kernel. */
    private static String param(String weight) { return weight.equals("recurrent") ? "recurrent_kernel" : weight; }

    /** Writes {@code l}'s options into its config {@code c} as Keras 3 does (Dense and the merges write activity_regularizer only when set). */
    static void write(Layer l, Map<String, Object> c) {
        WeightRules rules = l.weightRules();
        for (String w : weights(l)) {
            c.put(w + "_regularizer", serialize(rules.regularizers().get(param(w))));
            c.put(w + "_constraint", serialize(rules.constraints().get(param(w))));
        }
        if (rules.activity() != null || l instanceof RecurrentLayer || l instanceof Embedding || l instanceof Conv1D) {
            c.put("activity_regularizer", serialize(rules.activity()));
        }
    }

    private static Map<String, Object> serialize(Object rule) {
        return switch (rule) {
            case null -> null;
            case Regularizer r -> KerasExport.serialized("keras.regularizers", r.kerasClass(), r.kerasConfig());
            case Constraint k -> KerasExport.serialized("keras.constraints", k.kerasClass(), k.kerasConfig());
            default -> throw new IllegalArgumentException("not a regularizer or constraint: " + rule);
        };
    }

    private static Regularizer regularizer(Object v, String where) {
        return parse(v, where, "keras.regularizers", Regularizers::of, (cls, c) -> switch (arguments(cls, c, ARGUMENTS)) {
            case "L1", "l1" -> Regularizers.l1(c.number("l1", 0.01));
            case "L2", "l2" -> Regularizers.l2(c.number("l2", 0.01));
            case "L1L2", "l1l2" -> Regularizers.l1l2(c.number("l1", 0), c.number("l2", 0));
            default -> throw new KerasFormatException(where + ": regularizer " + cls + " is not supported by jrnn, expected L1, L2 or L1L2");
        });
    }

    private static Constraint constraint(Object v, String where) {
        return parse(v, where, "keras.constraints", Constraints::of, (cls, c) -> switch (arguments(cls, c, ARGUMENTS)) {
            case "MaxNorm", "max_norm" -> norm(c, where, ax -> Constraints.maxNorm(c.number("max_value", 2), ax));
            case "NonNeg", "non_neg" -> Constraints.nonNeg();
            case "UnitNorm", "unit_norm" -> norm(c, where, Constraints::unitNorm);
            case "MinMaxNorm", "min_max_norm" -> norm(c, where, ax -> Constraints.minMaxNorm(c.number("min_value", 0),
                    c.number("max_value", 1), c.number("rate", 1), ax));
            default -> throw new KerasFormatException(where + ": constraint " + cls + " is not supported by jrnn, expected MaxNorm,"
                    + " NonNeg, UnitNorm or MinMaxNorm");
        });
    }

    /** The arguments each regularizer and constraint class takes, as Keras' constructors (Keras 2's lower-case names too). */
    private static final Map<String, List<String>> ARGUMENTS = Map.ofEntries(Map.entry("L1", List.of("l1")), Map.entry("l1", List.of("l1")),
            Map.entry("L2", List.of("l2")), Map.entry("l2", List.of("l2")), Map.entry("L1L2", List.of("l1", "l2")),
            Map.entry("l1l2", List.of("l1", "l2")), Map.entry("MaxNorm", List.of("max_value", "axis")),
            Map.entry("max_norm", List.of("max_value", "axis")), Map.entry("NonNeg", List.of()), Map.entry("non_neg", List.of()),
            Map.entry("UnitNorm", List.of("axis")), Map.entry("unit_norm", List.of("axis")),
            Map.entry("MinMaxNorm", List.of("min_value", "max_value", "rate", "axis")),
            Map.entry("min_max_norm", List.of("min_value", "max_value", "rate", "axis")));

    /**
     * {@code cls}, once {@code c} holds only arguments {@code cls} takes: Keras' constructor refuses any other ({@code
     * L2.__init__() got an unexpected keyword argument 'l_2'}), where jrnn took Keras' default instead. A class not in
     * {@code args} is left to the caller's refusal.
     */
    private static String arguments(String cls, KerasConfig c, Map<String, List<String>> args) {
        List<String> takes = args.get(cls);
        if (takes == null) return cls;
        for (String k : c.entries().keySet()) {
            if (!takes.contains(k)) {
                throw new IllegalArgumentException(cls + ": unknown argument '" + k + "' (" + cls + " takes "
                        + (takes.isEmpty() ? "none" : String.join(", ", takes)) + "), got " + k + "=" + KerasConfig.describe(c.raw(k)));
            }
        }
        return cls;
    }

    /**
     * A Keras name ({@code byName}) or a serialized object's class name and config ({@code byClass}); what they refuse
     * names {@code where}. A Keras 3 object of another module than {@code module} (Keras writes "keras.regularizers" or
     * "keras.constraints" for its own) or with a registered name (Keras writes null for its own; "my_pkg>L2" for a
     * custom one) is a custom class that merely shares a name with Keras': refused. Keras 2's {@code {class_name, config}}
     * has neither key.
     */
    static <T> T parse(Object v, String where, String module, Function<String, T> byName,
                               BiFunction<String, KerasConfig, T> byClass) {
        try {
            if (v instanceof String s) return byName.apply(s);
            KerasConfig spec = new KerasConfig(v, where);
            String cls = spec.string("class_name");
            // Keras 3 writes a registered custom class with "module": null: its registered name says whose it is
            String mod = spec.hasKey("module") ? (spec.raw("module") instanceof String m ? m : null) : module;
            Object registered = spec.raw("registered_name");
            if (mod == null || !mod.equals(module) && !mod.startsWith("keras.src." + module.substring("keras.".length()))
                    || registered != null && !registered.equals(cls)) {
                throw new KerasFormatException(where + ": " + cls + (mod == null ? "" : " of module " + mod)
                        + (registered == null ? "" : " registered as " + KerasConfig.describe(registered))
                        + " is a custom class, which jrnn cannot run; expected Keras' own (module " + module + ")");
            }
            KerasConfig c = spec.has("config") ? spec.object("config") : new KerasConfig(Map.of(), where);
            return byClass.apply(cls, c);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** The norm constraint {@code make} makes for {@code c}'s axis; Keras' axis null (not a missing key) is {@link Constraint#allAxes()}. */
    private static Constraint norm(KerasConfig c, String where, Function<int[], Constraint> make) {
        int[] axis = axis(c, where);
        return axis == null ? make.apply(new int[] {0}).allAxes() : make.apply(axis);
    }

    /** Keras' axis: an integer or a list of them; null for an explicit null (one norm over the whole weight); a missing key is Keras' default 0. */
    private static int[] axis(KerasConfig c, String where) {
        if (!c.hasKey("axis")) return new int[] {0};
        Object a = c.raw("axis");
        if (a == null) return null;
        List<?> l = a instanceof List<?> x ? x : List.of(a);
        List<Integer> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > 64) {
                throw new KerasFormatException(where + ": axis should be an integer or a list of integers, got " + KerasConfig.describe(a));
            }
            out.add(n.intValue());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
