package dev.jrnn.backend;

import java.util.Locale;

/**
 * Elementwise activations as Keras names them. Derivatives are expressed through the output
 * {@code y = f(x)} so that backward passes only need what forward stored.
 * The integer {@link #code()} is what CUDA kernels receive.
 */
public enum Activation {
    LINEAR(0), TANH(1), SIGMOID(2), RELU(3), SOFTMAX(4), HARD_SIGMOID(5);

    private final int code;

    Activation(int code) { this.code = code; }

    public int code() { return code; }

    /** Keras spelling: "tanh", "sigmoid", "relu", "linear" (also null/"" for linear), "softmax", "hard_sigmoid". */
    public static Activation of(String name) {
        if (name == null || name.isEmpty()) return LINEAR;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "linear", "none" -> LINEAR;
            case "tanh" -> TANH;
            case "sigmoid" -> SIGMOID;
            case "relu" -> RELU;
            case "softmax" -> SOFTMAX;
            case "hard_sigmoid" -> HARD_SIGMOID;
            default -> throw new IllegalArgumentException("unknown activation '" + name
                    + "': expected one of linear, tanh, sigmoid, relu, softmax, hard_sigmoid");
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
            case SOFTMAX -> throw new UnsupportedOperationException("softmax is not elementwise");
        };
    }
}
