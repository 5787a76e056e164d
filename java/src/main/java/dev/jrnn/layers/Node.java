package dev.jrnn.layers;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A symbolic tensor of the functional API (Keras' KerasTensor): the output of an
 * {@code dev.jrnn.model.Input} or of a layer applied to other nodes. It knows its per-sample shape
 * (-1 = unknown) and the batch size when {@code Input.batchShape} fixed one. The layers package owns
 * it, so layers build graphs without knowing models; a model reads the graph back through
 * {@link #call()} and {@link Layer#calls()}.
 *
 * <pre>{@code
 * Input in = Input.shape(3, 1).name("input");
 * Node seq = new LSTM(5).returnState(true).apply(in);   // first output; seq.all() = [y, h, c]
 * Node out = new Dense(1).apply(seq);
 * Model model = new Model(in, List.of(out, seq.get(1), seq.get(2)));
 * }</pre>
 */
public class Node {
    private final Call call;
    private final int index;
    private final int[] shape;
    private final int batch;

    private Node(Call call, int index, int[] shape, int batch) {
        this.call = call;
        this.index = index;
        this.shape = shape.clone();
        this.batch = batch;
    }

    /**
     * For model inputs: the one output of a call of {@code inputLayer} on nothing, of per-sample
     * {@code shape} and fixed {@code batch} (or -1).
     */
    protected Node(Layer inputLayer, int[] shape, int batch) {
        this.shape = shape.clone();
        this.batch = batch;
        this.index = 0;
        this.call = inputLayer.addCall(List.of(), true);
        call.outputs(List.of(this));
    }

    /**
     * Applies {@code layer} to {@code inputs} (main input first, then e.g. initial states): builds
     * the layer for the inputs' shapes and returns its first output. What {@link Layer#apply} calls ({@code inputMask}
     * false: {@link Layer#applyUnmasked}).
     */
    static Node apply(Layer layer, List<? extends Node> inputs, boolean inputMask) {
        String op = inputMask ? ".apply" : ".applyUnmasked";
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(layer.name() + op + ": expected at least one input node, got none");
        }
        if (!inputMask && (!(layer instanceof RecurrentLayer || layer instanceof Bidirectional) || inputs.size() < 2)) {
            throw new IllegalArgumentException(layer.name() + ".applyUnmasked: expected a recurrent layer or Bidirectional"
                    + " given its input and initial states (Keras 3's call with initial_state and no mask), got "
                    + layer.kerasClass() + " on " + inputs.size() + " input" + (inputs.size() == 1 ? "" : "s"));
        }
        if (layer.stateful() && inputs.get(0) != null && inputs.get(0).batchSize() <= 0) {
            // Keras refuses it too: the states need a batch size before the first batch
            throw new IllegalArgumentException(layer.name() + ": a stateful layer needs a fixed batch size, got input "
                    + inputs.get(0).shapeString() + "; declare it with batchInputShape(batch, ...) on the first layer of a"
                    + " Sequential model or Input.batchShape(batch, ...) in the functional API (Keras' batch_input_shape / batch_shape)");
        }
        List<int[]> shapes = new ArrayList<>();
        int batch = -1;
        for (int i = 0; i < inputs.size(); i++) {
            Node n = inputs.get(i);
            if (n == null) throw new IllegalArgumentException(layer.name() + op + ": input " + i + " is null");
            shapes.add(n.shape());
            if (n.batch > 0) {
                if (batch > 0 && batch != n.batch) {
                    throw new IllegalArgumentException(layer.name() + op + ": inputs have different fixed batch sizes "
                            + batch + " and " + n.batch);
                }
                batch = n.batch;
            }
        }
        List<int[]> outShapes = layer.build(shapes);
        Call c = layer.addCall(inputs, inputMask);
        List<Node> outs = new ArrayList<>();
        for (int i = 0; i < outShapes.size(); i++) outs.add(new Node(c, i, outShapes.get(i), batch));
        c.outputs(Collections.unmodifiableList(outs));
        return outs.get(0);
    }

    /** The layer call that produced this node. */
    public Call call() { return call; }

    /** Per-sample shape (batch excluded); -1 marks an unknown dimension. */
    public int[] shape() { return shape.clone(); }

    /** The batch size fixed by {@code Input.batchShape}, or -1. */
    public int batchSize() { return batch; }

    /** Shape with the batch as Keras prints it, e.g. {@code (None, 3, 1)}. */
    public String shapeString() { return Tensor.shapeString(withBatch(shape, batch)); }

    /** The layer that produced this node (an {@code InputLayer} for inputs). */
    public Layer layer() { return call.layer(); }

    /** Index of this node among its layer call's outputs. */
    public int outputIndex() { return index; }

    /** All outputs of the layer call that produced this node, e.g. [y, h, c] of an LSTM with returnState. */
    public List<Node> all() { return call.outputs(); }

    /** Output {@code i} of the layer call that produced this node. */
    public Node get(int i) {
        if (i < 0 || i >= call.outputs().size()) {
            throw new IndexOutOfBoundsException(call.layer().name() + " has " + call.outputs().size() + " outputs, asked for output " + i);
        }
        return call.outputs().get(i);
    }

    /** {@code shape} with {@code batch} (-1: None) in front. */
    public static int[] withBatch(int[] shape, int batch) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    @Override
    public String toString() {
        return "Node(shape=" + shapeString() + ", from " + call.layer().name() + "[" + call.index() + "][" + index + "])";
    }
}
