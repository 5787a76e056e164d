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
    static Map<String, List<Hdf5Arrays.Stored>> read(Group g, long fileBytes) {
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
                ws.add(Hdf5Arrays.stored(ds, fileBytes));
            }
            if (r.put(layer, ws) != null) throw new KerasFormatException("layer '" + layer + "' is listed twice in layer_names");
        }
        return r;
    }

    /**
     * A nested model as its legacy HDF5 group orders it: its saved trainable flag and its children in Keras' order, each
     * a layer or a nested model (an RNN's stacked cells: one that trains).
     */
    record Nested(boolean trainable, List<Object> children) {
        void leaves(List<dev.jrnn.layers.Layer> out) {
            for (Object c : children) {
                if (c instanceof Nested n) n.leaves(out);
                else out.add((dev.jrnn.layers.Layer) c);
            }
        }
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
     * a2, b2, b1, as the tf.keras 2 engine bundled in TensorFlow 2.21 writes it.</li>
     * </ul>
     */
    static void splitNested(Map<String, List<Hdf5Arrays.Stored>> stored, Map<String, Nested> nested, int kerasMajor) {
        for (var e : nested.entrySet()) {
            List<Hdf5Arrays.Stored> all = stored.remove(e.getKey());
            if (all == null) continue;   // its layers then report "no weights stored"
            List<Slot> order = new ArrayList<>();
            if (kerasMajor < 3) {
                tf2Weights(e.getValue(), true, order);
                tf2Weights(e.getValue(), false, order);
            } else {
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
    private static void tf2Weights(Object node, boolean trainable, List<Slot> out) {
        if (node instanceof Nested n) {
            if (trainable && !n.trainable()) return;
            if (!trainable && !n.trainable()) {   // all its children's trainable_weights, then their non-trainable ones
                for (Object c : n.children()) tf2Weights(c, true, out);
            }
            for (Object c : n.children()) tf2Weights(c, trainable, out);
            return;
        }
        dev.jrnn.layers.Layer l = (dev.jrnn.layers.Layer) node;
        var params = l.params();
        for (int k = 0; k < params.size(); k++) if (l.trains(params.get(k)) == trainable) out.add(new Slot(l, k));
    }
}
