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
 * {@code keras.src.ops.numpy}, no module in a legacy {@code .h5}) read as jrnn's merge layers of those names, only where
 * they compute the same: two tensors (no constants) of one float dtype and one static shape (the layers broadcast as
 * Keras' merge layers do, the ops as NumPy: the same only for equal shapes), and no mask anywhere upstream (an op's output
 * carries no mask in Keras 3, the merge layers pass their inputs' on; with no Masking or Embedding(mask_zero) before
 * them there is none to pass, nor past a layer that drops its mask). Anything else stays refused, naming the op and why.
 */
final class KerasArithmeticOps {
    private KerasArithmeticOps() {}

    private static final Set<String> CLASSES = Set.of("Add", "Subtract", "Multiply");
    private static final Set<String> FLOATS = Set.of("float16", "bfloat16", "float32", "float64");

    /** Whether a layers entry is one of these ops (not the layer of that name: a keras.src.ops module, or no trainable). */
    static boolean is(KerasConfig spec, int kerasMajor) {
        if (!CLASSES.contains(spec.string("class_name", ""))) return false;
        String m = spec.string("module", null);
        if (m != null) return m.startsWith("keras.src.ops.") || m.startsWith("keras.ops");
        return kerasMajor >= 3 && spec.raw("config") instanceof Map<?, ?> c && !c.containsKey("trainable");
    }

    private static String describe(KerasConfig spec) {
        return "operation '" + spec.string("name", "?") + "' (" + spec.string("class_name") + ", keras.ops)";
    }

    /** The op's calls as refs: each call's two args, checked to be tensors of one float dtype and one static shape. */
    static List<List<Object>> refs(KerasConfig spec, String where) {
        List<List<Object>> r = new ArrayList<>();
        List<?> nodes = spec.has("inbound_nodes") ? spec.list("inbound_nodes") : List.of();
        for (Object node : nodes) {
            List<?> args = node instanceof Map<?, ?> k3 && k3.get("args") instanceof List<?> a ? a : null;
            if (args == null || args.size() != 2) {
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
                            + " (a constant: use a layer, e.g. Rescaling, or build the model in jrnn)");
                }
                refs.add(new KerasConfig(c, where).list("keras_history"));
                shapes.add(c.get("shape"));
                dtypes.add(c.get("dtype"));
            }
            if (!shapes.get(0).equals(shapes.get(1))) {
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
     * not seen here), lies before: jrnn's merge layer would pass a mask on where Keras' op passes none.
     */
    static void checkUnmasked(List<String> opNames, Map<String, Object> layers, Map<String, List<List<Object>>> refs, String where) {
        for (String op : opNames) {
            ArrayDeque<String> todo = new ArrayDeque<>(List.of(op));
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                String n = todo.pop();
                if (!seen.add(n)) continue;
                Object l = layers.get(n);
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
