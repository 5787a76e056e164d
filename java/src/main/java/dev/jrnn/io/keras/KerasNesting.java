package dev.jrnn.io.keras;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.CallGroup;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A functional model's calls of nested functional models as Keras 3 keeps them: each top-level call one node of a nested
 * {@code Functional} operation (its own config entry, weights under {@code layers/functional/layers/}), the calls it made
 * inside left out of the outer graph. jrnn flattens such calls into its graph ({@link CallGroup}); this puts them back
 * for {@code .keras}, {@code toJson} and so {@code cloneModel}. A nested call's record is the nested {@link Model}
 * (jrnn's {@code Model.apply}, or the model {@link KerasSubModels.FunctionalModel} builds of a loaded one).
 */
final class KerasNesting {
    /** Each used call inside a top-level nested call, and that call. */
    private final Map<Call, CallGroup> top = new IdentityHashMap<>();
    /** The outer model's operations (a Layer or a nested Model) in Keras' {@code _map_graph_network} depth order. */
    final List<Object> operations = new ArrayList<>();
    /** Each top-level nested call's node index among its model's calls in the outer model (from 0). */
    private final Map<CallGroup, Integer> groupIndex = new IdentityHashMap<>();
    /** Each nested model's calls in the outer model, in that order. */
    final Map<Model, List<CallGroup>> calls = new IdentityHashMap<>();

    private KerasNesting() {}

    /**
     * {@code model}'s nested calls, or null where it has none that Keras' nested form can hold (a Sequential; a nested
     * Sequential, dict model or call whose inside the outer model reaches into is left flat, as before).
     */
    static KerasNesting of(Model model) {
        if (model instanceof Sequential) return null;
        Set<Call> used = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> todo = new ArrayDeque<>(model.outputs());
        while (!todo.isEmpty()) {
            Call c = todo.pop().call();
            if (used.add(c)) todo.addAll(c.inputs());
        }
        KerasNesting k = new KerasNesting();
        for (Call c : used) {
            CallGroup g = null;
            for (CallGroup x = c.group(); x != null; x = x.parent()) if (nestable(x)) g = x;
            if (g != null) k.top.put(c, g);
        }
        if (k.top.isEmpty()) return null;
        // every reference across a nested call's boundary must be one of its outputs (else: flat)
        for (Call c : used) {
            if (k.top.containsKey(c)) {
                CallGroup g = k.top.get(c);
                for (Node n : c.inputs()) {
                    CallGroup h = k.top.get(n.call());
                    if (h != g && !k.crosses(n, h)) return null;
                }
            } else {
                for (Node n : c.inputs()) if (!k.crosses(n, k.top.get(n.call()))) return null;
            }
        }
        for (Node o : model.outputs()) if (!k.crosses(o, k.top.get(o.call()))) return null;
        for (CallGroup g : new ArrayList<>(k.top.values())) {
            for (Node n : g.inputs()) if (!k.crosses(n, k.top.get(n.call()))) return null;
        }
        k.order(model);
        // names must be unique among a config's entries: a name met twice (a model loaded with a layer at two levels) stays flat
        Set<String> names = new java.util.HashSet<>();
        for (Object op : k.operations) if (!names.add(op instanceof Layer l ? l.name() : ((Model) op).name())) return null;
        return k;
    }

    /** A call of a nested functional model the nested form can write (list or single inputs and outputs). */
    private static boolean nestable(CallGroup g) {
        return g.outputs() != null && g.operation() instanceof Model m && !(m instanceof Sequential)
                && !m.dictInputs() && !m.dictOutputs() && m.isBuilt();
    }

    /** Whether {@code n}, made in top-level nested call {@code g} (null: none), may be referenced from outside it. */
    private boolean crosses(Node n, CallGroup g) {
        return g == null || g.outputs().contains(n);
    }

    /** The top-level nested call {@code c} was made in, or null (a call of the outer graph). */
    CallGroup group(Call c) { return top.get(c); }

    /** Whether {@code c} is a call of the outer graph that the outer model uses, not one inside a nested call. */
    boolean outer(Call c) { return !top.containsKey(c); }

    /** {@code g}'s node index among its model's calls in the outer model, from 0 (Keras' inbound node refs). */
    int index(CallGroup g) { return groupIndex.get(g); }

    /** A unit of the outer graph: a Call, or a top-level nested call (CallGroup). */
    private Object unit(Call c) {
        CallGroup g = top.get(c);
        return g == null ? c : g;
    }

    private List<Node> inputs(Object u) { return u instanceof Call c ? c.inputs() : ((CallGroup) u).inputs(); }

    private Object op(Object u) { return u instanceof Call c ? c.layer() : ((CallGroup) u).operation(); }

    /**
     * The operations by Keras' depth (as {@code Graph} orders jrnn's layers, with each nested call one node), and the
     * nested calls numbered in a run order of the outer graph (Keras makes them again in the order the config lists them).
     */
    private void order(Model model) {
        List<Object> post = new ArrayList<>();
        Map<Object, Integer> opIndex = new IdentityHashMap<>();
        Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node o : model.outputs()) visit(unit(o.call()), post, opIndex, done);
        Map<Object, Integer> unitDepth = new IdentityHashMap<>();
        Map<Object, Integer> opDepth = new IdentityHashMap<>();
        for (int i = post.size() - 1; i >= 0; i--) {
            Object u = post.get(i);
            int d = Math.max(unitDepth.getOrDefault(u, 0), opDepth.getOrDefault(op(u), 0));
            opDepth.put(op(u), d);
            unitDepth.put(u, d);
            for (Node in : inputs(u)) unitDepth.merge(unit(in.call()), d + 1, Math::max);
        }
        for (Node n : model.inputs()) {
            if (!opDepth.containsKey(n.layer())) {   // an input no output depends on
                opDepth.put(n.layer(), 0);
                opIndex.put(n.layer(), -1);
            }
        }
        TreeMap<Integer, List<Object>> byDepth = new TreeMap<>(Collections.reverseOrder());
        for (var e : opDepth.entrySet()) byDepth.computeIfAbsent(e.getValue(), x -> new ArrayList<>()).add(e.getKey());
        for (List<Object> ops : byDepth.values()) {
            ops.sort((a, b) -> Integer.compare(opIndex.get(a), opIndex.get(b)));
            operations.addAll(ops);
        }
        for (Object u : post) {
            if (u instanceof CallGroup g) {
                List<CallGroup> mine = calls.computeIfAbsent((Model) g.operation(), x -> new ArrayList<>());
                groupIndex.put(g, mine.size());
                mine.add(g);
            }
        }
    }

    private void visit(Object u, List<Object> post, Map<Object, Integer> opIndex, Set<Object> done) {
        if (!done.add(u)) return;
        opIndex.putIfAbsent(op(u), opIndex.size());
        for (Node in : inputs(u)) visit(unit(in.call()), post, opIndex, done);
        post.add(u);
    }

    /**
     * {@code model}'s layers in Keras' {@code trainable_variables} order as the nested form writes it: its operations,
     * a nested model's layers at its place, depth first.
     */
    static List<Layer> leaves(Model model) { return leaves(model, of(model)); }

    /** {@link #leaves(Model)} of {@code model}, whose {@link #of} is {@code k}. */
    private static List<Layer> leaves(Model model, KerasNesting k) {
        List<Layer> r = new ArrayList<>();
        if (k == null) return model.layers();
        for (Object op : k.operations) {
            if (op instanceof Layer l) r.add(l);
            else r.addAll(leaves((Model) op));
        }
        return r;
    }

    /**
     * {@code model}'s operations with weights as Keras' legacy {@code .h5} lists them under {@code model_weights}, in
     * Keras' layer order: a layer, or a nested functional model ({@link #of} keeps it nested) whose one group holds all its
     * layers' arrays; null where the model nests none.
     */
    static List<Object> legacyUnits(Model model) { return legacyUnits(of(model)); }

    /** As {@link #legacyUnits(Model)}, of the nesting {@code k} already worked out for the model (null: none). */
    static List<Object> legacyUnits(KerasNesting k) {
        if (k == null) return null;
        List<Object> r = new ArrayList<>();
        for (Object op : k.operations) {
            if (op instanceof Layer l ? !l.params().isEmpty() : leaves((Model) op).stream().anyMatch(l -> !l.params().isEmpty())) r.add(op);
        }
        return r;
    }

    /**
     * A nested model as its legacy {@code .h5} group orders it ({@link Keras2Weights#splitNested}): its flag and its
     * operations, a nested functional model's own below it.
     */
    static Keras2Weights.Nested legacyNested(Model model) {
        KerasNesting k = of(model);
        List<Object> children = new ArrayList<>();
        for (Object op : k == null ? List.<Object>copyOf(model.layers()) : k.operations) {
            children.add(op instanceof Model m ? legacyNested(m) : op);
        }
        return new Keras2Weights.Nested(model.trainable(), null, false, children);
    }

    /** A layer with weights and its group below a weights file's {@code layers/} ({@code functional/layers/dense}). */
    record Place(Layer layer, String path) {}

    /**
     * Where Keras 3's model.weights.h5 keeps each of {@code model}'s layers with weights, in the order written: a group per
     * operation named by its class and counted per container ({@code dense}, {@code dense_1}; a Sequential counts its
     * InputLayer), a nested model's layers below its own ({@code functional/layers/...}) where {@code nest} and
     * {@link #of} keeps it nested, else the model's layers flat; a layer met again (shared) is counted, not placed again.
     * The one walk {@code KerasExport}'s writer and {@code loadWeights}' reader of a nested file share.
     */
    static List<Place> weightPlaces(Model model, boolean nest) { return weightPlaces(model, nest ? of(model) : null); }

    /** {@link #weightPlaces(Model, boolean)} of {@code model} as {@code k} nests it (null: flat). */
    private static List<Place> weightPlaces(Model model, KerasNesting k) {
        List<Place> r = new ArrayList<>();
        places(model, k, "", Collections.newSetFromMap(new IdentityHashMap<>()), r);
        return r;
    }

    private static void places(Model model, KerasNesting k, String prefix, Set<Layer> placed, List<Place> out) {
        Map<String, Integer> used = new java.util.HashMap<>();
        if (model instanceof Sequential) used.put("input_layer", 1);
        for (Object op : k == null ? List.<Object>copyOf(model.layers()) : k.operations) {
            if (op instanceof Model nested) {
                places(nested, of(nested), prefix + Keras3Weights.group(used, "Functional") + "/layers/", placed, out);
                continue;
            }
            Layer l = (Layer) op;
            String group = Keras3Weights.group(used, l.kerasClass());
            if (!l.params().isEmpty() && placed.add(l)) out.add(new Place(l, prefix + group));
        }
    }

    /**
     * {@link #weightPlaces} of a model that nests a functional model as Keras 3 keeps it, each layer's name unique; null
     * where it nests none (its files are flat) or a name repeats (a weights file's arrays are matched by layer name).
     * {@code nesting}: {@code model}'s {@link #of}, computed once for the load.
     */
    static List<Place> nestedPlaces(Model model, KerasNesting nesting) {
        if (nesting == null) return null;
        List<Place> r = weightPlaces(model, nesting);
        Set<String> names = new java.util.HashSet<>();
        for (Place p : r) if (!names.add(p.layer().name())) return null;
        return r;
    }

    /** {@code places} as {@code loadWeights}' order ([name, class, group]); null for null. */
    static List<String[]> loadOrder(List<Place> places) {
        return places == null ? null : places.stream().map(p -> new String[] {p.layer().name(), p.layer().kerasClass(), p.path()}).toList();
    }

    /** The layers of {@code places}, in order. */
    static List<Layer> layers(List<Place> places) { return places.stream().map(Place::layer).toList(); }

    /**
     * {@code saved} (nullable) with its slots in {@code model}'s nested layer order ({@link #leaves}) where {@code nested};
     * {@code nesting}: {@code model}'s {@link #of}.
     */
    static KerasOptimizerState.Saved inOrder(KerasOptimizerState.Saved saved, boolean nested, Model model, KerasNesting nesting) {
        return saved == null || !nested ? saved : saved.inLayerOrder(leaves(model, nesting));
    }
}
