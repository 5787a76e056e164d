package dev.jrnn.io.keras;

import dev.jrnn.layers.Attention;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.model.Model;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nested functional models in the legacy {@code .h5} as Keras' {@code model.save("m.h5")} keeps them: whether
 * {@link KerasLegacyExport} writes a model's nested models nested ({@link #nests}) and a nested model's one weights group
 * ({@link #nestedWeights}). Its calls are numbered as Keras 3 reads a legacy file's refs, from 0, which jrnn's reader takes
 * from a ref to node 0 ({@code KerasSubModels.FunctionalModel.callsFromZero}).
 */
final class KerasLegacyNesting {
    private KerasLegacyNesting() {}

    /**
     * A nested model's arrays as its legacy group lists them ({@code _legacy_weights}: trainable_weights, then
     * non_trainable_weights, over its layers depth first), each below its layer's name; {@link #nests} keeps to models for
     * which tf.keras 2's order (the version written) and Keras 3's are this one.
     */
    static Map<String, Object> nestedWeights(Model nested) {
        Map<String, Object> r = new LinkedHashMap<>();
        List<Layer> leaves = KerasNesting.leaves(nested);
        for (int pass = 0; pass < 2; pass++) {
            for (Layer l : leaves) {
                for (Param p : l.params()) {
                    Object v = l instanceof Attention ? (Object) p.get().data()[0] : KerasExport.nested(p.get());
                    if (l.trains(p) == (pass == 0)) r.put(l.name() + "/" + KerasLegacyExport.path(l, p) + ":0", v);
                }
            }
        }
        return r;
    }

    /**
     * Whether the .h5 keeps {@code model}'s nested functional models nested ({@link KerasNesting#of}), as Keras'
     * model.save(".h5") does: where each is trainable or has no layer that trains (a frozen model with a layer unfrozen
     * inside is listed in another order by tf.keras 2 than by Keras 3, so it stays flat), its layers' names unique.
     */
    static boolean nests(Model model) {
        if (!nestable(model)) return false;
        // jrnn's reader takes a tf.keras 2 schema's nested calls from 0 (as Keras 3) only where a ref names node 0: a model
        // whose first call feeds only the model's outputs, its later ones layers, stays flat
        return namesFirstCall(KerasExport.modelConfig(model, false, true));
    }

    /** {@link #nests}' check of the models themselves. */
    private static boolean nestable(Model model) {
        KerasNesting k = KerasNesting.of(model);
        if (k == null) return false;
        for (Object op : k.operations) {
            if (!(op instanceof Model m)) continue;
            List<Layer> leaves = KerasNesting.leaves(m);
            if (!m.trainable() && leaves.stream().anyMatch(l -> l.params().stream().anyMatch(l::trains))) return false;
            java.util.Set<String> names = new java.util.HashSet<>();
            for (Layer l : leaves) if (!names.add(l.name())) return false;
            if (!nestsAll(m)) return false;
        }
        return true;
    }

    /** {@link #nestable} for a nested model's own nested models (none: it holds layers only). */
    private static boolean nestsAll(Model m) {
        return KerasNesting.of(m) == null || nestable(m);
    }

    /**
     * Whether, in Keras 3's {@code config} and the nested configs in it, each nested model whose calls the layers' calls
     * name has node 0 named (the refs the .h5 keeps as they are).
     */
    private static boolean namesFirstCall(Map<?, ?> config) {
        List<?> layers = (List<?>) ((Map<?, ?>) config.get("config")).get("layers");
        Map<String, Boolean> zero = new HashMap<>();
        for (Object o : layers) {
            Map<?, ?> spec = (Map<?, ?>) o;
            if ("Functional".equals(spec.get("class_name"))) {
                if (!namesFirstCall(spec)) return false;
                zero.put((String) spec.get("name"), null);
            }
        }
        for (Object o : layers) {
            List<List<?>> refs = new java.util.ArrayList<>();
            histories(((Map<?, ?>) o).get("inbound_nodes"), refs);
            for (List<?> r : refs) {
                if (zero.containsKey((String) r.get(0))) zero.merge((String) r.get(0), ((Number) r.get(1)).longValue() == 0, (a, b) -> a || b);
            }
        }
        return !zero.containsValue(false);
    }

    /** The keras_history refs of the Keras tensors in {@code o} (a layer's inbound nodes). */
    private static void histories(Object o, List<List<?>> out) {
        if (o instanceof Map<?, ?> m) {
            if ("__keras_tensor__".equals(m.get("class_name")) && m.get("config") instanceof Map<?, ?> c && c.get("keras_history") instanceof List<?> h) {
                out.add(h);
                return;
            }
            for (Object v : m.values()) histories(v, out);
        } else if (o instanceof List<?> l) {
            for (Object v : l) histories(v, out);
        }
    }
}
