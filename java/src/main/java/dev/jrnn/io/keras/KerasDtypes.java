package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.DtypePolicy;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Keras config's dtype policies and Input dtypes: read into the layers ({@link Layer#dtype(String)}) so the configs jrnn
 * writes keep them (Keras then rebuilds the same model: a float64 LSTM, a mixed_float16 one, an int32 Input of ids), and
 * one warning per load naming the layers jrnn computes in float32 although the file says otherwise.
 */
final class KerasDtypes {
    private KerasDtypes() {}

    /**
     * The policy a layer config's {@code "dtype"} names: a string ("float64", "mixed_float16"), Keras 3's DTypePolicy object
     * or tf.keras 2's Policy ({@code {"class_name": ..., "config": {"name": ...}}}); null where there is none.
     */
    static String policy(Object dtype, String where) {
        if (dtype == null) return null;
        if (dtype instanceof String s) return s;
        if (dtype instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> c && c.get("name") instanceof String s) return s;
        throw new KerasFormatException(where + ": dtype " + KerasConfig.describe(dtype) + " should name a dtype policy"
                + " (a string or {\"class_name\": \"DTypePolicy\", \"config\": {\"name\": ...}})");
    }

    /** Gives the model's Inputs the dtypes its config's InputLayers (top level, by name) declare. */
    static void inputs(Model m, Object modelConfig) {
        if (!m.isBuilt() || !(modelConfig instanceof Map<?, ?> top) || !(top.get("config") instanceof Map<?, ?> c)
                || !(c.get("layers") instanceof List<?> specs)) {
            return;
        }
        for (Object o : specs) {
            if (!(o instanceof Map<?, ?> spec) || !"InputLayer".equals(spec.get("class_name")) || !(spec.get("config") instanceof Map<?, ?> ic)) continue;
            String name = ic.get("name") instanceof String n ? n : null;
            String where = "InputLayer '" + name + "'";
            String dtype = policy(ic.get("dtype"), where);
            if (dtype == null) continue;
            for (Node in : m.inputs()) {
                // a Sequential's one input whatever its name (a nested layer may have taken the InputLayer's)
                if (!in.layer().name().equals(name) && !(m instanceof dev.jrnn.model.Sequential)) continue;
                try {
                    in.layer().dtype(dtype);
                } catch (IllegalArgumentException e) {
                    throw new KerasFormatException(where + ": " + e.getMessage());
                }
            }
        }
    }

    /** One warning naming the layers (wrapped ones too) whose policy is not float32: jrnn computes them in float32. */
    static void warn(Model m, String source) {
        if (!m.isBuilt()) return;
        List<String> named = new ArrayList<>();
        for (Layer l : m.layers()) collect(l, named);
        if (named.isEmpty()) return;
        FileFaults.warn(KerasImport.class.getName(), source + ": layers " + String.join(", ", named) + " have a dtype policy"
                + " other than float32; jrnn computes them in float32 with float32 weights (outputs differ from Keras' by its"
                + " rounding), and keeps the policy in the config it writes");
    }

    private static void collect(Layer l, List<String> named) {
        if (!l.kerasClass().equals("InputLayer") && !l.dtype().equals(DtypePolicy.FLOAT32)) named.add("'" + l.name() + "' (" + l.dtype() + ")");
        if (l instanceof Bidirectional b) {
            collect(b.forwardLayer(), named);
            collect(b.backwardLayer(), named);
        } else if (l instanceof TimeDistributed t) {
            collect(t.layer(), named);
        }
    }
}
