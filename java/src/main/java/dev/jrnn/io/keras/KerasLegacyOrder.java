package dev.jrnn.io.keras;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The order of a model's layers as tf.keras 2's {@code model.layers} has it ({@code _map_graph_network} of
 * keras/engine/functional.py, 2.13): by depth from the outputs, deepest (the inputs) first, layers of one depth in
 * the order a depth-first walk from the outputs first meets them. tf.keras 2 rebuilds a functional model from the
 * file's config and gives the file's weights to its layers by position in this order (load_weights_from_hdf5_group
 * pairs them with layer_names): {@code layer_names} must follow it, or layers of equal weight shapes swap weights.
 */
final class KerasLegacyOrder {
    private KerasLegacyOrder() {}

    /** {@code model}'s layers in tf.keras 2's order (a Sequential's: its own). */
    static List<Layer> layers(Model model) {
        if (model instanceof Sequential) return model.layers();
        Set<Call> finished = new HashSet<>();
        List<Call> postOrder = new ArrayList<>();
        Map<Layer, Integer> firstSeen = new HashMap<>();
        for (Node out : model.outputs()) walk(out.call(), finished, postOrder, firstSeen);
        Map<Call, Integer> callDepth = new HashMap<>();
        Map<Layer, Integer> layerDepth = new LinkedHashMap<>();
        for (int i = postOrder.size() - 1; i >= 0; i--) {   // from the outputs
            Call c = postOrder.get(i);
            int depth = Math.max(callDepth.computeIfAbsent(c, k -> 0), layerDepth.getOrDefault(c.layer(), 0));
            layerDepth.put(c.layer(), depth);
            callDepth.put(c, depth);
            for (Node n : c.inputs()) callDepth.merge(n.call(), depth + 1, Math::max);
        }
        for (Node in : model.inputs()) {   // an input no output depends on
            if (!layerDepth.containsKey(in.layer())) {
                layerDepth.put(in.layer(), 0);
                firstSeen.put(in.layer(), -1);
            }
        }
        TreeMap<Integer, List<Layer>> byDepth = new TreeMap<>(Comparator.reverseOrder());
        layerDepth.forEach((l, d) -> byDepth.computeIfAbsent(d, k -> new ArrayList<>()).add(l));
        List<Layer> r = new ArrayList<>();
        for (List<Layer> ls : byDepth.values()) {
            ls.sort(Comparator.comparingInt(firstSeen::get));
            r.addAll(ls);
        }
        return r;
    }

    private static void walk(Call c, Set<Call> finished, List<Call> postOrder, Map<Layer, Integer> firstSeen) {
        if (finished.contains(c)) return;
        firstSeen.putIfAbsent(c.layer(), firstSeen.size());
        for (Node n : c.inputs()) walk(n.call(), finished, postOrder, firstSeen);
        finished.add(c);
        postOrder.add(c);
    }
}
