package dev.jrnn.backend;

import java.util.Locale;

/**
 * Elementwise activations as Keras names them. Derivatives are expressed through the output
 * {@code y = f(x)} so that backward passes only need what forward stored, except for gelu, swish and the
 * Keras 3 activations from relu6 on, whose derivative is taken from the input ({@link #needsInput()}).
 * The integer {@link #code()} is what CUDA kernels receive.
 */
public enum Activation {
    LINEAR(0), TANH(1), SIGMOID(2), RELU(3), SOFTMAX(4),
    /** Keras 2's hard_sigmoid, {@code clip(0.2x + 1/2, 0, 1)}: named "hard_sigmoid_keras2" (Keras 3 has only its own). */
    HARD_SIGMOID(5),
    ELU(6), SELU(7), SOFTPLUS(8), SOFTSIGN(9),
    /** Keras 3's hard_sigmoid, {@code clip(x/6 + 1/2, 0, 1)}: named "hard_sigmoid". */
    HARD_SIGMOID_V3(10),
    /** Keras 3's leaky_relu with its default negative_slope 0.2: {@code x > 0 ? x : 0.2 x}. */
    LEAKY_RELU(11),
    /** {@code exp(x)}. */
    EXPONENTIAL(12),
    /** Keras' gelu with its default approximate=False: {@code x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))}. */
    GELU(13),
    /** Keras' swish (Keras 3's silu): {@code x * sigmoid(x)}. */
    SWISH(14),
    /** {@code min(max(x, 0), 6)}. */
    RELU6(15),
    /** {@code x * tanh(softplus(x))}. */
    MISH(16),
    /** Keras 3's hard_silu (alias hard_swish): {@code x * clip(x/6 + 1/2, 0, 1)}. */
    HARD_SILU(17),
    /** celu with Keras' default alpha 1: {@code x >= 0 ? x : exp(x) - 1}. */
    CELU(18),
    /** {@code log(sigmoid(x)) = -softplus(-x)}. */
    LOG_SIGMOID(19),
    /** {@code clip(x, -1, 1)}. */
    HARD_TANH(20),
    /** {@code x - tanh(x)}. */
    TANH_SHRINK(21),
    /** soft_shrink with Keras' default threshold 0.5: {@code x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0}. */
    SOFT_SHRINK(22),
    /** hard_shrink with Keras' default threshold 0.5: {@code |x| > 0.5 ? x : 0}. */
    HARD_SHRINK(23),
    /** squareplus with Keras' default b 4: {@code (x + sqrt(x^2 + 4)) / 2}. */
    SQUAREPLUS(24),
    /** {@code x <= -1 ? 0 : x >= 1 ? x : (x + 1)^2 / 4}. */
    SPARSE_PLUS(25),
    /** {@code x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2}. */
    SPARSE_SIGMOID(26),
    /** Keras' log_softmax over the last axis, {@code x - max - log(sum(exp(x - max)))}: rows, as SOFTMAX. */
    LOG_SOFTMAX(27);

    /** SOFT_SHRINK's and HARD_SHRINK's threshold: Keras' default. */
    public static final double SHRINK_THRESHOLD = 0.5;

    /** SQUAREPLUS's b: Keras' default. */
    public static final double SQUAREPLUS_B = 4;

    /** LEAKY_RELU's slope for x &lt;= 0: Keras 3's default negative_slope. */
    public static final double LEAKY_SLOPE = 0.2;

    /** SELU's constants, as Keras. */
    public static final double SELU_SCALE = 1.0507009873554805, SELU_ALPHA = 1.6732632423543772;

    private final int code;

    Activation(int code) { this.code = code; }

    public int code() { return code; }

    /**
     * Keras spelling: "tanh", "sigmoid", "relu", "linear" (also null, as Keras' None), "softmax", "hard_sigmoid"
     * (Keras 3's, {@code clip(x/6 + 1/2, 0, 1)}), "hard_sigmoid_keras2" (Keras 2's,
     * {@code clip(0.2x + 1/2, 0, 1)}, which Keras 3 cannot load), "elu", "selu", "softplus", "softsign",
     * "leaky_relu" (negative_slope 0.2), "exponential", "gelu" (exact, erf), "swish" (also "silu"), and Keras 3's
     * "relu6", "mish", "hard_silu" (also "hard_swish"), "celu" (alpha 1), "log_sigmoid", "hard_tanh", "tanh_shrink",
     * "soft_shrink" and "hard_shrink" (threshold 0.5), "squareplus" (b 4), "sparse_plus" and "sparse_sigmoid", each with
     * Keras' default arguments, and "log_softmax" (rows, as softmax). gelu, swish and the Keras 3 elementwise ones
     * take their derivative from the input ({@link #needsInput()}). Keras' glu, sparsemax (not elementwise) and
     * threshold (no defaults) are refused, and so is a name in another case ("Tanh", "RELU"), "", "none" and jrnn's old
     * alias "hard_sigmoid_v3", as Keras 3.15.1's activations.get refuses them.
     * <pre>{@code
     * Activation.of("hard_sigmoid").apply(1.5);          // 0.75, Keras 3's
     * Activation.of("hard_sigmoid_keras2").apply(1.5);   // 0.8, Keras 2's
     * }</pre>
     */
    public static Activation of(String name) {
        if (name == null) return LINEAR;
        Activation a = named(name);
        if (a != null) return a;
        // Keras' activations.get looks a name up as written ("Tanh" and "RELU" are refused); say which name was meant
        Activation lower = named(name.toLowerCase(Locale.ROOT));
        String hint = switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "", "none" -> " (Keras refuses it too: the identity is \"linear\", or null as Keras' None)";
            case "hard_sigmoid_v3" -> " (jrnn's old alias, which Keras refuses: Keras 3's is \"hard_sigmoid\")";
            default -> lower == null ? "" : " (Keras' names are lower case: did you mean " + lower.kerasName() + "?)";
        };
        throw new IllegalArgumentException("unknown activation '" + name + "'" + hint
                + ": expected one of linear, tanh, sigmoid, relu, softmax, hard_sigmoid (Keras 3's), "
                + "hard_sigmoid_keras2 (Keras 2's), elu, selu, softplus, softsign, leaky_relu, exponential, gelu, swish, "
                + "relu6, mish, hard_silu, celu, log_sigmoid, hard_tanh, tanh_shrink, soft_shrink, hard_shrink, squareplus, "
                + "sparse_plus, sparse_sigmoid, log_softmax"
                + " (glu, sparsemax and threshold are not supported)");
    }

    /** The activation of exactly this name, or null. */
    private static Activation named(String name) {
        return switch (name) {
            case "linear" -> LINEAR;
            case "tanh" -> TANH;
            case "sigmoid" -> SIGMOID;
            case "relu" -> RELU;
            case "softmax" -> SOFTMAX;
            case "hard_sigmoid" -> HARD_SIGMOID_V3;
            case "hard_sigmoid_keras2" -> HARD_SIGMOID;
            case "elu" -> ELU;
            case "selu" -> SELU;
            case "softplus" -> SOFTPLUS;
            case "softsign" -> SOFTSIGN;
            case "leaky_relu" -> LEAKY_RELU;
            case "exponential" -> EXPONENTIAL;
            case "gelu" -> GELU;
            case "swish", "silu" -> SWISH;
            case "relu6" -> RELU6;
            case "mish" -> MISH;
            case "hard_silu", "hard_swish" -> HARD_SILU;
            case "celu" -> CELU;
            case "log_sigmoid" -> LOG_SIGMOID;
            case "hard_tanh" -> HARD_TANH;
            case "tanh_shrink" -> TANH_SHRINK;
            case "soft_shrink" -> SOFT_SHRINK;
            case "hard_shrink" -> HARD_SHRINK;
            case "squareplus" -> SQUAREPLUS;
            case "sparse_plus" -> SPARSE_PLUS;
            case "sparse_sigmoid" -> SPARSE_SIGMOID;
            case "log_softmax" -> LOG_SOFTMAX;
            default -> null;
        };
    }

    /**
     * Whether the derivative is taken from the input x rather than the output y (gelu, swish, mish...: no function of
     * y gives it; for the piecewise Keras 3 ones, relu6 to sparse_sigmoid, x keeps the derivative exact at the kinks
     * and one path serves them all), so a backward pass keeps x for it ({@link #derivFromInput}); the others use
     * {@link #derivFromOutput}.
     */
    public boolean needsInput() { return code >= GELU_CODE && this != LOG_SOFTMAX; }

    /** Whether this works on rows of the last axis (softmax, log_softmax) rather than elementwise. */
    public boolean rowwise() { return this == SOFTMAX || this == LOG_SOFTMAX; }

    private static final int GELU_CODE = 13;

    /**
     * The name {@link #of} takes back: Keras' spelling, "hard_sigmoid" for Keras 3's ({@link #HARD_SIGMOID_V3}),
     * "hard_sigmoid_keras2" for Keras 2's ({@link #HARD_SIGMOID}).
     */
    public String kerasName() {
        return switch (this) {
            case HARD_SIGMOID -> "hard_sigmoid_keras2";
            case HARD_SIGMOID_V3 -> "hard_sigmoid";
            default -> name().toLowerCase(Locale.ROOT);
        };
    }

    /** Scalar reference in double precision (softmax is not elementwise and throws). */
    public double apply(double x) {
        return switch (this) {
            case LINEAR -> x;
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : 0;
            case HARD_SIGMOID -> Math.max(0, Math.min(1, 0.2 * x + 0.5));
            case HARD_SIGMOID_V3 -> Math.max(0, Math.min(1, x / 6 + 0.5));
            case ELU -> x > 0 ? x : Math.expm1(x);
            case SELU -> SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
            case SOFTPLUS -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
            case SOFTSIGN -> x / (1 + Math.abs(x));
            case LEAKY_RELU -> x > 0 ? x : LEAKY_SLOPE * x;
            case EXPONENTIAL -> Math.exp(x);
            case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case SWISH -> x / (1.0 + Math.exp(-x));
            case RELU6 -> x < 0 ? 0 : x > 6 ? 6 : x;
            case MISH -> x * Math.tanh(SOFTPLUS.apply(x));
            case HARD_SILU -> x * HARD_SIGMOID_V3.apply(x);
            case CELU -> x >= 0 ? x : Math.expm1(x);
            case LOG_SIGMOID -> -SOFTPLUS.apply(-x);
            case HARD_TANH -> x < -1 ? -1 : x > 1 ? 1 : x;
            case TANH_SHRINK -> x - Math.tanh(x);
            // comparisons written so that NaN falls through to x, as the CUDA kernels'
            case SOFT_SHRINK -> x > SHRINK_THRESHOLD ? x - SHRINK_THRESHOLD : x < -SHRINK_THRESHOLD ? x + SHRINK_THRESHOLD
                    : Math.abs(x) <= SHRINK_THRESHOLD ? 0 : x;
            case HARD_SHRINK -> Math.abs(x) <= SHRINK_THRESHOLD ? 0 : x;
            case SQUAREPLUS -> {   // (x + r) / 2 = (b/2) / (r - x) for x < 0, without the cancellation
                double r = Math.sqrt(x * x + SQUAREPLUS_B);
                yield x < 0 ? SQUAREPLUS_B / 2 / (r - x) : (x + r) / 2;
            }
            case SPARSE_PLUS -> x <= -1 ? 0 : x >= 1 ? x : (x + 1) * (x + 1) / 4;
            case SPARSE_SIGMOID -> x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2;
            case SOFTMAX, LOG_SOFTMAX -> throw new UnsupportedOperationException(kerasName() + " is not elementwise");
        };
    }

    /** f'(x) from the input, for the activations that {@link #needsInput()} (the others: from {@link #apply}). */
    public double derivFromInput(double x) {
        return switch (this) {
            case GELU -> 0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            case SWISH -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1 + x * (1 - s));
            }
            case RELU6 -> x > 0 && x < 6 ? 1 : 0;
            case MISH -> {
                double t = Math.tanh(SOFTPLUS.apply(x)), s = 1.0 / (1.0 + Math.exp(-x));
                yield t + x * (1 - t * t) * s;
            }
            case HARD_SILU -> x <= -3 ? 0 : x >= 3 ? 1 : x / 3 + 0.5;
            case CELU -> x >= 0 ? 1 : Math.exp(x);
            case LOG_SIGMOID -> 1.0 / (1.0 + Math.exp(x));
            case HARD_TANH -> x > -1 && x < 1 ? 1 : 0;
            case TANH_SHRINK -> {
                double t = Math.tanh(x);
                yield t * t;
            }
            case SOFT_SHRINK, HARD_SHRINK -> Math.abs(x) > SHRINK_THRESHOLD ? 1 : 0;
            case SQUAREPLUS -> (1 + x / Math.sqrt(x * x + SQUAREPLUS_B)) / 2;
            case SPARSE_PLUS -> x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2;
            case SPARSE_SIGMOID -> x > -1 && x < 1 ? 0.5 : 0;
            default -> derivFromOutput(apply(x));
        };
    }

    /**
     * The error function in double precision (Java has none): its Maclaurin series below |x| = 3, where the terms
     * lose at most 4 of 16 digits, else 1 - erfc from the continued fraction of erfc (Lentz), 1e-13 or better.
     */
    static double erf(double x) {
        double a = Math.abs(x);
        if (Double.isNaN(x)) return x;
        double r;
        if (a < 3) {
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else if (a > 6) {
            r = 1;   // erfc(6) < 3e-17
        } else {
            // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...)))))
            double tiny = 1e-300, f = a, c = a, d = 0;
            for (int k = 1; k < 300; k++) {
                double ak = k / 2.0;
                d = a + ak * d;
                d = Math.abs(d) < tiny ? tiny : d;
                c = a + ak / c;
                c = Math.abs(c) < tiny ? tiny : c;
                d = 1 / d;
                double delta = c * d;
                f *= delta;
                if (Math.abs(delta - 1) < 1e-16) break;
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    /** f'(x) written with y = f(x). */
    public double derivFromOutput(double y) {
        return switch (this) {
            case LINEAR -> 1;
            case TANH -> 1 - y * y;
            case SIGMOID -> y * (1 - y);
            case RELU -> y > 0 ? 1 : 0;
            case HARD_SIGMOID -> (y > 0 && y < 1) ? 0.2 : 0;
            case HARD_SIGMOID_V3 -> (y > 0 && y < 1) ? 1.0 / 6 : 0;
            case ELU -> y > 0 ? 1 : y + 1;
            case SELU -> y > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
            case SOFTPLUS -> -Math.expm1(-y);
            case SOFTSIGN -> (1 - Math.abs(y)) * (1 - Math.abs(y));
            case LEAKY_RELU -> y > 0 ? 1 : LEAKY_SLOPE;
            case EXPONENTIAL -> y;
            case GELU, SWISH, RELU6, MISH, HARD_SILU, CELU, LOG_SIGMOID, HARD_TANH, TANH_SHRINK, SOFT_SHRINK, HARD_SHRINK,
                 SQUAREPLUS, SPARSE_PLUS, SPARSE_SIGMOID ->
                    throw new UnsupportedOperationException(kerasName() + "'s derivative needs the input: derivFromInput");
            case SOFTMAX, LOG_SOFTMAX -> throw new UnsupportedOperationException(kerasName() + " is not elementwise");
        };
    }
}
