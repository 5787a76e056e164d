package dev.jrnn.io.keras;

import io.jhdf.api.Group;
import io.jhdf.api.WritableGroup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The optimizer's variables in a legacy .h5, laid out as Keras 3 lays out its {@code optimizer_weights} group
 * ({@code legacy_h5_format.py} save_optimizer_weights_to_hdf5_group): {@code optimizer.variables} in their build order,
 * each a dataset at its path ({@code adam/iteration}, {@code adam/learning_rate},
 * {@code adam/dense_kernel_momentum}, ...), the paths listed in the group's {@code weight_names}. jrnn writes the
 * group below {@code jrnn_state/}, where Keras does not look: Keras 3.15.1's loader, finding {@code optimizer_weights},
 * builds the optimizer over {@code model._trainable_variables} (the model's own variables: none), assigns iteration and
 * learning_rate only, and its next train step fails ("the optimizer was built with 0 variables", jax; "Unknown
 * variable", tensorflow), on the .h5 Keras saved as on any other; tf.keras 2 counts its optimizers' variables
 * otherwise. Keras so starts such a file's optimizer afresh, as before, and jrnn resumes it. jrnn's .h5 names tf.keras
 * 2.13 as its {@code keras_version} (its configs are tf.keras 2's), so the group names the Keras version whose
 * variable order it holds in its own {@code keras_version} attribute.
 */
final class KerasLegacyOptimizerWeights {
    /** The group's name, as Keras names its own at the root. */
    static final String GROUP = "optimizer_weights";

    /** The group attribute naming the Keras version whose order the variables follow (jrnn's addition). */
    static final String ORDER_ATTRIBUTE = "keras_version";

    private KerasLegacyOptimizerWeights() {}

    /**
     * Writes {@code vars} (in Keras 3's order, {@link KerasOptimizerState#keras3Vars}) named {@code names} into a new
     * {@code jrnn_state/optimizer_weights} group of {@code root}: the int64 iteration and float32 scalars as scalar datasets,
     * the slots in their weights' shapes.
     */
    static void put(WritableGroup root, List<KerasOptimizerState.Var> vars, List<String> names) {
        WritableGroup g = root.putGroup(KerasExport.STATE_GROUP).putGroup(GROUP);
        KerasLegacyExport.putStrings(g, "weight_names", names);
        g.putAttribute(ORDER_ATTRIBUTE, KerasOptimizerState.WRITTEN_AS);
        Map<String, WritableGroup> made = new HashMap<>();
        for (int i = 0; i < vars.size(); i++) {
            KerasOptimizerState.Var v = vars.get(i);
            String path = names.get(i);
            int slash = path.lastIndexOf('/');
            WritableGroup parent = slash < 0 ? g : KerasExport.group(g, made, path.substring(0, slash));
            parent.putDataset(path.substring(slash + 1), v.whole() != null ? (Object) v.whole()
                    : v.scalar() ? (Object) v.value().data()[0] : KerasExport.nested(v.value()));
        }
    }

    /**
     * Keras 3's paths of the variables: the optimizer's name, then a scalar's name or the weight's path (its
     * {@code /} as {@code _}) and the slot ({@code adam/lstm_lstm_cell_kernel_momentum}); {@code weights} gives
     * each variable's weight path (null for the scalars). A path Keras would repeat (two weights of one path) takes
     * its index, as the datasets must differ.
     */
    /** The longest dataset name written as Keras names it (bytes): jhdf 0.13 fails to write names of about 255 bytes. */
    private static final int MAX_NAME = 200;

    static List<String> names(String optimizer, List<KerasOptimizerState.Var> vars, List<String> weights) {
        List<String> r = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < vars.size(); i++) {
            String w = weights.get(i);
            String n = optimizer + "/" + (w == null ? vars.get(i).name() : w.replace('/', '_') + "_" + vars.get(i).name());
            // jhdf cannot write a link name near 255 bytes; the datasets are found through weight_names, so any name serves
            if (n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length - optimizer.length() > MAX_NAME) n = optimizer + "/var_" + i;
            if (!used.add(n)) used.add(n = n + "_" + i);
            r.add(n);
        }
        return r;
    }

    /**
     * The Keras version whose variable order an HDF5 file's {@code optimizer_weights} group {@code g} holds: the group's
     * own {@code keras_version} (jrnn's), else null (the file's keras_version decides).
     */
    static String order(Group g) {
        if (g.getAttribute(ORDER_ATTRIBUTE) == null) return null;
        String v = Hdf5Arrays.stringAttribute(g, ORDER_ATTRIBUTE);
        if (v == null || !v.startsWith("3.")) {
            throw new KerasFormatException("optimizer_weights: attribute " + ORDER_ATTRIBUTE + " should name a Keras 3 version, got " + v);
        }
        return v;
    }
}
