package dev.jrnn.layers;

/**
 * Keras Minimum: the elementwise minimum of a list of inputs of one shape; no weights; masks merged as {@link Merge}.
 * A masked step takes no part; tied inputs share the gradient as Keras on JAX and PyTorch (see {@link Extremum}).
 *
 * <pre>{@code
 * Input a = Input.shape(4), b = Input.shape(4);
 * Node y = new Minimum().apply(a, b);   // (None, 4), min(a, b)
 * }</pre>
 */
public class Minimum extends Extremum {
    /** Keras' {@code Minimum()}: apply it to a list of inputs of one shape (or shapes that broadcast). */
    public Minimum() {}

    @Override
    public String kerasClass() { return "Minimum"; }

    @Override
    float sign() { return -1f; }

    @Override
    public Minimum name(String n) { super.name(n); return this; }

    @Override
    public Minimum dtype(String policy) { super.dtype(policy); return this; }
}
