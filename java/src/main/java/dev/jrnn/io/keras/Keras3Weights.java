package dev.jrnn.io.keras;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Weights in Keras 3's {@code model.weights.h5}: {@code layers/<group>/.../vars/<i>}. Groups are not named by
 * the layers' config names but by their class in snake case, numbered in model order ({@code lstm}, {@code lstm_1},
 * {@code dense}); a wrapper keeps its inner layers below ({@code forward_layer/cell/vars/0}). tf.keras 2.12-2.14's
 * .keras holds them below {@link #TF2_LAYERS}, numbered otherwise.
 */
final class Keras3Weights {
    /** Deepest group nesting followed below a layer's group (Keras nests 3 deep). */
    static final int MAX_DEPTH = 16;
    /** Where tf.keras 2.12-2.14's .keras keeps a functional model's layers (saving_lib walked that attribute first). */
    static final String TF2_LAYERS = "_layer_checkpoint_dependencies";

    private Keras3Weights() {}

    /**
     * Arrays per config layer name. {@code layers} lists (config name, class name[, group path]) in model order; without
     * a path, the group is its class in snake case, numbered; a layer with no such group is looked up by its config name
     * (not below a nested model), and reads as having no weights when neither exists.
     */
    static Map<String, List<Hdf5Arrays.Stored>> read(Group root, List<String[]> layers, Hdf5FillBudget fills) {
        Node lg = root.getChild("layers");
        boolean tf2 = !(lg instanceof Group) && root.getChild(TF2_LAYERS) instanceof Group;
        if (tf2) lg = root.getChild(TF2_LAYERS);
        if (!(lg instanceof Group layersGroup)) {
            throw new KerasFormatException("model.weights.h5 has no 'layers' group (nor tf.keras 2.12-2.14's '" + TF2_LAYERS
                    + "'): not a Keras 3 weights file");
        }
        Map<String, List<Hdf5Arrays.Stored>> r = new LinkedHashMap<>();
        List<String> paths = groups(layers);
        for (int i = 0; i < layers.size(); i++) if (layers.get(i).length > 2) paths.set(i, layers.get(i)[2]);
        if (tf2) paths = tf2Paths(layersGroup, paths, fills);
        for (int i = 0; i < layers.size(); i++) {
            String[] l = layers.get(i);
            Node n = child(layersGroup, paths.get(i));
            if (n == null && !tf2 && paths.get(i).indexOf('/') < 0) n = layersGroup.getChild(l[0]);
            List<Hdf5Arrays.Stored> ws = new ArrayList<>();
            if (n instanceof Group g) collect(g, ws, fills, 0);
            r.put(l[0], ws);
        }
        return r;
    }

    /**
     * Keras 3's group paths (lstm, lstm_1, rnn/cell/cells/...) as tf.keras 2.12-2.14 numbered them below
     * {@link #TF2_LAYERS}. That walk met each layer with weights twice ("layer_with_weights-k" and "layer-i"); in 2.12 and
     * 2.13 the second meeting took the next number too (the second LSTM sits in lstm_2), 2.14 skips a visited layer before
     * naming it (lstm_1, as Keras 3). Told apart by the file itself: only 2.14 has two groups with weights of one class
     * numbered one apart. Whether a layer has weights is read off its group. tf.keras 2.15 walks {@code layers}.
     */
    private static List<String> tf2Paths(Group deps, List<String> paths, Hdf5FillBudget fills) {
        boolean skippedTakeANumber = !adjacentWeighted(deps, fills);
        Map<String, String> top = new HashMap<>();
        Map<String, Integer> used = new HashMap<>();
        List<String> r = new ArrayList<>();
        for (String p : paths) {
            int slash = p.indexOf('/');
            String seg = slash < 0 ? p : p.substring(0, slash);
            if (p.contains("/layers/")) {
                throw new KerasFormatException("model.weights.h5: the nested model '" + seg + "' of a tf.keras 2.12-2.14 .keras file is "
                        + "not read (its weights are numbered within the nested model); save it with tf.keras 2.15 or as .h5");
            }
            String name = top.get(seg);
            if (name == null) {
                String snake = seg.replaceFirst("_\\d+$", "");
                int k = used.merge(snake, 1, Integer::sum) - 1;
                name = k == 0 ? snake : snake + "_" + k;
                List<Hdf5Arrays.Stored> ws = new ArrayList<>();
                if (deps.getChild(name) instanceof Group g) collect(g, ws, fills, 0);
                if (!ws.isEmpty() && skippedTakeANumber) used.merge(snake, 1, Integer::sum);   // its "layer-i" entry, skipped as visited
                top.put(seg, name);
            }
            r.add(slash < 0 ? name : name + p.substring(slash));
        }
        return r;
    }

    /** Whether {@code deps} holds groups with weights named {@code x_k} and {@code x_(k+1)} (or {@code x} and {@code x_1}). */
    private static boolean adjacentWeighted(Group deps, Hdf5FillBudget fills) {
        java.util.Set<String> weighted = new java.util.HashSet<>();
        for (var e : deps.getChildren().entrySet()) {
            List<Hdf5Arrays.Stored> ws = new ArrayList<>();
            if (e.getValue() instanceof Group g) collect(g, ws, fills, 0);
            if (!ws.isEmpty()) weighted.add(e.getKey());
        }
        for (String n : weighted) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.*)_(\\d+)").matcher(n);
            String next = m.matches() ? m.group(1) + "_" + (Integer.parseInt(m.group(2)) + 1) : n + "_1";
            if (weighted.contains(next)) return true;
        }
        return false;
    }

    /** The node at {@code path} (groups separated by '/') below {@code g}, or null. */
    private static Node child(Group g, String path) {
        Node n = g;
        for (String part : path.split("/")) {
            if (!(n instanceof Group gg)) return null;
            n = gg.getChild(part);
            if (n == null) return null;
        }
        return n;
    }

    /** The group Keras 3 keeps each of {@code layers} (config name, class name) in: its class in snake case, numbered. */
    static List<String> groups(List<String[]> layers) {
        Map<String, Integer> used = new HashMap<>();
        List<String> r = new ArrayList<>();
        for (String[] l : layers) r.add(group(used, l[1]));
        return r;
    }

    /** The next group of Keras class {@code cls} among a model's layers: its snake case, then _1, _2, ... ({@code used} counts). */
    static String group(Map<String, Integer> used, String cls) {
        String snake = snakeCase(cls);
        int k = used.merge(snake, 1, Integer::sum) - 1;
        return k == 0 ? snake : snake + "_" + k;
    }

    /** The names of the groups below {@code layers/} that hold weights, sorted. */
    static List<String> groupsWithWeights(Group root, Hdf5FillBudget fills) {
        List<String> r = new ArrayList<>();
        Node n = root.getChild("layers") instanceof Group ? root.getChild("layers") : root.getChild(TF2_LAYERS);
        if (!(n instanceof Group lg)) return r;
        for (var e : lg.getChildren().entrySet()) {
            List<Hdf5Arrays.Stored> ws = new ArrayList<>();
            if (e.getValue() instanceof Group g) collect(g, ws, fills, 0);
            if (!ws.isEmpty()) r.add(e.getKey());
        }
        r.sort(null);
        return r;
    }

    /** The groups below {@code layers/} that hold a nested model (a {@code layers} group of their own), sorted. */
    static List<String> nestedModelGroups(Group root) {
        List<String> r = new ArrayList<>();
        if (!(root.getChild("layers") instanceof Group lg)) return r;
        for (var e : lg.getChildren().entrySet()) {
            if (e.getValue() instanceof Group g && g.getChild("layers") instanceof Group) r.add("layers/" + e.getKey());
        }
        r.sort(null);
        return r;
    }

    /** The groups under {@code layers/} of Keras' RNN over StackedRNNCells ({@code layers/rnn/cell/cells/...}), sorted. */
    static List<String> stackedCellGroups(Group root) {
        List<String> r = new ArrayList<>();
        if (!(root.getChild("layers") instanceof Group lg)) return r;
        for (var e : lg.getChildren().entrySet()) {
            if (e.getValue() instanceof Group g && g.getChild("cell") instanceof Group cell && cell.getChild("cells") instanceof Group) {
                r.add("layers/" + e.getKey());
            }
        }
        r.sort(null);
        return r;
    }

    /**
     * vars/0, vars/1, ... of this group, then its subgroups (forward_layer before backward_layer, a MultiHeadAttention's
     * query_dense, key_dense, value_dense, output_dense in Keras' weight order, others by name).
     */
    private static void collect(Group g, List<Hdf5Arrays.Stored> out, Hdf5FillBudget fills, int depth) {
        if (depth > MAX_DEPTH) throw new KerasFormatException("groups nest deeper than " + MAX_DEPTH + " levels at " + g.getPath());
        Map<String, Node> children = g.getChildren();
        Node vars = children.get("vars");
        if (vars instanceof Group vg) {
            Map<String, Node> vc = vg.getChildren();
            for (int i = 0; i < vc.size(); i++) {
                if (!(vc.get(Integer.toString(i)) instanceof Dataset ds)) {
                    throw new KerasFormatException(vg.getPath() + " should hold datasets 0.." + (vc.size() - 1) + ", has " + vc.keySet());
                }
                out.add(Hdf5Arrays.stored(ds, fills));
            }
        }
        List<String> subs = new ArrayList<>();
        for (var e : children.entrySet()) if (!e.getKey().equals("vars") && e.getValue() instanceof Group) subs.add(e.getKey());
        subs.sort((a, b) -> {
            int ra = rank(a), rb = rank(b);
            return ra != rb ? Integer.compare(ra, rb) : a.compareTo(b);
        });
        for (String s : subs) collect((Group) children.get(s), out, fills, depth + 1);
    }

    private static int rank(String name) {
        // Keras 3.0.0-3.0.2 wrote MultiHeadAttention's groups by their attribute names, "_query_dense", ...
        int mha = KerasMultiHeadAttention.GROUPS.indexOf(name.startsWith("_") ? name.substring(1) : name);
        return name.equals("forward_layer") ? 0 : name.equals("backward_layer") ? 1 : mha >= 0 ? 2 + mha : 6;
    }

    /** Keras 3's naming.to_snake_case: "SimpleRNN" -> "simple_rnn", "LSTM" -> "lstm", "TimeDistributed" -> "time_distributed". */
    static String snakeCase(String cls) {
        String s = cls.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(Locale.ROOT);
    }
}
