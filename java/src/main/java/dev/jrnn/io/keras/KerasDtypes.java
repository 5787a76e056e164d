package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import dev.jrnn.io.KerasDtypeNames;
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
     * or tf.keras 2's Policy ({@code {"class_name": ..., "config": {"name": ...}}}), Keras 3's QuantizedDTypePolicy ({@code
     * {"mode": "int8", "source_name": "float32"}}: int8_from_float32); null where there is none.
     */
    static String policy(Object dtype, String where) {
        if (dtype == null) return null;
        if (dtype instanceof String s) return s;
        if (dtype instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> c) {
            // a quantized name is a string's or a QuantizedDTypePolicy's (mode, source_name): DTypePolicy(name) parses only
            // dtypes and mixed names, so Keras 3.15.1 refuses the object (dtype_names.py)
            if (c.get("name") instanceof String s && s.contains("_from_")) {
                throw new KerasFormatException(where + ": dtype " + KerasConfig.describe(dtype) + " names the quantized policy '" + s
                        + "' in a " + m.get("class_name") + " object, which Keras 3 refuses ('Cannot convert '" + s + "' to a mixed"
                        + " precision DTypePolicy'); expected the string \"" + s + "\" or the quantized policy object Keras writes for it"
                        + " (" + KerasDtypeNames.quantizedClass(s) + " with {\"mode\": ..., \"source_name\": ...})");
            }
            if (c.get("name") instanceof String s) return s;
            // Keras 3's quantized policy objects write no name: checked as their class's constructor checks (mode,
            // source_name); the name they stand for is mode_from_source, the mode as their get_config writes it back
            if (quantizedObject(dtype) && c.get("mode") instanceof String mode && c.get("source_name") instanceof String source) {
                String cls = (String) m.get("class_name");
                String why = KerasDtypeNames.objectRefusal(cls, mode, source);
                if (why != null) {
                    throw new KerasFormatException(where + ": dtype " + KerasConfig.describe(dtype) + ": " + why
                            + "; Keras 3 refuses it too (" + cls + "'s constructor)");
                }
                return KerasDtypeNames.writtenMode(cls, mode) + "_from_" + source;
            }
        }
        throw new KerasFormatException(where + ": dtype " + KerasConfig.describe(dtype) + " should name a dtype policy"
                + " (a string, {\"class_name\": \"DTypePolicy\", \"config\": {\"name\": ...}} or a QuantizedDTypePolicy's"
                + " {\"mode\": ..., \"source_name\": ...})");
    }

    /**
     * Whether {@code dtype} is one of Keras' quantized policy objects ({@link KerasDtypeNames#QUANTIZED_CLASSES}), which
     * {@link #policy} checks by its class: its name is not read again as a string.
     */
    static boolean quantizedObject(Object dtype) {
        return dtype instanceof Map<?, ?> m && m.get("class_name") instanceof String cls && KerasDtypeNames.QUANTIZED_CLASSES.contains(cls);
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

    /**
     * Whether {@code dtype} is an integer or bool dtype, which Keras 1 / 2 wrote as a first layer's dtype (its input's,
     * {@code input_dtype}): not a policy, and left out silently.
     */
    static boolean inputDtype(String dtype) { return dtype.matches("u?int(8|16|32|64)|bool"); }

    /**
     * Refuses a policy name Keras 3.15.1 cannot read ({@link KerasDtypeNames#refusal}): not one of its dtypes or mixed
     * policies, a dtype that starts with a quantization mode ("int8", "float8_e5m2"), which Keras reads as a malformed
     * quantized policy, or a quantized {@code <mode>_from_<source>} whose mode, numbers or source Keras refuses
     * ("int8_from_mixed_float16", "gptq/5/128_from_float32").
     */
    static void checkName(String policy, String where) {
        String why = KerasDtypeNames.refusal(policy);
        if (why != null) {
            throw new KerasFormatException(where + ": dtype " + why + "; Keras 3 refuses it too, as a string or a DTypePolicy object alike");
        }
    }

    /**
     * Refuses a layer with weights (built for the file) whose policy is not a float dtype (complex128, int32, bool, string):
     * Keras 3.15.1 cannot make its weights ("dtype argument to `uniform` must be a float dtype, got complex64") and refuses
     * the file; a weightless layer of such a policy loads there and is among {@link #warn}'s dropped ones here.
     */
    static void refuseNonFloatWeights(List<Map.Entry<Layer, String>> dropped) {
        for (Map.Entry<Layer, String> e : dropped) {
            String p = e.getValue();
            String mode = KerasDtypeNames.mode(p);
            // GPTQ / AWQ: Keras 3.15.1 builds the layer with the quantizer's packed variables, which only model.quantize fills;
            // until then it cannot call it ("'Dense' object has no attribute '_kernel'") nor save the model, and a save after
            // it does not load back in 3.15.1 (its save_own_variables leaves out kernel_zero, GPTQ: "Layer 'd' expected 5
            // variables, but received 4"), so no file holds such a layer's weights; jrnn has no GPTQ/AWQ kernels either
            if (mode != null && (mode.startsWith("gptq") || mode.startsWith("awq")) && e.getKey().isBuilt() && !e.getKey().params().isEmpty()) {
                boolean gptq = mode.startsWith("gptq");
                throw new KerasFormatException("layer '" + e.getKey().name() + "' (" + e.getKey().kerasClass() + "): dtype '" + p
                        + "' is " + (gptq ? "a GPTQ" : "an AWQ") + "-quantized policy: Keras 3.15.1 builds it with packed variables"
                        + " that only model.quantize(\"" + (gptq ? "gptq" : "awq") + "\") fills (before that it cannot call or save the"
                        + " layer: '" + e.getKey().kerasClass() + "' object has no attribute '_kernel'; a save after it does not load"
                        + " back in 3.15.1), and jrnn has no GPTQ/AWQ kernels: give the layer its float policy (the source, '"
                        + KerasDtypeNames.source(p) + "')");
            }
            int from = p.indexOf("_from_");
            boolean fl = from > 0 || p.startsWith("float") || p.equals("bfloat16") || p.startsWith("mixed_");
            if (!fl && e.getKey().isBuilt() && !e.getKey().params().isEmpty()) {
                throw new KerasFormatException("layer '" + e.getKey().name() + "' (" + e.getKey().kerasClass() + "): dtype '" + p
                        + "' would give it " + p + " weights, which Keras 3 cannot make either ('dtype argument to `uniform` must be a"
                        + " float dtype'); jrnn's layers compute in float32 (a float policy: " + String.join(", ", DtypePolicy.policies()) + ")");
            }
        }
    }

    /**
     * One warning naming the layers (wrapped ones too) whose policy is not float32: jrnn computes them in float32; and
     * {@code dropped}, the layers whose policy jrnn does not keep (a quantized {@code int8_from_float32}): written float32.
     */
    static void warn(Model m, String source, List<Map.Entry<Layer, String>> droppedLayers) {
        List<String> dropped = droppedLayers.stream().map(e -> "'" + e.getKey().name() + "' (" + e.getValue() + ")").toList();
        List<String> named = new ArrayList<>();
        if (m.isBuilt()) for (Layer l : m.layers()) collect(l, named);
        List<String> parts = new ArrayList<>();
        if (!named.isEmpty()) {
            parts.add("layers " + String.join(", ", named) + " have a dtype policy other than float32; jrnn computes them in"
                    + " float32 with float32 weights (outputs differ from Keras' by its rounding), and keeps the policy in the"
                    + " config it writes");
        }
        if (!dropped.isEmpty()) {
            parts.add("layers " + String.join(", ", dropped) + " have a dtype policy jrnn does not keep (it keeps "
                    + String.join(", ", DtypePolicy.policies()) + "); jrnn computes them in float32 and writes float32 for them");
        }
        if (!parts.isEmpty()) FileFaults.warn(KerasImport.class.getName(), source + ": " + String.join("; ", parts));
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
