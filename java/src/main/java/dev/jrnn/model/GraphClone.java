package dev.jrnn.model;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.CallGroup;
import dev.jrnn.layers.Node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A functional model from intermediate nodes, as Keras 3's {@code clone_graph_nodes}: each model input that is not an
 * {@link Input} (a layer's output) gets a new Input of its shape, and the calls between the inputs and the outputs are
 * made again on it, on the same layers (their weights shared with the graph they came from, which stays as it was).
 *
 * <pre>{@code
 * Input in = Input.shape(5, 3);
 * Node h = new LSTM(8).apply(in);
 * Node out = new Dense(1).apply(h);
 * Model head = new Model(h, out);   // input: a new Input of shape (None, 8); Dense shared with the full model
 * }</pre>
 */
final class GraphClone {
    /** The inputs and outputs a model is built on. */
    record Ends(List<Node> inputs, List<Node> outputs) {}

    private GraphClone() {}

    /**
     * {@code ins} and {@code outs} as they are when every input is an {@link Input}; else the cloned inputs and outputs.
     * Checks before it makes anything that the outputs need no Input beside {@code ins} (the graph stays as it was).
     */
    static Ends of(String name, List<? extends Node> ins, List<? extends Node> outs) {
        boolean all = true;
        for (Node n : ins) all &= n == null || n.call().isInput();
        for (Node n : outs) all &= n != null;
        if (all || ins.stream().anyMatch(java.util.Objects::isNull)) return new Ends(List.copyOf(ins), List.copyOf(outs));   // Graph.of checks
        Set<Node> given = Collections.newSetFromMap(new IdentityHashMap<>());
        given.addAll(ins);
        for (int i = 0; i < outs.size(); i++) {
            Node o = outs.get(i);
            if (given.contains(o) && !o.call().isInput()) {   // Keras keeps such an output's old history: a graph disconnected
                throw new IllegalArgumentException(name + ": output " + i + " is an intermediate input itself (an output of layer "
                        + o.layer().name() + "): a model from an intermediate node needs outputs computed from it");
            }
        }
        List<Call> order = new ArrayList<>();
        Set<Call> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node o : outs) walk(name, o, given, order, done);
        Graph.refuseOutsideInput(name, order, given, Set.of());   // before anything is made again: as Graph.of refuses
        for (List<Call> more = KerasRunOrder.unusedOfNested(order, done, given, Set.of()); !more.isEmpty();
                more = KerasRunOrder.unusedOfNested(order, done, given, Set.of())) {
            // a nested call's unused branch (Graph.of visits the same calls): walking from any output of c adds c and its inputs
            for (Call c : more) walk(name, c.outputs().get(0), given, order, done);
        }
        Map<Node, Node> map = new IdentityHashMap<>();
        List<Node> newIns = new ArrayList<>();
        for (Node n : ins) {
            Node m = n.call().isInput() ? n : map.computeIfAbsent(n, x -> x.batchSize() > 0
                    ? Input.batchShape(x.batchSize(), x.shape()) : Input.shape(x.shape()));
            newIns.add(m);
        }
        // Keras' cloned nodes keep a nested model's call as one node: a nested call whose inputs lie in the new graph is
        // made again as one (its calls together, in Keras' run order); one that holds a given input runs as its calls
        Set<Call> cloned = Collections.newSetFromMap(new IdentityHashMap<>());
        cloned.addAll(order);
        Predicate<CallGroup> whole = x -> x.inputs().stream().allMatch(n -> given.contains(n) || cloned.contains(n.call()));
        Map<Call, Integer> position = KerasRunOrder.positions(order, List.copyOf(outs), given, whole);
        List<Call> byKeras = new ArrayList<>(order);
        byKeras.sort((a, b) -> Integer.compare(position.get(a), position.get(b)));
        CallReplay.replay(byKeras, map, whole);
        List<Node> newOuts = new ArrayList<>();
        for (Node o : outs) newOuts.add(map.getOrDefault(o, o));
        return new Ends(newIns, newOuts);
    }

    /** Depth-first from {@code n} back to the given inputs (Keras' _build_map): the calls to make again, inputs first. */
    private static void walk(String name, Node n, Set<Node> given, List<Call> order, Set<Call> done) {
        if (given.contains(n)) return;
        Call c = n.call();
        if (done.contains(c)) return;
        if (c.isInput()) {
            throw new IllegalArgumentException(name + ": graph disconnected: the outputs need input " + c.layer().name()
                    + " which is not among the model inputs");
        }
        done.add(c);
        for (Node in : c.inputs()) walk(name, in, given, order, done);
        order.add(c);
    }
}
