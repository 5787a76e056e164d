package dev.jrnn.io.keras;

import dev.jrnn.io.keras.KerasLayerPlaces.Scope;
import dev.jrnn.io.keras.KerasSubModels.FunctionalModel;
import dev.jrnn.io.keras.KerasSubModels.SequentialModel;
import dev.jrnn.io.keras.KerasSubModels.StackedCells;
import dev.jrnn.io.keras.KerasSubModels.SubModel;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.TrainableFlags;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;

import java.util.ArrayList;
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
    /** Where each built layer lies: its jrnn and file names, its Keras 3 group, its model. */
    private final KerasLayerPlaces places = new KerasLayerPlaces();
    /** {@link KerasLayerPlaces#order}: (config name, class name, Keras 3 group) of every layer in model order. */
    final List<String[]> order = places.order;
    /** {@link KerasLayerPlaces#byName}: config name to the jrnn layer built for it. */
    final Map<String, Layer> byName = places.byName;
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
     * an op's jrnn name may differ from its file name (see {@link KerasLayerPlaces#recordAt}), with its file name for the message.
     */
    private final Map<Layer, String> arithmeticOps = new java.util.IdentityHashMap<>();

    /** {@code kerasVersion}: the file's keras_version (null: unknown), for the node numbering of nested models. */
    KerasGraph(KerasLayers layers, String kerasVersion) {
        this.layers = layers;
        this.oldNetworks = kerasVersion != null && kerasVersion.matches("(0|1|2\\.[0-3])(\\..*)?(-tf)?");
    }

    Model build(Object modelConfig) {
        KerasConfig top = new KerasConfig(modelConfig, "model_config");
        String cls = KerasLayers.checkModule(top, "model_config");
        places.fileConfig(modelConfig);
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
            int[] own = null;
            if (MODEL_CLASSES.contains(cls)) {
                SubModel sub = subModel(spec, scope);
                own = sub instanceof SequentialModel q ? q.declared : ((FunctionalModel) sub).singleInputShape(spec.where());
                s.steps.add(sub);
            } else if (KerasRnn.stacked(spec)) {
                s.steps.add(stackedCells(spec, scope));
            } else {
                Layer l = layers.build(spec);
                places.record(c.string("name", l.name()), cls, l, scope, spec.where());
                s.steps.add(l);
            }
            // Keras reads shape keys on the first layer alone, and only where no InputLayer came before it (a later
            // layer's input_shape or input_dim, even one that could not be read, is ignored); they beat build_input_shape,
            // as Keras builds the model on them when the layer is added, before from_config reads build_input_shape
            if (first && s.declared == null) {
                if (own == null && !MODEL_CLASSES.contains(cls)) own = KerasInputShape.ofLayer(cls, c);
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
        if (m instanceof FunctionalModel f) f.own = f.topModel();   // what a save writes back as this nested model
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
        FunctionalModel f = new FunctionalModel(c, c.string("name", null), layers.kerasMajor);
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
            places.record(name, cls, l, scope, spec.where());
            f.ops.put(name, l);
            f.refs.put(name, arithmetic ? KerasArithmeticOps.refs(spec, spec.where()) : KerasCalls.inboundNodes(spec, l));
            if (arithmetic) f.arithmetic.add(name);
            if (arithmetic) arithmeticOps.put(l, name);
        }
        f.maskOps.check(f.ops, f.refs, KerasCalls.refs(c, "output_layers"), c.where());
        KerasArithmeticOps.checkUnmasked(f.arithmetic, f.ops, f.refs, c.where(), !scope.path.isEmpty());
        return f;
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
            places.recordAt(cell.cellName(), cls, l, scope, base + Keras3Weights.group(used, cls + "Cell"), where);
            r.cells.add((dev.jrnn.layers.RecurrentLayer) l);
        }
        if (scope.topNested == null) nested.put(name, new Keras2Weights.Nested(true, null, false, new ArrayList<>(r.cells)));
        return r;
    }

    /** {@link KerasLayerPlaces#fileNames}: each recorded layer's name in the file's config, by layer. */
    Map<Layer, String> fileNames() {
        return places.fileNames();
    }

    /** {@link KerasLayerPlaces#sharedNote}: why layer {@code jrnnName} can have no weights in a Keras 3 file, or null. */
    String sharedNote(String jrnnName) {
        return places.sharedNote(jrnnName);
    }
}
