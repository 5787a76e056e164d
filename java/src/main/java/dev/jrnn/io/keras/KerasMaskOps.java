package dev.jrnn.io.keras;

import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Merge;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ops a Keras 3 functional config records for its implicit masks. Keras 3's {@code Layer.__call__} passes the
 * input's mask to {@code call(mask=...)}, so a node's kwargs name the mask tensor, and the ops that computed it in a
 * layer's {@code compute_mask} (Embedding: {@code not_equal}; Masking: {@code any(not_equal(x, v), axis=-1)}; merges:
 * {@code logical_or}, Concatenate's {@code ones_like} / {@code expand_dims} / {@code concatenate} / {@code any}) are
 * operations of the graph, listed among its layers with a {@code keras.src.ops} module. jrnn propagates masks itself
 * (Masking, Embedding(mask_zero=True), then each layer's rule), so these ops are read, checked to be Keras' own mask
 * computation from a masking layer's input, and dropped. A mask the user computed and passed explicitly, an op whose
 * output feeds a layer as data, or any other op is refused naming it: jrnn would compute something else. Keras 3.5
 * to 3.9 also record the {@code Cast} of a layer's input to its compute dtype (mixed precision) as an op: jrnn computes
 * in float32, so a cast is read as its input. A legacy {@code .h5} saved by Keras 3 writes these entries without a module.
 */
final class KerasMaskOps {
    /** The ops of the compute_mask of the layers jrnn imports. */
    private static final Set<String> MASK_OPS = Set.of("NotEqual", "Any", "All", "LogicalOr", "ExpandDims", "Concatenate", "OnesLike",
            "ZerosLike", "BroadcastTo", "ConvertToTensor", "Cast");
    /** Ops that read only their input's shape: what feeds them is not part of the mask's value. */
    private static final Set<String> SHAPE_ONLY = Set.of("OnesLike", "ZerosLike");
    /** The dtypes of mixed precision's casts: a cast to another (int, bool) changes values and is refused as any op. */
    private static final Set<String> FLOATS = Set.of("float16", "bfloat16", "float32", "float64");
    /** The call arguments Keras fills with an input's mask (MultiHeadAttention's per input). */
    private static final Set<String> MASK_ARGS = Set.of("mask", "query_mask", "value_mask", "key_mask");

    /** An op's call: its tensor inputs, its scalar arguments (not_equal's value), its config (cast's dtype). */
    private record Op(String cls, String module, List<List<?>> inputs, List<Double> scalars, Map<?, ?> config, String where) {
        String describe(String name) { return "operation '" + name + "' (" + cls + ", " + module + ")"; }
    }

    private record MaskUse(String layer, String arg, List<?> ref, String where) {}

    /** A call's list of input masks (merges): how many inputs had none, and the distinct masks of the others. */
    private record MaskList(String layer, int none, Set<String> masks, String where) {}

    private final Map<String, Op> ops = new LinkedHashMap<>();
    private final List<MaskUse> uses = new ArrayList<>();
    private final List<MaskList> lists = new ArrayList<>();

    /** The mask ops whose class names no Keras layer has (Concatenate is also a layer). */
    private static final Set<String> OP_ONLY = Set.of("NotEqual", "Any", "All", "LogicalOr", "ExpandDims", "OnesLike", "ZerosLike",
            "BroadcastTo", "ConvertToTensor", "Cast");

    /**
     * Whether a layers entry is a Keras op rather than a layer: a {@code keras.src.ops} module, or, in a legacy .h5 of
     * Keras 3 ({@code kerasMajor} 3), where no entry has a module, a class of {@link #OP_ONLY} whose config has no
     * "trainable" (every Keras 3 layer's get_config writes it, no op's does), or a Concatenate so written (a
     * concatenated mask; one that data flows from is KerasArithmeticOps', asked first).
     */
    static boolean isOp(KerasConfig spec, int kerasMajor) {
        String m = spec.string("module", null);
        if (m != null) return m.startsWith("keras.src.ops.") || m.startsWith("keras.ops");
        String cls = spec.string("class_name", "");
        return kerasMajor >= 3 && (OP_ONLY.contains(cls) || cls.equals("Concatenate")) && spec.raw("config") instanceof Map<?, ?> c
                && !c.containsKey("trainable");
    }

    boolean has(String name) { return ops.containsKey(name); }

    /** An op's entry: its one call's tensor arguments (constants such as not_equal's 0 are left out). */
    void addOp(String name, KerasConfig spec) {
        List<?> nodes = spec.has("inbound_nodes") ? spec.list("inbound_nodes") : List.of();
        List<List<?>> inputs = new ArrayList<>();
        List<Double> scalars = new ArrayList<>();
        for (Object node : nodes) {
            if (!(node instanceof Map<?, ?> call)) {
                throw new KerasFormatException(spec.where() + ": operation '" + name + "' has a call " + KerasConfig.describe(node)
                        + "; expected Keras 3's {\"args\": [...], \"kwargs\": {...}}");
            }
            tensors(call.get("args"), inputs);
            tensors(call.get("kwargs"), inputs);
            if (call.get("args") instanceof List<?> args) for (Object a : args) if (a instanceof Number n) scalars.add(n.doubleValue());
        }
        Map<?, ?> config = spec.raw("config") instanceof Map<?, ?> c ? c : Map.of();
        ops.put(name, new Op(spec.string("class_name"), spec.string("module", "keras.ops, a legacy .h5"), inputs, scalars, config, spec.where()));
    }

    /** A layer's Keras 3 calls: the tensors in their mask arguments, checked by {@link #check}. */
    void addLayerCalls(String layer, KerasConfig spec) {
        if (!spec.has("inbound_nodes")) return;
        for (Object node : spec.list("inbound_nodes")) {
            if (!(node instanceof Map<?, ?> call) || !(call.get("kwargs") instanceof Map<?, ?> kw)) continue;
            for (var e : kw.entrySet()) {
                if (!MASK_ARGS.contains(String.valueOf(e.getKey()))) continue;
                List<List<?>> refs = new ArrayList<>();
                tensors(e.getValue(), refs);
                for (List<?> r : refs) uses.add(new MaskUse(layer, String.valueOf(e.getKey()), r, spec.where()));
                if (e.getValue() instanceof List<?> l && l.size() > 1) {
                    Set<String> distinct = new HashSet<>();
                    for (List<?> r : refs) distinct.add(key(r));
                    lists.add(new MaskList(layer, l.size() - refs.size(), distinct, spec.where()));
                }
            }
        }
    }

    /**
     * Checks the model's ops against its layers' calls ({@code refs}: per layer, one list of input refs per call) and
     * its outputs; {@code layers} gives each name's layer (or nested model).
     */
    void check(Map<String, Object> layers, Map<String, List<List<Object>>> refs, List<Object> outputs, String where) {
        for (var e : refs.entrySet()) {
            for (List<Object> call : e.getValue()) {
                for (int i = 0; i < call.size(); i++) {
                    call.set(i, uncast(call.get(i)));
                    Object r = call.get(i);
                    String from = refName(r);
                    if (from != null && ops.containsKey(from)) {
                        throw new KerasFormatException(where + ": layer '" + e.getKey() + "' takes the output of " + ops.get(from).describe(from)
                                + " as data; jrnn reads Keras layers, not keras.ops calls (use the layer, e.g. layers.Add for ops.add)");
                    }
                }
            }
        }
        for (Object r : outputs) {
            String from = refName(r);
            if (from != null && ops.containsKey(from)) {
                throw new KerasFormatException(where + ": the model's output is " + ops.get(from).describe(from) + "; jrnn reads Keras layers,"
                        + " not keras.ops calls");
            }
        }
        Map<String, Set<Double>> masked = maskedInputs(layers, refs);
        for (MaskUse u : uses) {
            String from = refName(u.ref);
            String head = u.where + ": layer '" + u.layer + "' is given a " + u.arg + " ";
            if (from == null || !ops.containsKey(from)) {
                throw new KerasFormatException(head + "from '" + from + "' (an explicit mask); jrnn computes masks only with Masking and"
                        + " Embedding(mask_zero=True) and propagates them, as Keras does when no mask is passed");
            }
            walk(from, u, head, masked, null, new HashSet<>());
        }
        // Keras 3.0 to 3.3 merged masks with all(), an AND of the masked inputs; jrnn, as Keras 3.4 and later, takes the
        // OR and no mask when an input has none: the same only where every input has one and it is one mask
        if (ops.values().stream().anyMatch(o -> o.cls.equals("All"))) {
            for (MaskList l : lists) {
                if (layers.get(l.layer) instanceof Merge && (l.masks.size() > 1 || l.none > 0 && !l.masks.isEmpty())) {
                    throw new KerasFormatException(l.where + ": layer '" + l.layer + "' merges inputs whose masks differ; the Keras"
                            + " that saved this file (3.0 to 3.3, whose mask ops end in all()) combined them with AND, jrnn combines"
                            + " them as Keras 3.4 and later (OR, and no mask when an input has none): re-save the model with Keras 3.4 or later");
                }
            }
        }
    }

    /** A ref to a Cast op's output as the ref of its input (jrnn computes in float32: the cast of mixed precision drops). */
    private Object uncast(Object ref) {
        for (int hops = 0; hops <= ops.size(); hops++) {
            Op op = ops.get(refName(ref));
            if (op == null || !op.cls.equals("Cast") || op.inputs.size() != 1 || !FLOATS.contains(String.valueOf(op.config.get("dtype")))) return ref;
            ref = new ArrayList<Object>(op.inputs.get(0));
        }
        return ref;
    }

    /**
     * Follows a mask's ops back to their roots: each must be reached through a not_equal against the value of a Masking
     * (its mask_value) or Embedding(mask_zero) (0) whose input it is ({@code value}: the not_equal's, once passed).
     */
    private void walk(String name, MaskUse u, String head, Map<String, Set<Double>> masked, Double value, Set<String> seen) {
        if (!seen.add(name)) return;
        Op op = ops.get(name);
        // a cast of the boolean mask (after its not_equal, value still null) keeps it; one of the data before it must be a float's
        boolean badCast = op.cls.equals("Cast") && value != null && !FLOATS.contains(String.valueOf(op.config.get("dtype")));
        if (!MASK_OPS.contains(op.cls) || badCast) {
            throw new KerasFormatException(head + "computed by " + op.describe(name) + (badCast ? " to " + op.config.get("dtype") : "")
                    + "; jrnn reads only the ops of Keras' own mask computation " + new java.util.TreeSet<>(MASK_OPS)
                    + " (casting the data to a float dtype) and computes masks with Masking and Embedding(mask_zero=True)");
        }
        if (SHAPE_ONLY.contains(op.cls)) return;
        if (op.cls.equals("NotEqual")) {
            if (op.scalars.size() != 1) {
                throw new KerasFormatException(head + "computed by " + op.describe(name) + " between two tensors: an explicit mask,"
                        + " which jrnn would not compute (jrnn computes masks only with Masking and Embedding(mask_zero=True))");
            }
            value = (double) op.scalars.get(0).floatValue();   // as Keras compares: in float32, as Masking's mask_value
        }
        for (List<?> in : op.inputs) {
            String from = refName(in);
            if (from != null && ops.containsKey(from)) {
                walk(from, u, head, masked, value, seen);
            } else if (value == null || !masked.getOrDefault(key(in), Set.of()).contains(value)) {
                throw new KerasFormatException(head + "computed by " + op.describe(name) + " from '" + from + "'"
                        + (value == null ? "" : " != " + value) + ", which is not the mask of a Masking (input != mask_value) or"
                        + " Embedding(mask_zero=True) (input != 0) layer on that input: an explicit mask, which jrnn would not"
                        + " compute (jrnn computes masks only with Masking and Embedding(mask_zero=True) and propagates them)");
            }
        }
    }

    /** The input refs of every call of a Masking layer or an Embedding with mask_zero: where Keras' masks start. */
    private static Map<String, Set<Double>> maskedInputs(Map<String, Object> layers, Map<String, List<List<Object>>> refs) {
        Map<String, Set<Double>> r = new java.util.HashMap<>();
        for (var e : refs.entrySet()) {
            Object l = layers.get(e.getKey());
            Double value = l instanceof Masking m ? Double.valueOf((float) m.maskValue()) : l instanceof Embedding emb && emb.maskZero() ? 0.0 : null;
            if (value == null) continue;
            for (List<Object> call : e.getValue()) if (!call.isEmpty()) r.computeIfAbsent(key(call.get(0)), k -> new HashSet<>()).add(value);
        }
        return r;
    }

    private static void tensors(Object v, List<List<?>> out) {
        if (v instanceof List<?> l) {
            for (Object o : l) tensors(o, out);
        } else if (v instanceof Map<?, ?> m) {
            if ("__keras_tensor__".equals(m.get("class_name")) && m.get("config") instanceof Map<?, ?> c && c.get("keras_history") instanceof List<?> h) {
                out.add(h);
            } else {
                for (Object o : m.values()) tensors(o, out);
            }
        }
    }

    private static String refName(Object ref) {
        return ref instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String s ? s : null;
    }

    /** A ref as a comparable key: JSON numbers may be Long or Integer. */
    private static String key(Object ref) {
        if (!(ref instanceof List<?> l)) return String.valueOf(ref);
        StringBuilder b = new StringBuilder();
        for (Object o : l.subList(0, Math.min(3, l.size()))) b.append(o instanceof Number n ? String.valueOf(n.longValue()) : String.valueOf(o)).append('/');
        return b.toString();
    }
}
