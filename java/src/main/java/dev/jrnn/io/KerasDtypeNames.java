package dev.jrnn.io;

import java.math.BigInteger;
import java.util.List;

/**
 * The Keras dtype-policy rules jrnn's loaders share: the Keras import ({@code dev.jrnn.io.keras}) and TextVectorization's
 * config ({@code dev.jrnn.data}), in two packages, which is why it is public; not an API of its own. Keras 3.15.1's
 * dtype-policy names, as {@code keras.dtype_policies.get} reads a layer's {@code dtype} string: a dtype, a mixed policy,
 * or, for a name that starts with a quantization mode, {@code <mode>_from_<source>} with the mode's own rules (int8 and
 * float8 as they are, {@code int4} or {@code int4/<block_size>}, {@code gptq/<bits>/<group_size>},
 * {@code awq/4/<group_size>}); and its quantized policy objects, by their class's constructor ({@link #objectRefusal}).
 * Every method refuses a null argument with an IllegalArgumentException naming the parameter.
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
        required(name, "name");
        return DTYPES.contains(name) || name.equals("int") || name.equals("mixed_float16") || name.equals("mixed_bfloat16");
    }

    /** Whether Keras reads {@code name} as a quantized policy: it starts with a quantization mode ("int8", "float8_e5m2" too). */
    public static boolean quantized(String name) {
        required(name, "name");
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
        required(name, "name");
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
        BigInteger[] n = parsed(m, base, bits);
        if (n == null) {
            for (int i = 1; i < m.length && m.length == (bits ? 3 : 2) && m[0].equals(base); i++) {
                if (pythonInt(m[i]) == null) return "'" + m[i] + "' is not an integer (format '" + format + "')";
            }
            return "its mode should have the format '" + format + "' (Keras' " + CLASS_OF_BASE.get(base) + ")";
        }
        if (bits) {
            boolean fits = base.equals("awq") ? n[0].equals(BigInteger.valueOf(4))
                    : List.of(2, 3, 4, 8).stream().anyMatch(b -> n[0].equals(BigInteger.valueOf(b)));
            if (!fits) {
                return "weight_bits " + n[0] + " is not " + (base.equals("awq") ? "4 (AWQ supports 4-bit only)" : "one of 2, 3, 4 and 8");
            }
        }
        BigInteger size = n[n.length - 1];
        if (size.signum() == 0 || size.compareTo(BigInteger.ONE.negate()) < 0) {
            return (bits ? "group_size " : "block_size ") + size + " should be -1 or a positive integer";
        }
        return null;
    }

    /** The numbers of a mode split at "/" ({@code m}) of the format {@code base/<n>} or {@code base/<n>/<n>}; null when it is not one. */
    private static BigInteger[] parsed(String[] m, String base, boolean bits) {
        if (m.length != (bits ? 3 : 2) || !m[0].equals(base)) return null;
        BigInteger[] n = new BigInteger[m.length - 1];
        for (int i = 1; i < m.length; i++) {
            n[i - 1] = pythonInt(m[i]);
            if (n[i - 1] == null) return null;
        }
        return n;
    }

    /** The class of Keras 3.15.1 whose constructor checks a mode with numbers, by the mode's base. */
    private static final java.util.Map<String, String> CLASS_OF_BASE = java.util.Map.of("int4", "Int4DTypePolicy",
            "gptq", "GPTQDTypePolicy", "awq", "AWQDTypePolicy");

    /**
     * Why Keras 3.15.1's constructor of the quantized policy class {@code className} (one of {@link #QUANTIZED_CLASSES})
     * refuses a config's {@code mode} and {@code sourceName}, what {@code keras.dtype_policies.get} of the object checks
     * (dtype_policy_objects.json): QuantizedDTypePolicy and QuantizedFloat8DTypePolicy a mode of
     * {@link #QUANTIZATION_MODES} as it is ({@code "gptq"} too, {@code "int4/128"} not), Int4DTypePolicy
     * {@code int4/<block_size>}, GPTQDTypePolicy {@code gptq/<weight_bits>/<group_size>}, AWQDTypePolicy
     * {@code awq/4/<group_size>}; each a source that is a dtype or mixed policy, int8 not from float16. A phrase starting
     * with the class and mode quoted, Keras' words in it; null when Keras takes it.
     *
     * @throws IllegalArgumentException when an argument is null, or {@code className} is not a quantized class
     */
    public static String objectRefusal(String className, String mode, String sourceName) {
        required(className, "className");
        required(mode, "mode");
        required(sourceName, "sourceName");
        String q = className + " with mode '" + mode + "'";
        String why;
        switch (className) {
            case "QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy" -> why = QUANTIZATION_MODES.contains(mode) ? null
                    : "'" + mode + "' is not a quantization mode (\"Invalid quantization mode. Expected one of " + QUANTIZATION_MODES + "\")";
            case "Int4DTypePolicy" -> why = numbers(mode.split("/", -1), "int4", "int4/<block_size>", false);
            case "GPTQDTypePolicy" -> why = numbers(mode.split("/", -1), "gptq", "gptq/<weight_bits>/<group_size>", true);
            case "AWQDTypePolicy" -> why = numbers(mode.split("/", -1), "awq", "awq/<weight_bits>/<group_size>", true);
            default -> throw new IllegalArgumentException("KerasDtypeNames.objectRefusal: className should be one of "
                    + QUANTIZED_CLASSES + ", got '" + className + "'");
        }
        if (why != null) return q + ": " + why;
        if (!plain(sourceName)) {
            return q + " has the source_name '" + sourceName + "', not a policy Keras has (\"Cannot convert '" + sourceName + "' to a"
                    + " mixed precision DTypePolicy\"); expected one of " + DTYPES + ", \"int\", mixed_float16 or mixed_bfloat16";
        }
        if (mode.equals("int8") && (sourceName.equals("float16") || sourceName.equals("mixed_float16"))) {
            return q + " computes in float16, which Keras refuses for int8 (\"Quantization mode='int8' doesn't work well with"
                    + " compute_dtype='float16'\")";
        }
        return null;
    }

    /**
     * The mode Keras' get_config writes back for a quantized policy object that {@link #objectRefusal} takes: an
     * Int4DTypePolicy's, GPTQDTypePolicy's and AWQDTypePolicy's numbers as parsed ({@code "gptq/4/128"} for
     * {@code "gptq/04/128"}), any other's as given.
     *
     * @throws IllegalArgumentException when an argument is null or the object is one Keras refuses
     */
    public static String writtenMode(String className, String mode) {
        String base = switch (required(className, "className")) {
            case "Int4DTypePolicy" -> "int4";
            case "GPTQDTypePolicy" -> "gptq";
            case "AWQDTypePolicy" -> "awq";
            default -> null;
        };
        if (base == null) return required(mode, "mode");
        BigInteger[] n = parsed(required(mode, "mode").split("/", -1), base, !base.equals("int4"));
        if (n == null) throw new IllegalArgumentException("KerasDtypeNames.writtenMode: '" + mode + "' is not a mode " + className + " takes");
        StringBuilder b = new StringBuilder(base);
        for (BigInteger i : n) b.append('/').append(i);
        return b.toString();
    }

    private static String required(String value, String parameter) {
        if (value == null) throw new IllegalArgumentException("KerasDtypeNames: " + parameter + " should not be null");
        return value;
    }

    /** Python's {@code int(s)} of a decimal string: spaces around, a sign, digits with single underscores between; else null. */
    private static BigInteger pythonInt(String s) {
        String t = s.strip();
        if (!t.matches("[+-]?[0-9](_?[0-9])*")) return null;
        return new BigInteger(t.replace("_", ""));
    }

    /** The mode of a quantized {@code name} ("int4/128" of "int4/128_from_float32"); null for a name that is not one. */
    public static String mode(String name) {
        required(name, "name");
        int from = name.indexOf(FROM);
        return quantized(name) && from > 0 ? name.substring(0, from) : null;
    }

    /** The source policy of a quantized {@code name} ("float32" of "int8_from_float32"); null for a name that is not one. */
    public static String source(String name) {
        required(name, "name");
        int from = name.indexOf(FROM);
        return quantized(name) && from > 0 ? name.substring(from + FROM.length()) : null;
    }

    /**
     * The class Keras' {@code get} makes of a quantized {@code name} and its get_config names: QuantizedDTypePolicy (int8,
     * int4; and "gptq", "awq" without numbers, which only a QuantizedDTypePolicy object gives), QuantizedFloat8DTypePolicy,
     * Int4DTypePolicy ({@code int4/<block_size>}), GPTQDTypePolicy ({@code gptq/...}), AWQDTypePolicy ({@code awq/...}).
     */
    public static String quantizedClass(String name) {
        String mode = mode(name);
        if (mode == null) throw new IllegalArgumentException("'" + name + "' is not a quantized dtype policy name");
        return mode.startsWith("float8") ? "QuantizedFloat8DTypePolicy" : mode.startsWith("int4/") ? "Int4DTypePolicy"
                : mode.startsWith("gptq/") ? "GPTQDTypePolicy" : mode.startsWith("awq/") ? "AWQDTypePolicy" : "QuantizedDTypePolicy";
    }
}
