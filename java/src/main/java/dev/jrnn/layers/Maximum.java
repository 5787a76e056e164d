package dev.jrnn.layers;

/**
 * Keras Maximum: the elementwise maximum of a list of inputs of one shape; no weights; masks merged as {@link Merge}.
 * A masked step takes no part; tied inputs share the gradient as Keras on JAX and PyTorch (see {@link Extremum}).
 *
 * <pre>{@code
 * Input a = Input.shape(4), b = Input.shape(4);
 * Node y = new Maximum().apply(a, b);   // (None, 4), max(a, b)
 * }</pre>
 */
public class Maximum extends Extremum {
    /** Keras' {@code Maximum()}: apply it to a list of inputs of one shape (or shapes that broadcast). */
    public Maximum() {}

    @Override
    public String kerasClass() { return "Maximum"; }

    @Override
    float sign() { return 1f; }

    @Override
    public Maximum name(String n) { super.name(n); return this; }

    @Override
    public Maximum dtype(String policy) { super.dtype(policy); return this; }
}
