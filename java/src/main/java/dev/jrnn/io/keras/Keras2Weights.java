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
            if (names == null) throw new KerasFormatException("layer group " + lg.getPath() + " has no 'weight_names' attribute");
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
}
