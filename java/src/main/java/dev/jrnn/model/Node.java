package dev.jrnn.model;

import dev.jrnn.layers.Layer;
import dev.jrnn.tensor.Tensor;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A symbolic tensor of the functional API (Keras' KerasTensor): the output of an {@link Input} or
 * of a layer applied to other nodes. It knows its per-sample shape (-1 = unknown) and the batch
 * size when {@link Input#batchShape} fixed one.
 *
 * <pre>{@code
 * Input in = Input.shape(3, 1).name("input");
 * Node seq = new LSTM(5).returnState(true).apply(in);   // first output; seq.all() = [y, h, c]
 * Node out = new Dense(1).apply(seq);
 * Model model = new Model(in, List.of(out, seq.get(1), seq.get(2)));
 * }</pre>
 */
public class Node {
    // Every call of a layer, in order (Keras' layer._inbound_nodes). Weak both ways: a Call holds its
    // layer strongly, so strong values would keep every layer ever applied alive.
    private static final Map<Layer, List<WeakReference<Call>>> CALLS = new WeakHashMap<>();
    private static final Map<Layer, Integer> CALL_COUNTS = new WeakHashMap<>();

    final Call call;
    final int index;
    private final int[] shape;
    private final int batch;

    Node(Call call, int index, int[] shape, int batch) {
        this.call = call;
        this.index = index;
        this.shape = shape.clone();
        this.batch = batch;
    }

    /**
     * Applies {@code layer} to {@code inputs} (main input first, then e.g. initial states): builds
     * the layer for the inputs' shapes and returns its first output. What {@link Layer#apply} calls.
     */
    public static Node apply(Layer layer, List<? extends Node> inputs) {
        if (layer == null) throw new IllegalArgumentException("apply: layer is null");
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(layer.name() + ".apply: expected at least one input node, got none");
        }
        if (layer instanceof InputLayer) {
            throw new IllegalArgumentException(layer.name() + ": an InputLayer cannot be applied to nodes");
        }
        List<int[]> shapes = new ArrayList<>();
        int batch = -1;
        for (int i = 0; i < inputs.size(); i++) {
            Node n = inputs.get(i);
            if (n == null) throw new IllegalArgumentException(layer.name() + ".apply: input " + i + " is null");
            shapes.add(n.shape());
            if (n.batch > 0) {
                if (batch > 0 && batch != n.batch) {
                    throw new IllegalArgumentException(layer.name() + ".apply: inputs have different fixed batch sizes "
                            + batch + " and " + n.batch);
                }
                batch = n.batch;
            }
        }
        List<int[]> outShapes = layer.build(shapes);
        Call c;
        synchronized (CALLS) {
            c = new Call(layer, new ArrayList<>(inputs), CALL_COUNTS.merge(layer, 1, Integer::sum) - 1);
            CALLS.computeIfAbsent(layer, k -> new ArrayList<>()).add(new WeakReference<>(c));
        }
        List<Node> outs = new ArrayList<>();
        for (int i = 0; i < outShapes.size(); i++) outs.add(new Node(c, i, outShapes.get(i), batch));
        c.outputs = Collections.unmodifiableList(outs);
        return outs.get(0);
    }

    /** Every call made of {@code layer} so far, in order. */
    static List<Call> callsOf(Layer layer) {
        synchronized (CALLS) {
            List<WeakReference<Call>> l = CALLS.get(layer);
            if (l == null) return List.of();
            List<Call> r = new ArrayList<>();
            l.removeIf(w -> w.get() == null);
            for (WeakReference<Call> w : l) {
                Call c = w.get();
                if (c != null) r.add(c);
            }
            return r;
        }
    }

    static void registerInputCall(Call c) {
        synchronized (CALLS) {
            CALL_COUNTS.merge(c.layer, 1, Integer::sum);
            CALLS.computeIfAbsent(c.layer, k -> new ArrayList<>()).add(new WeakReference<>(c));
        }
    }

    /** Per-sample shape (batch excluded); -1 marks an unknown dimension. */
    public int[] shape() { return shape.clone(); }

    /** The batch size fixed by {@link Input#batchShape}, or -1. */
    public int batchSize() { return batch; }

    /** Shape with the batch as Keras prints it, e.g. {@code (None, 3, 1)}. */
    public String shapeString() { return Tensor.shapeString(withBatch(shape, batch)); }

    /** The layer that produced this node (an {@link InputLayer} for inputs). */
    public Layer layer() { return call.layer; }

    /** Index of this node among its layer call's outputs. */
    public int outputIndex() { return index; }

    /** All outputs of the layer call that produced this node, e.g. [y, h, c] of an LSTM with returnState. */
    public List<Node> all() { return call.outputs; }

    /** Output {@code i} of the layer call that produced this node. */
    public Node get(int i) {
        if (i < 0 || i >= call.outputs.size()) {
            throw new IndexOutOfBoundsException(call.layer.name() + " has " + call.outputs.size() + " outputs, asked for output " + i);
        }
        return call.outputs.get(i);
    }

    static int[] withBatch(int[] shape, int batch) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    @Override
    public String toString() {
        return "Node(shape=" + shapeString() + ", from " + call.layer.name() + "[" + call.nodeIndex + "][" + index + "])";
    }
}
