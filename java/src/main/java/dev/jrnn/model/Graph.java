package dev.jrnn.model;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.WeightRules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The topology of a model: its inputs and outputs, the layer calls in execution order, the layers in
 * Keras' order, which calls run as one recurrent wavefront, and what the summary needs (the calls of
 * this graph, whether it prints as sequential). Immutable once built.
 *
 * <p>The execution order: the depth-first post-order from the outputs (Keras' {@code _build_map}), which keeps a
 * recurrent stack's calls next to each other (one wavefront, {@link #chainEnd}), with one rule on top: the calls of a
 * layer whose calls share state ({@link Layer#callsShareState()}: a stateful RNN, BatchNormalization) run in the order
 * Keras 3 runs them (by depth, {@link KerasRunOrder}; a nested model's call as one node), each call otherwise as early
 * as the post-order puts it. Only such a layer's calls can tell two orders apart; a model without one runs the
 * post-order.
 */
final class Graph {
    final List<Node> inputs;
    /** The keys of a dict-input model ({@code keras.Model({"a": ..., ...}, out)}), in input order; null: none. */
    final List<String> inputDictKeys;
    final List<Node> outputs;
    /** The keys of a dict-output model ({@code keras.Model(i, {"a": ..., ...})}), in output order; null: none. */
    final List<String> outputDictKeys;
    /** The calls in execution order (inputs excluded; a nested call's unused calls included, as Keras runs them: {@link #run}). */
    final List<Call> calls;
    /** The calls in Keras 3's run order (inputs excluded): what a call of this model on new nodes replays. */
    final List<Call> kerasOrder;
    /** chainEnd[i] = j > i when calls i..j are recurrent layers each feeding only the next (see recurrentChains). */
    final int[] chainEnd;
    final List<Layer> layers;
    /**
     * {@link #layers}, then the layers only {@link #added} calls use (first-visit order): every layer that runs, so the
     * model holds their weights too (not listed, not saved: Keras lists them under the nested model jrnn flattens).
     */
    final List<Layer> runLayers;
    /**
     * The calls that run only because a nested call runs whole (a call on a nested model's unused branch, and what it
     * needs). A pass runs those of them with an effect and what they need ({@link #run}).
     */
    final Set<Call> added;
    /** The calls one pass runs, in order, and their {@link #chainEnd}. */
    record Run(List<Call> calls, int[] chainEnd) {}
    /** The passes' {@link Run}s, training and not, made at {@link WeightRules#version()} {@code version}. */
    private record Runs(long version, Run training, Run inference) {}
    private volatile Runs runs;
    /** Every call (inputs included) that the outputs depend on. */
    final Set<Call> relevant;
    final boolean sequentialLike;
    /** Whether a Map x read by {@link #inputDictKeys} has been warned of as one Keras 3 would pair otherwise (once per model). */
    final java.util.concurrent.atomic.AtomicBoolean warnedDictOrder = new java.util.concurrent.atomic.AtomicBoolean();
    /** Which calls run with an input's mask cleared by a MultiHeadAttention, as in Keras 3. */
    final dev.jrnn.layers.MaskClearing maskClearing;

    private Graph(List<Node> inputs, List<String> inputDictKeys, List<Node> outputs, List<String> outputDictKeys, List<Call> calls,
                  List<Layer> layers, List<Layer> runLayers, Set<Call> added, Set<Call> relevant, boolean sequentialLike,
                  Map<Call, Integer> kerasPosition) {
        this.inputs = inputs;
        this.inputDictKeys = inputDictKeys;
        this.outputs = outputs;
        this.outputDictKeys = outputDictKeys;
        this.calls = calls;
        this.chainEnd = recurrentChains(calls, outputs);
        this.layers = layers;
        this.runLayers = runLayers;
        this.added = added;
        this.relevant = relevant;
        this.sequentialLike = sequentialLike;
        List<Call> byKeras = new ArrayList<>(calls);
        byKeras.sort((a, b) -> Integer.compare(kerasPosition.get(a), kerasPosition.get(b)));
        this.kerasOrder = List.copyOf(byKeras);
        this.maskClearing = new dev.jrnn.layers.MaskClearing(kerasPosition, calls);
    }

    /** The graph from {@code ins} to {@code outs} (topological order, Keras layer order); {@code name} goes in messages. */
    static Graph of(String name, List<? extends Node> ins, List<? extends Node> outs) {
        return of(name, ins, outs, null, null);
    }

    /**
     * {@link #of(String, List, List)} of a model made from dicts: {@code inputDictKeys} one per input, in input order, and
     * {@code outputDictKeys} one per output, in output order (null: not a dict).
     */
    static Graph of(String name, List<? extends Node> ins, List<? extends Node> outs, List<String> inputDictKeys,
                    List<String> outputDictKeys) {
        if (ins == null || ins.isEmpty()) throw new IllegalArgumentException(name + ": a model needs at least one Input");
        if (outs == null || outs.isEmpty()) throw new IllegalArgumentException(name + ": a model needs at least one output node");
        Set<Call> inputCalls = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < ins.size(); i++) {
            Node n = ins.get(i);
            if (n == null) throw new IllegalArgumentException(name + ": input " + i + " is null");
            if (!n.call().isInput()) {
                throw new IllegalArgumentException(name + ": inputs must be Input nodes, input " + i + " comes from "
                        + n.layer().name() + " (" + n.layer().kerasClass() + ")");
            }
            if (!inputCalls.add(n.call())) throw new IllegalArgumentException(name + ": input " + n.layer().name() + " is listed twice");
        }
        for (int i = 0; i < outs.size(); i++) {
            if (outs.get(i) == null) throw new IllegalArgumentException(name + ": output " + i + " is null");
        }
        // Depth-first from the outputs, as Keras' _build_map: topological order + first-visit layer order.
        List<Call> order = new ArrayList<>();
        Map<Layer, Integer> layerIndex = new IdentityHashMap<>();
        Set<Call> done = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Call> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node o : outs) visit(name, o.call(), order, layerIndex, done, inProgress, inputCalls);
        // Depths as Keras: outputs 0, a call's inputs one deeper, a layer's calls share its max depth. Flat on purpose
        // (nested models' calls as calls, not KerasRunOrder's groups): they order the layers jrnn lists, which are flat too.
        Map<Call, Integer> nodeDepth = new IdentityHashMap<>();
        Map<Layer, Integer> layerDepth = new IdentityHashMap<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            Call c = order.get(i);
            int d = nodeDepth.getOrDefault(c, 0);
            d = Math.max(d, layerDepth.getOrDefault(c.layer(), 0));
            layerDepth.put(c.layer(), d);
            nodeDepth.put(c, d);
            for (Node in : c.inputs()) nodeDepth.put(in.call(), Math.max(d + 1, nodeDepth.getOrDefault(in.call(), 0)));
        }
        for (Node n : ins) {
            if (!layerDepth.containsKey(n.layer())) {   // an input no output depends on
                layerDepth.put(n.layer(), 0);
                layerIndex.put(n.layer(), -1);
                nodeDepth.put(n.call(), 0);
            }
        }
        TreeMap<Integer, List<Layer>> byDepth = new TreeMap<>(Collections.reverseOrder());
        for (Map.Entry<Layer, Integer> e : layerDepth.entrySet()) byDepth.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        List<Layer> ordered = new ArrayList<>();
        for (List<Layer> ls : byDepth.values()) {
            ls.sort((a, b) -> Integer.compare(layerIndex.get(a), layerIndex.get(b)));
            ordered.addAll(ls);
        }
        // sequential-like (Keras' summary test): one node per depth, one input per node, no shared layer
        TreeMap<Integer, List<Call>> nodesByDepth = new TreeMap<>();
        for (Map.Entry<Call, Integer> e : nodeDepth.entrySet()) nodesByDepth.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        boolean seq = true;
        for (List<Call> cs : nodesByDepth.values()) {
            if (cs.size() > 1 || (cs.size() == 1 && cs.get(0).inputs().size() > 1)) {
                seq = false;
                break;
            }
        }
        Set<Call> rel = Collections.newSetFromMap(new IdentityHashMap<>());
        rel.addAll(nodeDepth.keySet());
        if (seq) {
            for (Layer l : ordered) {
                int n = 0;
                for (Call c : l.calls()) if (rel.contains(c)) n++;
                if (n > 1) {
                    seq = false;
                    break;
                }
            }
        }
        requireUniqueNames(name, ordered, rel);
        refuseOutsideInput(name, order, Set.of(), inputCalls);
        // not listed: a nested call's unused branch (Keras runs the nested call whole); a pass runs its calls with an effect
        int listed = order.size();
        for (List<Call> more = KerasRunOrder.unusedOfNested(order, done, Set.of(), inputCalls); !more.isEmpty();
                more = KerasRunOrder.unusedOfNested(order, done, Set.of(), inputCalls)) {
            for (Call c : more) visit(name, c, order, layerIndex, done, inProgress, inputCalls);
        }
        Set<Call> added = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Layer> running = Collections.newSetFromMap(new IdentityHashMap<>());
        running.addAll(ordered);
        List<Layer> runLayers = new ArrayList<>(ordered);
        for (Call c : order.subList(listed, order.size())) {
            added.add(c);
            if (running.add(c.layer())) runLayers.add(c.layer());
        }
        List<Call> exec = new ArrayList<>();
        for (Call c : order) if (!c.isInput()) exec.add(c);
        List<Node> outNodes = List.copyOf(outs);
        Map<Call, Integer> kerasPosition = KerasRunOrder.positions(order, outNodes);
        return new Graph(List.copyOf(ins), inputDictKeys == null ? null : List.copyOf(inputDictKeys), outNodes,
                outputDictKeys == null ? null : List.copyOf(outputDictKeys), List.copyOf(KerasRunOrder.runOrder(exec, kerasPosition)),
                List.copyOf(ordered), List.copyOf(runLayers), Collections.unmodifiableSet(added), rel, seq, kerasPosition);
    }

    /**
     * The calls a pass runs and their chain ends: {@link #calls} less the {@link #added} ones without effect. Training,
     * an added call's effect is its shared state (moving statistics, carried states) or its activity regularizer's penalty
     * (Keras runs the nested call whole and adds it); not training, a stateful layer's states (they carry on) or that
     * penalty (Keras' evaluate loss adds it; predict runs those calls too, at a cost only). The regularizer can be set at
     * any time: the sets are made again when {@link WeightRules#version()} changed.
     */
    Run run(boolean training) {
        Runs r = runs;
        long v = WeightRules.version();
        if (r == null || r.version != v) {
            List<Call> tr = effectCalls(calls, added, c -> c.layer().callsShareState() || penalised(c));
            List<Call> inf = effectCalls(calls, added, c -> c.layer().stateful() || penalised(c));
            r = new Runs(v, new Run(tr, chainEndOf(tr)), new Run(inf, chainEndOf(inf)));
            runs = r;
        }
        return training ? r.training : r.inference;
    }

    private int[] chainEndOf(List<Call> cs) { return cs.size() == calls.size() ? chainEnd : recurrentChains(cs, outputs); }

    private static boolean penalised(Call c) { return c.layer().weightRules().activity() != null; }

    /** {@code calls} less the {@code added} ones that neither have an {@code effect} nor feed one that has (in order). */
    private static List<Call> effectCalls(List<Call> calls, Set<Call> added, java.util.function.Predicate<Call> effect) {
        if (added.isEmpty()) return calls;
        Set<Call> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = calls.size() - 1; i >= 0; i--) {   // a call's users come after it
            Call c = calls.get(i);
            if (added.contains(c) && (keep.contains(c) || effect.test(c))) {
                keep.add(c);
                for (Node in : c.inputs()) keep.add(in.call());
            }
        }
        List<Call> r = new ArrayList<>();
        for (Call c : calls) if (!added.contains(c) || keep.contains(c)) r.add(c);
        return List.copyOf(r);
    }

    /**
     * Refuses a nested call of {@code order} with an input neither {@code given} nor the Input calls {@code inputs}
     * compute, as Keras does ({@link KerasRunOrder#outsideInput}); a model from intermediate nodes checks it too.
     */
    static void refuseOutsideInput(String name, List<Call> order, Set<Node> given, Set<Call> inputs) {
        var outside = KerasRunOrder.outsideInput(order, given, inputs);
        if (outside != null) {
            throw new IllegalArgumentException(name + ": graph disconnected: the call of nested " + outside.getKey().name()
                    + " takes " + outside.getValue().layer().name() + " (" + outside.getValue().layer().kerasClass()
                    + "), which is not computed from the model inputs; as in Keras, a nested model's call runs whole, so "
                    + "each of its inputs must come from them, also one that feeds only outputs this model does not use");
        }
    }

    /** Keras refuses two layers of one name in a model: their weights would share names in saved files. */
    private static void requireUniqueNames(String name, List<Layer> layers, Set<Call> calls) {
        Map<String, Layer> byName = new java.util.HashMap<>();
        for (Layer l : layers) {
            Layer other = byName.putIfAbsent(l.name(), l);
            if (other != null) {
                String a = nestedIn(other, calls), b = nestedIn(l, calls);
                if (a != null && b != null && !a.equals(b)) {   // Keras accepts this: names are unique per model level there
                    throw new IllegalArgumentException(name + ": the name \"" + l.name() + "\" is used by a layer of nested "
                            + a + " (" + other.kerasClass() + ") and one of nested " + b + " (" + l.kerasClass() + "); Keras "
                            + "keeps names unique per model level only, but jrnn runs a nested model's layers in the model that calls "
                            + "it (apply copies no layers), so their names must be unique across nested models: rename the layers of one "
                            + "of them first (for (Layer x : copy.layers()) x.name(x.name() + \"_2\")), or load it from a file (Models.load "
                            + "of a Keras file that holds both models renames them)");
                }
                throw new IllegalArgumentException(name + ": the name \"" + l.name() + "\" is used by two layers, "
                        + other.kerasClass() + " and " + l.kerasClass() + "; layer names must be unique in a model "
                        + "(as in Keras): rename one with name(...)");
            }
        }
    }

    /**
     * The outermost nested model {@code l}'s {@code calls} in this model are made in ("model 'base1'"), or null: called at
     * the model's own level too, or in none.
     */
    private static String nestedIn(Layer l, Set<Call> calls) {
        String r = null;
        for (Call c : l.calls()) {
            if (!calls.contains(c)) continue;
            dev.jrnn.layers.CallGroup g = c.group();
            if (g == null) return null;
            while (g.parent() != null) g = g.parent();
            String n = g.name();
            if (r != null && !r.equals(n)) return null;
            r = n;
        }
        return r;
    }

    private static void visit(String name, Call c, List<Call> order, Map<Layer, Integer> layerIndex, Set<Call> done,
                              Set<Call> inProgress, Set<Call> inputCalls) {
        if (done.contains(c)) return;
        if (inProgress.contains(c)) throw new IllegalArgumentException(name + ": layer " + c.layer().name() + " is part of a cycle");
        layerIndex.putIfAbsent(c.layer(), layerIndex.size());
        if (c.isInput() && !inputCalls.contains(c)) {
            throw new IllegalArgumentException(name + ": graph disconnected: the outputs need input " + c.layer().name()
                    + " which is not among the model inputs");
        }
        inProgress.add(c);
        for (Node in : c.inputs()) visit(name, in.call(), order, layerIndex, done, inProgress, inputCalls);
        inProgress.remove(c);
        done.add(c);
        order.add(c);
    }

    /**
     * For each call i, the last call j > i of a chain starting there (else -1): calls i..j are recurrent
     * layers with one input each (no initial states: a stack's bottom layer starts from zero states), each
     * (but the last) with one output that is the one input of the next call only and not a model output.
     * Whether a chain really runs as a wavefront is decided per batch ({@link Layer#forwardChain}).
     */
    static int[] recurrentChains(List<Call> calls, List<Node> modelOutputs) {
        int n = calls.size();
        Map<Node, Integer> uses = new IdentityHashMap<>();
        for (Call c : calls) for (Node in : c.inputs()) uses.merge(in, 1, Integer::sum);
        for (Node o : modelOutputs) uses.merge(o, 1, Integer::sum);
        boolean[] link = new boolean[n];   // call k feeds only call k + 1, both recurrent
        for (int k = 0; k + 1 < n; k++) {
            Call a = calls.get(k), b = calls.get(k + 1);
            link[k] = a.layer().recurrent() && b.layer().recurrent()
                    && a.inputs().size() == 1 && a.outputs().size() == 1 && b.inputs().size() == 1
                    && b.inputs().get(0) == a.outputs().get(0)
                    && uses.getOrDefault(a.outputs().get(0), 0) == 1;
        }
        int[] end = new int[n];
        Arrays.fill(end, -1);
        for (int k = 0; k < n; k++) {
            if (k > 0 && link[k - 1]) continue;   // inside a chain that starts earlier
            int j = k;
            while (j < n - 1 && link[j]) j++;
            if (j > k) end[k] = j;
        }
        return end;
    }

    /** The layer called {@code layerName} among {@code layers} of model {@code model}; throws naming them when there is none. */
    static Layer layer(String model, List<Layer> layers, String layerName) {
        List<String> names = new ArrayList<>();
        for (Layer l : layers) {
            if (l.name().equals(layerName)) return l;
            names.add(l.name());
        }
        throw new IllegalArgumentException(model + ": no layer named '" + layerName + "', layers are " + names);
    }

    /** Keras' layer.output_shape text: "(None, 3)", "[(None, 5), (None, 5)]", or "multiple" for shared layers. */
    static String outputShapeString(Layer l) {
        List<Call> cs = l.calls();
        if (cs.isEmpty()) return "multiple";
        Set<String> distinct = new LinkedHashSet<>();
        for (Call c : cs) {
            List<String> parts = new ArrayList<>();
            for (Node n : c.outputs()) parts.add(n.shapeString());
            distinct.add(parts.size() == 1 && !c.isInput() ? parts.get(0) : "[" + String.join(", ", parts) + "]");
        }
        return distinct.size() == 1 ? distinct.iterator().next() : "multiple";
    }

    /**
     * Keras' per-output names (the log names' prefixes, the keys of maps by output): Keras 3's {@code output_names}, the
     * output layers' names, made unique where they clash (a layer's several outputs, one node listed twice) as tf.keras'
     * {@code _set_output_names} does: "lstm", "lstm_1", "lstm_2" for an LSTM's output and states; a layer that is itself
     * named "lstm_1" after them gets "lstm_1_1". Keras 3 keeps the clash, and its logs keep one of the clashing values.
     * A dict-output model's keys instead: Keras 3 reads y, losses and sample weights by them and names its logs by them
     * ({@code a_out_loss}), though its {@code output_names} stay the layers' names.
     */
    List<String> outputKeys() {
        if (outputDictKeys != null) return outputDictKeys;
        List<String> keys = new ArrayList<>();
        Set<String> taken = new java.util.HashSet<>();
        Map<String, Integer> prefixCount = new java.util.HashMap<>();
        for (Node o : outputs) {
            String name = o.layer().name(), proposal = name;
            while (taken.contains(proposal)) {
                int n = prefixCount.getOrDefault(name, 1);
                proposal = name + "_" + n;
                prefixCount.put(name, n + 1);
            }
            taken.add(proposal);
            keys.add(proposal);
        }
        return keys;
    }

    /**
     * The keys x is read by as a Map, in input order: a dict-input model's keys (Keras' {@code _standardize_inputs} reads a
     * dict x by them), else the Inputs' names (Keras' list of Inputs: {@code x[i.name]}).
     */
    List<String> inputNames() {
        return inputDictKeys != null ? inputDictKeys : inputs.stream().map(n -> n.layer().name()).toList();
    }

    /** "x" for a one-input model, else "x[i] (input key or name)", for messages. */
    String inputLabel(int i) {
        return inputs.size() == 1 ? "x" : "x[" + i + "] (" + inputNames().get(i) + ")";
    }
}
