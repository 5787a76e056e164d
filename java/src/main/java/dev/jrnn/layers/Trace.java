package dev.jrnn.layers;

import dev.jrnn.backend.DTensor;

import java.util.List;
import java.util.function.IntPredicate;

/**
 * One forward application of a layer on a batch: its outputs, the mask it passes on, and what its
 * backward needs. {@link #backward} takes the gradients of the outputs (null entries mean zero),
 * accumulates the parameter gradients into their {@link Param#grad()} buffers and returns the
 * gradients of the inputs (null where an input is not differentiable, e.g. token ids).
 * Closing frees everything the trace allocated, outputs included.
 */
public interface Trace extends AutoCloseable {
    List<DTensor> outputs();

    /** The mask for the next layer ([batch, timesteps], 1/0), or null. Owned by whoever created it. */
    default DTensor outputMask() { return null; }

    /**
     * The mask of output {@code k}: {@link #outputMask()} for the first output, none for the others (a recurrent
     * layer's states), unless the layer says otherwise (Bidirectional's two sequences with merge mode none).
     */
    default DTensor outputMask(int k) { return k == 0 ? outputMask() : null; }

    List<DTensor> backward(List<DTensor> dOutputs);

    /**
     * As {@link #backward(List)}, where {@code inputGradient.test(k)} false says that no one takes input k's gradient
     * (a model's own input, as a PyTorch tensor without {@code requires_grad}): the layer may skip computing it and
     * return null there. The default computes every input gradient.
     */
    default List<DTensor> backward(List<DTensor> dOutputs, IntPredicate inputGradient) {
        dev.jrnn.backend.Checks.notNull("backward", "inputGradient", inputGradient);
        return backward(dOutputs);
    }

    @Override
    void close();
}
