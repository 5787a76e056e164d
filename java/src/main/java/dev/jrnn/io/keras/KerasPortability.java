package dev.jrnn.io.keras;

import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Call;
import dev.jrnn.layers.CallGroup;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.Model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

/**
 * What jrnn builds and saves but Keras 3.15.1 cannot use, said once per model at save time: the file is handed to a
 * Python colleague, who would otherwise meet it as Keras' failure at load or at the first call.
 * <ul>
 *   <li>A {@link Bidirectional} whose directions differ in units: jrnn merges them ({@code concat}, {@code none}),
 *   Keras 3 sizes the merged output from the forward layer in every merge mode, so it can neither build nor load it.</li>
 *   <li>A layer or model name outside Keras' TensorFlow backend's scope-name pattern ({@code ^[A-Za-z0-9_.\\/>-]*$}):
 *   the file loads there, its first call fails ("is not a valid scope name"); the JAX backend runs it.</li>
 * </ul>
 */
public final class KerasPortability {
    /** tf.name_scope's pattern, which Keras' TensorFlow backend applies to every layer's and model's name. */
    private static final Pattern TF_SCOPE = Pattern.compile("^[A-Za-z0-9_.\\\\/>-]*$");
    /** The warnings given, by model (weakly held): a checkpoint saves every epoch. */
    private static final Map<Model, Set<String>> WARNED = Collections.synchronizedMap(new WeakHashMap<>());

    private KerasPortability() {}

    /** Logs, once per model and kind, what of {@code model} Keras 3 cannot build, load or run; {@code call} names the save. */
    public static void warn(Model model, String call) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> uneven = new ArrayList<>(), names = new ArrayList<>();
        if (!TF_SCOPE.matcher(model.name()).matches()) names.add("'" + model.name() + "'");
        List<Layer> all = new ArrayList<>();
        for (Layer l : model.layers()) walk(l, all, seen);
        for (Layer l : all) {
            if (l instanceof Bidirectional b && b.forwardLayer().units() != b.backwardLayer().units()) {
                uneven.add("'" + b.name() + "' (forward " + b.forwardLayer().units() + ", backward " + b.backwardLayer().units() + ")");
            }
            if (!TF_SCOPE.matcher(l.name()).matches()) names.add("'" + l.name() + "'");
            // the nested models a layer is called in: their names are scopes too
            for (Call c : l.calls()) {
                for (CallGroup g = c.group(); g != null; g = g.parent()) {
                    if (g.operation() instanceof Model m && m != model && seen.add(m) && !TF_SCOPE.matcher(m.name()).matches()) {
                        names.add("'" + m.name() + "'");
                    }
                }
            }
        }
        Set<String> warned = WARNED.computeIfAbsent(model, k -> Collections.synchronizedSet(new java.util.HashSet<>()));
        System.Logger log = System.getLogger(KerasPortability.class.getName());
        if (!uneven.isEmpty() && warned.add("bidirectional")) {
            log.log(System.Logger.Level.WARNING, call + ": Bidirectional " + String.join(", ", uneven) + " merges directions of"
                    + " different units: jrnn loads the file back, Keras 3 cannot (it sizes the merged output from the forward"
                    + " layer in every merge mode); give both directions the same units for a file Keras loads");
        }
        if (!names.isEmpty() && warned.add("names")) {
            log.log(System.Logger.Level.WARNING, call + ": the name" + (names.size() > 1 ? "s " : " ") + String.join(", ", names)
                    + (names.size() > 1 ? " fall" : " falls") + " outside Keras' TensorFlow backend's scope names (^[A-Za-z0-9_.\\\\/>-]*$):"
                    + " Keras 3 on TensorFlow loads the file and fails at its first call; its JAX backend runs it; rename with name(...)"
                    + " for a file TensorFlow runs");
        }
    }

    /** {@code layer} and a wrapper's inner layers, depth first, each once. */
    private static void walk(Layer layer, List<Layer> into, Set<Object> seen) {
        if (!seen.add(layer)) return;
        into.add(layer);
        switch (layer) {
            case Bidirectional b -> { walk(b.forwardLayer(), into, seen); walk(b.backwardLayer(), into, seen); }
            case TimeDistributed t -> walk(t.layer(), into, seen);
            default -> { }
        }
    }
}
