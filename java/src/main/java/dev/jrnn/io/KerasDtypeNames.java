package dev.jrnn.io;

import java.math.BigInteger;
import java.util.List;

/**
 * Keras 3.15.1's dtype-policy names, as {@code keras.dtype_policies.get} reads a layer's {@code dtype} string: a dtype, a
 * mixed policy, or, for a name that starts with a quantization mode, {@code <mode>_from_<source>} with the mode's own
 * rules (int8 and float8 as they are, {@code int4} or {@code int4/<block_size>}, {@code gptq/<bits>/<group_size>},
 * {@code awq/4/<group_size>}). One list for the Keras import ({@code io.keras}) and TextVectorization's config
 * ({@code data}), which may both name this package.
 */
public final class KerasDtypeNames {
    private KerasDtypeNames() {}

    /** Keras 3.15.1's dtypes ({@code backend.common.dtypes.ALLOWED_DTYPES}). */
    public static final List<String> DTYPES = List.of("bfloat16", "bool", "complex128", "complex64", "float16", "float32",
            "float64", "float8_e4m3fn", "float8_e5m2", "int16", "int32", "int64", "int8", "string", "uint16", "uint32", "uint64", "uint8");

    /** Keras 3.15.1's quantization modes ({@code dtype_policy.QUANTIZATION_MODES}): a name starting with one is quantized. */
    public static final List<String> QUANTIZATION_MODES = List.of("int8", "float8", "int4", "gptq", "awq");

    /** Keras 3.15.1's quantized policy classes, whose config is {@code {"mode": ..., "source_name": ...}}. */
    public static final List<String> QUANTIZED_CLASSES = List.of("QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy",
            "Int4DTypePolicy", "GPTQDTypePolicy", "AWQDTypePolicy");

    private static final String FROM = "_from_";

    /** What Keras' {@code DTypePolicy(name)} parses: a dtype, Python's "int" (standardize_dtype's int64) or a mixed policy. */
    public static boolean plain(String name) {
        return DTYPES.contains(name) || name.equals("int") || name.equals("mixed_float16") || name.equals("mixed_bfloat16");
    }

    /** Whether Keras reads {@code name} as a quantized policy: it starts with a quantization mode ("int8", "float8_e5m2" too). */
    public static boolean quantized(String name) {
        return QUANTIZATION_MODES.stream().anyMatch(name::startsWith);
    }

    /**
     * Why Keras 3.15.1's {@code dtype_policies.get} refuses the string {@code name}, a phrase that starts with the name
     * quoted ("'int8' starts with a quantization mode ..."), Keras' own words in it; null when Keras takes it. A
     * DTypePolicy object named so is taken when its name is {@link #plain} and this is null (Keras' layer reads the
     * object's name again through {@code get}). For example {@code refusal("int8_from_float32")} is null and
     * {@code refusal("int8_from_mixed_float16")} says Keras' "Quantization mode='int8' doesn't work well with
     * compute_dtype='float16'".
     *
     * @throws IllegalArgumentException when {@code name} is null
     */
    public static String refusal(String name) {
        if (name == null) throw new IllegalArgumentException("KerasDtypeNames.refusal: name should be a dtype policy name, got null");
        String q = "'" + name + "'";
        if (!quantized(name)) {
            return plain(name) ? null : q + " is not a dtype policy Keras has (\"Cannot convert " + q + " to a mixed precision"
                    + " DTypePolicy\"); expected one of " + DTYPES + ", \"int\", mixed_float16, mixed_bfloat16 or a quantized"
                    + " '<mode>_from_<source>' of a mode " + QUANTIZATION_MODES;
        }
        String[] parts = name.split(FROM, -1);
        if (parts.length != 2) {
            return q + " starts with a quantization mode " + QUANTIZATION_MODES + ", so Keras reads it as '<mode>_from_<source>',"
                    + " which it is not (\"Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate"
                    + " `QuantizedDTypePolicy`\")";
        }
        String mode = parts[0], source = parts[1];
        if (!plain(source)) {
            return q + " has the source policy '" + source + "', not one Keras has (\"Cannot convert '" + source + "' to a mixed"
                    + " precision DTypePolicy\"); expected one of " + DTYPES + ", \"int\", mixed_float16 or mixed_bfloat16";
        }
        String why = name.startsWith("int4") && mode.contains("/") ? numbers(mode.split("/", -1), "int4", "int4/<block_size>", false)
                : name.startsWith("gptq") ? numbers(mode.split("/", -1), "gptq", "gptq/<weight_bits>/<group_size>", true)
                : name.startsWith("awq") ? numbers(mode.split("/", -1), "awq", "awq/<weight_bits>/<group_size>", true)
                : QUANTIZATION_MODES.contains(mode) ? null
                : "its mode '" + mode + "' is not a quantization mode (\"Invalid quantization mode. Expected one of " + QUANTIZATION_MODES + "\")";
        if (why != null) return q + ": " + why;
        if (mode.equals("int8") && (source.equals("float16") || source.equals("mixed_float16"))) {
            return q + " computes in float16, which Keras refuses for int8 (\"Quantization mode='int8' doesn't work well with"
                    + " compute_dtype='float16'\")";
        }
        return null;
    }

    /**
     * The mode's numbers (int4's block size; gptq's and awq's bits and group size) as their Keras classes check them,
     * parsed as Python's {@code int()}; null when they fit.
     */
    private static String numbers(String[] m, String base, String format, boolean bits) {
        if (m.length != (bits ? 3 : 2) || !m[0].equals(base)) return "its mode should have the format '" + format + "' (Keras' " + quantizedClass(base + "/0" + (bits ? "/0" : "") + "_from_x") + ")";
        BigInteger[] n = new BigInteger[m.length - 1];
        for (int i = 1; i < m.length; i++) {
            n[i - 1] = pythonInt(m[i]);
            if (n[i - 1] == null) return "'" + m[i] + "' is not an integer (format '" + format + "')";
        }
        if (bits) {
            int b = n[0].bitLength() < 8 ? n[0].intValue() : -99;
            if (base.equals("awq") ? b != 4 : !List.of(2, 3, 4, 8).contains(b)) {
                return "weight_bits " + n[0] + " is not " + (base.equals("awq") ? "4 (AWQ supports 4-bit only)" : "one of 2, 3, 4 and 8");
            }
        }
        BigInteger size = n[n.length - 1];
        if (size.signum() == 0 || size.compareTo(BigInteger.ONE.negate()) < 0) {
            return (bits ? "group_size " : "block_size ") + size + " should be -1 or a positive integer";
        }
        return null;
    }

    /** Python's {@code int(s)} of a decimal string: spaces around, a sign, digits with single underscores between; else null. */
    private static BigInteger pythonInt(String s) {
        String t = s.strip();
        if (!t.matches("[+-]?[0-9](_?[0-9])*")) return null;
        return new BigInteger(t.replace("_", ""));
    }

    /** The mode of a quantized {@code name} ("int4/128" of "int4/128_from_float32"); null for a name that is not one. */
    public static String mode(String name) {
        int from = name.indexOf(FROM);
        return quantized(name) && from > 0 ? name.substring(0, from) : null;
    }

    /** The source policy of a quantized {@code name} ("float32" of "int8_from_float32"); null for a name that is not one. */
    public static String source(String name) {
        int from = name.indexOf(FROM);
        return quantized(name) && from > 0 ? name.substring(from + FROM.length()) : null;
    }

    /**
     * The class Keras' {@code get} makes of a quantized {@code name} and its get_config names: QuantizedDTypePolicy (int8,
     * int4), QuantizedFloat8DTypePolicy, Int4DTypePolicy ({@code int4/<block_size>}), GPTQDTypePolicy, AWQDTypePolicy.
     */
    public static String quantizedClass(String name) {
        String mode = mode(name);
        if (mode == null) throw new IllegalArgumentException("'" + name + "' is not a quantized dtype policy name");
        return mode.startsWith("float8") ? "QuantizedFloat8DTypePolicy" : mode.startsWith("int4/") ? "Int4DTypePolicy"
                : mode.startsWith("gptq") ? "GPTQDTypePolicy" : mode.startsWith("awq") ? "AWQDTypePolicy" : "QuantizedDTypePolicy";
    }
}
