package dev.jrnn.data;

import dev.jrnn.io.KerasDtypeNames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link TextVectorization}'s options as Keras 3's {@code TextVectorization.get_config} writes them, and back as its
 * {@code from_config} reads them: {@code ngrams} an int or a list of sizes, {@code output_mode} with "one_hot". As in
 * Keras, an adapted vocabulary is not in the config ({@code vocabulary} is null): it travels in the vocabulary file
 * ({@link TextVectorization#saveVocabulary}, Keras' {@code vocabulary.txt} asset).
 */
final class TextVectorizationConfig {
    /** The derived vocabulary size, which the options do not depend on. */
    private static final Set<String> IGNORED = Set.of("vocabulary_size");
    /** Keras' base layer keys, kept for config() (jrnn's output is float32 ids whatever the dtype). */
    private static final Set<String> BASE = Set.of("name", "trainable", "dtype");
    private static final Set<String> KEYS = Set.of("max_tokens", "standardize", "split", "ngrams", "output_mode", "output_sequence_length",
            "pad_to_max_tokens", "sparse", "ragged", "vocabulary", "idf_weights", "encoding");

    private TextVectorizationConfig() {}

    static Map<String, Object> write(TextVectorization v, Integer ngramsUpTo) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", v.kerasName);
        c.put("trainable", v.kerasTrainable);
        c.put("dtype", v.kerasDtypeObject != null ? v.kerasDtypeObject : policy(v.kerasDtype));
        c.put("max_tokens", v.maxTokens());
        c.put("standardize", v.standardize());
        c.put("split", v.split());
        c.put("ngrams", ngramsUpTo != null ? ngramsUpTo : v.ngrams());
        c.put("output_mode", v.outputMode());
        c.put("output_sequence_length", v.outputSequenceLength());
        c.put("pad_to_max_tokens", v.padToMaxTokens());
        c.put("sparse", false);
        c.put("ragged", false);
        c.put("vocabulary", null);
        c.put("idf_weights", null);
        c.put("encoding", "utf-8");
        c.put("vocabulary_size", v.vocabularySize());
        return c;
    }

    /**
     * The policy object Keras 3.15.1's get_config writes for dtype {@code name} whatever it was given: a DTypePolicy named so,
     * or for a quantized {@code <mode>_from_<source>} the class Keras makes of it (QuantizedDTypePolicy, Int4DTypePolicy,
     * GPTQDTypePolicy, AWQDTypePolicy; QuantizedFloat8DTypePolicy with its default amax_history_length 1024) of that mode
     * (its numbers as parsed, as get_config writes them: "gptq/4/128" of "gptq/04/128") and source.
     */
    private static Map<String, Object> policy(String name) {
        Map<String, Object> policy = new LinkedHashMap<>();
        String mode = KerasDtypeNames.mode(name);
        Map<String, Object> config = new LinkedHashMap<>();
        if (mode != null) {
            String cls = KerasDtypeNames.quantizedClass(name);
            config.put("mode", KerasDtypeNames.writtenMode(cls, mode));   // numbers as parsed: gptq/4/128 of gptq/04/128
            config.put("source_name", KerasDtypeNames.source(name));
            if (mode.equals("float8")) config.put("amax_history_length", 1024);
            policy.put("module", "keras.dtype_policies");
            policy.put("class_name", cls);
        } else {
            config.put("name", name);
            policy.put("module", "keras");
            policy.put("class_name", "DTypePolicy");
        }
        policy.put("config", config);
        policy.put("registered_name", null);
        return policy;
    }

    /**
     * What Keras 3.15.1's get_config writes back for a quantized policy object {@code o} that {@link #dtype} read as
     * {@code name}: the object's own class, not the class its name would make (a QuantizedDTypePolicy of mode float8 stays
     * one, with no amax_history_length; a QuantizedFloat8DTypePolicy of mode int8 stays one, with its
     * amax_history_length, 1024 when not given); null for a name or a DTypePolicy object.
     */
    private static Map<String, Object> quantizedObject(Object o, String name) {
        if (!(o instanceof Map<?, ?> m && m.get("class_name") instanceof String cls && KerasDtypeNames.QUANTIZED_CLASSES.contains(cls))) return null;
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", KerasDtypeNames.mode(name));
        config.put("source_name", KerasDtypeNames.source(name));
        if (cls.equals("QuantizedFloat8DTypePolicy")) {
            Object amax = ((Map<?, ?>) m.get("config")).get("amax_history_length");
            if (amax == null) amax = 1024;
            // Keras' constructor: "`amax_history_length` must be an integer"
            if (!(amax instanceof Long || amax instanceof Integer)) {
                throw new IllegalArgumentException("TextVectorization.fromConfig: 'dtype' " + cls + "'s amax_history_length must be an"
                        + " integer (Keras refuses it too), got " + describe(amax));
            }
            config.put("amax_history_length", amax);
        }
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("module", "keras.dtype_policies");
        policy.put("class_name", cls);
        policy.put("config", config);
        policy.put("registered_name", null);
        return policy;
    }

    static TextVectorization read(Map<String, ?> c) {
        if (c == null) throw new IllegalArgumentException("TextVectorization.fromConfig: config is null");
        for (String k : c.keySet()) {
            if (!KEYS.contains(k) && !IGNORED.contains(k) && !BASE.contains(k)) {
                throw new IllegalArgumentException("TextVectorization.fromConfig: unknown option '" + k + "'; expected " + new java.util.TreeSet<>(KEYS));
            }
        }
        for (String k : List.of("sparse", "ragged")) {
            if (c.get(k) != null && !Boolean.FALSE.equals(c.get(k))) {
                throw new IllegalArgumentException("TextVectorization.fromConfig: option " + k + "=" + c.get(k) + " is not supported (false only)");
            }
        }
        Object enc = c.get("encoding");
        if (enc != null && !"utf-8".equalsIgnoreCase(String.valueOf(enc))) {
            throw new IllegalArgumentException("TextVectorization.fromConfig: encoding must be \"utf-8\", got " + describe(enc));
        }
        TextVectorization v = new TextVectorization();
        if (c.get("name") != null) v.kerasName = string(c, "name", null);
        if (c.get("trainable") != null) {
            if (!(c.get("trainable") instanceof Boolean b)) {
                throw new IllegalArgumentException("TextVectorization.fromConfig: 'trainable' should be true or false, got " + describe(c.get("trainable")));
            }
            v.kerasTrainable = b;
        }
        if (c.get("dtype") != null) {
            v.kerasDtype = dtype(c.get("dtype"));
            v.kerasDtypeObject = quantizedObject(c.get("dtype"), v.kerasDtype);
        }
        if (c.get("max_tokens") != null) v.maxTokens(integer(c, "max_tokens"));
        v.standardize(string(c, "standardize", TextTokens.LOWER_AND_STRIP_PUNCTUATION));
        v.split(string(c, "split", TextTokens.WHITESPACE));
        Object ng = c.get("ngrams");
        if (ng instanceof List<?> l) {
            List<Integer> sizes = new ArrayList<>();
            for (Object o : l) sizes.add(whole(o, "ngrams"));
            v.ngrams(sizes);
        } else if (ng != null) {
            v.ngrams(integer(c, "ngrams"));
        }
        if (c.containsKey("output_mode")) v.outputMode(string(c, "output_mode", null));
        if (c.get("output_sequence_length") != null) v.outputSequenceLength(integer(c, "output_sequence_length"));
        if (c.get("pad_to_max_tokens") != null) {
            if (!(c.get("pad_to_max_tokens") instanceof Boolean b)) {
                throw new IllegalArgumentException("TextVectorization.fromConfig: 'pad_to_max_tokens' should be true or false, got "
                        + describe(c.get("pad_to_max_tokens")));
            }
            v.padToMaxTokens(b);
        }
        if (c.get("vocabulary") != null) {
            if (!(c.get("vocabulary") instanceof List<?> voc)) {
                throw new IllegalArgumentException("TextVectorization.fromConfig: 'vocabulary' should be a list of strings or null, got "
                        + describe(c.get("vocabulary")));
            }
            List<String> tokens = new ArrayList<>();
            for (Object o : voc) {
                if (!(o instanceof String s)) throw new IllegalArgumentException("TextVectorization.fromConfig: 'vocabulary' holds " + describe(o) + ", expected strings");
                tokens.add(s);
            }
            if (c.get("idf_weights") instanceof List<?> w) {
                float[] idf = new float[w.size()];
                for (int i = 0; i < idf.length; i++) {
                    if (!(w.get(i) instanceof Number n)) throw new IllegalArgumentException("TextVectorization.fromConfig: 'idf_weights' holds " + describe(w.get(i)) + ", expected numbers");
                    idf[i] = n.floatValue();
                }
                v.vocabulary(tokens, idf);
            } else {
                v.vocabulary(tokens);
            }
        }
        return v;
    }

    /**
     * A dtype as Keras takes it: a name, or a DTypePolicy object ({@code {"class_name": ..., "config": {"name": ...}}}), the
     * name one Keras 3.15.1's from_config takes (tv_dtypes.json, dtype_policy_names.json): a dtype, "int" or a mixed policy; as a
     * string a quantized {@code <mode>_from_<source>} too ({@link KerasDtypeNames#refusal}), but no dtype starting with a
     * mode ("int8", which Keras reads as a quantized policy; as an object's name it loads); and the quantized policy objects ({@code {"mode": ...,
     * "source_name": ...}}) get_config writes for one, which Keras 3.15.1 loads.
     */
    private static String dtype(Object o) {
        // Keras' quantized policy objects (what get_config writes for "int8_from_float32"): read as the name they stand for
        if (o instanceof Map<?, ?> m && m.get("class_name") instanceof String cls && KerasDtypeNames.QUANTIZED_CLASSES.contains(cls)) {
            if (!(m.get("config") instanceof Map<?, ?> cfg && cfg.get("mode") instanceof String mode
                    && cfg.get("source_name") instanceof String source)) {
                throw new IllegalArgumentException("TextVectorization.fromConfig: 'dtype' " + cls + " should have a config with string"
                        + " 'mode' and 'source_name', got " + describe(o));
            }
            // checked as the class's constructor checks it (Keras takes QuantizedDTypePolicy "gptq", refuses its "int4/128");
            // its name with the mode Keras' get_config writes back (gptq/4/128 of gptq/04/128)
            String why = KerasDtypeNames.objectRefusal(cls, mode, source);
            if (why != null) {
                throw new IllegalArgumentException("TextVectorization.fromConfig: 'dtype' " + describe(o) + " is not a dtype policy"
                        + " Keras 3 takes (Keras refuses it too, in " + cls + "'s constructor): " + why);
            }
            return KerasDtypeNames.writtenMode(cls, mode) + "_from_" + source;
        }
        boolean object = o instanceof Map<?, ?>;
        String name = o instanceof String s ? s
                : o instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> cfg && cfg.get("name") instanceof String s ? s : null;
        if (name == null) {
            throw new IllegalArgumentException("TextVectorization.fromConfig: 'dtype' should be a dtype name or a DTypePolicy object"
                    + " {\"class_name\": \"DTypePolicy\", \"config\": {\"name\": ...}}, got " + describe(o));
        }
        // an object's name is parsed as DTypePolicy(name) only (tv_dtypes.json: its "int8" loads), a string's by dtype_policies.get
        String why = object ? (KerasDtypeNames.plain(name) ? null : "a DTypePolicy object's name is a dtype, \"int\" or a mixed"
                + " policy (\"Cannot convert '" + name + "' to a mixed precision DTypePolicy\"); a quantized name is given as a string or"
                + " a quantized policy's {\"mode\": ..., \"source_name\": ...}") : KerasDtypeNames.refusal(name);
        if (why == null) return name;
        throw new IllegalArgumentException("TextVectorization.fromConfig: 'dtype' " + (object ? "object named " : "") + describe(name)
                + " is not a dtype policy Keras 3 takes (Keras refuses it too): " + why);
    }

    private static String string(Map<String, ?> c, String key, String dflt) {
        if (!c.containsKey(key)) return dflt;
        Object o = c.get(key);
        if (o != null && !(o instanceof String)) {
            throw new IllegalArgumentException("TextVectorization.fromConfig: '" + key + "' should be a string or null (callables are not "
                    + "supported), got " + describe(o));
        }
        return (String) o;
    }

    private static int integer(Map<String, ?> c, String key) { return whole(c.get(key), key); }

    private static int whole(Object o, String key) {
        if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TextVectorization.fromConfig: '" + key + "' should be an integer, got " + describe(o));
        }
        return n.intValue();
    }

    private static String describe(Object o) { return o instanceof String s ? "\"" + s + "\"" : String.valueOf(o); }
}
