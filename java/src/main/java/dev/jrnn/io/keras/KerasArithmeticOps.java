package dev.jrnn.io.keras;

import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.RecurrentLayer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keras 3's arithmetic on tensors ({@code a + b}, {@code a - b}, {@code a * b}: the ops Add, Subtract, Multiply of
 * {@code keras.src.ops.numpy}, no module in a legacy {@code .h5}; tf.keras 2's TFOpLambda of {@code __operators__.add},
 * {@code math.subtract}, {@code math.multiply}, whose call holds the second tensor as {@code y}; Keras 3's
 * {@code ops.concatenate} along an axis other than the batch, where data flows from it (not a mask computation)) read as jrnn's merge layers of those names, only where
 * they compute the same: two tensors (no constants) of one float dtype and one static shape (the layers broadcast as
 * Keras' merge layers do, the ops as NumPy: the same only for equal shapes), and no mask anywhere upstream (an op's output
 * carries no mask in Keras 3, the merge layers pass their inputs' on; with no Masking or Embedding(mask_zero) before
 * them there is none to pass, nor past a layer that drops its mask). Anything else stays refused, naming the op and why.
 */
final class KerasArithmeticOps {
    private KerasArithmeticOps() {}

    private static final Set<String> CLASSES = Set.of("Add", "Subtract", "Multiply");
    private static final Set<String> FLOATS = Set.of("float16", "bfloat16", "float32", "float64");

    /** tf.keras 2's TFOpLambda functions of {@code a + b}, {@code a * b}, {@code a - b} and the layers they are read as. */
    private static final Map<String, String> TF_FUNCTIONS = Map.of("__operators__.add", "Add", "math.add", "Add",
            "math.multiply", "Multiply", "math.subtract", "Subtract");

    /**
     * Whether a layers entry is one of these ops (not the layer of that name: a keras.src.ops module, or no trainable), or
     * a tf.keras TFOpLambda (any: {@link #tfOp} refuses the functions it does not read).
     */
    static boolean is(KerasConfig spec, int kerasMajor, Set<String> dataRefs) {
        if ("TFOpLambda".equals(spec.string("class_name", ""))) return true;
        boolean concat = "Concatenate".equals(spec.string("class_name", ""));
        if (!CLASSES.contains(spec.string("class_name", "")) && !concat) return false;
        // a Concatenate op also computes Keras' Concatenate layer's mask: read as the layer only where data flows from it
        if (concat && !dataRefs.contains(spec.string("name", ""))) return false;
        String m = spec.string("module", null);
        if (m != null) return m.startsWith("keras.src.ops.") || m.startsWith("keras.ops");
        return kerasMajor >= 3 && spec.raw("config") instanceof Map<?, ?> c && !c.containsKey("trainable");
    }

    private static String describe(KerasConfig spec) {
        return "operation '" + spec.string("name", "?") + "' (" + spec.string("class_name") + ", keras.ops)";
    }

    /** The mask ops' classes (KerasMaskOps): what entries of these classes take is a mask, not data. */
    private static final Set<String> MASK_CLASSES = Set.of("NotEqual", "Any", "All", "LogicalOr", "ExpandDims", "Concatenate",
            "OnesLike", "ZerosLike", "BroadcastTo", "ConvertToTensor", "Cast");

    /**
     * The names whose outputs a Keras 3 functional config passes as data: in the args of an entry that is not a mask op
     * (a layer, a GetItem, an arithmetic op), and in its outputs. Keras' mask computations pass their tensors in
     * kwargs (mask=...) and among mask ops only.
     */
    static Set<String> dataRefs(List<?> specs, List<Object> outputs) {
        Set<String> r = new HashSet<>();
        for (Object o : specs) {
            if (!(o instanceof Map<?, ?> e) || !(e.get("inbound_nodes") instanceof List<?> nodes)) continue;
            boolean layer = e.get("config") instanceof Map<?, ?> c && c.containsKey("trainable");
            if (MASK_CLASSES.contains(String.valueOf(e.get("class_name"))) && !layer) continue;
            for (Object n : nodes) {
                if (!(n instanceof Map<?, ?> k3)) continue;
                names(k3.get("args"), r);
                // a layer's other tensor arguments (initial_state=, MultiHeadAttention's value=) are data; its mask is not
                if (k3.get("kwargs") instanceof Map<?, ?> kw) for (var a : kw.entrySet()) if (!"mask".equals(a.getKey())) names(a.getValue(), r);
            }
        }
        for (Object o : outputs) r.add((String) ((List<?>) o).get(0));   // the model's outputs, flattened (KerasCalls.refs)
        // a Concatenate op that data flows from passes data on: its own args are data too (nested concatenations)
        for (boolean grew = true; grew; ) {
            grew = false;
            for (Object o : specs) {
                if (!(o instanceof Map<?, ?> e) || !"Concatenate".equals(e.get("class_name")) || !r.contains(String.valueOf(e.get("name")))
                        || !(e.get("inbound_nodes") instanceof List<?> nodes)) continue;
                Set<String> more = new HashSet<>();
                for (Object n : nodes) if (n instanceof Map<?, ?> k3) names(k3.get("args"), more);
                grew |= r.addAll(more);
            }
        }
        return r;
    }

    private static void names(Object v, Set<String> out) {
        if (v instanceof List<?> l) {
            for (Object o : l) names(o, out);
        } else if (v instanceof Map<?, ?> m && "__keras_tensor__".equals(m.get("class_name")) && m.get("config") instanceof Map<?, ?> c
                && c.get("keras_history") instanceof List<?> h && !h.isEmpty() && h.get(0) instanceof String s) {
            out.add(s);
        }
    }

    /** The merge layer for a tf.keras TFOpLambda of {@link #TF_FUNCTIONS}; any other function refused naming it. */
    static Layer tfOp(KerasConfig c, String where) {
        String f = c.string("function", null);
        String cls = TF_FUNCTIONS.get(f);
        if (cls == null) {
            throw new KerasFormatException(where + ": TFOpLambda of function '" + f + "' is not supported; jrnn reads "
                    + new java.util.TreeSet<>(TF_FUNCTIONS.keySet()) + " (a + b, a * b, a - b of two tensors) as its merge layers");
        }
        return switch (cls) {
            case "Add" -> new dev.jrnn.layers.Add();
            case "Multiply" -> new dev.jrnn.layers.Multiply();
            default -> new dev.jrnn.layers.Subtract();
        };
    }

    /** tf.keras' call: [x layer, node, tensor, {"y": [layer, node, tensor], "name": ...}], or that in a list of one. */
    private static List<Object> tfRefs(KerasConfig spec, Object node, String where) {
        if (node instanceof List<?> l && l.size() == 1 && l.get(0) instanceof List<?> inner) return tfRefs(spec, inner, where);
        if (!(node instanceof List<?> l) || l.size() != 4 || !(l.get(0) instanceof String) || !(l.get(3) instanceof Map<?, ?> kw)) {
            throw new KerasFormatException(where + ": a TFOpLambda node should be [layer, node, tensor, {\"y\": ...}], got " + KerasConfig.describe(node));
        }
        if (l.get(0).equals("_CONSTANT_VALUE")) {   // node.py's form of a constant first argument (1.0 + x)
            throw new KerasFormatException(where + ": " + describe(spec) + " takes the constant " + KerasConfig.describe(l.get(2))
                    + "; jrnn reads these ops between two tensors only, as its merge layers");
        }
        for (var e : kw.entrySet()) {
            if (!e.getKey().equals("y") && !e.getKey().equals("name")) {
                throw new KerasFormatException(where + ": call argument '" + e.getKey() + "' of " + describe(spec) + " is not supported");
            }
        }
        Object y = kw.get("y");
        if (!(y instanceof List<?> ref) || ref.size() != 3 || !(ref.get(0) instanceof String)) {
            throw new KerasFormatException(where + ": " + describe(spec) + " takes the constant " + KerasConfig.describe(y)
                    + "; jrnn reads these ops between two tensors only, as its merge layers");
        }
        return new ArrayList<>(List.of(new ArrayList<>(l.subList(0, 3)), new ArrayList<>(ref)));
    }

    /**
     * Refuses a call of an op read here (tf.keras' configs hold no shapes: checked once the model is wired) whose two
     * inputs differ in shape: NumPy's broadcasting and the merge layers' differ there.
     */
    static void checkShapes(Map<Layer, String> ops) {   // each op's layer with its name in the file
        for (var e : ops.entrySet()) {
            Layer l = e.getKey();
            String op = e.getValue();
            if (l instanceof dev.jrnn.layers.Concatenate) continue;   // its own check: the axes besides its axis
            for (dev.jrnn.layers.Call call : l.calls()) {
                List<dev.jrnn.layers.Node> in = call.inputs();
                if (in.size() == 2 && !java.util.Arrays.equals(in.get(0).shape(), in.get(1).shape())) {
                    throw new KerasFormatException("operation '" + op + "' (" + l.kerasClass() + ", an op in Keras) broadcasts shapes "
                            + dev.jrnn.tensor.Tensor.shapeString(in.get(0).shape()) + " and " + dev.jrnn.tensor.Tensor.shapeString(in.get(1).shape())
                            + " (per sample); jrnn reads it as its layer " + l.kerasClass() + " only for equal shapes");
                }
            }
        }
    }

    /** The op's calls as refs: each call's two args, checked to be tensors of one float dtype and one static shape. */
    static List<List<Object>> refs(KerasConfig spec, String where) {
        List<List<Object>> r = new ArrayList<>();
        List<?> nodes = spec.has("inbound_nodes") ? spec.list("inbound_nodes") : List.of();
        for (Object node : nodes) {
            if (node instanceof List<?>) {
                r.add(tfRefs(spec, node, where));
                continue;
            }
            List<?> args = node instanceof Map<?, ?> k3 && k3.get("args") instanceof List<?> a ? a : null;
            boolean concat = spec.string("class_name").equals("Concatenate");
            if (concat) {   // ops.concatenate(xs, axis): args [xs]; axis 0 (its default) is the batch
                Object axis = spec.object("config").raw("axis");
                if (!(axis instanceof Long k) || k == 0) {
                    throw new KerasFormatException(where + ": " + describe(spec) + " concatenates along axis " + KerasConfig.describe(axis)
                            + "; jrnn reads it as its layer Concatenate along an axis other than the batch (0, ops.concatenate's default)");
                }
                args = args != null && args.size() == 1 && args.get(0) instanceof List<?> xs ? xs : null;
            }
            if (args == null || (concat ? args.size() < 2 : args.size() != 2)) {
                throw new KerasFormatException(where + ": " + describe(spec) + " has a call " + KerasConfig.describe(node)
                        + "; expected Keras 3's {\"args\": [x1, x2], ...}");
            }
            List<Object> refs = new ArrayList<>();
            List<Object> shapes = new ArrayList<>();
            Set<Object> dtypes = new HashSet<>();
            for (Object a : args) {
                if (!(a instanceof Map<?, ?> t) || !"__keras_tensor__".equals(t.get("class_name")) || !(t.get("config") instanceof Map<?, ?> c)) {
                    throw new KerasFormatException(where + ": " + describe(spec) + " takes the constant " + KerasConfig.describe(a)
                            + "; jrnn reads these ops between two tensors only, as its layer " + spec.string("class_name")
                            + " (jrnn has no layer that takes a constant operand: build the model in jrnn, folding the constant into a layer's weights)");
                }
                refs.add(new KerasConfig(c, where).list("keras_history"));
                shapes.add(c.get("shape"));
                dtypes.add(c.get("dtype"));
            }
            if (!concat && !shapes.get(0).equals(shapes.get(1))) {
                throw new KerasFormatException(where + ": " + describe(spec) + " broadcasts shapes " + shapes.get(0) + " and " + shapes.get(1)
                        + "; jrnn reads it as its layer " + spec.string("class_name") + " only for equal shapes (NumPy's broadcasting"
                        + " and Keras' merge layers' differ otherwise)");
            }
            if (dtypes.size() != 1 || !FLOATS.contains(String.valueOf(dtypes.iterator().next()))) {
                throw new KerasFormatException(where + ": " + describe(spec) + " takes tensors of dtypes " + dtypes
                        + "; jrnn reads it between float tensors of one dtype only");
            }
            r.add(refs);
        }
        return r;
    }

    /**
     * Refuses an op read by {@link #refs} that a Masking or Embedding(mask_zero) layer, or a nested model (whose masks are
     * not seen here), lies before: jrnn's merge layer would pass a mask on where Keras' op passes none. In a nested model
     * ({@code nested}) its inputs' masks come from the caller, unseen here: reaching one is refused too.
     */
    static void checkUnmasked(List<String> opNames, Map<String, Object> layers, Map<String, List<List<Object>>> refs, String where,
                              boolean nested) {
        for (String op : opNames) {
            ArrayDeque<String> todo = new ArrayDeque<>(List.of(op));
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                String n = todo.pop();
                if (!seen.add(n)) continue;
                Object l = layers.get(n);
                if (l == null && nested) {
                    throw new KerasFormatException(where + ": operation '" + op + "' (keras.ops) takes the input '" + n + "' of a nested"
                            + " model, whose mask its caller sets; jrnn reads these ops as merge layers only where no mask can reach them");
                }
                boolean masks = l instanceof Masking || l instanceof Embedding e && e.maskZero();
                if (masks || l != null && !(l instanceof Layer)) {
                    throw new KerasFormatException(where + ": operation '" + op + "' (keras.ops) takes tensors that "
                            + (masks ? "layer '" + n + "' (" + ((Layer) l).kerasClass() + ") may mask" : "nested model '" + n + "' may mask")
                            + "; Keras' op passes no mask on, jrnn's " + ((Layer) layers.get(op)).kerasClass() + " layer would: use"
                            + " layers." + ((Layer) layers.get(op)).kerasClass() + " in Keras, whose mask jrnn follows");
                }
                // past a layer that drops masks (GetItem, Conv1D, ...) or its time axis (a recurrent layer's last output) none comes
                if (!n.equals(op) && l instanceof Layer y && (!y.passesMask() || y instanceof RecurrentLayer r && !r.returnSequences())) continue;
                for (List<Object> call : refs.getOrDefault(n, List.of())) {
                    for (Object ref : call) if (ref instanceof List<?> r && !r.isEmpty() && r.get(0) instanceof String s) todo.push(s);
                }
            }
        }
    }
}
