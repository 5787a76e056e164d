package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keras' MultiHeadAttention: its config read into the layer and written back as Keras 3's {@code get_config} writes it,
 * and its call arguments (query, value, key, attention_mask as tensors, positional or by name; use_causal_mask and
 * return_attention_scores as the layer's settings, the same for every call). What jrnn does not do (use_gate,
 * sliding_window, attention_axes other than the steps, an output_shape of more than one axis, Keras' activity_regularizer,
 * which Keras applies to the four projections' outputs) is refused naming the layer and the option; initializers other
 * than glorot_uniform, zeros and ones are ignored with a warning (the file's weights replace what they would draw); a name
 * no Keras has is refused, as Keras refuses it.
 */
final class KerasMultiHeadAttention {
    /** Keras 3's weights groups of the four EinsumDense layers (its properties query_dense, ...), in Keras' weight order. */
    static final List<String> GROUPS = List.of("query_dense", "key_dense", "value_dense", "output_dense");

    private KerasMultiHeadAttention() {}

    static MultiHeadAttention read(KerasConfig c, String where, String file, int kerasMajor) {
        if (c.bool("use_gate", false)) throw new KerasFormatException(where + ": option use_gate=true is not supported by jrnn (false only)");
        for (String opt : List.of("sliding_window", "activity_regularizer")) {
            if (c.has(opt)) {
                throw new KerasFormatException(where + ": option " + opt + "=" + KerasConfig.describe(c.raw(opt))
                        + " is not supported by jrnn's MultiHeadAttention (None only)");
            }
        }
        for (String key : List.of("kernel_initializer", "bias_initializer")) {   // outside the try: its message names the layer
            KerasInitializers.refuseUnknownName(KerasInitializers.aliased(c.raw(key)), where + ": " + key, kerasMajor);
        }
        try {
            MultiHeadAttention m = new MultiHeadAttention(c.integer("num_heads"), c.integer("key_dim"))
                    .valueDim(c.has("value_dim") ? c.integer("value_dim") : 0)
                    .dropout(c.number("dropout", 0.0)).useBias(c.bool("use_bias", true));
            if (c.has("output_shape")) m.outputShape(oneAxis(c, "output_shape", where));
            if (c.has("attention_axes")) {
                List<?> axes = c.raw("attention_axes") instanceof List<?> l ? l : List.of(c.raw("attention_axes"));
                int[] a = new int[axes.size()];
                for (int i = 0; i < a.length; i++) a[i] = c.toInt(axes.get(i), "attention_axes[" + i + "]");
                m.attentionAxes(a);
            }
            initializer(c, "kernel_initializer", where, file, m::kernelInitializer);
            initializer(c, "bias_initializer", where, file, m::biasInitializer);
            if (c.raw("seed") instanceof Long seed) m.seed(seed);
            return m;
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** output_shape: an int or a list of one int ({@code [16]}, as Keras 3 writes the tuple). */
    private static int oneAxis(KerasConfig c, String key, String where) {
        Object v = c.raw(key);
        if (v instanceof List<?> l) {
            if (l.size() != 1) {
                throw new KerasFormatException(where + ": " + key + " " + l + " has " + l.size() + " axes; jrnn's MultiHeadAttention"
                        + " takes one (the output's last axis)");
            }
            v = l.get(0);
        }
        return c.toInt(v, key);
    }

    /**
     * Sets a known initializer (a name or a serialized object); refuses a name no Keras has, as {@link KerasInitializers}
     * does; warns about and skips any other (one Keras has that jrnn's MultiHeadAttention does not draw, a custom one).
     */
    private static void initializer(KerasConfig c, String key, String where, String file, Function<String, MultiHeadAttention> set) {
        Object v = KerasInitializers.aliased(c.raw(key));
        String cls = v instanceof String s ? s : v instanceof Map<?, ?> m && m.get("class_name") instanceof String s ? s : null;
        if (v == null) return;
        String name = cls == null ? null : switch (cls) {
            case "GlorotUniform", "glorot_uniform" -> "glorot_uniform";
            case "Zeros", "zeros" -> "zeros";
            case "Ones", "ones" -> "ones";
            default -> null;
        };
        if (name != null && (key.startsWith("kernel") ? !name.equals("ones") : !name.equals("glorot_uniform"))) {
            set.apply(name);
        } else {
            FileFaults.warn(KerasImport.class.getName(), file + ": " + where + " " + key + " "
                    + KerasConfig.describe(v) + " is not one jrnn draws; the layer keeps its default (the file's weights are read as saved)");
        }
    }

    /** The layer's config as Keras 3 writes it, after name, trainable and dtype. */
    static void write(MultiHeadAttention m, Map<String, Object> c) {
        if (m.weightRules().activity() != null) {   // Keras would apply it to the four projections' outputs
            throw new IllegalArgumentException("layer '" + m.name() + "' (MultiHeadAttention) cannot be saved with an activity regularizer:"
                    + " Keras applies MultiHeadAttention's activity_regularizer to its projections, jrnn's to the output; expected none, got "
                    + m.weightRules().activity());
        }
        c.put("num_heads", m.numHeads());
        c.put("key_dim", m.keyDim());
        c.put("value_dim", m.valueDim());
        c.put("dropout", m.dropout());
        c.put("use_bias", m.useBias());
        c.put("output_shape", m.outputShape() > 0 ? List.of(m.outputShape()) : null);
        c.put("attention_axes", List.of(1));   // as a built layer writes it; no use_gate, sliding_window, seed: Keras 3.3 to 3.14 refuse them
        c.put("kernel_initializer", KerasExport.serialized("keras.initializers", kerasClass(m.kernelInitializer()), seedless(m.kernelInitializer())));
        c.put("bias_initializer", KerasExport.serialized("keras.initializers", kerasClass(m.biasInitializer()), seedless(m.biasInitializer())));
        KerasPenalties.write(m, c);
        c.put("activity_regularizer", null);
    }

    private static String kerasClass(String name) {
        return switch (name) {
            case "glorot_uniform" -> "GlorotUniform";
            case "zeros" -> "Zeros";
            default -> "Ones";
        };
    }

    private static Map<String, Object> seedless(String name) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        if (name.equals("glorot_uniform")) cfg.put("seed", null);
        return cfg;
    }

    private static final List<String> TENSORS = List.of("query", "value", "key"), FLAGS = List.of("use_causal_mask", "return_attention_scores");

    /**
     * The refs of one Keras 3 call ({@code node}: args and kwargs) in jrnn's input order [query, value, key?, mask?];
     * {@code tensors} flattens one argument's keras tensors to refs. Call 0 ({@code call}: the node's index) sets the
     * layer's call settings, a later one must agree.
     */
    static List<Object> callRefs(KerasConfig node, MultiHeadAttention m, int call, String where, Function<Object, List<Object>> tensors) {
        List<Object> args = new ArrayList<>();
        if (node.raw("args") instanceof List<?> l) for (Object a : l) args.addAll(tensors.apply(a));
        Map<?, ?> kw = node.raw("kwargs") instanceof Map<?, ?> k ? k : Map.of();
        List<Object> refs = new ArrayList<>();
        for (int i = 0; i < TENSORS.size(); i++) {
            List<Object> named = tensors.apply(kw.get(TENSORS.get(i)));
            if (i < args.size() && !named.isEmpty()) throw new KerasFormatException(where + ": " + TENSORS.get(i) + " is given twice");
            if (i < args.size()) refs.add(args.get(i));
            else refs.addAll(named);
        }
        if (args.size() > 3) throw new KerasFormatException(where + ": MultiHeadAttention takes query, value and key as positional arguments, got " + args.size());
        if (refs.size() < 2) throw new KerasFormatException(where + ": MultiHeadAttention's call needs query and value, got " + refs.size() + " tensors");
        List<Object> mask = tensors.apply(kw.get("attention_mask"));
        refs.addAll(mask);
        for (Object key : kw.keySet()) {
            boolean known = TENSORS.contains(key) || FLAGS.contains(key) || List.of("attention_mask", "training", "query_mask", "value_mask",
                    "key_mask").contains(key);
            if (!known && kw.get(key) != null) throw new KerasFormatException(where + ": call argument '" + key + "' is not supported");
        }
        boolean[] on = new boolean[2];
        for (int i = 0; i < 2; i++) {
            Object v = kw.get(FLAGS.get(i));
            if (v != null && !(v instanceof Boolean)) {
                throw new KerasFormatException(where + ": call argument '" + FLAGS.get(i) + "' should be true or false, got " + KerasConfig.describe(v));
            }
            on[i] = Boolean.TRUE.equals(v);
        }
        if (call == 0) {
            m.useCausalMask(on[0]).returnAttentionScores(on[1]).attentionMaskInput(!mask.isEmpty());
        } else {
            KerasCalls.requireSameCallArguments(m, where, call, List.of(FLAGS.get(0), FLAGS.get(1), "attention_mask"),
                    List.of(KerasCalls.python(m.useCausalMask()), KerasCalls.python(m.returnAttentionScores()), given(m.attentionMaskInput())),
                    List.of(KerasCalls.python(on[0]), KerasCalls.python(on[1]), given(!mask.isEmpty())));
        }
        return refs;
    }

    private static String given(boolean given) { return given ? "given" : "not given"; }

    /** One call as Keras 3 writes it: query, value (and key) positional, the rest by name. */
    static void writeCall(MultiHeadAttention m, List<Node> ins, Map<String, Object> node, Map<String, Object> kwargs,
                          Function<Node, Object> tensor) {
        int tensors = ins.size() - (m.attentionMaskInput() ? 1 : 0);
        List<Object> args = new ArrayList<>();
        for (Node n : ins.subList(0, tensors)) args.add(tensor.apply(n));
        node.put("args", args);
        if (m.attentionMaskInput()) kwargs.put("attention_mask", tensor.apply(ins.get(tensors)));
        kwargs.put("use_causal_mask", m.useCausalMask());
        kwargs.put("return_attention_scores", m.returnAttentionScores());
    }
}
