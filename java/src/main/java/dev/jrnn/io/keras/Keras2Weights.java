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
     * Replaces each nested model's one group in {@code stored} by its layers' arrays. Keras saves that group in the
     * model's weights order ({@code _legacy_weights}: trainable_weights + non_trainable_weights): every trainable array
     * of its layers depth first, then every other one (moving statistics, frozen layers' weights). What counts as
     * trainable there depends on the writer, and {@code listedFrozen} (KerasGraph's) holds the layers whose arrays all
     * come second, in layer order, whatever their own flags:
     * <ul>
     * <li>Keras 3 reads each variable's own flag ({@code [v for v in weights if v.trainable]}), so below a trainable
     * nested model a layer unfrozen inside a frozen deeper model comes first; only a top nested model saved frozen has
     * no trainable_weights: its layers are {@code listedFrozen}, a layer unfrozen inside it included.</li>
     * <li>tf.keras 2 and Keras 2 gather each child's trainable_weights, none for a frozen nested model, then each
     * child's non_trainable_weights, all of a frozen one's: the layers of every nested model saved frozen, at any depth,
     * are {@code listedFrozen}.</li>
     * </ul>
     */
    static void splitNested(Map<String, List<Hdf5Arrays.Stored>> stored, Map<String, List<dev.jrnn.layers.Layer>> nested,
                            java.util.Set<dev.jrnn.layers.Layer> listedFrozen) {
        for (var e : nested.entrySet()) {
            List<Hdf5Arrays.Stored> all = stored.remove(e.getKey());
            if (all == null) continue;   // its layers then report "no weights stored"
            int count = 0;
            for (dev.jrnn.layers.Layer l : e.getValue()) count += l.params().size();
            if (all.size() != count) {
                throw new KerasFormatException("nested model '" + e.getKey() + "' holds " + all.size() + " weight arrays in the file, "
                        + "its layers " + count);
            }
            Map<dev.jrnn.layers.Layer, Hdf5Arrays.Stored[]> per = new LinkedHashMap<>();
            int at = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (dev.jrnn.layers.Layer l : e.getValue()) {
                    var params = l.params();
                    boolean inOrder = listedFrozen.contains(l);
                    Hdf5Arrays.Stored[] ws = per.computeIfAbsent(l, k -> new Hdf5Arrays.Stored[params.size()]);
                    for (int k = 0; k < params.size(); k++) {
                        if (inOrder ? pass == 1 : l.trains(params.get(k)) == (pass == 0)) ws[k] = all.get(at++);
                    }
                }
            }
            for (var p : per.entrySet()) {
                if (p.getValue().length > 0 && stored.put(p.getKey().name(), List.of(p.getValue())) != null) {
                    throw new KerasFormatException("layer '" + p.getKey().name() + "' of nested model '" + e.getKey()
                            + "' has the name of another layer group in the file");
                }
            }
        }
    }
}
