package dev.jrnn.initializers;

/**
 * Keras' {@code compute_fans}: the input and output units of a weight of a given shape. A vector's fans are its
 * length; a matrix (in, out) has fan in {@code in} and fan out {@code out}; a kernel of more axes,
 * (k1, ..., in, out), multiplies both by its receptive field k1 * ... (Conv1D's (kernel_size, channels, filters)).
 * A recurrent layer's kernel (input_dim, gates * units) and recurrent kernel (units, gates * units) are matrices.
 *
 * <pre>{@code
 * Fans f = Fans.of(3, 8, 16);   // Conv1D kernel: in 24, out 48
 * }</pre>
 */
public record Fans(double in, double out) {
    /** The fans of a weight of {@code shape}; a scalar has (1, 1). */
    public static Fans of(int... shape) {
        if (shape.length == 0) return new Fans(1, 1);
        if (shape.length == 1) return new Fans(shape[0], shape[0]);
        double field = 1;
        for (int i = 0; i < shape.length - 2; i++) field *= shape[i];
        return new Fans(shape[shape.length - 2] * field, shape[shape.length - 1] * field);
    }
}
