package dev.jrnn.layers;

import java.util.List;

/**
 * The Keras dtype policies and input dtypes a layer's config may keep ({@link Layer#dtype(String)}). jrnn computes every
 * layer in float32 and keeps float32 weights whatever the policy says; the policy is kept so that the config jrnn writes
 * rebuilds in Keras the layer it was given (a float64 LSTM, a mixed_float16 one, an int32 Input of token ids).
 */
public final class DtypePolicy {
    private DtypePolicy() {}

    /** jrnn's own: what every layer computes in, and the default policy. */
    public static final String FLOAT32 = "float32";
    /** The policies a layer keeps: Keras' float dtypes and its two mixed-precision policies. */
    static final List<String> POLICIES = List.of("float16", "bfloat16", "float32", "float64", "mixed_float16", "mixed_bfloat16");
    /** The dtypes an Input keeps (Keras' {@code Input(dtype=...)}): numbers and bool; jrnn feeds them as float32. */
    static final List<String> INPUT_DTYPES = List.of("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32",
            "int64", "uint8", "uint16", "uint32", "uint64", "bool");

    /** The policies a layer keeps, in Keras' names. */
    public static List<String> policies() { return POLICIES; }

    /** Whether {@code policy} names a policy a layer keeps (a float dtype or a mixed-precision policy). */
    public static boolean isPolicy(String policy) { return POLICIES.contains(policy); }

    /** {@code policy} checked against {@code allowed} (an InputLayer's dtypes, another layer's policies), named {@code where}. */
    static String check(String where, String policy, boolean input) {
        List<String> allowed = input ? INPUT_DTYPES : POLICIES;
        if (policy == null || !allowed.contains(policy)) {
            throw new IllegalArgumentException(where + ": expected " + (input ? "an input dtype" : "a dtype policy") + " of "
                    + allowed + ", got " + (policy == null ? "null" : "'" + policy + "'"));
        }
        return policy;
    }

    /** The dtype a layer of {@code policy} computes in, in Keras (mixed_float16: float16); jrnn's is always float32. */
    public static String computeDtype(String policy) {
        return policy.startsWith("mixed_") ? policy.substring("mixed_".length()) : policy;
    }
}
