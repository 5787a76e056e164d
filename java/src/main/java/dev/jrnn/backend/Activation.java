package dev.jrnn.backend;

import java.util.Locale;

/**
 * Elementwise activations as Keras names them. Derivatives are expressed through the output
 * {@code y = f(x)} so that backward passes only need what forward stored.
 * The integer {@link #code()} is what CUDA kernels receive.
 */
public enum Activation {
    LINEAR(0), TANH(1), SIGMOID(2), RELU(3), SOFTMAX(4), HARD_SIGMOID(5), ELU(6), SELU(7), SOFTPLUS(8), SOFTSIGN(9),
    /** Keras 3's hard_sigmoid, {@code clip(x/6 + 1/2, 0, 1)} (HARD_SIGMOID is Keras 2's {@code clip(0.2x + 1/2, 0, 1)}). */
    HARD_SIGMOID_V3(10);

    /** SELU's constants, as Keras. */
    public static final double SELU_SCALE = 1.0507009873554805, SELU_ALPHA = 1.6732632423543772;

    private final int code;

    Activation(int code) { this.code = code; }

    public int code() { return code; }

    /**
     * Keras spelling: "tanh", "sigmoid", "relu", "linear" (also null/"" for linear), "softmax", "hard_sigmoid"
     * (Keras 2's), "elu", "selu", "softplus", "softsign", and "hard_sigmoid_v3" for Keras 3's hard_sigmoid.
     */
    public static Activation of(String name) {
        if (name == null || name.isEmpty()) return LINEAR;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "linear", "none" -> LINEAR;
            case "tanh" -> TANH;
            case "sigmoid" -> SIGMOID;
            case "relu" -> RELU;
            case "softmax" -> SOFTMAX;
            case "hard_sigmoid" -> HARD_SIGMOID;
            case "elu" -> ELU;
            case "selu" -> SELU;
            case "softplus" -> SOFTPLUS;
            case "softsign" -> SOFTSIGN;
            case "hard_sigmoid_v3" -> HARD_SIGMOID_V3;
            default -> throw new IllegalArgumentException("unknown activation '" + name
                    + "': expected one of linear, tanh, sigmoid, relu, softmax, hard_sigmoid, elu, selu, softplus, softsign, "
                    + "hard_sigmoid_v3");
        };
    }

    /** Keras spelling of this activation. */
    public String kerasName() { return name().toLowerCase(Locale.ROOT); }

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
            case SOFTMAX -> throw new UnsupportedOperationException("softmax is not elementwise");
        };
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
            case SOFTMAX -> throw new UnsupportedOperationException("softmax is not elementwise");
        };
    }
}
