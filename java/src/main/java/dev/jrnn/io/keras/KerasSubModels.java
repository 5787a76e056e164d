package dev.jrnn.io.keras;

import dev.jrnn.layers.CallGroup;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models a Keras config holds, as {@link KerasGraph} builds them ({@link SubModel}): a Sequential's steps, a functional
 * config replayed call by call from its layers' node references, an RNN over stacked cells. A nested one's layers are
 * built once and applied again at each of its calls (shared weights, as in Keras).
 */
final class KerasSubModels {
    private KerasSubModels() {}

    /** A nested model: its layers built once, applied again at each of its calls (shared weights, as in Keras). */
    interface SubModel {
        String name();

        /**
         * Keras' node index of this model's first call in its parent's config: in the parent's input_layers /
         * output_layers ({@code modelIo}) or in its layers' call arguments (1: a built model's own node comes first).
         */
        int firstNode(boolean modelIo);

        List<Node> call(List<Node> inputs, String where);

        /** Its layers and nested models (one level), in Keras' weight order. */
        void children(List<Object> out);

        /** Its layers in Keras' weight order (depth first). */
        default void leaves(List<Layer> out) {
            List<Object> children = new ArrayList<>();
            children(children);
            for (Object c : children) {
                if (c instanceof Layer l) out.add(l);
                else ((SubModel) c).leaves(out);
            }
        }
    }

    /** A Keras Sequential's steps: layers and nested models, in order. */
    static final class SequentialModel implements SubModel {
        final String name;
        final List<Object> steps = new ArrayList<>();
        int[] declared;
        int firstNode;
        /** Its InputLayer's name, or null. */
        String inputName;

        SequentialModel(String name) {
            this.name = name;
        }

        public String name() { return name; }

        public int firstNode(boolean modelIo) { return firstNode; }

        public List<Node> call(List<Node> inputs, String where) {
            if (inputs.size() != 1) {
                throw new KerasFormatException(where + ": Sequential model '" + name + "' is called on " + inputs.size() + " tensors, it takes one");
            }
            Node x = inputs.get(0);
            for (Object s : steps) x = s instanceof Layer l ? l.apply(x) : one((SubModel) s, List.of(x), where);
            return List.of(x);
        }

        public void children(List<Object> out) { out.addAll(steps); }

        /** Whether only layers, nested Sequentials and stacked cells make it: then it flattens into one jrnn Sequential. */
        boolean flat() {
            for (Object s : steps) {
                if (s instanceof SubModel m && !(m instanceof SequentialModel q && q.flat()) && !(m instanceof StackedCells c && !c.returnState)) {
                    return false;
                }
            }
            return true;
        }

        Model flatModel() {
            List<Layer> all = new ArrayList<>();
            leaves(all);
            Sequential s = new Sequential();
            if (name != null) s.name(name);
            if (declared == null) return KerasUnbuiltSequential.of(s, all);   // built by the first data, as Keras'
            int[] shape = Arrays.copyOfRange(declared, 1, declared.length);
            boolean taken = all.stream().anyMatch(l -> l.name().equals(inputName));   // by a nested Sequential's layer
            if (inputName != null && !taken) {   // its InputLayer's name kept, as Keras keeps it (inputs by name, summaries)
                s.add((declared[0] > 0 ? Input.batchShape(declared[0], shape) : Input.shape(shape)).name(inputName));
            } else if (declared[0] > 0) {
                all.get(0).batchInputShape(declared[0], shape);
            } else {
                all.get(0).inputShape(shape);
            }
            for (Layer l : all) s.add(l);
            return s;
        }

        /** A Sequential holding a nested functional model: a functional jrnn model of the same layers. */
        Model asFunctional() {
            int[] sample = Arrays.copyOfRange(KerasUnbuiltSequential.declared(declared, name), 1, declared.length);
            Input in = declared[0] > 0 ? Input.batchShape(declared[0], sample) : Input.shape(sample);
            if (inputName != null) in.name(inputName);
            Model m = new Model(in, call(List.of(in), "model_config").get(0));
            if (name != null) m.name(name);
            return m;
        }
    }

    static Node one(SubModel m, List<Node> ins, String where) {
        List<Node> outs = grouped(m, ins, () -> m.call(ins, where));
        if (outs.size() != 1) {
            throw new KerasFormatException(where + ": nested model '" + m.name() + "' has " + outs.size() + " outputs; in a Sequential it needs one");
        }
        return outs.get(0);
    }

    /**
     * One call of the nested model {@code op} (a SubModel, or an RNN over stacked cells), made by {@code call}: its calls
     * grouped as Keras runs them, one node of the parent ({@link CallGroup}).
     */
    static List<Node> grouped(SubModel op, List<Node> ins, java.util.function.Supplier<List<Node>> call) {
        // a functional one's record is the jrnn model of it, as Model.apply's: a .keras written of it keeps it nested (KerasNesting)
        Object record = op instanceof FunctionalModel f && f.own != null ? f.own : op;
        CallGroup g = CallGroup.open(record, (op instanceof StackedCells ? "layer '" : "model '") + op.name() + "'", ins);
        List<Node> outs = null;
        try {
            outs = call.get();
            return outs;
        } finally {
            g.close(outs);
        }
    }

    /** A functional config: its input layers, its layers and nested models with their calls' refs. */
    static final class FunctionalModel implements SubModel {
        final KerasConfig c;
        final String name;
        final List<String> names = new ArrayList<>();
        /** InputLayer name to its batch shape. */
        final Map<String, int[]> inputs = new LinkedHashMap<>();
        /** Layer or nested model (SubModel) by name. */
        final Map<String, Object> ops = new HashMap<>();
        /** Per layer: one list of [layer, node, tensor] refs per call. */
        final Map<String, List<List<Object>>> refs = new HashMap<>();
        /** The ops of the model's implicit masks, checked and dropped. */
        final KerasMaskOps maskOps = new KerasMaskOps();
        /** The Keras 3 arithmetic ops read as merge layers (KerasArithmeticOps). */
        final List<String> arithmetic = new ArrayList<>();

        /** A nested one's jrnn model (its own calls of its layers, as a jrnn-built nested model has), made once at its load. */
        Model own;

        /** The file's major Keras version (3: Keras 3's node numbering and dict calls). */
        private final int kerasMajor;

        FunctionalModel(KerasConfig c, String name, int kerasMajor) {
            this.c = c;
            this.name = name;
            this.kerasMajor = kerasMajor;
        }

        public String name() { return name; }

        /**
         * tf.keras 2 builds a functional model's own node first, so its calls count from 1 everywhere. Keras 3 builds
         * none: the call arguments that name it count from 0 (serialize_node), while get_config renumbers it from 1 in
         * input_layers / output_layers (and functional_from_config's get_tensor subtracts that 1 again).
         */
        public int firstNode(boolean modelIo) { return kerasMajor >= 3 && !modelIo ? 0 : 1; }

        public void children(List<Object> out) {
            for (String n : names) {
                Object op = ops.get(n);
                if (op != null) out.add(op);
            }
        }

        int[] singleInputShape(String where) {
            if (inputs.size() != 1) throw new KerasFormatException(where + ": nested model '" + name + "' has " + inputs.size() + " inputs; in a Sequential it needs one");
            return inputs.values().iterator().next();
        }

        /** The file's top model: Input nodes of its InputLayers, the calls replayed. */
        Model topModel() {
            Map<String, List<List<Node>>> calls = new HashMap<>();
            for (var e : inputs.entrySet()) {
                int[] shape = e.getValue();
                int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
                calls.put(e.getKey(), new ArrayList<>(List.of(List.of((shape[0] > 0 ? Input.batchShape(shape[0], sample) : Input.shape(sample)).name(e.getKey())))));
            }
            replay(calls);
            List<Node> ins = resolve(KerasCalls.refs(c, "input_layers"), calls, ops, true);
            List<Node> outs = resolve(KerasCalls.refs(c, "output_layers"), calls, ops, true);
            if (ins == null || outs == null) throw new KerasFormatException("model_config: input_layers or output_layers name an unknown layer call");
            Model m = KerasCalls.model(c, ins, outs);
            if (name != null) m.name(name);
            return m;
        }

        /** One call of this nested model: its InputLayers (in input_layers order) take {@code given}. */
        public List<Node> call(List<Node> given, String where) {
            List<Object> inRefs = KerasCalls.refs(c, "input_layers");
            if (inRefs.size() != given.size()) {
                throw new KerasFormatException(where + ": nested model '" + name + "' takes " + inRefs.size() + " inputs, it is called on " + given.size());
            }
            Map<String, List<List<Node>>> calls = new HashMap<>();
            for (int i = 0; i < inRefs.size(); i++) {
                if (!(inRefs.get(i) instanceof List<?> r) || r.isEmpty() || !(r.get(0) instanceof String in) || !inputs.containsKey(in)) {
                    throw new KerasFormatException(c.where() + ": input_layers[" + i + "] " + KerasConfig.describe(inRefs.get(i)) + " names no InputLayer");
                }
                calls.put(in, new ArrayList<>(List.of(List.of(given.get(i)))));
            }
            replay(calls);
            List<Node> outs = resolve(KerasCalls.refs(c, "output_layers"), calls, ops, true);
            if (outs == null) throw new KerasFormatException(c.where() + ": output_layers name an unknown layer call");
            return outs;
        }

        /** Replays every call in dependency order: a shared layer's later call may need layers listed after it. */
        private void replay(Map<String, List<List<Node>>> calls) {
            for (String n : names) calls.putIfAbsent(n, new ArrayList<>());
            Map<String, Integer> done = new HashMap<>();
            boolean progress = true, left = true;
            while (progress && left) {
                progress = false;
                left = false;
                for (String n : names) {
                    List<List<Object>> todo = refs.get(n);
                    if (todo == null) continue;
                    int k = done.getOrDefault(n, 0);
                    while (k < todo.size()) {
                        List<Node> ins = resolve(todo.get(k), calls, ops, false);
                        if (ins == null) break;
                        Object op = ops.get(n);
                        if (todo.get(k) instanceof KerasCalls.KeyedCall kc && op instanceof FunctionalModel f) {   // a dict call
                            ins = kc.match(f.c, f.name, ins, kerasMajor >= 3, c.where() + ": layer '" + n + "'");
                        }
                        boolean unmasked = KerasCalls.unmasked(todo.get(k));   // Keras 3's initial_state call without mask=
                        List<Node> args = ins;
                        calls.get(n).add(op instanceof Layer l ? (unmasked ? l.applyUnmasked(ins) : l.apply(ins)).all()
                                : op instanceof StackedCells s ? grouped(s, ins, () -> s.call(args, unmasked, c.where() + ": layer '" + n + "'"))
                                : grouped((SubModel) op, ins, () -> ((SubModel) op).call(args, c.where() + ": layer '" + n + "'")));
                        k++;
                        progress = true;
                    }
                    done.put(n, k);
                    if (k < todo.size()) left = true;
                }
            }
            for (String n : names) {
                List<List<Object>> todo = refs.get(n);
                if (todo != null && done.getOrDefault(n, 0) < todo.size()) {
                    throw new KerasFormatException("model_config: the inputs of layer '" + n + "' " + todo.get(done.get(n))
                            + " name no layer call of the model (a cycle or a missing layer)");
                }
            }
        }
    }

    /**
     * The nodes named by refs, or null when a referenced call is not made yet. A nested model's first call is Keras'
     * node {@link SubModel#firstNode} ({@code modelIo}: the refs are a model's input_layers / output_layers).
     */
    private static List<Node> resolve(List<Object> refs, Map<String, List<List<Node>>> calls, Map<String, Object> ops, boolean modelIo) {
        List<Node> r = new ArrayList<>();
        for (Object ref : refs) {
            if (!(ref instanceof List<?> l) || l.size() < 3 || !(l.get(0) instanceof String layer)
                    || !(l.get(1) instanceof Long node) || !(l.get(2) instanceof Long tensor)) {
                throw new KerasFormatException("model_config: a node reference should be [layer, node, tensor], got " + KerasConfig.describe(ref));
            }
            List<List<Node>> made = calls.get(layer);
            if (made == null) throw new KerasFormatException("model_config: a node reference names unknown layer '" + layer + "'");
            if (node < 0 || tensor < 0) throw new KerasFormatException("model_config: negative index in node reference " + l);
            long index = node;
            if (ops.get(layer) instanceof SubModel m) {
                index -= m.firstNode(modelIo);
                if (index < 0) {
                    throw new KerasFormatException("model_config: reference " + l + " names node " + node + " of nested model '" + layer
                            + "', whose calls in this file count from " + m.firstNode(modelIo));
                }
            }
            if (index >= made.size()) return null;
            List<Node> outs = made.get((int) index);
            if (tensor >= outs.size()) {
                throw new KerasFormatException("model_config: reference " + l + " asks for output " + tensor + " of a call with "
                        + outs.size() + " outputs");
            }
            r.add(outs.get((int) (long) tensor));
        }
        return r;
    }

    /** An RNN over stacked cells: its layers in a chain; with return_state, the top output and then each cell's states. */
    static final class StackedCells implements SubModel {
        final String name;
        final boolean returnState;
        final List<dev.jrnn.layers.RecurrentLayer> cells = new ArrayList<>();

        StackedCells(String name, boolean returnState) {
            this.name = name;
            this.returnState = returnState;
        }

        public String name() { return name; }

        public int firstNode(boolean modelIo) { return 0; }   // a layer's calls count from 0

        public void children(List<Object> out) { out.addAll(cells); }

        public List<Node> call(List<Node> inputs, String where) { return call(inputs, false, where); }

        /** {@code unmasked}: Keras 3's call with initial_state and no mask, each cell made with applyUnmasked. */
        List<Node> call(List<Node> inputs, boolean unmasked, String where) {
            int states = 0;
            for (var l : cells) states += l.stateCount();
            if (inputs.size() != 1 && inputs.size() != 1 + states) {
                throw new KerasFormatException(where + ": RNN '" + name + "' over StackedRNNCells takes its input and then " + states
                        + " initial states (each cell's, bottom first), got " + inputs.size() + " tensors");
            }
            Node x = inputs.get(0);
            List<Node> kept = new ArrayList<>();
            int at = 1;
            for (var l : cells) {
                List<Node> ins = new ArrayList<>(List.of(x));
                if (inputs.size() > 1) ins.addAll(inputs.subList(at, at + l.stateCount()));
                at += l.stateCount();
                List<Node> outs = (unmasked ? l.applyUnmasked(ins) : l.apply(ins)).all();
                x = outs.get(0);
                kept.addAll(outs.subList(1, outs.size()));
            }
            List<Node> r = new ArrayList<>(List.of(x));
            if (returnState) r.addAll(kept);
            return r;
        }
    }
}
