package dev.jrnn.layers;

import dev.jrnn.initializers.Draws;

import java.util.SplittableRandom;

/**
 * Keras' weight initializers as the attention layers draw them (their own fans), over {@link Draws}; the layers
 * with Keras' initializer options draw from their {@link dev.jrnn.initializers.Initializer}s.
 *
 * <pre>{@code
 * float[] k = Initializers.glorotUniform(new SplittableRandom(1), 3, 16, 3 * 16);  // kernel [3, 16]
 * float[] u = Initializers.orthogonal(new SplittableRandom(2), 4, 16, 1.0);         // recurrent [4, 16]
 * }</pre>
 */
public final class Initializers {
    private Initializers() {}

    /** Keras glorot_uniform: U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)). */
    public static float[] glorotUniform(SplittableRandom rng, int fanIn, int fanOut, int n) {
        if (fanIn + fanOut <= 0) throw new IllegalArgumentException("glorotUniform: fanIn + fanOut must be positive, got " + (fanIn + fanOut));
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        return uniform(rng, -limit, limit, n);
    }

    /** U(lo, hi) for n values (Keras RandomUniform). */
    public static float[] uniform(SplittableRandom rng, double lo, double hi, int n) {
        if (!(hi > lo)) throw new IllegalArgumentException("uniform: expected lo < hi, got [" + lo + ", " + hi + ")");
        return Draws.uniform(rng, lo, hi, n);
    }

    /** n zeros. */
    public static float[] zeros(int n) {
        return new float[n];
    }

    /** Keras Orthogonal for a [rows, cols] matrix, times {@code gain} ({@link Draws#orthogonal}). */
    public static float[] orthogonal(SplittableRandom rng, int rows, int cols, double gain) {
        return Draws.orthogonal(rng, rows, cols, gain);
    }

    /** LSTM bias with Keras unit_forget_bias: zeros with the forget gate block [units, 2 units) set to 1. */
    public static float[] unitForgetBias(int units) {
        float[] b = new float[4 * units];
        for (int i = units; i < 2 * units; i++) b[i] = 1f;
        return b;
    }
}
