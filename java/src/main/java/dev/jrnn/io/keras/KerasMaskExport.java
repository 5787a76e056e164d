package dev.jrnn.io.keras;

import dev.jrnn.layers.Activation;
import dev.jrnn.layers.BaseDenseAttention;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Call;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dot;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.ELU;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GaussianDropout;
import dev.jrnn.layers.GaussianNoise;
import dev.jrnn.layers.Identity;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.LayerNormalization;
import dev.jrnn.layers.LeakyReLU;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Merge;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.PReLU;
import dev.jrnn.layers.ReLU;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.Softmax;
import dev.jrnn.layers.SpatialDropout1D;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.Model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The masks a {@code .keras} file passes explicitly, as Keras 3 records them. Keras 3's {@code Layer.__call__} fills a
 * layer's {@code mask} argument only for a call of one tensor argument, and (its kwargs dict being the one the node keeps)
 * records it in the node: a functional config then lists the ops of the mask among its layers and names the last in the
 * node's {@code mask}. jrnn writes them as Keras does for the calls Keras records ({@link dev.jrnn.layers.MaskArgument#recorded}): {@code not_equal(tokens, 0)} for Embedding(mask_zero), {@code any(not_equal(x, mask_value), axis=-1)} for
 * Masking, {@code logical_or} where merges combine masks, a Concatenate's {@code expand_dims} / {@code zeros_like} /
 * {@code ones_like} / {@code concatenate} / {@code any} (on the features or along the steps: the same ops on the layer's
 * axis), an attention layer's {@code convert_to_tensor}.
 * Left implicit, Keras would rebuild those ops while loading under automatic names, and a layer or op of the file that has
 * one of them ("concatenate", "not_equal") makes load_model fail: "The name ... is used 2 times in the model". Where one
 * recorded mask cannot be named (after a layer not listed here), every recorded mask is
 * left to Keras to rebuild: written ones beside it would clash with the names Keras gives its rebuilt ops.
 * <p>
 * Keras 3 does not fill the mask of a recurrent call with initial states ({@code LSTM(x, initial_state=s)}, two tensor
 * arguments), so it runs it unmasked unless the call names {@code mask=}; jrnn's {@link Layer#apply} masks such a call (as
 * tf.keras 2), and the writer gives it its mask the same way. A call made with {@link Layer#applyUnmasked} is written
 * without one. Where the mask reaching such a call cannot be named, the .keras save is refused, naming the layer.
 * {@link KerasMaskOps} reads the ops back.
 */
final class KerasMaskExport {
    /** A mask computed by a Masking or Embedding(mask_zero) {@code layer} from {@code input}. */
    private record Source(Layer layer, Node input) {}

    /** The OR of masks, as a merge layer's when every input has one; {@code steps} their length (-1: any). */
    private record Or(List<Object> parts, int steps) {}

    /**
     * A Concatenate's, along the features or the steps (Keras' compute_mask is the same ops for either axis): each
     * input's mask (NONE: ones) widened to its features, joined along {@code axis}, any over the features; {@code out}
     * the layer's output shape per sample.
     */
    private record Concat(List<Object> parts, List<Node> inputs, int axis, int[] out) {}

    /** An attention layer's: its query's mask through {@code ops.convert_to_tensor}; {@code steps} the query's. */
    private record Converted(Object part, int steps) {}


    private static final Object NONE = new Object(), OTHER = new Object();

    private final Map<Node, Object> origins = new IdentityHashMap<>();
    private final Map<Object, String> written = new LinkedHashMap<>();
    private final Set<String> taken = new HashSet<>();

    private final Model model;
    /** Whether every recorded mask of the model can be written as ops (see {@link #allRecordedNamed}); null until asked. */
    private Boolean allNamed;

    KerasMaskExport(Model model) {
        this.model = model;
        for (Layer l : model.layers()) taken.add(l.name());
        for (Node in : model.inputs()) taken.add(in.layer().name());
    }

    /**
     * The {@code mask} call argument {@code call} needs in a Keras 3 file, or null; the op entries it needs that were not
     * written yet are added to {@code entries}. {@code tensor} writes a node as a keras tensor.
     */
    Map<String, Object> maskArgument(Call call, List<Object> entries, Function<Node, Map<String, Object>> tensor) {
        boolean initial = needsMask(call);
        boolean recorded = !initial && dev.jrnn.layers.MaskArgument.recorded(call);
        if (!initial && !recorded) return null;
        // one mask left to Keras to rebuild gets its ops' automatic names ("not_equal", ...), which the written ones
        // would then clash with: then all recorded masks are left to Keras, as before they were written at all
        if (recorded && !allRecordedNamed()) return null;
        Object o = origin(call.inputs().get(0));
        if (o == NONE) return null;
        Layer l = call.layer();
        if (o == OTHER) {
            if (recorded) return null;   // Keras rebuilds it as it loads
            throw new IllegalArgumentException("layer '" + l.name() + "' (" + l.kerasClass() + ") is called with initial states on a"
                    + " masked input whose mask the .keras writer cannot write as Keras' ops (it can from Masking and"
                    + " Embedding(mask_zero=True), through layers that pass a mask on unchanged, merges, Concatenate and"
                    + " attention layers); Keras 3 runs such a call unmasked unless the file passes its mask: save"
                    + " it as .h5 (tf.keras 2, which masks the call), or make the call with applyUnmasked to save Keras 3's reading");
        }
        return boolTensor(emit(o, entries, tensor), new int[] {call.inputs().get(0).shape()[0]});
    }

    /** Whether the mask of every call Keras records ({@link dev.jrnn.layers.MaskArgument#recorded}) can be named as ops. */
    private boolean allRecordedNamed() {
        if (allNamed == null) {
            allNamed = true;
            for (Layer l : model.layers()) {
                for (Call c : l.calls()) {
                    if (!needsMask(c) && dev.jrnn.layers.MaskArgument.recorded(c) && origin(c.inputs().get(0)) == OTHER) allNamed = false;
                }
            }
        }
        return allNamed;
    }

    /** Writes the ops of mask {@code o} not written yet into {@code entries}; returns the name of the op that gives it. */
    private String emit(Object o, List<Object> entries, Function<Node, Map<String, Object>> tensor) {
        String name = written.get(o);
        if (name != null) return name;
        if (o instanceof Source s) {
            int[] shape = s.input().shape();
            name = fresh("not_equal");
            Object value = s.layer() instanceof Masking m ? (Object) m.maskValue() : (Object) 0L;
            entries.add(op("NotEqual", name, Map.of(), List.of(tensor.apply(s.input()), value)));
            if (s.layer() instanceof Masking) {
                String ne = name;
                name = fresh("any");
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("axis", -1L);
                c.put("keepdims", false);
                entries.add(op("Any", name, c, List.of(boolTensor(ne, shape))));
            }
        } else if (o instanceof Converted c) {   // Attention.compute_mask: ops.convert_to_tensor(mask[0])
            String q = emit(c.part(), entries, tensor);
            int[] steps = {c.steps()};
            name = fresh("convert_to_tensor");
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("dtype", null);
            cfg.put("sparse", null);
            cfg.put("ragged", null);
            Map<String, Object> e = op("ConvertToTensor", name, cfg, List.of(boolTensor(q, steps)));
            e.put("module", "keras.src.ops.core");
            entries.add(e);
        } else if (o instanceof Concat c) {   // Concatenate.compute_mask, input by input, then concatenate and any
            List<Object> widened = new ArrayList<>();
            for (int k = 0; k < c.parts().size(); k++) {
                Node in = c.inputs().get(k);
                int[] shape = in.shape();
                Map<String, Object> boolOf = Map.of("dtype", "bool");
                if (c.parts().get(k) == NONE) {
                    String ones = fresh("ones_like");
                    entries.add(op("OnesLike", ones, boolOf, List.of(tensor.apply(in))));
                    widened.add(boolTensor(ones, shape));
                    continue;
                }
                String m = emit(c.parts().get(k), entries, tensor);
                String ex = fresh("expand_dims");
                entries.add(op("ExpandDims", ex, Map.of("axis", -1L), List.of(boolTensor(m, new int[] {shape[0]}))));
                String zeros = fresh("zeros_like");
                entries.add(op("ZerosLike", zeros, boolOf, List.of(tensor.apply(in))));
                String or = fresh("logical_or");
                entries.add(op("LogicalOr", or, Map.of(), List.of(boolTensor(ex, new int[] {shape[0], 1}), boolTensor(zeros, shape))));
                widened.add(boolTensor(or, shape));
            }
            String cat = fresh("concatenate");
            entries.add(op("Concatenate", cat, Map.of("axis", (long) c.axis()), List.of(widened)));
            name = fresh("any");
            Map<String, Object> any = new LinkedHashMap<>();
            any.put("axis", -1L);
            any.put("keepdims", false);
            entries.add(op("Any", name, any, List.of(boolTensor(cat, c.out()))));
        } else {
            List<Object> parts = ((Or) o).parts();
            int[] steps = {((Or) o).steps()};
            name = emit(parts.get(0), entries, tensor);
            for (Object p : parts.subList(1, parts.size())) {   // as Keras' Merge.compute_mask: logical_or, input by input
                String next = emit(p, entries, tensor), prev = name;
                name = fresh("logical_or");
                entries.add(op("LogicalOr", name, Map.of(), List.of(boolTensor(prev, steps), boolTensor(next, steps))));
            }
        }
        written.put(o, name);
        return name;
    }

    /**
     * Refuses a call tf.keras 2's {@code .h5} cannot hold: one made with {@link Layer#applyUnmasked} on a masked input
     * (tf.keras 2 masks it).
     */
    void refuseUnmaskedCalls(Model model) {
        Set<Call> calls = new java.util.LinkedHashSet<>();   // this model's calls only: a shared layer's calls in other models are theirs
        java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>(model.outputs());
        while (!todo.isEmpty()) {
            Call c = todo.pop().call();
            if (calls.add(c)) todo.addAll(c.inputs());
        }
        for (Call c : calls) {
            if (!c.usesInputMask() && origin(c.inputs().get(0)) != NONE) {
                Layer l = c.layer();
                throw new IllegalArgumentException("layer '" + l.name() + "' (" + l.kerasClass() + ") runs its call with initial"
                        + " states unmasked, as Keras 3 ran it (made with applyUnmasked, or read from a Keras 3 file), on a"
                        + " masked input; tf.keras 2 masks such a call, so its .h5 would compute something else: save it as"
                        + " .keras (Keras 3) instead");
            }
        }
    }

    /** A masked call Keras 3 would run unmasked: a recurrent layer's or Bidirectional's, with initial states. */
    private static boolean needsMask(Call call) {
        Layer l = call.layer();
        return call.usesInputMask() && call.inputs().size() > 1 && (l instanceof RecurrentLayer || l instanceof Bidirectional);
    }

    /** Where the mask of {@code n} comes from: NONE, a Source, or OTHER (a mask the writer cannot name). */
    private Object origin(Node n) {
        Object known = origins.get(n);
        if (known != null) return known;
        Call c = n.call();
        Object r = NONE;
        if (!c.isInput()) {
            Layer l = c.layer();
            Node in = c.inputs().get(0);
            boolean anyMasked = false;
            for (Node i : c.inputs()) anyMasked |= origin(i) != NONE;
            if (l instanceof Masking || l instanceof Embedding e && e.maskZero()) {
                r = new Source(l, in);
            } else if (!anyMasked || !l.passesMask() || n.shape().length < 2) {
                r = NONE;   // no mask reaches it, Keras drops it there (Conv1D, the poolings), or no steps are left (Flatten)
            } else if (l instanceof BaseDenseAttention) {
                Object q = origin(in);   // the query's mask, in Keras and jrnn
                r = q == NONE || q == OTHER ? q : new Converted(q, in.shape()[0]);
            } else if (l instanceof MultiHeadAttention) {
                r = origin(in);   // the query's mask (Layer.__call__'s previous_mask), no op
            } else if (l instanceof RecurrentLayer || l instanceof Bidirectional) {
                r = n.shape().length >= 2 ? origin(in) : NONE;   // sequences carry the input's mask, states none
            } else if (l instanceof Concatenate cat) {
                // along the features the steps agree; along the steps (jrnn puts the masks side by side, Keras' any over
                // the features of the widened masks joined on axis 1 gives the same) sequences of features, as jrnn joins
                boolean steps = alongSteps(cat, n);
                List<Object> parts = new ArrayList<>();
                for (Node i : c.inputs()) {
                    Object p = origin(i);
                    if (p == OTHER || i.shape().length != n.shape().length || (steps ? n.shape().length != 2 : i.shape()[0] != n.shape()[0])) {
                        return record(n, OTHER);
                    }
                    parts.add(p);
                }
                r = new Concat(parts, c.inputs(), cat.axis(), n.shape());
            } else if (l instanceof Merge && !(l instanceof Dot) && !(l instanceof Concatenate)) {
                List<Object> parts = new ArrayList<>();
                for (Node i : c.inputs()) {
                    Object p = origin(i);
                    if (p == OTHER || i.shape().length < 2 || i.shape()[0] != n.shape()[0]) return record(n, OTHER);
                    if (p == NONE) return record(n, NONE);   // Keras 3.4 and later: no mask when an input has none
                    parts.add(p);
                }
                r = parts.size() == 1 ? parts.get(0) : new Or(parts, n.shape()[0]);
            } else if (passesUnchanged(l) && c.inputs().size() == 1 && n.shape().length >= 2 && n.shape()[0] == in.shape()[0]) {
                r = origin(in);
            } else {
                r = OTHER;
            }
        }
        return record(n, r);
    }

    private Object record(Node n, Object origin) {
        origins.put(n, origin);
        return origin;
    }

    /** Whether a Concatenate joins sequences along their steps (its mask is then the masks side by side). */
    private static boolean alongSteps(Concatenate c, Node out) {
        int rank = out.shape().length, axis = c.axis() < 0 ? c.axis() + rank + 1 : c.axis();
        return rank < 2 || axis != rank;
    }

    /** Layers whose output carries their input's mask unchanged, in Keras and jrnn. */
    private static boolean passesUnchanged(Layer l) {
        if (l instanceof TimeDistributed t) return t.layer() instanceof Dense;
        return l instanceof Dense || l instanceof Dropout || l instanceof SpatialDropout1D || l instanceof Activation || l instanceof Identity
                || l instanceof LayerNormalization || l instanceof BatchNormalization || l instanceof GaussianNoise
                || l instanceof GaussianDropout || l instanceof ReLU || l instanceof LeakyReLU || l instanceof PReLU || l instanceof ELU
                || l instanceof Softmax;
    }

    private String fresh(String base) {
        String name = base;
        for (int k = 1; !taken.add(name); k++) name = base + "_" + k;
        return name;
    }

    /** An op entry as Keras 3 lists it among a functional model's layers. */
    private static Map<String, Object> op(String cls, String name, Map<String, Object> extra, List<Object> args) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", name);
        config.putAll(extra);
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("args", args);
        node.put("kwargs", new LinkedHashMap<>());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("module", "keras.src.ops.numpy");
        s.put("class_name", cls);
        s.put("config", config);
        s.put("registered_name", cls);
        s.put("name", name);
        s.put("inbound_nodes", List.of(node));
        return s;
    }

    /** The boolean keras tensor an op writes, of per-sample {@code shape}. */
    private static Map<String, Object> boolTensor(String op, int[] shape) {
        List<Object> s = new ArrayList<>();
        s.add(null);
        for (int d : shape) s.add(d < 0 ? null : (Object) (long) d);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("shape", s);
        c.put("dtype", "bool");
        c.put("keras_history", List.of(op, 0L, 0L));
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("class_name", "__keras_tensor__");
        t.put("config", c);
        return t;
    }
}
