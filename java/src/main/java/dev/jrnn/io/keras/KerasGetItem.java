package dev.jrnn.io.keras;

import dev.jrnn.layers.GetItem;
import dev.jrnn.layers.GetItem.Item;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' slicing of a tensor ({@code h[:, -1]}) as {@link GetItem}. Keras 3 records it as the op {@code GetItem}
 * ({@code keras.src.ops.numpy}; no module in a legacy {@code .h5}) whose one node's args are the tensor and the key,
 * serialized by serialization_lib: a tuple as a list, {@code slice} as {@code {"class_name": "__slice__", "config":
 * {start, stop, step}}}, {@code Ellipsis} as {@code {"class_name": "__ellipsis__"}}, None as null. tf.keras 2 records a
 * {@code SlicingOpLambda} layer of function {@code __operators__.getitem} whose node is {@code [layer, node, tensor,
 * {"slice_spec": key}]}, slices as {@code {start, stop, step}} dicts (tf_op_layer's _slice_to_dict). Tensor, array,
 * list (advanced) and boolean indices are refused naming the layer and the item.
 */
final class KerasGetItem {
    private KerasGetItem() {}

    /** The Keras classes read here. */
    static final List<String> CLASSES = List.of("GetItem", "SlicingOpLambda");

    /** Whether a layers entry is Keras 3's GetItem op (read as a layer, not dropped as a mask op). */
    static boolean is(KerasConfig spec) {
        return "GetItem".equals(spec.string("class_name", null));
    }

    /** The layer for a GetItem op or a SlicingOpLambda of getitem entry: the key of its first call. */
    static GetItem read(KerasConfig spec, String where) {
        String cls = spec.string("class_name");
        if (cls.equals("SlicingOpLambda")) {
            String f = spec.object("config").string("function", null);
            if (!"__operators__.getitem".equals(f)) {
                throw new KerasFormatException(where + ": SlicingOpLambda of function '" + f + "' is not supported; jrnn reads"
                        + " __operators__.getitem (x[...]) only");
            }
        }
        List<Object> keys = new ArrayList<>();
        for (Object node : nodes(spec)) keys.add(key(node, where));
        if (keys.isEmpty()) throw new KerasFormatException(where + ": has no call, so no key: jrnn reads a slice from its call");
        for (Object k : keys.subList(1, keys.size())) {
            if (!k.equals(keys.get(0))) {
                throw new KerasFormatException(where + ": its calls slice with different keys " + keys + "; jrnn keeps one key per layer");
            }
        }
        List<Item> items = items(keys.get(0), where);
        try {
            return new GetItem(items.toArray(Item[]::new));
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** One list with the sliced tensor's [layer, node, tensor] ref per call. */
    static List<List<Object>> refs(KerasConfig spec) {
        List<List<Object>> r = new ArrayList<>();
        String where = spec.where();
        for (Object node : nodes(spec)) {
            Object tensor;
            if (node instanceof Map<?, ?> k3) {
                List<?> args = k3.get("args") instanceof List<?> a ? a : List.of();
                tensor = args.isEmpty() ? null : args.get(0);
            } else {
                tensor = keras2Ref(node, where).subList(0, 3);
            }
            List<Object> refs = new ArrayList<>();
            if (tensor instanceof List<?> ref) refs.add(new ArrayList<>(ref));
            else KerasCalls.flattenTensors(tensor, refs, where);
            if (refs.size() != 1) throw new KerasFormatException(where + ": a slice's call should take one tensor, got " + KerasConfig.describe(tensor));
            r.add(refs);
        }
        return r;
    }

    private static List<?> nodes(KerasConfig spec) {
        return spec.has("inbound_nodes") ? spec.list("inbound_nodes") : List.of();
    }

    /** tf.keras' node: [layer, node, tensor, {"slice_spec": ...}], or that ref in a list of one. */
    private static List<?> keras2Ref(Object node, String where) {
        if (node instanceof List<?> l && l.size() == 1 && l.get(0) instanceof List<?> inner) return keras2Ref(inner, where);
        if (node instanceof List<?> l && l.size() == 4 && l.get(0) instanceof String && l.get(3) instanceof Map<?, ?>) return l;
        throw new KerasFormatException(where + ": a SlicingOpLambda node should be [layer, node, tensor, {\"slice_spec\": ...}], got "
                + KerasConfig.describe(node));
    }

    /** A call's key, as written: Keras 3's second arg (or kwarg "key"), tf.keras' slice_spec. */
    private static Object key(Object node, String where) {
        if (node instanceof Map<?, ?> k3) {
            List<?> args = k3.get("args") instanceof List<?> a ? a : List.of();
            if (args.size() == 2) return args.get(1);
            if (args.size() == 1 && k3.get("kwargs") instanceof Map<?, ?> kw && kw.containsKey("key")) return kw.get("key");
            throw new KerasFormatException(where + ": a GetItem call should have args [tensor, key], got " + KerasConfig.describe(node));
        }
        Map<?, ?> kw = (Map<?, ?>) keras2Ref(node, where).get(3);
        if (!kw.containsKey("slice_spec")) throw new KerasFormatException(where + ": a SlicingOpLambda call has no slice_spec, got " + kw.keySet());
        for (var e : kw.entrySet()) {
            if (!e.getKey().equals("slice_spec") && e.getValue() != null) {
                throw new KerasFormatException(where + ": call argument '" + e.getKey() + "' of __operators__.getitem is not supported");
            }
        }
        return kw.get("slice_spec");
    }

    /** The key's items: a tuple (a JSON list, or json_utils' __tuple__) of items, or one item. */
    private static List<Item> items(Object key, String where) {
        List<?> l = key instanceof List<?> list ? list
                : key instanceof Map<?, ?> m && "__tuple__".equals(m.get("class_name")) && m.get("items") instanceof List<?> its ? its : null;
        List<Item> r = new ArrayList<>();
        if (l == null) {
            r.add(item(key, 0, where));
        } else {
            for (int i = 0; i < l.size(); i++) r.add(item(l.get(i), i, where));
        }
        return r;
    }

    private static Item item(Object v, int i, String where) {
        String head = where + ": key item " + i + " ";
        if (v == null) return GetItem.newAxis();
        if (v instanceof Long || v instanceof Integer) return GetItem.index(bound(((Number) v).longValue(), head));
        if (v instanceof Map<?, ?> m) {
            Object cls = m.get("class_name");
            if ("__ellipsis__".equals(cls)) return GetItem.ellipsis();
            Map<?, ?> c = "__slice__".equals(cls) && m.get("config") instanceof Map<?, ?> cfg ? cfg
                    : cls == null && m.keySet().equals(java.util.Set.of("start", "stop", "step")) ? m : null;
            if (c != null) {
                Integer step = bound(c.get("step"), head + "(a slice's step) ");
                if (step != null && step == 0) throw new KerasFormatException(head + "is a slice of step 0, which NumPy refuses");
                return GetItem.slice(bound(c.get("start"), head + "(a slice's start) "), bound(c.get("stop"), head + "(a slice's stop) "), step);
            }
            String what = "__keras_tensor__".equals(cls) ? "a tensor (an index computed in the model)"
                    : "__tensor__".equals(cls) || "__numpy__".equals(cls) ? "an array of indices (NumPy's advanced indexing)" : "an object " + KerasConfig.describe(v);
            throw new KerasFormatException(head + "is " + what + ", which jrnn does not slice by; jrnn reads integers, slices of"
                    + " integers, None and ... (NumPy's basic indexing)");
        }
        String what = v instanceof List<?> ? "a list " + KerasConfig.describe(v) + " (NumPy's advanced indexing)"
                : v instanceof Boolean ? "the boolean " + v + " (a mask index)" : KerasConfig.describe(v);
        throw new KerasFormatException(head + "is " + what + ", which jrnn does not slice by; jrnn reads integers, slices of"
                + " integers, None and ... (NumPy's basic indexing)");
    }

    private static Integer bound(Object v, String head) {
        if (v == null) return null;
        if (!(v instanceof Long || v instanceof Integer)) {
            throw new KerasFormatException(head + "is " + KerasConfig.describe(v) + "; jrnn reads integers or None there (a tensor bound is"
                    + " not supported)");
        }
        return bound(((Number) v).longValue(), head);
    }

    private static int bound(long n, String head) {
        if (n != (int) n) throw new KerasFormatException(head + "is " + n + ", past the int range");
        return (int) n;
    }

    /** Keras 3's entry for the op: module, class, {"name"} config (Operation.get_config), registered name. */
    static Map<String, Object> config(GetItem g) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", g.name());
        Map<String, Object> s = KerasExport.serialized("keras.src.ops.numpy", "GetItem", c);
        s.put("registered_name", "GetItem");
        return s;
    }

    /**
     * The key as Keras 3's serialize_node writes a tuple: a list, also of one item (GetItem.compute_output_spec takes an
     * int, a tuple or a list, and refuses a bare slice or Ellipsis when the file is loaded).
     */
    static Object key(GetItem g) {
        List<Object> items = new ArrayList<>();
        for (Item it : g.key()) items.add(item(it));
        return items;
    }

    private static Object item(Item it) {
        return switch (it.kind()) {
            case INDEX -> (long) it.index();
            case NEW_AXIS -> null;
            case ELLIPSIS -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("class_name", "__ellipsis__");
                e.put("config", new LinkedHashMap<>());
                yield e;
            }
            case SLICE -> {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("start", it.start() == null ? null : (Object) (long) it.start());
                c.put("stop", it.stop() == null ? null : (Object) (long) it.stop());
                c.put("step", it.step() == null ? null : (Object) (long) it.step());
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("class_name", "__slice__");
                s.put("config", c);
                yield s;
            }
        };
    }
}
