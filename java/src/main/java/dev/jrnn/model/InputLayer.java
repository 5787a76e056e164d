package dev.jrnn.model;

import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Trace;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The layer behind an {@link Input}: no weights, passes its input through. Functional models list
 * it first in {@code summary()}, as Keras does ({@code input_1 (InputLayer)  [(None, 3, 1)]  0}).
 */
public final class InputLayer extends Layer {
    private final int[] shape;

    InputLayer(int[] shape, int batch) {
        this.shape = shape.clone();
        drawDefaultName("input", true);   // as Keras: input_1, input_2, ...
        if (batch > 0) batchInputShape(batch, shape);
    }

    @Override
    public String kerasClass() { return "InputLayer"; }

    @Override
    public InputLayer name(String n) {
        super.name(n);
        return this;
    }

    /** The input's dtype, as Keras' {@code Input(dtype="int32")}: kept in the config, fed as float32 ({@link Input#dtype}). */
    @Override
    public InputLayer dtype(String dtype) {
        super.dtype(dtype);
        return this;
    }

    /** An InputLayer is only the source of its {@link Input}: it cannot be applied to nodes. */
    @Override
    public Node apply(java.util.List<? extends Node> inputs) {
        throw new IllegalArgumentException(name() + ": an InputLayer cannot be applied to nodes");
    }

    /** Per-sample shape of the input (-1 = any). */
    public int[] shape() { return shape.clone(); }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> inputShapes) { return copy(inputShapes); }

    @Override
    protected void createParams(List<int[]> inputShapes) {}

    @Override
    protected void initParams(SplittableRandom rng) {}

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return inputs; }

            @Override
            public DTensor outputMask() { return mask; }

            @Override
            public List<DTensor> backward(List<DTensor> dOutputs) { return dOutputs; }

            @Override
            public void close() {}
        };
    }
}
