package dev.jrnn.model;

import dev.jrnn.layers.Layer;

import java.util.List;

/** One application of a layer in a graph (Keras' "node"): the layer, its input nodes, its output nodes. */
final class Call {
    final Layer layer;
    final List<Node> inputs;
    List<Node> outputs;
    /** Which call of this layer it is (Keras' node_index, as "lstm[0][1]" prints it). */
    final int nodeIndex;

    Call(Layer layer, List<Node> inputs, int nodeIndex) {
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        this.nodeIndex = nodeIndex;
    }

    boolean isInput() { return layer instanceof InputLayer; }
}
