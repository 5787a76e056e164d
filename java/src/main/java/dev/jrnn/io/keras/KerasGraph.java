package dev.jrnn.io.keras;

import dev.jrnn.layers.Layer;
import dev.jrnn.layers.TrainableFlags;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Sequential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wires the layers of a Keras model config into a jrnn {@link Model}: Sequential configs (Keras 2's bare list,
 * tf.keras' {@code {"layers": [...]}}, Keras 3's with a leading InputLayer) become a {@link Sequential};
 * functional ones ("Model", "Functional") are replayed call by call from each layer's {@code inbound_nodes}
 * (Keras 2 lists, Keras 3 {@code args}/{@code kwargs} with {@code keras_history}), so shared layers and several
 * inputs and outputs keep their structure. A batch size fixed in an input shape is kept (Keras' batch_input_shape,
 * which stateful layers need); a model without stateful layers still takes any batch. A model used as a layer
 * (class Sequential, Functional or Model among the layers) is spliced into its parent: jrnn's models hold layers only,
 * so its layers are built once and applied at each of its calls; a Sequential that holds a nested functional model
 * becomes a functional jrnn model.
 */
final class KerasGraph {
    /** The class names of a model used as a layer of another (Keras' nested models). */
    static final java.util.Set<String> MODEL_CLASSES = java.util.Set.of("Sequential", "Functional", "Model");
    private final KerasLayers layers;
    /**
     * Keras 2.3 and older (and their tf.keras, "2.2.4-tf", "2.3.0-tf"): every nested model's calls count from node 1,
     * a Sequential built without an input included (network.py: issubclass(layer, Network)); later tf.keras skips the
     * first node only of a model built on an InputLayer (functional.py, _should_skip_first_node).
     */
    private final boolean oldNetworks;
    /**
     * (config name, class name, Keras 3 group below {@code layers/}) of every layer in model order, for Keras 3 weight
     * lookup; a nested model's layers lie below its group ({@code sequential/layers/dense}).
     */
    final List<String[]> order = new ArrayList<>();
    /** Config name to the jrnn layer built for it (a nested model's layers too: they are spliced into the model). */
    final Map<String, Layer> byName = new LinkedHashMap<>();
    /**
     * Each nested model among the top model's layers, by name: its layers and nested models with their saved trainable
     * flags, as the legacy HDF5 layout keeps their arrays in one group of that name, in an order that depends on the
     * writer (see {@link Keras2Weights#splitNested}).
     */
    final Map<String, Keras2Weights.Nested> nested = new LinkedHashMap<>();
    /**
     * Nested models two or more levels down whose config has no trainable flag (Keras 2 and the tf.keras 2 engine bundled
     * in TensorFlow save none) and some layer of which trains, so that whether they were frozen when saved decides the
     * order of a legacy .h5 group: {@link Keras2Weights#splitNested} tells it from the group's weight_names where they
     * agree with one order. Each with its chain ("A > B > C") and whether it is in doubt where the names do not settle
     * it (then the load warns): its layers' flags are mixed, or the writer is Keras <= 2.3, which froze a model by its own
     * flag alone; later writers set every flag below, so a model whose layers all train was most likely not frozen.
     */
    private final Map<SubModel, String> unflagged = new java.util.IdentityHashMap<>();
    private final java.util.Set<SubModel> doubtful = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** The nested models whose config says trainable false (their flag orders a legacy .h5 group, it freezes nothing). */
    private final java.util.Set<SubModel> frozenModels = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Whether a model is nested in the top one (Keras orders its variables at its place; jrnn flattens it). */
    boolean nestedModels;
    /** An architecture alone (fromJson): a top Sequential may declare no input, an unbuilt model as Keras writes it. */
    boolean unbuiltAllowed;
    /**
     * The keras ops read as merge layers (KerasArithmeticOps), their shapes checked once the model is wired: by layer, as
     * an op's jrnn name may differ from its file name (see {@link #recordAt}), with its file name for the message.
     */
    private final Map<Layer, String> arithmeticOps = new java.util.IdentityHashMap<>();
    /** Each recorded layer by its jrnn name: where it lies, for a layer of that name at another nesting level. */
    private final Map<String, Place> owner = new HashMap<>();
    /** Every name the file's config holds: a copy's jrnn name is none of them. */
    private final java.util.Set<String> fileNames = new java.util.HashSet<>();
    /**
     * Per config name met in two or more models (two nesting levels, or sibling nested models at one depth): its places,
     * each its own layer (see {@link #recordAt}).
     */
    private final Map<String, List<Place>> levels = new LinkedHashMap<>();

    /** A recorded layer: its scope, its file name, its {@link #order} entry (whose first element is its jrnn name). */
    private record Place(Scope scope, String fileName, Layer layer, String[] entry) {
        String describe() { return scope.chain == null ? "the top model" : "nested model '" + scope.chain + "'"; }

        int depth() { return scope.chain == null ? 0 : scope.chain.split(" > ", -1).length; }
    }

    /** {@code kerasVersion}: the file's keras_version (null: unknown), for the node numbering of nested models. */
    KerasGraph(KerasLayers layers, String kerasVersion) {
        this.layers = layers;
        this.oldNetworks = kerasVersion != null && kerasVersion.matches("(0|1|2\\.[0-3])(\\..*)?(-tf)?");
    }

    Model build(Object modelConfig) {
        KerasConfig top = new KerasConfig(modelConfig, "model_config");
        String cls = KerasLayers.checkModule(top, "model_config");
        names(modelConfig, fileNames);
        Object cfg = top.raw("config");
        Scope root = new Scope("", cfg instanceof Map<?, ?> m && m.get("name") instanceof String n ? n : "model", null, null);
        KerasLayers.refuseTextVectorization(cfg);   // before any layer, in nested models too
        Model m = switch (cls) {
            case "Sequential" -> {
                SequentialModel s = sequential(cfg, "model_config", root, true);
                yield s.flat() ? s.flatModel() : s.asFunctional();
            }
            case "Model", "Functional" -> functional(new KerasConfig(cfg, "model_config.config"), root).topModel();
            default -> throw new KerasFormatException("model class '" + cls + "' is not supported: expected Sequential, Model or Functional");
        };
        KerasArithmeticOps.checkShapes(arithmeticOps);
        // Keras 3's functional_from_config passes trainable to the model (its setter runs before the layers are tracked:
        // they keep their own flags), and a model that is not trainable trains none of its weights; Sequential.from_config
        // does not read it
        if (!cls.equals("Sequential") && cfg instanceof Map<?, ?> c && Boolean.FALSE.equals(c.get("trainable"))) {
            String flags = TrainableFlags.of(m.layers());
            m.trainable(false);
            TrainableFlags.restore(m.layers(), flags);
        }
        return m;
    }

    /**
     * Where a model's layers go: the Keras 3 group path of its {@code layers} list ("" at the top,
     * {@code sequential/layers/} in a nested Sequential), numbered per model as Keras' saving does.
     */
    private final class Scope {
        final String path;
        final String model;
        /** The top model's nested model this scope lies in (its legacy HDF5 group), null at the top. */
        final String topNested;
        /** The nested models down to this scope's ("A > B"), null at the top. */
        final String chain;
        private final Map<String, Integer> used = new HashMap<>();

        Scope(String path, String model, String topNested, String chain) {
            this.path = path;
            this.model = model;
            this.topNested = topNested;
            this.chain = chain;
        }

        String group(String cls) {
            return path + Keras3Weights.group(used, cls);
        }

        /** The scope of a nested model {@code name} of class {@code cls} among this model's layers. */
        Scope inner(String cls, String name) {
            return new Scope(group(cls) + "/layers/", name, topNested != null ? topNested : name, chain != null ? chain + " > " + name : name);
        }
    }

    /** A nested model: its layers built once, applied again at each of its calls (shared weights, as in Keras). */
    private interface SubModel {
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
    private final class SequentialModel implements SubModel {
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
            if (declared == null) return KerasUnbuiltSequential.of(s, all, inputName);   // built by the first data, as Keras'
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

    private static Node one(SubModel m, List<Node> ins, String where) {
        List<Node> outs = m.call(ins, where);
        if (outs.size() != 1) {
            throw new KerasFormatException(where + ": nested model '" + m.name() + "' has " + outs.size() + " outputs; in a Sequential it needs one");
        }
        return outs.get(0);
    }

    /** The steps of a Sequential config ({@code top}: the file's model, whose first layer must declare the input). */
    private SequentialModel sequential(Object cfg, String where, Scope scope, boolean top) {
        List<?> specs;
        String name = null;
        KerasConfig model = null;   // tf.keras: build_input_shape, the shape a Sequential built by fit was built for
        if (cfg instanceof List<?> l) {
            specs = l;
        } else {
            model = new KerasConfig(cfg, where + ".config");
            specs = model.list("layers");
            name = model.string("name", null);
        }
        SequentialModel s = new SequentialModel(name);
        boolean first = true;
        for (int i = 0; i < specs.size(); i++) {
            KerasConfig spec = new KerasConfig(specs.get(i), where + ".layers[" + i + "]");
            String cls = spec.string("class_name");
            KerasConfig c = layerConfig(spec);
            if ("InputLayer".equals(cls)) {
                if (!first) throw new KerasFormatException(spec.where() + ": an InputLayer after the first layer of a Sequential model");
                s.inputName = c.string("name", null);
                s.declared = KerasInputShape.ofInputLayer(c, c.string("name", "input_layer"), layers.file());
                // tf.keras 2: a Sequential built on an Input is a functional model whose own node comes first; Keras 3's is not
                if (layers.kerasMajor < 3) s.firstNode = 1;
                order.add(new String[] {c.string("name", "input_layer"), "InputLayer", scope.group("InputLayer")});
                continue;
            }
            int[] own;
            if (MODEL_CLASSES.contains(cls)) {
                SubModel sub = subModel(spec, scope);
                own = sub instanceof SequentialModel q ? q.declared : ((FunctionalModel) sub).singleInputShape(spec.where());
                s.steps.add(sub);
            } else if (KerasRnn.stacked(spec)) {
                s.steps.add(stackedCells(spec, scope));
                own = KerasInputShape.ofLayer(cls, c);
            } else {
                Layer l = layers.build(spec);
                own = KerasInputShape.ofLayer(cls, c);
                record(c.string("name", l.name()), cls, l, scope, spec.where());
                s.steps.add(l);
            }
            if (first && s.declared == null) {   // read only when no layer declares a shape: a file that loaded before still does
                s.declared = own != null ? own : model != null ? KerasInputShape.ofBuild(model) : null;
            }
            if (first && top && s.declared == null && !unbuiltAllowed) {
                throw new KerasFormatException(spec.where() + ": the first layer declares no input shape (batch_input_shape, input_shape or input_dim) and the model no build_input_shape");
            }
            first = false;
        }
        if (first) throw new KerasFormatException(where + ": a Sequential model without layers");
        if (oldNetworks) s.firstNode = 1;
        return s;
    }

    /** A layer entry's config; empty for Keras 2.2.0-2.2.2's nested Sequential, whose config is the bare list of its layers. */
    private static KerasConfig layerConfig(KerasConfig spec) {
        return spec.raw("config") instanceof List<?> ? new KerasConfig(Map.of(), spec.where() + ".config") : spec.object("config");
    }

    /**
     * A nested model's layers, built in its own scope, each with its own saved trainable flag. The nested model's flag
     * freezes nothing: in Keras 3 what trains is the top model's flag and each variable's own (Layer.trainable_weights;
     * functional_from_config sets a nested Functional's flag before its layers are tracked, Sequential.from_config reads
     * none), and tf.keras 2 / Keras 2 never read a nested model's flag back (Model.from_config passes no trainable).
     * The flag does decide the order of a legacy .h5 group, by the writer's rule: {@link #nested}.
     */
    private SubModel subModel(KerasConfig spec, Scope parent) {
        nestedModels = true;
        String cls = KerasLayers.checkModule(spec, spec.where() + ": nested model (" + spec.raw("class_name") + ")");
        KerasConfig c = layerConfig(spec);
        String name = spec.string("name", c.string("name", null));
        if (name == null) throw new KerasFormatException(spec.where() + ": a nested " + cls + " model without a name");
        Scope scope = parent.inner(cls, name);
        SubModel m = "Sequential".equals(cls) ? sequential(spec.raw("config"), spec.where(), scope, false)
                : functional(new KerasConfig(spec.raw("config"), spec.where() + ".config"), scope);
        if (!c.bool("trainable", true)) frozenModels.add(m);
        if (parent.topNested != null && !c.has("trainable") && trainsSome(m)) {
            unflagged.put(m, scope.chain);
            if (oldNetworks || mixedFlags(m)) doubtful.add(m);
        }
        if (parent.topNested == null) nested.put(name, tree(m));
        return m;
    }

    /**
     * Whether some layer of {@code m} is trainable (else its arrays are in one order whatever its flag); by the flag, as
     * the layers are not built yet (a trainable layer without weights counts too).
     */
    private static boolean trainsSome(SubModel m) {
        List<Layer> leaves = new ArrayList<>();
        m.leaves(leaves);
        return leaves.stream().anyMatch(Layer::trainable);
    }

    /** Whether {@code m}'s layers are some trainable, some frozen. */
    private static boolean mixedFlags(SubModel m) {
        List<Layer> leaves = new ArrayList<>();
        m.leaves(leaves);
        return leaves.stream().anyMatch(Layer::trainable) && leaves.stream().anyMatch(l -> !l.trainable());
    }

    /** A nested model's layers and nested models, each of these with its saved flag, for the legacy group's order. */
    private Keras2Weights.Nested tree(SubModel m) {
        List<Object> children = new ArrayList<>();
        m.children(children);
        children.replaceAll(o -> o instanceof SubModel s ? tree(s) : o);
        return new Keras2Weights.Nested(!frozenModels.contains(m), unflagged.get(m), doubtful.contains(m), children);
    }

    /** A functional config's layers (nested models included), built; {@link FunctionalModel#call} wires them. */
    private FunctionalModel functional(KerasConfig c, Scope scope) {
        FunctionalModel f = new FunctionalModel(c, c.string("name", null));
        List<?> specs = c.list("layers");
        java.util.Set<String> data = KerasArithmeticOps.dataRefs(specs, KerasCalls.refs(c, "output_layers"));
        for (int i = 0; i < specs.size(); i++) {
            KerasConfig spec = new KerasConfig(specs.get(i), c.where().replaceAll("\\.config$", "") + ".layers[" + i + "]");
            KerasConfig lc = layerConfig(spec);
            String name = spec.string("name", lc.string("name", null));
            if (name == null) throw new KerasFormatException(spec.where() + ": a layer without a name");
            if (f.ops.containsKey(name) || f.inputs.containsKey(name) || f.maskOps.has(name)) {
                throw new KerasFormatException(spec.where() + ": layer name '" + name + "' is used twice");
            }
            boolean arithmetic = KerasArithmeticOps.is(spec, layers.kerasMajor, data);   // a + b: read as the merge layer where it is one
            // Keras 3 records the ops of its implicit masks among the layers; a slice or such arithmetic is read as a layer
            if (KerasMaskOps.isOp(spec, layers.kerasMajor) && !KerasGetItem.is(spec) && !arithmetic) {
                f.maskOps.addOp(name, spec);
                continue;
            }
            f.names.add(name);
            f.maskOps.addLayerCalls(name, spec);
            String cls = spec.string("class_name");
            if ("InputLayer".equals(cls)) {
                f.inputs.put(name, KerasInputShape.ofInputLayer(lc, name, layers.file()));
                order.add(new String[] {name, "InputLayer", scope.group("InputLayer")});
                continue;
            }
            if (MODEL_CLASSES.contains(cls)) {
                SubModel sub = subModel(spec, scope);
                f.ops.put(name, sub);
                f.refs.put(name, subModelNodes(spec, sub));
                continue;
            }
            if (KerasRnn.stacked(spec)) {   // its calls as a recurrent layer's: initial states allowed
                StackedCells sub = stackedCells(spec, scope);
                f.ops.put(name, sub);
                f.refs.put(name, KerasCalls.inboundNodes(spec, sub.cells.get(0)));
                continue;
            }
            Layer l = layers.build(spec);
            record(name, cls, l, scope, spec.where());
            f.ops.put(name, l);
            f.refs.put(name, arithmetic ? KerasArithmeticOps.refs(spec, spec.where()) : KerasCalls.inboundNodes(spec, l));
            if (arithmetic) f.arithmetic.add(name);
            if (arithmetic) arithmeticOps.put(l, name);
        }
        f.maskOps.check(f.ops, f.refs, KerasCalls.refs(c, "output_layers"), c.where());
        KerasArithmeticOps.checkUnmasked(f.arithmetic, f.ops, f.refs, c.where(), !scope.path.isEmpty());
        return f;
    }

    /** A functional config: its input layers, its layers and nested models with their calls' refs. */
    private final class FunctionalModel implements SubModel {
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

        FunctionalModel(KerasConfig c, String name) {
            this.c = c;
            this.name = name;
        }

        public String name() { return name; }

        /**
         * tf.keras 2 builds a functional model's own node first, so its calls count from 1 everywhere. Keras 3 builds
         * none: the call arguments that name it count from 0 (serialize_node), while get_config renumbers it from 1 in
         * input_layers / output_layers (and functional_from_config's get_tensor subtracts that 1 again).
         */
        public int firstNode(boolean modelIo) { return layers.kerasMajor >= 3 && !modelIo ? 0 : 1; }

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
                            ins = kc.match(f.c, f.name, ins, layers.kerasMajor >= 3, c.where() + ": layer '" + n + "'");
                        }
                        boolean unmasked = KerasCalls.unmasked(todo.get(k));   // Keras 3's initial_state call without mask=
                        calls.get(n).add(op instanceof Layer l ? (unmasked ? l.applyUnmasked(ins) : l.apply(ins)).all()
                                : op instanceof StackedCells s ? s.call(ins, unmasked, c.where() + ": layer '" + n + "'")
                                : ((SubModel) op).call(ins, c.where() + ": layer '" + n + "'"));
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

    /** A nested model's calls: Keras 2 [[layer, node, tensor, {}], ...] lists or Keras 3 {"args": ..., "kwargs": ...}. */
    private static List<List<Object>> subModelNodes(KerasConfig spec, SubModel m) {
        return KerasCalls.inboundNodes(spec, null, " of nested model '" + m.name() + "'");
    }

    /**
     * An RNN over StackedRNNCells, as one recurrent layer per cell ({@link KerasRnn#stack}) applied in a chain. Keras 3
     * keeps the cells' variables below the RNN's group ({@code rnn/cell/cells/lstm_cell}, {@code .../lstm_cell_1}); the
     * legacy HDF5 layout keeps them in the RNN's one group, cell after cell, as a nested model's ({@link #nested}).
     */
    private StackedCells stackedCells(KerasConfig spec, Scope scope) {
        KerasConfig c = spec.object("config");
        String name = spec.string("name", c.string("name", null));
        if (name == null) throw new KerasFormatException(spec.where() + ": an RNN over StackedRNNCells without a name");
        String where = "layer '" + name + "' (RNN)";
        String base = scope.group("RNN") + "/cell/cells/";
        Map<String, Integer> used = new HashMap<>();
        StackedCells r = new StackedCells(name, c.bool("return_state", false));
        for (KerasRnn.CellLayer cell : KerasRnn.stack(c, where)) {
            Layer l;
            String cls = cell.spec().string("class_name");
            try {
                l = layers.build(cell.spec());
            } catch (KerasFormatException e) {   // named as the RNN's cell, not as the layer jrnn makes of it
                String inner = "layer '" + cell.cellName() + "' (" + cls + "): ";
                String m = e.getMessage().startsWith(inner) ? e.getMessage().substring(inner.length()) : e.getMessage();
                throw new KerasFormatException(where + ", its cell '" + cell.cellName() + "' (" + cls + "Cell): " + m);
            }
            recordAt(cell.cellName(), cls, l, scope, base + Keras3Weights.group(used, cls + "Cell"), where);
            r.cells.add((dev.jrnn.layers.RecurrentLayer) l);
        }
        if (scope.topNested == null) nested.put(name, new Keras2Weights.Nested(true, null, false, new ArrayList<>(r.cells)));
        return r;
    }

    /** An RNN over stacked cells: its layers in a chain; with return_state, the top output and then each cell's states. */
    private static final class StackedCells implements SubModel {
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

    /** Records a built layer; a name used twice in one model is refused (see {@link #recordAt}). */
    private void record(String name, String cls, Layer l, Scope scope, String where) {
        recordAt(name, cls, l, scope, scope.group(cls), where);
    }

    /**
     * As {@link #record}, the layer's Keras 3 group at {@code group} (a path below {@code layers/}). A name that a layer
     * of another model has (another nesting level or a sibling nested model at the same depth: a layer or nested model
     * shared between the top model and a nested model when saved, or two layers so named) is two layers, as Keras'
     * load_model builds them: each place from its own config entry, with its own group's weights, trained apart
     * afterwards. jrnn's model is flat, so the first recorded at the smallest depth keeps the file's name (a top-level
     * layer its group's) and every other copy takes {@code name_k}, the first k that no entry of the file and no earlier
     * copy uses ({@code shared_d_1}).
     */
    private void recordAt(String name, String cls, Layer l, Scope scope, String group, String where) {
        Place other = owner.get(name);
        String key = name;
        String[] entry = {name, cls, group};
        if (other != null) {
            if (other.scope() == scope) throw new KerasFormatException(where + ": layer name '" + name + "' is used twice");
            String fresh = fresh(name);
            Place mine = new Place(scope, name, l, entry);
            List<Place> places = levels.computeIfAbsent(name, k -> new ArrayList<>());
            if (places.isEmpty()) places.add(other);
            places.add(mine);
            if (other.depth() > mine.depth()) {
                rename(other, fresh);
            } else {
                key = fresh;
                l.name(fresh);
                entry[0] = fresh;
            }
        }
        owner.put(key, new Place(scope, name, l, entry));
        byName.put(key, l);
        order.add(entry);
    }

    /** Gives the recorded {@code p} the jrnn name {@code fresh}, in its place in {@link #byName} and {@link #order}. */
    private void rename(Place p, String fresh) {
        String old = p.entry()[0];
        p.layer().name(fresh);
        p.entry()[0] = fresh;
        List<Map.Entry<String, Layer>> all = new ArrayList<>(byName.entrySet());
        byName.clear();
        for (var e : all) byName.put(e.getKey().equals(old) ? fresh : e.getKey(), e.getValue());
        owner.remove(old);
        owner.put(fresh, p);
    }

    /** {@code name_k}, the first k from 1 that no entry of the file and no recorded layer is named. */
    private String fresh(String name) {
        for (int k = 1; ; k++) {
            String n = name + "_" + k;
            if (!fileNames.contains(n) && !owner.containsKey(n)) return n;
        }
    }

    /** Every string under a "name" key in {@code o}, any depth down. */
    private static void names(Object o, java.util.Set<String> out) {
        if (o instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                if ("name".equals(e.getKey()) && e.getValue() instanceof String s) out.add(s);
                names(e.getValue(), out);
            }
        } else if (o instanceof List<?> l) {
            for (Object x : l) names(x, out);
        }
    }

    /** Each recorded layer's name in the file's config (a renamed copy's is not its jrnn name), by layer. */
    Map<Layer, String> fileNames() {
        Map<Layer, String> r = new java.util.IdentityHashMap<>();
        for (Place p : owner.values()) r.put(p.layer(), p.fileName());
        return r;
    }

    /**
     * Why layer {@code jrnnName} can have no weights in a Keras 3 file: its file name is a layer's at other nesting
     * levels too (a layer shared between them when saved, whose weights Keras 3 saves once); null when it is not.
     */
    String sharedNote(String jrnnName) {
        Place p = owner.get(jrnnName);
        List<Place> places = p == null ? null : levels.get(p.fileName());
        if (places == null) return null;
        List<String> others = new ArrayList<>();
        for (Place o : places) if (o.layer() != p.layer()) others.add(o.describe());
        return "layer '" + p.fileName() + "' of " + p.describe() + " has no weights in the file, and a layer of that name is in "
                + String.join(" and in ", others) + ": a layer (or nested model) shared between the top model and a nested model, whose "
                + "weights Keras 3 saves once, at its first place. Keras 3.15.1's load_model refuses this file too (\"Layer '"
                + p.fileName() + "' expected " + p.layer().params().size() + " variables, but received 0\"); save the model as .h5"
                + " in Keras: Keras and jrnn load that with each place its own copy of the layer (equal weights, trained apart"
                + " afterwards)";
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
}
