package dev.jrnn.io.keras;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights in the Keras 1/2 and tf.keras HDF5 layout: the group ({@code model_weights} of a full model, the root
 * of a {@code save_weights} file) lists its layers in the {@code layer_names} attribute; each layer group names its
 * arrays, in Keras' get_weights order, in {@code weight_names} ({@code lstm_1/kernel:0},
 * {@code bidirectional/forward_lstm/kernel:0}, ...), paths relative to the layer group.
 */
final class Keras2Weights {
    private Keras2Weights() {}

    /** Layer name to its arrays in weight_names order, layers in layer_names order (layers without weights included). */
    static Map<String, List<Hdf5Arrays.Stored>> read(Group g, Hdf5FillBudget fills) {
        List<String> layers = Hdf5Arrays.stringList(g, "layer_names");
        if (layers == null) {
            throw new KerasFormatException("no 'layer_names' attribute on " + g.getPath()
                    + ": not a Keras HDF5 weights group");
        }
        Map<String, List<Hdf5Arrays.Stored>> r = new LinkedHashMap<>();
        for (String layer : layers) {
            Node n = g.getChild(layer);
            if (!(n instanceof Group lg)) {
                throw new KerasFormatException("layer '" + layer + "' is listed in layer_names but " + g.getPath()
                        + " has no group of that name");
            }
            List<String> names = Hdf5Arrays.stringList(lg, "weight_names");
            // none: no weights, as Keras' load_attributes_from_hdf5_group reads it (jrnn's .h5 writer leaves it out there)
            if (names == null) names = List.of();
            List<Hdf5Arrays.Stored> ws = new ArrayList<>();
            for (String w : names) {
                Node d;
                try {
                    d = lg.getByPath(w);
                } catch (RuntimeException e) {
                    d = null;
                }
                if (!(d instanceof Dataset ds)) {
                    throw new KerasFormatException("weight '" + w + "' named by " + lg.getPath() + "/weight_names is not a dataset in the file");
                }
                ws.add(Hdf5Arrays.stored(ds, fills).named(w));
            }
            if (r.put(layer, ws) != null) throw new KerasFormatException("layer '" + layer + "' is listed twice in layer_names");
        }
        return r;
    }

    /**
     * The groups of {@code stored} (a {@link #read} of a legacy weights group) that hold a nested model, each with its layers
     * as the group's weight_names name them (their first scope: {@code d1/kernel}, {@code d1/kernel:0} give {@code d1}),
     * for the messages: a layer's own group names only itself there (Keras 3's, tf.keras 2's {@code bi/forward_l/...}).
     */
    static Map<String, List<String>> nestedLayers(Map<String, List<Hdf5Arrays.Stored>> stored) {
        Map<String, List<String>> r = new LinkedHashMap<>();
        for (var e : stored.entrySet()) {
            java.util.LinkedHashSet<String> layers = new java.util.LinkedHashSet<>();
            for (Hdf5Arrays.Stored w : e.getValue()) {
                if (w.name() == null) continue;
                layers.add(TENSOR_INDEX.matcher(w.name().split("/")[0]).replaceFirst(""));
            }
            if (!layers.isEmpty() && !layers.equals(java.util.Set.of(e.getKey()))) r.put(e.getKey(), List.copyOf(layers));
        }
        return r;
    }

    /**
     * A nested model as its legacy HDF5 group orders it: its saved trainable flag and its children in Keras' order, each
     * a layer or a nested model (an RNN's stacked cells: one that trains). {@code unflagged}: the chain down to it
     * ("A > B") where the file does not say whether it was frozen and that may decide the order, else null; its
     * {@code trainable} is then a guess, true; {@code doubtful}: whether the load warns where the weight names do not
     * settle it (its layers' flags are mixed, or Keras <= 2.3 wrote it).
     */
    record Nested(boolean trainable, String unflagged, boolean doubtful, List<Object> children) {
        void leaves(List<dev.jrnn.layers.Layer> out) {
            for (Object c : children) {
                if (c instanceof Nested n) n.leaves(out);
                else out.add((dev.jrnn.layers.Layer) c);
            }
        }

        /** This model and the nested models below it whose flag the file does not give, depth first. */
        void unflagged(List<Nested> out) {
            if (unflagged != null) out.add(this);
            for (Object c : children) if (c instanceof Nested n) n.unflagged(out);
        }
    }

    /**
     * What a tf.keras 2 nested group's weight_names did not settle: {@code models}, the chains ("A > B") of nested models
     * read as trainable; {@code directions}, the Bidirectionals ("A: bi1") whose directions were read as trainable
     * untried, over {@link #MAX_UNFLAGGED} unknown flags.
     */
    record Undecided(List<String> models, List<String> directions) {
        boolean isEmpty() { return models.isEmpty() && directions.isEmpty(); }
    }

    /** One array of a layer: its parameter at {@code index}. */
    private record Slot(dev.jrnn.layers.Layer layer, int index) {}

    /**
     * Replaces each nested model's one group in {@code stored} by its layers' arrays. Keras saves that group in the
     * model's weights order ({@code _legacy_weights}: trainable_weights + non_trainable_weights), which depends on the
     * writer ({@code kerasMajor}: the file's keras_version):
     * <ul>
     * <li>Keras 3 reads each variable's own flag ({@code [v for v in weights if v.trainable]}): every array that trains
     * of its layers depth first, then every other one (moving statistics, frozen layers' weights), so a layer unfrozen
     * inside a frozen deeper model comes first; only a top nested model saved frozen has no trainable_weights: all of
     * its layers' arrays in layer order, a layer unfrozen inside it included.</li>
     * <li>tf.keras 2 and Keras 2 recurse (tf_keras engine/training.py, Model.trainable_weights / non_trainable_weights):
     * trainable_weights of a model are its children's, none for a frozen one; non_trainable_weights of a trainable model
     * are its children's, of a frozen one all its children's trainable_weights, then all their non_trainable_weights; a
     * layer lists its trainable arrays if its flag is set (none if not), and its other arrays (all if frozen). A frozen
     * model's unfrozen layer thus comes first among that model's arrays: A (a1, B (b1, b2 unfrozen) frozen, a2) is a1,
     * a2, b2, b1, as the tf.keras 2 engine bundled in TensorFlow 2.21 writes it. Keras 2 and tf.keras 2 before about
     * 2.12 save no nested model's flag: where it decides the order, the group's weight_names tell it ({@link #tf2Order}).</li>
     * </ul>
     * Returns, for the load to warn, what neither the file nor its weight_names settle (read as trainable): the chains
     * ("A > B") of such nested models, and the Bidirectionals whose directions were not tried ({@link #tf2Order}).
     */
    static Undecided splitNested(Map<String, List<Hdf5Arrays.Stored>> stored, Map<String, Nested> nested, int kerasMajor) {
        Undecided undecided = new Undecided(new ArrayList<>(), new ArrayList<>());
        for (var e : nested.entrySet()) {
            List<Hdf5Arrays.Stored> all = stored.remove(e.getKey());
            if (all == null) continue;   // its layers then report "no weights stored"
            List<Slot> order;
            if (kerasMajor < 3) {
                order = tf2Order(e.getValue(), all, undecided.models());
                if (!agrees(order, all, leavesOf(e.getValue()), false)) {   // a direction the names could have told
                    for (dev.jrnn.layers.Layer b : untriedDirections(e.getValue())) undecided.directions().add(e.getKey() + ": " + b.name());
                }
            } else {
                order = new ArrayList<>();
                keras3Weights(e.getValue(), order);
            }
            if (all.size() != order.size()) {
                throw new KerasFormatException("nested model '" + e.getKey() + "' holds " + all.size() + " weight arrays in the file, "
                        + "its layers " + order.size());
            }
            Map<dev.jrnn.layers.Layer, Hdf5Arrays.Stored[]> per = new LinkedHashMap<>();
            List<dev.jrnn.layers.Layer> leaves = new ArrayList<>();
            e.getValue().leaves(leaves);
            for (dev.jrnn.layers.Layer l : leaves) per.put(l, new Hdf5Arrays.Stored[l.params().size()]);
            for (int at = 0; at < all.size(); at++) per.get(order.get(at).layer())[order.get(at).index()] = all.get(at);
            for (var p : per.entrySet()) {
                if (p.getValue().length > 0 && stored.put(p.getKey().name(), List.of(p.getValue())) != null) {
                    throw new KerasFormatException("layer '" + p.getKey().name() + "' of nested model '" + e.getKey()
                            + "' has the name of another layer group in the file");
                }
            }
        }
        return undecided;
    }

    private static List<dev.jrnn.layers.Layer> leavesOf(Nested top) {
        List<dev.jrnn.layers.Layer> leaves = new ArrayList<>();
        top.leaves(leaves);
        return leaves;
    }

    /** The Bidirectionals of {@code top}'s group whose directions {@link #tf2Order} does not try: over the cap. */
    private static List<dev.jrnn.layers.Layer> untriedDirections(Nested top) {
        List<Nested> models = new ArrayList<>();
        top.unflagged(models);
        List<dev.jrnn.layers.Layer> directions = directions(leavesOf(top));
        if (models.size() + directions.size() <= MAX_UNFLAGGED) return List.of();
        List<dev.jrnn.layers.Layer> r = new ArrayList<>();
        for (dev.jrnn.layers.Layer l : leavesOf(top)) {
            if (l instanceof dev.jrnn.layers.Bidirectional b && directions.contains(b.forwardLayer())) r.add(b);
        }
        return r;
    }

    /**
     * The most unknown flags in one group whose choices are tried (2^n orders): each unflagged nested model counts 1,
     * each Bidirectional whose directions train 2; over it only the nested models' are tried.
     */
    private static final int MAX_UNFLAGGED = 10;

    /**
     * tf.keras 2's order of a nested model's group. Where the file does not say whether some nested models below were
     * frozen (Keras 2 and tf.keras 2 save no nested model's flag, nor a Bidirectional direction's: {@link #directions}),
     * every choice of their flags is tried (the directions' only where the total stays within {@link #MAX_UNFLAGGED}): one
     * order for all of them is that order; else the one order whose arrays the group's weight_names agree with
     * ({@link #agrees}). Otherwise (no order agrees, as after a layer was renamed, or orders that differ agree) those
     * models are read as trainable and the chains of the doubtful ones whose own flag changes the order go to
     * {@code undecided}, for the load's warning. Over {@link #MAX_UNFLAGGED} such models the names are not tried.
     */
    private static List<Slot> tf2Order(Nested top, List<Hdf5Arrays.Stored> all, List<String> undecided) {
        List<Slot> asTrainable = tf2Order(top, frozenSet());
        List<Nested> models = new ArrayList<>();
        top.unflagged(models);
        List<dev.jrnn.layers.Layer> leaves = new ArrayList<>();
        top.leaves(leaves);
        List<Object> unknown = new ArrayList<>(models);
        List<dev.jrnn.layers.Layer> directions = directions(leaves);
        if (models.size() + directions.size() <= MAX_UNFLAGGED) unknown.addAll(directions);   // else the models' alone
        if (unknown.isEmpty()) return asTrainable;
        if (unknown.size() <= MAX_UNFLAGGED) {
            java.util.Set<List<Slot>> orders = new java.util.LinkedHashSet<>();
            for (int choice = 0; choice < 1 << unknown.size(); choice++) {
                java.util.Set<Object> frozen = frozenSet();
                for (int k = 0; k < unknown.size(); k++) if ((choice >> k & 1) != 0) frozen.add(unknown.get(k));
                orders.add(tf2Order(top, frozen));
            }
            if (orders.size() == 1) return asTrainable;   // the flags do not change the order here
            // names and shapes first; names alone where no order has the file's shapes too (a cuDNN layer's other
            // layout, a damaged array), so the shape check after the split names the layer the array belongs to
            List<List<Slot>> agreeing = orders.stream().filter(o -> agrees(o, all, leaves, true)).toList();
            if (agreeing.isEmpty()) agreeing = orders.stream().filter(o -> agrees(o, all, leaves, false)).toList();
            if (agreeing.size() == 1) return agreeing.get(0);
        }
        for (Nested n : models) {   // only the models whose own flag changes the order
            java.util.Set<Object> one = frozenSet();
            one.add(n);
            if (n.doubtful() && !tf2Order(top, one).equals(asTrainable)) undecided.add(n.unflagged());
        }
        return asTrainable;
    }

    private static java.util.Set<Object> frozenSet() {
        return java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    /**
     * The forward and backward layers of the Bidirectionals among {@code leaves} whose directions both train: tf.keras 2
     * and Keras 2 keep in a Bidirectional's config the layer it was made from, not its two copies, so the file does not
     * say whether one direction was frozen alone ({@code bi.forward_layer.trainable = False}), which moves that
     * direction's arrays after the other's, or, in a nested model's group, among the arrays that do not train.
     */
    private static List<dev.jrnn.layers.Layer> directions(List<dev.jrnn.layers.Layer> leaves) {
        List<dev.jrnn.layers.Layer> r = new ArrayList<>();
        for (dev.jrnn.layers.Layer l : leaves) {
            if (l instanceof dev.jrnn.layers.Bidirectional b && b.trainable() && b.forwardLayer().trainable()
                    && b.backwardLayer().trainable() && !b.params().isEmpty()) {
                r.add(b.forwardLayer());
                r.add(b.backwardLayer());
            }
        }
        return r;
    }

    /** Whether {@code p} of {@code l} trains, the models and Bidirectional directions in {@code frozen} read as frozen. */
    private static boolean trains(dev.jrnn.layers.Layer l, dev.jrnn.layers.Param p, java.util.Set<Object> frozen) {
        if (!l.trains(p)) return false;
        if (l instanceof dev.jrnn.layers.Bidirectional b) {
            dev.jrnn.layers.Layer owner = b.forwardLayer().params().stream().anyMatch(q -> q == p) ? b.forwardLayer() : b.backwardLayer();
            return !frozen.contains(owner);
        }
        return true;
    }

    /**
     * A layer's own group of a legacy .h5 in its parameters' order. Keras writes it in {@code _legacy_weights} order
     * (its trainable arrays, then the others, for a layer that trains), so a Bidirectional saved with its forward layer
     * frozen holds its backward arrays first. A Bidirectional's arrays go to the direction their weight_names give
     * ({@link #byDirectionNames}), whatever the loading layer's name and flags; where the names do not say it, the order
     * the loading layer's flags give is taken (as Keras' load_weights reads it), unless {@code ws}' weight_names and
     * shapes agree with the other order of the two directions alone. Arrays of another count are left as they are, for
     * the load's count check.
     */
    static List<Hdf5Arrays.Stored> inParamOrder(dev.jrnn.layers.Layer l, List<Hdf5Arrays.Stored> ws) {
        var params = l.params();
        if (ws.size() != params.size() || ws.isEmpty()) return ws;
        List<Slot> byFlags = new ArrayList<>();
        tf2Weights(l, true, frozenSet(), byFlags);
        tf2Weights(l, false, frozenSet(), byFlags);
        List<Slot> order = byFlags;
        if (l instanceof dev.jrnn.layers.Bidirectional b) {
            List<Slot> forward = new ArrayList<>(), backward = new ArrayList<>();
            for (int k = 0; k < params.size(); k++) {
                dev.jrnn.layers.Param p = params.get(k);
                (b.forwardLayer().params().stream().anyMatch(q -> q == p) ? forward : backward).add(new Slot(l, k));
            }
            List<Slot> forwardFirst = new ArrayList<>(forward), backwardFirst = new ArrayList<>(backward);
            forwardFirst.addAll(backward);
            backwardFirst.addAll(forward);
            Boolean forwardLeads = byDirectionNames(ws, forward.size(), backward.size());
            if (forwardLeads != null) {
                order = forwardLeads ? forwardFirst : backwardFirst;
            } else if (b.trainable()) {
                List<dev.jrnn.layers.Layer> leaves = List.of(l);
                List<Slot> other = byFlags.equals(forwardFirst) ? backwardFirst : forwardFirst;
                if (!agrees(byFlags, ws, leaves, true) && agrees(other, ws, leaves, true)) order = other;
            }
        }
        Hdf5Arrays.Stored[] r = new Hdf5Arrays.Stored[params.size()];
        for (int at = 0; at < ws.size(); at++) r[order.get(at).index()] = ws.get(at);
        return List.of(r);
    }

    /**
     * Whether a Bidirectional's arrays {@code ws} hold its forward layer's {@code forward} arrays first (true) or its
     * backward layer's {@code backward} first (false), as their weight_names say; null where they do not settle it. Each
     * name's direction is its last scope that starts with {@code forward_} or {@code backward_}
     * ({@code b_bi/backward_gru_1/gru_cell/kernel:0}: tf.keras 2, Keras 3 and jrnn name a Bidirectional's copies so);
     * every name must have one, all the forward ones the same {@code forward_*} scope and all the backward ones the same
     * {@code backward_*} scope (their stems may differ: jrnn names a given backward layer {@code backward_rev} beside
     * {@code forward_gru_1}; Keras 3 and jrnn strip a wrapped layer's own prefix, so one named {@code backward_gru}
     * gives {@code forward_backward_gru} and {@code backward_gru}), and they must form two blocks of the directions'
     * sizes. A Keras 3 backward layer given with a name without the prefix ({@code backward_layer=LSTM(name="rev")})
     * does not settle it. The shapes are left to the load's
     * check, which then names the direction's weight (a cuDNN layout, a damaged array).
     */
    static Boolean byDirectionNames(List<Hdf5Arrays.Stored> ws, int forward, int backward) {
        if (ws.size() != forward + backward || forward == 0 || backward == 0) return null;
        String[] dirs = new String[ws.size()];
        java.util.Set<String> forwards = new java.util.HashSet<>(), backwards = new java.util.HashSet<>();
        for (int i = 0; i < ws.size(); i++) {
            String name = ws.get(i).name();
            if (name == null) return null;
            String[] scopes = name.split("/");
            for (int k = scopes.length - 2; k >= 0 && dirs[i] == null; k--) {
                if (scopes[k].startsWith("forward_") || scopes[k].startsWith("backward_")) dirs[i] = scopes[k];
            }
            if (dirs[i] == null) return null;
            (dirs[i].startsWith("forward_") ? forwards : backwards).add(dirs[i]);
        }
        // one layer per direction; their stems may differ (a given backward layer: forward_gru_1 / backward_rev;
        // a wrapped layer named backward_gru: forward_backward_gru / backward_gru)
        if (forwards.size() != 1 || backwards.size() != 1) return null;
        boolean forwardLeads = dirs[0].startsWith("forward_");
        int lead = forwardLeads ? forward : backward;
        for (int i = 0; i < dirs.length; i++) {
            if (dirs[i].startsWith("forward_") != (forwardLeads == i < lead)) return null;
        }
        return forwardLeads;
    }

    /** tf.keras 2's order of a nested model's group, the models and directions in {@code frozen} read as frozen. */
    private static List<Slot> tf2Order(Nested top, java.util.Set<Object> frozen) {
        List<Slot> order = new ArrayList<>();
        tf2Weights(top, true, frozen, order);
        tf2Weights(top, false, frozen, order);
        return order;
    }

    /**
     * Whether each array's weight_names entry names the layer and parameter {@code order} puts it in (with its shape if
     * {@code shapes}). Keras 2 and tf.keras 2 name a variable by the scopes it was made in ({@code b1/kernel:0},
     * {@code a_lstm/lstm_cell/kernel:0}; a model's name only where its layers were built inside its call; Keras 3 files,
     * which save every flag, never come here): the entry's last part must be the parameter's, the layer's name
     * and jrnn's segments of the weight (Bidirectional's {@code forward_lstm}) must come before it in order, and no other
     * layer of the group may be named there. tf.keras 2 keeps a variable's name when its layer is renamed after the
     * build: such names agree with no order, or, renamed to match another layer, may agree with the wrong one.
     */
    static final java.util.regex.Pattern TENSOR_INDEX = java.util.regex.Pattern.compile(":\\d+$");

    private static boolean agrees(List<Slot> order, List<Hdf5Arrays.Stored> all, List<dev.jrnn.layers.Layer> leaves, boolean shapes) {
        if (order.size() != all.size()) return false;   // splitNested refuses the count
        for (int i = 0; i < all.size(); i++) {
            Hdf5Arrays.Stored s = all.get(i);
            dev.jrnn.layers.Layer l = order.get(i).layer();
            dev.jrnn.layers.Param p = l.params().get(order.get(i).index());
            if (s.name() == null || shapes && !java.util.Arrays.equals(p.shape(), s.shape())) return false;
            String[] got = TENSOR_INDEX.matcher(s.name()).replaceFirst("").split("/");
            String[] want = (l.name() + "/" + l.weightName(p)).split("/");
            if (!got[got.length - 1].equals(want[want.length - 1])) return false;
            List<String> scopes = List.of(got).subList(0, got.length - 1);
            int j = 0;
            for (int k = 0; k < scopes.size() && j < want.length - 1; k++) if (scopes.get(k).equals(want[j])) j++;
            if (j < want.length - 1) return false;
            for (dev.jrnn.layers.Layer other : leaves) if (other != l && scopes.contains(other.name())) return false;
        }
        return true;
    }

    /** Keras 3's order: a top nested model saved frozen in layer order, else each array's own flag, trainable first. */
    private static void keras3Weights(Nested top, List<Slot> out) {
        List<dev.jrnn.layers.Layer> leaves = new ArrayList<>();
        top.leaves(leaves);
        for (int pass = 0; pass < 2; pass++) {
            for (dev.jrnn.layers.Layer l : leaves) {
                var params = l.params();
                for (int k = 0; k < params.size(); k++) {
                    if (!top.trainable() ? pass == 1 : l.trains(params.get(k)) == (pass == 0)) out.add(new Slot(l, k));
                }
            }
        }
    }

    /** tf.keras 2's trainable_weights ({@code trainable}) or non_trainable_weights of a nested model or a layer. */
    private static void tf2Weights(Object node, boolean trainable, java.util.Set<Object> frozen, List<Slot> out) {
        if (node instanceof Nested n) {
            boolean trains = n.trainable() && !frozen.contains(n);
            if (trainable && !trains) return;
            if (!trainable && !trains) {   // all its children's trainable_weights, then their non-trainable ones
                for (Object c : n.children()) tf2Weights(c, true, frozen, out);
            }
            for (Object c : n.children()) tf2Weights(c, trainable, frozen, out);
            return;
        }
        dev.jrnn.layers.Layer l = (dev.jrnn.layers.Layer) node;
        var params = l.params();
        for (int k = 0; k < params.size(); k++) if (trains(l, params.get(k), frozen) == trainable) out.add(new Slot(l, k));
    }
}
