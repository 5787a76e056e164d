package dev.jrnn.io.keras;

import dev.jrnn.layers.BaseDenseAttention;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Sequential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wires the layers of a Keras model config into a jrnn {@link Model}: Sequential configs (Keras 2's bare list,
 * tf.keras' {@code {"layers": [...]}}, Keras 3's with a leading InputLayer) become a {@link Sequential};
 * functional ones ("Model", "Functional") are replayed call by call from each layer's {@code inbound_nodes}
 * (Keras 2 lists, Keras 3 {@code args}/{@code kwargs} with {@code keras_history}), so shared layers and several
 * inputs and outputs keep their structure. A batch size fixed in an input shape is kept (Keras' batch_input_shape,
 * which stateful layers need); a model without stateful layers still takes any batch.
 */
final class KerasGraph {
    private final KerasLayers layers;
    /** (config name, class name) of every layer in model order, for Keras 3 weight lookup. */
    final List<String[]> order = new ArrayList<>();
    /** Config name to the jrnn layer built for it. */
    final Map<String, Layer> byName = new LinkedHashMap<>();

    KerasGraph(KerasLayers layers) {
        this.layers = layers;
    }

    Model build(Object modelConfig) {
        KerasConfig top = new KerasConfig(modelConfig, "model_config");
        String cls = top.string("class_name");
        Object cfg = top.raw("config");
        return switch (cls) {
            case "Sequential" -> sequential(cfg);
            case "Model", "Functional" -> functional(new KerasConfig(cfg, "model_config.config"));
            default -> throw new KerasFormatException("model class '" + cls + "' is not supported: expected Sequential, Model or Functional");
        };
    }

    private Model sequential(Object cfg) {
        List<?> specs;
        String name = null;
        KerasConfig model = null;   // tf.keras: build_input_shape, the shape a Sequential built by fit was built for
        if (cfg instanceof List<?> l) {
            specs = l;
        } else {
            model = new KerasConfig(cfg, "model_config.config");
            specs = model.list("layers");
            name = model.string("name", null);
        }
        Sequential s = new Sequential();
        if (name != null) s.name(name);
        int[] declared = null;
        boolean first = true;
        for (int i = 0; i < specs.size(); i++) {
            KerasConfig spec = new KerasConfig(specs.get(i), "model_config.layers[" + i + "]");
            KerasConfig c = spec.object("config");
            if ("InputLayer".equals(spec.string("class_name"))) {
                if (!first) throw new KerasFormatException(spec.where() + ": an InputLayer after the first layer of a Sequential model");
                declared = inputShape(c);
                order.add(new String[] {c.string("name", "input_layer"), "InputLayer"});
                continue;
            }
            Layer l = layers.build(spec);
            int[] own = inputShape(c);
            if (first && declared == null) {   // read only when no layer declares a shape: a file that loaded before still does
                declared = own != null ? own : model != null && model.has("build_input_shape") ? batchShape(model, "build_input_shape") : null;
            }
            if (first) {
                if (declared == null) throw new KerasFormatException(spec.where() + ": the first layer declares no input shape (batch_input_shape) and the model no build_input_shape");
                int[] shape = Arrays.copyOfRange(declared, 1, declared.length);
                if (declared[0] > 0) l.batchInputShape(declared[0], shape);
                else l.inputShape(shape);
            }
            first = false;
            record(c.string("name", l.name()), spec.string("class_name"), l);
            s.add(l);
        }
        if (first) throw new KerasFormatException("model_config: a Sequential model without layers");
        return s;
    }

    private Model functional(KerasConfig c) {
        List<?> specs = c.list("layers");
        Map<String, List<Node>> calls = new HashMap<>();
        List<String> names = new ArrayList<>();
        Map<String, List<List<Object>>> pending = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            KerasConfig spec = new KerasConfig(specs.get(i), "model_config.layers[" + i + "]");
            KerasConfig lc = spec.object("config");
            String name = spec.string("name", lc.string("name", null));
            if (name == null) throw new KerasFormatException(spec.where() + ": a layer without a name");
            if (byName.containsKey(name) || calls.containsKey(name)) throw new KerasFormatException(spec.where() + ": layer name '" + name + "' is used twice");
            names.add(name);
            calls.put(name, new ArrayList<>());
            if ("InputLayer".equals(spec.string("class_name"))) {
                int[] shape = inputShape(lc);
                if (shape == null) throw new KerasFormatException(spec.where() + ": InputLayer '" + name + "' has no batch_input_shape");
                int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
                calls.get(name).add((shape[0] > 0 ? Input.batchShape(shape[0], sample) : Input.shape(sample)).name(name));
                order.add(new String[] {name, "InputLayer"});
                continue;
            }
            Layer l = layers.build(spec);
            record(name, spec.string("class_name"), l);
            pending.put(name, inboundNodes(spec, l));
        }
        // replay calls in dependency order: a shared layer's later call may need layers listed after it
        boolean progress = true;
        while (progress && pending.values().stream().anyMatch(p -> !p.isEmpty())) {
            progress = false;
            for (String name : names) {
                List<List<Object>> todo = pending.get(name);
                while (todo != null && !todo.isEmpty()) {
                    List<Node> ins = resolve(todo.get(0), calls);
                    if (ins == null) break;
                    calls.get(name).add(byName.get(name).apply(ins));
                    todo.remove(0);
                    progress = true;
                }
            }
        }
        for (var e : pending.entrySet()) {
            if (!e.getValue().isEmpty()) {
                throw new KerasFormatException("model_config: the inputs of layer '" + e.getKey() + "' " + e.getValue().get(0)
                        + " name no layer call of the model (a cycle or a missing layer)");
            }
        }
        List<Node> ins = resolve(refs(c, "input_layers"), calls);
        List<Node> outs = resolve(refs(c, "output_layers"), calls);
        if (ins == null || outs == null) throw new KerasFormatException("model_config: input_layers or output_layers name an unknown layer call");
        Model m = new Model(ins, outs);
        if (c.has("name")) m.name(c.string("name"));
        return m;
    }

    private void record(String name, String cls, Layer l) {
        byName.put(name, l);
        order.add(new String[] {name, cls});
    }

    /**
     * One list of [layer, node, tensor] refs per call of the layer. Attention's call arguments (use_causal_mask,
     * return_attention_scores) become the layer's settings, the same for every call.
     */
    private static List<List<Object>> inboundNodes(KerasConfig spec, Layer layer) {
        List<List<Object>> r = new ArrayList<>();
        if (!spec.has("inbound_nodes")) return r;
        String where = spec.where();
        for (Object node : spec.list("inbound_nodes")) {
            List<Object> refs = new ArrayList<>();
            if (node instanceof List<?> keras2 && layer instanceof MultiHeadAttention m) {
                // tf.keras: [[query layer, node, tensor, {"value": [layer, node, tensor], "key": ..., "use_causal_mask": ...}]]
                if (keras2.size() != 1 || !(keras2.get(0) instanceof List<?> first) || first.size() != 4) {
                    throw new KerasFormatException(where + ": a MultiHeadAttention node should be [[layer, node, tensor, {call arguments}]], got "
                            + KerasConfig.describe(keras2));
                }
                Map<String, Object> call = new java.util.LinkedHashMap<>();
                call.put("args", List.of(first.subList(0, 3)));
                call.put("kwargs", first.get(3));
                refs.addAll(KerasMultiHeadAttention.callRefs(new KerasConfig(call, where), m, r.isEmpty(), where,
                        v -> v instanceof List<?> ref && !ref.isEmpty() && ref.get(0) instanceof String ? List.of(v) : List.of()));
            } else if (node instanceof List<?> keras2) {
                for (Object ref : keras2) {
                    if (ref instanceof List<?> rl && rl.size() == 4 && rl.get(3) instanceof Map<?, ?> kw && !kw.isEmpty()
                            && !(kw.size() == 1 && kw.containsKey("training"))) {
                        throw new KerasFormatException(where + ": call arguments " + kw.keySet() + " are not supported");
                    }
                    refs.add(ref);
                }
            } else if (layer instanceof MultiHeadAttention m) {
                refs.addAll(KerasMultiHeadAttention.callRefs(new KerasConfig(node, where + ".inbound_nodes"), m, r.isEmpty(), where, v -> {
                    List<Object> out = new ArrayList<>();
                    flattenTensors(v, out, where);
                    return out;
                }));
            } else {
                KerasConfig k3 = new KerasConfig(node, where + ".inbound_nodes");
                flattenTensors(k3.raw("args"), refs, where);
                if (k3.raw("kwargs") instanceof Map<?, ?> kw) {
                    for (var e : kw.entrySet()) {
                        if (e.getKey().equals("initial_state")) flattenTensors(e.getValue(), refs, where);
                        else if (layer instanceof BaseDenseAttention && ATTENTION_ARGS.contains(e.getKey())) continue;
                        else if (e.getValue() != null && !e.getKey().equals("training") && !e.getKey().equals("mask")) {
                            throw new KerasFormatException(where + ": call argument '" + e.getKey() + "' is not supported");
                        }
                    }
                    if (layer instanceof BaseDenseAttention a) attentionArgs(a, kw, r.isEmpty(), where);
                } else if (layer instanceof BaseDenseAttention a) {
                    attentionArgs(a, Map.of(), r.isEmpty(), where);
                }
            }
            r.add(refs);
        }
        return r;
    }

    private static final List<String> ATTENTION_ARGS = List.of("use_causal_mask", "return_attention_scores");

    /**
     * Attention's call arguments of one call ({@code kw}, absent: false) set on the layer at its first call; a later call
     * that differs is refused (jrnn keeps them per layer).
     */
    private static void attentionArgs(BaseDenseAttention a, Map<?, ?> kw, boolean first, String where) {
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
        } else if (on[0] != a.useCausalMask() || on[1] != a.returnAttentionScores()) {
            throw new KerasFormatException(where + ": call arguments " + ATTENTION_ARGS + " differ between the calls of one layer;"
                    + " jrnn keeps them per layer");
        }
    }

    /** Keras 3 call args: keras tensors ({"class_name": "__keras_tensor__", "config": {"keras_history": [...]}}), in lists. */
    private static void flattenTensors(Object v, List<Object> out, String where) {
        if (v instanceof List<?> l) {
            for (Object o : l) flattenTensors(o, out, where);
        } else if (v instanceof Map<?, ?> m && "__keras_tensor__".equals(m.get("class_name"))) {
            out.add(new KerasConfig(m.get("config"), where).list("keras_history"));
        } else if (v != null) {
            throw new KerasFormatException(where + ": call argument " + KerasConfig.describe(v) + " is not a tensor");
        }
    }

    /**
     * input_layers / output_layers: a list of refs, or (Keras 3, one tensor) one ref, or (Keras 3, a model built with dicts)
     * refs by name, taken in sorted key order as Keras flattens them into model.inputs / outputs.
     */
    private static List<Object> refs(KerasConfig c, String key) {
        if (c.raw(key) instanceof Map<?, ?> m) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            return new ArrayList<>(sorted.values());
        }
        List<?> l = c.list(key);
        if (!l.isEmpty() && l.get(0) instanceof String) return List.of(l);
        return new ArrayList<>(l);
    }

    /** The nodes named by refs, or null when a referenced call is not made yet. */
    private static List<Node> resolve(List<Object> refs, Map<String, List<Node>> calls) {
        List<Node> r = new ArrayList<>();
        for (Object ref : refs) {
            if (!(ref instanceof List<?> l) || l.size() < 3 || !(l.get(0) instanceof String layer)
                    || !(l.get(1) instanceof Long node) || !(l.get(2) instanceof Long tensor)) {
                throw new KerasFormatException("model_config: a node reference should be [layer, node, tensor], got " + KerasConfig.describe(ref));
            }
            List<Node> made = calls.get(layer);
            if (made == null) throw new KerasFormatException("model_config: a node reference names unknown layer '" + layer + "'");
            if (node < 0 || tensor < 0) throw new KerasFormatException("model_config: negative index in node reference " + l);
            if (node >= made.size()) return null;
            List<Node> outs = made.get((int) (long) node).all();
            if (tensor >= outs.size()) {
                throw new KerasFormatException("model_config: reference " + l + " asks for output " + tensor + " of a call with "
                        + outs.size() + " outputs");
            }
            r.add(outs.get((int) (long) tensor));
        }
        return r;
    }

    /** batch_input_shape (Keras 2) or batch_shape (Keras 3), the batch first (-1: any), or null when none. */
    private static int[] inputShape(KerasConfig c) {
        String key = c.has("batch_input_shape") ? "batch_input_shape" : c.has("batch_shape") ? "batch_shape" : null;
        return key == null ? null : batchShape(c, key);
    }

    private static int[] batchShape(KerasConfig c, String key) {
        int[] s = c.shape(key);
        if (s.length < 2) throw new KerasFormatException(c.where() + ": " + key + " " + Arrays.toString(s) + " has no dimension besides the batch");
        return s;
    }
}
