package dev.jrnn.layers;

import java.util.List;

/**
 * One application of a layer in a graph (Keras' "node"): the layer, its input nodes, its output nodes.
 * The layer keeps its calls in order ({@link Layer#calls()}); an input's call has no input nodes.
 */
public final class Call {
    private final Layer layer;
    private final List<Node> inputs;
    private List<Node> outputs;
    /** Which call of this layer it is (Keras' node_index, as "lstm[0][1]" prints it). */
    private final int index;
    /** False for a call made by {@link Layer#applyUnmasked}: its layer runs without its input's mask. */
    private final boolean inputMask;
    /** The call of a nested model this call was made in (the innermost), or null. */
    private final CallGroup group;

    Call(Layer layer, List<? extends Node> inputs, int index, boolean inputMask) {
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        this.index = index;
        this.inputMask = inputMask;
        this.group = inputs.isEmpty() ? null : CallGroup.current();
    }

    void outputs(List<Node> outs) { this.outputs = outs; }

    /** The layer applied. */
    public Layer layer() { return layer; }

    /** The input nodes, main input first (empty for an {@code Input}'s call). */
    public List<Node> inputs() { return inputs; }

    /** The output nodes. */
    public List<Node> outputs() { return outputs; }

    /** Which call of its layer this is, from 0 (Keras' node_index). */
    public int index() { return index; }

    /**
     * Whether the layer is given its main input's mask (true but for {@link Layer#applyUnmasked}, Keras 3's recurrent
     * call with {@code initial_state} and no {@code mask}). The outputs carry the mask on either way.
     */
    public boolean usesInputMask() { return inputMask; }

    /** The innermost call of a nested model that made this call ({@link CallGroup}), or null. */
    public CallGroup group() { return group; }

    /** Whether this is the call of a model input (it has no input nodes). */
    public boolean isInput() { return inputs.isEmpty(); }
}
