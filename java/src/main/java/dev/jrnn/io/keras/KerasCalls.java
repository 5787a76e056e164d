package dev.jrnn.io.keras;

import dev.jrnn.layers.BaseDenseAttention;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A layer's calls as Keras configs write them, for {@link KerasGraph}: Keras 2's {@code inbound_nodes} lists of
 * [layer, node, tensor, kwargs] refs, Keras 3's {@code args} / {@code kwargs} with {@code keras_history}, MultiHeadAttention's
 * and Attention's call arguments, and a model's input / output refs (nested structures flattened in Keras' order).
 */
final class KerasCalls {
    private KerasCalls() {}

    /**
     * One list of [layer, node, tensor] refs per call of the layer. Attention's call arguments (use_causal_mask,
     * return_attention_scores) become the layer's settings, the same for every call.
     */
    static List<List<Object>> inboundNodes(KerasConfig spec, Layer layer) {
        return inboundNodes(spec, layer, "");
    }

    /** As {@link #inboundNodes(KerasConfig, Layer)}; {@code layer} null for a nested model, which {@code of} names in messages. */
    static List<List<Object>> inboundNodes(KerasConfig spec, Layer layer, String of) {
        if (layer instanceof dev.jrnn.layers.GetItem) return KerasGetItem.refs(spec);   // args: the tensor and the key
        List<List<Object>> r = new ArrayList<>();
        if (!spec.has("inbound_nodes")) return r;
        String where = spec.where();
        for (Object node : spec.list("inbound_nodes")) {
            refuseTrainingTrue(node, where, of);
            List<Object> refs = new ArrayList<>();
            if (node instanceof Map<?, ?> dict && keras2Dict(dict)) {
                // tf.keras 2 keeps a call's first argument as given: a dict node {key: [layer, node, tensor, {}], ...}
                KeyedCall keyed = new KeyedCall();
                for (var e : sorted(dict).entrySet()) {
                    List<Object> leaves = new ArrayList<>();
                    keras2Leaves(e.getValue(), leaves);
                    if (leaves.size() != 1) keyed.keys = null;   // a nested value: tf.keras 2 takes them by position
                    if (keyed.keys != null) keyed.keys.add(e.getKey());
                    for (Object ref : leaves) {
                        if (ref instanceof List<?> rl && rl.size() == 4 && rl.get(3) instanceof Map<?, ?> kw) {
                            if (Boolean.TRUE.equals(kw.get("training"))) refuseTrainingTrue(Map.of("kwargs", kw), where, of);
                            for (Object k : kw.keySet()) {
                                if (!k.equals("training")) throw new KerasFormatException(where + ": call arguments " + kw.keySet() + of + " are not supported");
                            }
                        }
                    }
                    keyed.addAll(leaves);
                }
                refs = keyed;
            } else if (node instanceof List<?> keras2 && layer instanceof MultiHeadAttention m) {
                // tf.keras: [[query layer, node, tensor, {"value": [layer, node, tensor], "key": ..., "use_causal_mask": ...}]]
                if (keras2.size() != 1 || !(keras2.get(0) instanceof List<?> first) || first.size() != 4) {
                    throw new KerasFormatException(where + ": a MultiHeadAttention node should be [[layer, node, tensor, {call arguments}]], got "
                            + KerasConfig.describe(keras2));
                }
                Map<String, Object> call = new java.util.LinkedHashMap<>();
                call.put("args", List.of(first.subList(0, 3)));
                call.put("kwargs", first.get(3));
                refs.addAll(KerasMultiHeadAttention.callRefs(new KerasConfig(call, where), m, r.size(), where,
                        v -> v instanceof List<?> ref && !ref.isEmpty() && ref.get(0) instanceof String ? List.of(v) : List.of()));
            } else if (node instanceof List<?> keras2) {
                Map<Object, Object> attention = new java.util.LinkedHashMap<>();
                List<Object> leaves = new ArrayList<>();
                keras2Leaves(keras2, leaves);
                for (Object ref : leaves) {
                    if (ref instanceof List<?> rl && rl.size() == 4 && rl.get(3) instanceof Map<?, ?> kw) {
                        for (var e : kw.entrySet()) {
                            // tf.keras copies Attention's call options (return_attention_scores, use_causal_mask) onto each input
                            if (layer instanceof BaseDenseAttention && ATTENTION_ARGS.contains(e.getKey())) attention.put(e.getKey(), e.getValue());
                            else if (!e.getKey().equals("training")) {
                                throw new KerasFormatException(where + ": call arguments " + kw.keySet() + of + " are not supported");
                            }
                        }
                    }
                    refs.add(ref);
                }
                // every call, one that gives none included (use_causal_mask defaults to False); tf.keras runs a call causal
                // where the config's deprecated causal (up to 2.9 the only one) or its use_causal_mask is true
                if (layer instanceof BaseDenseAttention a) {
                    if (spec.raw("config") instanceof Map<?, ?> cfg && Boolean.TRUE.equals(cfg.get("causal"))) {
                        attention.merge("use_causal_mask", true, (given, t) -> given instanceof Boolean ? t : given);
                    }
                    attentionArgs(a, attention, r.size(), where);
                }
            } else if (layer instanceof MultiHeadAttention m) {
                refs.addAll(KerasMultiHeadAttention.callRefs(new KerasConfig(node, where + ".inbound_nodes"), m, r.size(), where, v -> {
                    List<Object> out = new ArrayList<>();
                    flattenTensors(v, out, where);
                    return out;
                }));
            } else {
                KerasConfig k3 = new KerasConfig(node, where + ".inbound_nodes");
                if (unmaskedCall(layer, k3.raw("args"), k3.raw("kwargs"), where)) refs = new UnmaskedCall();
                String call = where + " (" + spec.string("class_name", "?") + " '" + spec.string("name", "?") + "')";
                if (layer == null && k3.raw("args") instanceof List<?> args && args.size() == 1
                        && args.get(0) instanceof Map<?, ?> dict && !dict.containsKey("class_name")) {
                    KeyedCall keyed = new KeyedCall();   // a nested model called on a dict of tensors (Keras 3)
                    for (var e : sorted(dict).entrySet()) {
                        keyed.keys.add(e.getKey());
                        int had = keyed.size();
                        flattenTensors(e.getValue(), keyed, call);
                        if (keyed.size() != had + 1) {
                            throw new KerasFormatException(call + ": a call is given a dict whose value '" + e.getKey() + "' is not"
                                    + " one tensor; jrnn matches a dict of tensors to the nested model's inputs, not nested dicts");
                        }
                    }
                    refs = keyed;
                } else {
                    flattenTensors(k3.raw("args"), refs, call);
                }
                if (k3.raw("kwargs") instanceof Map<?, ?> kw) {
                    for (var e : kw.entrySet()) {
                        if (layer != null && e.getKey().equals("initial_state")) flattenTensors(e.getValue(), refs, where);
                        else if (layer instanceof BaseDenseAttention && ATTENTION_ARGS.contains(e.getKey())) continue;
                        else if (e.getValue() != null && !e.getKey().equals("training") && !e.getKey().equals("mask")) {
                            throw new KerasFormatException(where + ": call argument '" + e.getKey() + "'" + of + " is not supported");
                        }
                    }
                    if (layer instanceof BaseDenseAttention a) attentionArgs(a, kw, r.size(), where);
                } else if (layer instanceof BaseDenseAttention a) {
                    attentionArgs(a, Map.of(), r.size(), where);
                }
            }
            r.add(refs);
        }
        return r;
    }

    /**
     * The refs of a Keras 3 call of a recurrent layer (or Bidirectional) with {@code initial_state} and no {@code mask}:
     * Keras 3 runs it without its input's mask (its {@code Layer.__call__} fills one only for a call of one tensor
     * argument; a file records a mask it filled or was given), so jrnn makes it with {@link Layer#applyUnmasked}.
     */
    static final class UnmaskedCall extends ArrayList<Object> {}

    /** Whether {@code refs} (one call's, from {@link #inboundNodes}) is a call Keras 3 runs unmasked. */
    static boolean unmasked(List<Object> refs) { return refs instanceof UnmaskedCall; }

    /**
     * A nested model's call on a dict of tensors: its refs in sorted-key order (keras.tree.flatten, tf.nest.flatten) and
     * those keys ({@code keys} null where a value is itself a structure, taken by position as tf.keras 2 does).
     * {@link #match} puts them in the order of the model's inputs, as Keras does when the model runs.
     */
    static final class KeyedCall extends ArrayList<Object> {
        List<String> keys = new ArrayList<>();

        /**
         * {@code given} (the resolved refs, in key order) in the order of the inputs of the nested functional model
         * {@code model} (its config) {@code name}: by key where its inputs are a dict, by the Input's name where they are one
         * tensor or a list (Keras 3's Functional._standardize_inputs, tf.keras 2's _flatten_to_reference_inputs), keys
         * that name no input left out. A dict that lacks one of the inputs' names is refused for Keras 3 (which raises);
         * tf.keras 2 then, and for nested inputs, takes the values in key order, and so does jrnn. Keras 3 pairs a dict
         * given to dict inputs by position in sorted-key order, not by key: where extra keys make that differ from the
         * keys' pairing, the call is refused (Keras would feed an input another key's value, with a warning only).
         */
        <T> List<T> match(KerasConfig model, String name, List<T> given, boolean keras3, String where) {
            Object io = model.raw("input_layers");
            List<String> names = new ArrayList<>();
            boolean byKey = io instanceof Map<?, ?>;
            if (byKey) {
                for (var e : sorted((Map<?, ?>) io).entrySet()) names.add(isRef(e.getValue()) ? e.getKey() : null);
            } else {
                for (Object r : isRef(io) ? List.of(io) : io instanceof List<?> l ? l : List.of()) names.add(isRef(r) ? String.valueOf(((List<?>) r).get(0)) : null);
            }
            boolean flat = keys != null && !names.isEmpty() && !names.contains(null);
            String called = where + ": nested model '" + name + "' is called on a dict of keys " + keys + "; its inputs are "
                    + (byKey ? "the dict keys " : "named ") + names;
            if (flat && keys.containsAll(names)) {
                // Functional.call flattens a dict given to dict inputs (sorted keys) and zips it with the inputs: by position
                if (keras3 && byKey && !keys.subList(0, names.size()).equals(names)) {
                    List<String> extra = keys.stream().filter(k -> !names.contains(k)).toList();
                    throw new KerasFormatException(called + ": Keras 3 pairs a dict with dict inputs by position in sorted-key "
                            + "order, not by key, so the extra keys " + extra + " put " + keys.subList(0, names.size()) + " into "
                            + names + " (a warning in Keras, \"The structure of `inputs` doesn't match\"); jrnn refuses the call "
                            + "rather than load either wiring: save it calling the model on its keys alone");
                }
                List<T> r = new ArrayList<>();
                for (String n : names) r.add(given.get(keys.indexOf(n)));
                return r;
            }
            if (keras3 && flat) {
                String missing = names.stream().filter(n -> !keys.contains(n)).findFirst().orElseThrow();
                throw new KerasFormatException(called + " and Keras matches a dict to them by " + (byKey ? "key" : "name")
                        + ": no key '" + missing + "'");
            }
            if (keras3 && !byKey) {
                throw new KerasFormatException(where + ": nested model '" + name + "' is called on a dict of keys " + keys
                        + "; its inputs are nested, which Keras matches no dict to");
            }
            return given;
        }
    }

    /**
     * Whether a node that is a map is tf.keras 2's dict call (its values references), not Keras 3's {args, kwargs}. The
     * two share a shape where tf.keras 2's dict has a key "args": its value one reference ([layer, node, tensor, {}]) is
     * read as tf.keras 2's, a list of them or a structure as Keras 3's args (the file says no more; such a key is rare).
     */
    private static boolean keras2Dict(Map<?, ?> node) {
        return !(node.get("args") instanceof List<?> args) || isRef(args);
    }

    private static TreeMap<String, Object> sorted(Map<?, ?> m) {
        TreeMap<String, Object> r = new TreeMap<>();
        m.forEach((k, v) -> r.put(String.valueOf(k), v));
        return r;
    }

    /**
     * Keras 3's rule: a call with more than one tensor argument (the sequence and {@code initial_state}, as a keyword of
     * one tensor or a list, or positional) gets no mask unless it names one.
     */
    private static boolean unmaskedCall(Layer layer, Object args, Object kwargs, String where) {
        if (!(layer instanceof dev.jrnn.layers.RecurrentLayer || layer instanceof dev.jrnn.layers.Bidirectional)) return false;
        List<Object> tensors = new ArrayList<>();
        flattenTensors(args, tensors, where);
        Map<?, ?> kw = kwargs instanceof Map<?, ?> m ? m : Map.of();
        flattenTensors(kw.get("initial_state"), tensors, where);
        return tensors.size() > 1 && kw.get("mask") == null;
    }

    private static final List<String> ATTENTION_ARGS = List.of("use_causal_mask", "return_attention_scores");

    /**
     * A call with training=True (Keras records it only where the user passed it: Monte Carlo dropout) applies the
     * layer's dropout, noise or batch statistics at inference in Keras; jrnn's predict runs every layer in inference
     * mode, so it would predict something else.
     */
    private static void refuseTrainingTrue(Object node, String where, String of) {
        List<Object> kwargs = new ArrayList<>();
        if (node instanceof Map<?, ?> k3) kwargs.add(k3.get("kwargs"));
        else if (node instanceof List<?> k2) for (Object ref : k2) if (ref instanceof List<?> rl && rl.size() == 4) kwargs.add(rl.get(3));
        for (Object kw : kwargs) {
            if (kw instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("training"))) {
                throw new KerasFormatException(where + ": call argument training=True" + of + " is not supported: Keras then applies"
                        + " the layer's dropout, noise or batch statistics at inference (Monte Carlo dropout), where jrnn's predict"
                        + " and evaluate run every layer in inference mode: save the model without it and use model.call(x, true),"
                        + " which runs the whole model in training mode");
            }
        }
    }

    /**
     * Attention's call arguments of call {@code call} ({@code kw}, absent: false) set on the layer at call 0; a later call
     * that differs is refused (jrnn keeps them per layer).
     */
    private static void attentionArgs(BaseDenseAttention a, Map<?, ?> kw, int call, String where) {
        boolean first = call == 0;
        boolean[] on = new boolean[2];
        for (int i = 0; i < 2; i++) {
            Object v = kw.get(ATTENTION_ARGS.get(i));
            if (v != null && !(v instanceof Boolean)) {
                throw new KerasFormatException(where + ": call argument '" + ATTENTION_ARGS.get(i) + "' should be true or false, got "
                        + KerasConfig.describe(v));
            }
            on[i] = Boolean.TRUE.equals(v);
        }
        if (first) {
            a.useCausalMask(on[0]).returnAttentionScores(on[1]);
        } else {
            requireSameCallArguments(a, where, call, List.of(ATTENTION_ARGS.get(0), ATTENTION_ARGS.get(1)),
                    List.of(python(a.useCausalMask()), python(a.returnAttentionScores())), List.of(python(on[0]), python(on[1])));
        }
    }

    /** A boolean call argument as the Keras user wrote it. */
    static String python(boolean b) { return b ? "True" : "False"; }

    /**
     * Refuses call {@code call} of {@code layer} when its call arguments ({@code names}, described as {@code now}) differ
     * from the first call's ({@code first}, which the layer keeps): Keras keeps them per call, jrnn per layer. The message
     * names the layer and only the arguments that differ, with their values in both calls.
     */
    static void requireSameCallArguments(Layer layer, String where, int call, List<String> names, List<String> first, List<String> now) {
        List<String> differ = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (!first.get(i).equals(now.get(i))) {
                differ.add(names.get(i) + " is " + first.get(i) + " in call 0 and " + now.get(i) + " in call " + call);
            }
        }
        if (differ.isEmpty()) return;
        throw new KerasFormatException(where + ": layer '" + layer.name() + "' (" + layer.kerasClass() + "): " + String.join(", ", differ)
                + "; jrnn keeps call arguments per layer, where Keras keeps them per call: use one layer per set of call arguments"
                + " (each with its own weights)");
    }

    /** Keras 3 call args: keras tensors ({"class_name": "__keras_tensor__", "config": {"keras_history": [...]}}), in lists. */
    static void flattenTensors(Object v, List<Object> out, String where) {
        if (v instanceof List<?> l) {
            for (Object o : l) flattenTensors(o, out, where);
        } else if (v instanceof Map<?, ?> m && "__keras_tensor__".equals(m.get("class_name"))) {
            out.add(new KerasConfig(m.get("config"), where).list("keras_history"));
        } else if (v instanceof Map<?, ?> m && !m.containsKey("class_name")) {
            // a nested model's dict call is a KeyedCall; a layer's tensors come one or in lists
            throw new KerasFormatException(where + ": a call is given a dict of tensors (keys " + new TreeMap<>(m).keySet()
                    + "); jrnn reads a layer's tensors as one tensor or lists of them, nested too (taken in order), and"
                    + " a dict only as the one argument of a nested model");
        } else if (v != null) {
            throw new KerasFormatException(where + ": call argument " + KerasConfig.describe(v) + " is not a tensor");
        }
    }

    /**
     * input_layers / output_layers, flattened as Keras flattens the model's inputs and outputs ({@code keras.tree.flatten}
     * in Keras 3's Functional: model.inputs / outputs, predict's order): a [layer, node, tensor] ref is a leaf (as in
     * functional_from_config's map_tensors), lists are taken in order and dicts by sorted key, at any depth. So one ref
     * (Keras 3, one tensor), a list of refs, a dict of them (a model built with dicts) and nested ones ({@code
     * Model(i, [o, [h, c]])}, {@code Model([x, [h0, c0]], ...)}; tf.keras 2 packs its refs into the same structure) all read.
     */
    static List<Object> refs(KerasConfig c, String key) {
        if (!(c.raw(key) instanceof Map<?, ?>)) c.list(key);   // missing or not a structure: named as before
        List<Object> out = new ArrayList<>();
        flattenRefs(c.raw(key), out, c.where() + "." + key, key);
        return out;
    }

    /**
     * The model of {@code ins} to {@code outs} (config {@code c}'s input_layers / output_layers resolved) made as the file
     * made it: from one node where the refs are one ref (Keras 3's {@code Model(i, o)}), from a list otherwise (a list of
     * one, as tf.keras 2 writes every model, stays a list, as Keras 3 reads it), so the model writes them back the same.
     * A flat dict of inputs or outputs keeps its keys ({@code ins} / {@code outs} are in their sorted order): a Map x is
     * read by the input keys and maps by output by the output keys, as Keras and tf.keras 2 read them, not by the layers'
     * names, and save writes the dicts back.
     */
    static Model model(KerasConfig c, List<Node> ins, List<Node> outs) {
        warnNested(c, outs);
        boolean oneIn = isRef(c.raw("input_layers")), oneOut = isRef(c.raw("output_layers"));
        Map<String, Node> inDict = byKey(c.raw("input_layers"), ins), outDict = byKey(c.raw("output_layers"), outs);
        if (inDict != null) {
            if (outDict != null) return new Model(inDict, outDict);
            return oneOut ? new Model(inDict, outs.get(0)) : new Model(inDict, outs);
        }
        if (outDict != null) return oneIn ? new Model(ins.get(0), outDict) : new Model(ins, outDict);
        if (oneIn) return oneOut ? new Model(ins.get(0), outs.get(0)) : new Model(ins.get(0), outs);
        return oneOut ? new Model(ins, outs.get(0)) : new Model(ins, outs);
    }

    /**
     * Outputs nested past a flat list or a flat dict of refs ({@code {"b": [o1, o2], "a": o3}}, {@code [o1, {"k": o2,
     * "j": o3}]}, {@code [o, [h, c]]}) load flattened (GUIDE "Nested inputs and outputs"), which Keras 3 does not do to
     * them: its predict returns the nested structure, its logs are named by the path to each output ({@code b/d1_loss},
     * {@code b/x_loss}, {@code 1/j_loss}), its saves keep it. One warning says so, so that is not silent (jrnn warns,
     * it does not refuse: the flattened model predicts and trains as Keras' does).
     */
    private static void warnNested(KerasConfig c, List<Node> outs) {
        Object io = c.raw("output_layers");
        if (isRef(io) || io instanceof List<?> l && l.stream().allMatch(KerasCalls::isRef)
                || io instanceof Map<?, ?> d && d.values().stream().allMatch(KerasCalls::isRef)) {
            return;
        }
        dev.jrnn.io.FileFaults.warn(KerasImport.class.getName(), c.where() + ": output_layers is nested (" + shape(io)
                + "); jrnn loads it flattened in Keras' flatten order (lists in order, dicts by sorted key), as a list of outputs"
                + " named by their layers " + outs.stream().map(n -> n.layer().name()).toList() + ", where Keras 3 keeps the"
                + " structure: its predict returns it nested, its logs are named by the path to each output (b/d1_loss, b/x_loss,"
                + " 1/j_loss) and its saves keep it; predictAll returns the outputs in that flat order, the logs are named by"
                + " the layers (d1_loss) and model.save writes them as a flat list");
    }

    /** {@code io}'s structure with each ref as "o": {@code {a: o, b: [o, o]}}, {@code [o, {j: o, k: o}]}. */
    private static String shape(Object io) {
        if (isRef(io)) return "o";
        if (io instanceof Map<?, ?> d) {
            return d.entrySet().stream().map(e -> e.getKey() + ": " + shape(e.getValue()))
                    .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
        }
        if (io instanceof List<?> l) return l.stream().map(KerasCalls::shape).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        return String.valueOf(io);
    }

    /** {@code nodes} (resolved in sorted-key order) by the keys of {@code io}, in its order, where it is a flat dict of refs; else null. */
    private static Map<String, Node> byKey(Object io, List<Node> nodes) {
        if (!(io instanceof Map<?, ?> dict) || !dict.values().stream().allMatch(KerasCalls::isRef)) return null;
        Map<String, Node> r = new java.util.LinkedHashMap<>();
        for (String k : sorted(dict).keySet()) r.put(k, nodes.get(r.size()));
        Map<String, Node> fileOrder = new java.util.LinkedHashMap<>();   // the model keeps the file's order, to write it back
        for (Object k : dict.keySet()) fileOrder.put(String.valueOf(k), r.get(String.valueOf(k)));
        return fileOrder;
    }

    /** Whether {@code v} is one [layer, node, tensor] ref (a leaf of a model's input or output structure). */
    static boolean isRef(Object v) {
        return v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String;
    }

    /**
     * A tf.keras 2 node's references as tf.nest.flatten gives them: tf.keras keeps the structure of a call's first
     * argument (a nested model called on {@code [x, [h0, c0]]}), a leaf being a list that starts with a layer name;
     * lists in order, dicts by sorted key. Anything else is left for the reference check to name.
     */
    private static void keras2Leaves(Object v, List<Object> out) {
        if (v instanceof List<?> l && !(l.isEmpty() || l.get(0) instanceof String)) {
            for (Object o : l) keras2Leaves(o, out);
        } else if (v instanceof Map<?, ?> m) {
            java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
            for (var e : m.entrySet()) sorted.put(String.valueOf(e.getKey()), e.getValue());
            for (Object o : sorted.values()) keras2Leaves(o, out);
        } else {
            out.add(v);
        }
    }

    /** The refs of a model's (possibly nested) input or output structure {@code v}, in keras.tree.flatten order. */
    static void flattenRefs(Object v, List<Object> out, String where, String key) {
        if (isRef(v)) {
            List<?> l = (List<?>) v;
            if (l.size() < 3 || !(l.get(1) instanceof Long) || !(l.get(2) instanceof Long)) {
                throw new KerasFormatException(where + ": the model's " + what(key) + " " + KerasConfig.describe(v)
                        + " should be a [layer, node, tensor] reference");
            }
            out.add(v);
        } else if (v instanceof Map<?, ?> m) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            m.forEach((k, x) -> sorted.put(String.valueOf(k), x));
            for (var e : sorted.entrySet()) flattenRefs(e.getValue(), out, where + "." + e.getKey(), key);
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) flattenRefs(l.get(i), out, where + "[" + i + "]", key);
        } else {
            throw new KerasFormatException(where + ": the model's " + what(key) + " " + KerasConfig.describe(v) + " is not a"
                    + " [layer, node, tensor] reference; jrnn reads a model's inputs and outputs as such references, one or"
                    + " in lists and dicts (nested too), which it takes in Keras' flatten order (lists in order, dicts by sorted key)");
        }
    }

    private static String what(String key) {
        return key.startsWith("input") ? "input" : key.startsWith("output") ? "output" : key;
    }
}
