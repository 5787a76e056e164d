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
 * the string names ("l2", "max_norm") read as well; a kind jrnn lacks is refused naming the layer and the option.
 */
final class KerasPenalties {
    private KerasPenalties() {}

    /** Every such option of the layers jrnn imports. */
    static final List<String> OPTIONS = List.of("kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
            "embeddings_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
            "embeddings_constraint", "gamma_regularizer", "beta_regularizer", "gamma_constraint", "beta_constraint");

    /** The weights (Keras option prefixes) a layer class has: what its {@code <weight>_regularizer} options may name. */
    private static List<String> weights(Layer l) {
        return switch (l) {
            case RecurrentLayer r -> List.of("kernel", "recurrent", "bias");
            case Dense d -> List.of("kernel", "bias");
            case Conv1D v -> List.of("kernel", "bias");
            case Embedding e -> List.of("embeddings");
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
            boolean reg = opt.endsWith("_regularizer");
            Regularizer r = reg ? regularizer(c.raw(opt), where + ": " + opt) : null;
            Constraint k = reg ? null : constraint(c.raw(opt), where + ": " + opt);
            switch (l) {
                case RecurrentLayer rl -> {
                    switch (weight) {
                        case "kernel" -> { if (reg) rl.kernelRegularizer(r); else rl.kernelConstraint(k); }
                        case "recurrent" -> { if (reg) rl.recurrentRegularizer(r); else rl.recurrentConstraint(k); }
                        default -> { if (reg) rl.biasRegularizer(r); else rl.biasConstraint(k); }
                    }
                }
                case Dense d -> {
                    if (weight.equals("kernel")) { if (reg) d.kernelRegularizer(r); else d.kernelConstraint(k); }
                    else if (reg) d.biasRegularizer(r); else d.biasConstraint(k);
                }
                case Conv1D v -> {
                    if (weight.equals("kernel")) { if (reg) v.kernelRegularizer(r); else v.kernelConstraint(k); }
                    else if (reg) v.biasRegularizer(r); else v.biasConstraint(k);
                }
                default -> {
                    Embedding e = (Embedding) l;
                    if (reg) e.embeddingsRegularizer(r); else e.embeddingsConstraint(k);
                }
            }
        }
    }

    /** Writes {@code l}'s options into its config {@code c} as Keras 3 does (Dense and the merges write activity_regularizer only when set). */
    static void write(Layer l, Map<String, Object> c) {
        WeightRules rules = l.weightRules();
        for (String w : weights(l)) {
            String param = w.equals("recurrent") ? "recurrent_kernel" : w;
            c.put(w + "_regularizer", serialize(rules.regularizers().get(param)));
            c.put(w + "_constraint", serialize(rules.constraints().get(param)));
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
        return parse(v, where, Regularizers::of, (cls, c) -> switch (cls) {
            case "L1", "l1" -> Regularizers.l1(c.number("l1", 0.01));
            case "L2", "l2" -> Regularizers.l2(c.number("l2", 0.01));
            case "L1L2", "l1l2", "l1_l2" -> Regularizers.l1l2(c.number("l1", 0), c.number("l2", 0));
            default -> throw new KerasFormatException(where + ": regularizer " + cls + " is not supported by jrnn, expected L1, L2 or L1L2");
        });
    }

    private static Constraint constraint(Object v, String where) {
        return parse(v, where, Constraints::of, (cls, c) -> switch (cls) {
            case "MaxNorm", "max_norm" -> Constraints.maxNorm(c.number("max_value", 2), axis(c, where));
            case "NonNeg", "non_neg" -> Constraints.nonNeg();
            case "UnitNorm", "unit_norm" -> Constraints.unitNorm(axis(c, where));
            case "MinMaxNorm", "min_max_norm" -> Constraints.minMaxNorm(c.number("min_value", 0), c.number("max_value", 1),
                    c.number("rate", 1), axis(c, where));
            default -> throw new KerasFormatException(where + ": constraint " + cls + " is not supported by jrnn, expected MaxNorm,"
                    + " NonNeg, UnitNorm or MinMaxNorm");
        });
    }

    /** A Keras name ({@code byName}) or a serialized object's class name and config ({@code byClass}); what they refuse names {@code where}. */
    private static <T> T parse(Object v, String where, Function<String, T> byName, BiFunction<String, KerasConfig, T> byClass) {
        try {
            if (v instanceof String s) return byName.apply(s);
            KerasConfig spec = new KerasConfig(v, where);
            KerasConfig c = spec.has("config") ? spec.object("config") : new KerasConfig(Map.of(), where);
            return byClass.apply(spec.string("class_name"), c);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** Keras' axis: an integer or a list of them (default 0). */
    private static int[] axis(KerasConfig c, String where) {
        Object a = c.raw("axis");
        List<?> l = a == null ? List.of(0L) : a instanceof List<?> x ? x : List.of(a);
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
