package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras Add: the elementwise sum of a list of inputs of one shape; no weights; masks merged as {@link Merge}.
 *
 * <pre>{@code
 * Input a = Input.shape(3, 4), b = Input.shape(3, 4);
 * Node y = new Add().apply(a, b);   // (None, 3, 4)
 * }</pre>
 */
public class Add extends Merge {
    /** Keras' {@code Add()}: apply it to a list of inputs of one shape (or shapes that broadcast). */
    public Add() {}

    @Override
    public String kerasClass() { return "Add"; }

    @Override
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> owned) {
        return sum(be, xs, owned);
    }

    @Override
    void mergeBackward(Backend be, List<DTensor> xs, DTensor dy, List<DTensor> dx) {
        for (DTensor d : dx) be.copy(dy.buf(), 0, d.buf(), 0, dy.size());
    }

    @Override
    public Add name(String n) { super.name(n); return this; }

    @Override
    public Add dtype(String policy) { super.dtype(policy); return this; }
}
