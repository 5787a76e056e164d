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
    /** The layer's outputs on the device, one per output (a recurrent layer's states after its output). */
    List<DTensor> outputs();

    /** The mask for the next layer ([batch, timesteps], 1/0), or null. Owned by whoever created it. */
    default DTensor outputMask() { return null; }

    /**
     * The mask of output {@code k}: {@link #outputMask()} for the first output, none for the others (a recurrent
     * layer's states), unless the layer says otherwise (Bidirectional's two sequences with merge mode none).
     */
    default DTensor outputMask(int k) { return k == 0 ? outputMask() : null; }

    /**
     * The mask output {@code k} of a call carries, the one rule of models and direct calls: the trace's own; else the
     * call's main input mask where output {@code k} stays a sequence over its batch and steps, on output 0 of a layer
     * that passes masks (Dense, Dropout, TimeDistributed; not a merge, whose own rule may give none) and, for a call run
     * without its input's mask ({@code unmasked}: Keras 3's call with initial states), on every such output, as Keras'
     * compute_mask of the first argument's mask. A mask that ends at a layer that does not support masking warns once
     * for that layer ({@link Layer#passesMask()}), as Keras 3 does.
     */
    static DTensor carriedMask(Layer layer, Trace t, int k, DTensor inputMask, boolean unmasked) {
        return carriedMask(layer, t, k, inputMask, unmasked, true);
    }

    /** {@link #carriedMask(Layer, Trace, int, DTensor, boolean)}; {@code warn} false for a mask query (computeMask). */
    static DTensor carriedMask(Layer layer, Trace t, int k, DTensor inputMask, boolean unmasked, boolean warn) {
        DTensor own = t.outputMask(k);
        if (own != null || inputMask == null) return own;
        if (warn && k == 0 && !unmasked && layer.warnsOnDroppedMask()) layer.warnMaskDropped();   // own (output 0's) is null here
        DTensor out = t.outputs().get(k);
        boolean passes = unmasked || k == 0 && layer.passesMask() && !(layer instanceof Merge);
        return passes && out.rank() >= 3 && out.dim(0) == inputMask.dim(0) && out.dim(1) == inputMask.dim(1) ? inputMask : null;
    }

    /** Backpropagates the outputs' gradients: adds into the weights' gradients and returns the inputs'. */
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
