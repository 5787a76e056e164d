package dev.jrnn.io.keras;

import dev.jrnn.backend.Loss;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.BaseDenseAttention;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.WritableGroup;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a model in Keras 3's {@code .keras} layout: a zip of {@code config.json} (the model config in Keras 3's
 * schema, with the compile config), {@code metadata.json} and {@code model.weights.h5} (variables at
 * {@code layers/<snake_case class>[_k]/.../vars/<i>}, as Keras 3 names them). The layer configs come from
 * {@link KerasLayers#config}, the inverse of what the importer reads, so a saved model loads through the same
 * path as a Keras file. The optimizer's variables go where Keras 3 reads them ({@code optimizer/vars}, laid out by
 * {@link KerasOptimizerState}); extra state (dropout streams, the fit seed) goes below {@code jrnn_state/} in the weights
 * file and under {@code "jrnn"} in the metadata, where Keras does not look.
 */
public final class KerasExport {
    /** The group below which {@link #write} stores the extra state arrays. */
    public static final String STATE_GROUP = "jrnn_state";

    private KerasExport() {}

    /**
     * Writes {@code model} as a .keras zip to {@code out}; {@code jrnnMeta} goes into metadata.json under "jrnn",
     * {@code state} (paths like "optimizer/m") into the weights file below {@link #STATE_GROUP}. An
     * IllegalArgumentException names a layer jrnn cannot save.
     */
    public static void write(Model model, OutputStream out, Map<String, Object> jrnnMeta, Map<String, Tensor> state) throws IOException {
        write(model, out, jrnnMeta, state, List.of());
    }

    /**
     * As {@link #write(Model, OutputStream, Map, Map)}, with the optimizer's variables at Keras 3's
     * {@code optimizer/vars/0..N} (in {@link KerasOptimizerState#keras3Vars}'s order, where Keras 3 reads them).
     */
    public static void write(Model model, OutputStream out, Map<String, Object> jrnnMeta, Map<String, Tensor> state,
                             List<KerasOptimizerState.Var> optimizerVars) throws IOException {
        Map<String, Object> config = modelConfig(model);
        // each warning once per model (a checkpoint saves it every epoch), counted only once given
        if (!WARNED.contains(model) && warnKeras2HardSigmoid(config, false)) WARNED.add(model);
        if (!WARNED_ACTIVITY.contains(model) && warnSimpleRnnActivity(model)) WARNED_ACTIVITY.add(model);
        if (model.loss() != null && model.optimizer() != null) config.put("compile_config", compileConfig(model));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("keras_version", "3.0.0");
        meta.put("saved_by", "jrnn");
        meta.put("jrnn", jrnnMeta);
        byte[] weights = weightsFile(model, state, optimizerVars);
        ZipOutputStream zip = new ZipOutputStream(out);
        putDeflated(zip, "metadata.json", Json.write(meta).getBytes(StandardCharsets.UTF_8));
        putDeflated(zip, "config.json", Json.write(config).getBytes(StandardCharsets.UTF_8));
        ZipEntry e = new ZipEntry("model.weights.h5");   // stored: the bulk of the file, read back without inflating
        e.setMethod(ZipEntry.STORED);
        e.setSize(weights.length);
        e.setCompressedSize(weights.length);
        CRC32 crc = new CRC32();
        crc.update(weights);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(weights);
        zip.closeEntry();
        zip.finish();
    }

    /**
     * Writes {@code model}'s weights as Keras 3's {@code .weights.h5} (what {@code model.save_weights} writes and
     * {@code load_weights} reads): the model.weights.h5 of {@link #write} without jrnn's extra state.
     */
    public static void writeWeights(Model model, OutputStream out) throws IOException {
        writeWeights(model, out, List.of());
    }

    /**
     * As {@link #writeWeights(Model, OutputStream)}, with the optimizer's variables at {@code optimizer/vars/0..N} as
     * Keras 3's {@code save_weights} writes a compiled model's (none: no optimizer group, as an uncompiled model's).
     * <pre>{@code
     * KerasExport.writeWeights(model, out, List.of());   // the layers only, as Keras' save_weights of an uncompiled model
     * }</pre>
     */
    public static void writeWeights(Model model, OutputStream out, List<KerasOptimizerState.Var> optimizerVars) throws IOException {
        if (optimizerVars == null) throw new IllegalArgumentException("KerasExport.writeWeights: optimizerVars is null (empty: none)");
        out.write(weightsFile(model, Map.of(), optimizerVars));   // a nested model nested, as Keras' save_weights
    }

    /**
     * One warning for the layers whose config names Keras 2's hard_sigmoid: Keras 3's loader refuses the name, and
     * the user should hear it from jrnn at save time rather than from Keras at load time.
     */
    /** The models {@link #warnKeras2HardSigmoid} has warned about (weakly held). */
    private static final java.util.Set<Model> WARNED = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));
    /** The models {@link #warnSimpleRnnActivity} has warned about (weakly held). */
    private static final java.util.Set<Model> WARNED_ACTIVITY = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    /** {@code json}: the warning of {@link #toJsonWarning} (Keras' model_from_json), else of model.save (Keras' load_model). */
    private static boolean warnKeras2HardSigmoid(Map<String, Object> modelConfig, boolean json) {
        List<String> layers = new ArrayList<>();
        Map<?, ?> model = (Map<?, ?>) modelConfig.get("config");
        if (model.get("layers") instanceof List<?> specs) {
            for (Object spec : specs) {
                if (spec instanceof Map<?, ?> m && names(m, KerasLayers.HARD_SIGMOID_KERAS2)
                        && m.get("config") instanceof Map<?, ?> c) layers.add("'" + c.get("name") + "'");
            }
        }
        if (!layers.isEmpty()) {
            System.getLogger(KerasExport.class.getName()).log(System.Logger.Level.WARNING, "model '" + model.get("name")
                    + "': layer" + (layers.size() > 1 ? "s " : " ") + String.join(", ", layers) + " use"
                    + (layers.size() > 1 ? "" : "s") + " Keras 2's hard_sigmoid (0.2x + 1/2), " + (json ? "written" : "saved") + " as '"
                    + KerasLayers.HARD_SIGMOID_KERAS2 + "': jrnn " + (json ? "reads" : "loads") + " it back, Keras 3 cannot (its hard_sigmoid"
                    + " is only x/6 + 1/2); for " + (json ? "a JSON Keras 3's model_from_json reads" : "a file Keras 3 loads")
                    + ", use \"hard_sigmoid\" (Keras 3's) and retrain");
        }
        return !layers.isEmpty();
    }

    /**
     * One warning for the SimpleRNN layers with an activity regularizer: jrnn applies it (as tf.keras 2's SimpleRNN and
     * Keras 3's LSTM and GRU), Keras 3.15.1's SimpleRNN takes it and never applies it (its __init__ does not pass it to the
     * base layer; get_config writes null), so the file trains without it in Keras 3. Keras 3's RNN(SimpleRNNCell) applies it.
     */
    private static boolean warnSimpleRnnActivity(Model model) {
        List<String> layers = new ArrayList<>();
        for (dev.jrnn.layers.Layer l : model.layers()) {
            if (l instanceof dev.jrnn.layers.SimpleRNN r && !r.asKerasRnn() && r.weightRules().activity() != null) layers.add("'" + r.name() + "'");
        }
        if (!layers.isEmpty()) {
            System.getLogger(KerasExport.class.getName()).log(System.Logger.Level.WARNING, "model '" + model.name() + "': SimpleRNN layer"
                    + (layers.size() > 1 ? "s " : " ") + String.join(", ", layers) + " set" + (layers.size() > 1 ? "" : "s")
                    + " activity_regularizer, which jrnn applies and Keras 3's SimpleRNN ignores (its constructor takes the option"
                    + " and never passes it on): loaded in Keras 3, the model trains without that penalty; asKerasRnn(true) saves the layer"
                    + " as Keras' RNN(SimpleRNNCell), which applies it");
        }
        return !layers.isEmpty();
    }

    /** Whether {@code value} is among the values of {@code o}'s maps and lists, at any depth. */
    private static boolean names(Object o, String value) {
        if (o instanceof Map<?, ?> m) return m.values().stream().anyMatch(v -> names(v, value));
        if (o instanceof List<?> l) return l.stream().anyMatch(v -> names(v, value));
        return value.equals(o);
    }

    private static void putDeflated(ZipOutputStream zip, String name, byte[] b) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(b);
        zip.closeEntry();
    }

    /** The model's architecture as Keras 3's {@code model.to_json()} writes it (no weights, no compile config). */
    public static String toJson(Model model) {
        return Json.write(modelConfig(model));
    }

    /**
     * One layer's Keras 3 {@code get_config()} as JSON: the {@code config} of its entry in {@link #toJson} (for an RNN over
     * a cell, the RNN's; for an InputLayer, the one toJson writes from its input).
     */
    public static String layerConfig(Layer layer) {
        if (layer.kerasClass().equals("InputLayer")) return Json.write(inputLayer(layer.name(), layer.calls().get(0).outputs().get(0)).get("config"));
        return Json.write(KerasLayers.config(layer).get("config"));
    }

    /**
     * As {@link #toJson}, for the user's {@code Model.toJson}: it warns, as model.save does, of the layers naming Keras 2's
     * hard_sigmoid, which Keras 3's {@code model_from_json} cannot read (cloneModel's own JSON stays quiet).
     */
    public static String toJsonWarning(Model model) {
        Map<String, Object> config = modelConfig(model);
        warnKeras2HardSigmoid(config, true);
        KerasPortability.warn(model, model.name() + ".toJson");
        return Json.write(config);
    }

    /** The model config in Keras 3's schema: Sequential with a leading InputLayer, or Functional with inbound nodes. */
    static Map<String, Object> modelConfig(Model model) { return modelConfig(model, true, true); }

    /**
     * As {@link #modelConfig(Model)}; {@code masks} false leaves out the masks {@link KerasMaskExport} passes Keras 3
     * explicitly (for tf.keras 2's .h5, whose RNN masks a call with initial states itself), and writes nested models flattened.
     */
    static Map<String, Object> modelConfig(Model model, boolean masks) { return modelConfig(model, masks, false); }

    /**
     * As {@link #modelConfig(Model, boolean)}; {@code nest}: a nested functional model's calls as its own entry
     * ({@link KerasNesting}, Keras 3's form), else the flattened graph (tf.keras 2's .h5, whose weights are written flat).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> modelConfig(Model model, boolean masks, boolean nest) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", model.name());
        c.put("trainable", model.trainable());   // Keras 3's get_config: the model's own flag; each layer's config keeps its own
        List<Object> layers = new ArrayList<>();
        String cls;
        // Keras' Sequential holds layers only: one with a GetItem (an op in Keras 3) is written as the functional model it is
        if (model instanceof Sequential && model.layers().stream().noneMatch(l -> l instanceof dev.jrnn.layers.GetItem)) {
            cls = "Sequential";
            if (model.isBuilt()) {   // an unbuilt one has no input yet: Keras lists its layers alone
                Node in = model.inputs().get(0);
                layers.add(inputLayer(in.layer().name(), in));
            }
            for (Layer l : model.layers()) layers.add(KerasLayers.config(l));
        } else {
            cls = "Functional";
            KerasNesting nesting = nest ? KerasNesting.of(model) : null;
            Refs index = new Refs(callIndex(model, nesting), nesting);
            KerasMaskExport explicit = masks ? new KerasMaskExport(model) : null;
            for (Object op : nesting == null ? graphLayers(model) : nesting.operations) {
                if (op instanceof Model nested) {   // one entry: its own config, its calls in this model as its nodes
                    layers.add(nestedEntry(nested, nesting, index, masks));
                    continue;
                }
                Layer l = (Layer) op;
                Map<String, Object> spec;
                List<Object> inbound = new ArrayList<>();
                if (l.kerasClass().equals("InputLayer")) {
                    spec = inputLayer(l.name(), l.calls().get(0).outputs().get(0));
                } else {
                    spec = KerasLayers.config(l);
                    for (Call call : l.calls()) {
                        if (!index.containsKey(call)) continue;
                        Map<String, Object> node = inboundNode(l, call, index);   // the ops of its mask, if any, before it
                        Map<String, Object> mask = explicit == null ? null : explicit.maskArgument(call, layers, n -> tensor(n, index));
                        if (mask != null) ((Map<String, Object>) node.get("kwargs")).put("mask", mask);
                        inbound.add(node);
                    }
                }
                spec.put("name", l.name());
                spec.put("inbound_nodes", inbound);
                layers.add(spec);
            }
            // Keras 3's get_config maps the structure the model was made with: one ref for Model(i, o), a list for Model([i], [o])
            c.put("input_layers", model.dictInputs() ? inputDict(model, index)
                    : model.singleInput() ? ref(model.inputs().get(0), index) : refs(model.inputs(), index));
            c.put("output_layers", model.dictOutputs() ? inDictOrder(model, byKey(model.outputNames(), refs(model.outputs(), index, true)))
                    : model.singleOutput() ? ref(model.outputs().get(0), index, true) : refs(model.outputs(), index, true));
        }
        c.put("layers", layers);
        if (!cls.equals("Functional")) return serialized("keras", cls, c);
        // Functional has no keras_export: Keras 3 finds it only by its module and registered name, as it writes them
        Map<String, Object> f = serialized("keras.src.models.functional", cls, c);
        f.put("registered_name", "Functional");
        return f;
    }

    /** An object as Keras 3 serialises it: {@code module}, {@code class_name}, {@code config}, {@code registered_name}. */
    static Map<String, Object> serialized(String module, String className, Map<String, Object> config) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("module", module);
        s.put("class_name", className);
        s.put("config", config);
        s.put("registered_name", null);
        return s;
    }

    private static Map<String, Object> inputLayer(String name, Node in) {
        return serialized("keras.layers", "InputLayer", KerasInputShape.keras3InputLayer(shape(in), in.layer().dtype(), name));
    }

    private static List<Object> shape(Node n) {
        List<Object> s = new ArrayList<>();
        s.add(n.batchSize() > 0 ? (Object) (long) n.batchSize() : null);
        for (int d : n.shape()) s.add(d < 0 ? null : (Object) (long) d);
        return s;
    }

    /** The model's layers with its InputLayers (a Sequential's layers() leaves its input out). */
    private static List<Layer> graphLayers(Model model) {
        if (!(model instanceof Sequential)) return model.layers();
        List<Layer> r = new ArrayList<>(List.of(model.inputs().get(0).layer()));
        r.addAll(model.layers());
        return r;
    }

    /**
     * A functional config's node references: each call's index among its layer's calls in the model, and the model's
     * nested calls ({@link KerasNesting}, null: none) as nodes of their nested model.
     */
    private record Refs(Map<Call, Integer> index, KerasNesting nesting) { boolean containsKey(Call c) { return index.containsKey(c); } }

    /**
     * A nested model's entry: its own config (Keras 3's get_config of it), and each of its top-level calls in the outer
     * model as one node, its inputs in args (a list for a list-input model) and {@code mask} null in kwargs, as Keras 3
     * writes a Functional's call.
     */
    private static Map<String, Object> nestedEntry(Model nested, KerasNesting nesting, Refs index, boolean masks) {
        Map<String, Object> spec = modelConfig(nested, masks, true);
        List<Object> inbound = new ArrayList<>();
        for (dev.jrnn.layers.CallGroup g : nesting.calls.get(nested)) {
            List<Object> args = new ArrayList<>();
            for (Node n : g.inputs()) args.add(tensor(n, index));
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("args", nested.singleInput() ? args : List.of(args));
            node.put("kwargs", java.util.Collections.singletonMap("mask", null));
            inbound.add(node);
        }
        spec.put("name", nested.name());
        spec.put("inbound_nodes", inbound);
        return spec;
    }

    /** Each call of the model, numbered per layer in call order (calls of the layers in other models left out). */
    private static Map<Call, Integer> callIndex(Model model, KerasNesting nesting) {
        Set<Call> used = new HashSet<>();
        ArrayDeque<Node> todo = new ArrayDeque<>(model.outputs());
        while (!todo.isEmpty()) {
            Call c = todo.pop().call();
            if (used.add(c)) todo.addAll(c.inputs());
        }
        Map<Call, Integer> index = new HashMap<>();
        for (Layer l : graphLayers(model)) {
            int k = 0;
            for (Call c : l.calls()) if (used.contains(c) && (nesting == null || nesting.outer(c))) index.put(c, k++);
        }
        return index;
    }

    /** One call as Keras 3 writes it: the main input in args, a recurrent layer's initial states in kwargs. */
    private static Map<String, Object> inboundNode(Layer l, Call call, Refs index) {
        List<Node> ins = call.inputs();
        Map<String, Object> node = new LinkedHashMap<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        boolean recurrent = l instanceof RecurrentLayer || l instanceof Bidirectional;
        if (l instanceof dev.jrnn.layers.GetItem g) {   // Keras 3's GetItem op: its call's args are the tensor and the key
            List<Object> args = new ArrayList<>();
            args.add(tensor(ins.get(0), index));
            args.add(KerasGetItem.key(g));
            node.put("args", args);
        } else if (l instanceof MultiHeadAttention m) {
            KerasMultiHeadAttention.writeCall(m, ins, node, kwargs, n -> tensor(n, index));
        } else if (recurrent && ins.size() > 1) {
            node.put("args", List.of(tensor(ins.get(0), index)));
            List<Object> states = new ArrayList<>();
            for (Node n : ins.subList(1, ins.size())) states.add(tensor(n, index));
            kwargs.put("initial_state", states);
        } else {
            List<Object> args = new ArrayList<>();
            for (Node n : ins) args.add(tensor(n, index));
            node.put("args", ins.size() == 1 ? args : List.of(args));
        }
        if (l instanceof BaseDenseAttention a) {   // Keras' call arguments, jrnn's layer settings
            kwargs.put("use_causal_mask", a.useCausalMask());
            kwargs.put("return_attention_scores", a.returnAttentionScores());
        }
        node.put("kwargs", kwargs);
        return node;
    }

    private static Map<String, Object> tensor(Node n, Refs index) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("shape", shape(n));
        c.put("dtype", dev.jrnn.layers.DtypePolicy.computeDtype(n.layer().dtype()));   // Keras' tensor: its layer's compute dtype
        c.put("keras_history", ref(n, index));
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("class_name", "__keras_tensor__");
        t.put("config", c);
        return t;
    }

    private static List<Object> ref(Node n, Refs index) { return ref(n, index, false); }

    /**
     * {@code n}'s [layer, node, tensor]; an output of a nested call as its model's ([model, node, output]), whose node
     * Keras 3's get_config counts from 1 in a model's input_layers / output_layers ({@code modelIo}), from 0 elsewhere.
     */
    private static List<Object> ref(Node n, Refs index, boolean modelIo) {
        dev.jrnn.layers.CallGroup g = index.nesting() == null ? null : index.nesting().group(n.call());
        if (g != null) {
            return List.of(((Model) g.operation()).name(), (long) (index.nesting().index(g) + (modelIo ? 1 : 0)), (long) g.outputs().indexOf(n));
        }
        return List.of(n.layer().name(), (long) index.index().get(n.call()), (long) n.outputIndex());
    }

    /**
     * A dict-input model's input_layers as Keras 3's get_config maps its dict: {key: ref}, in the dict's own order
     * ({@link Model#inputDict()}), as Keras keeps it.
     */
    private static Map<String, Object> inputDict(Model model, Refs index) {
        Map<String, Object> sorted = byKey(model.inputNames(), refs(model.inputs(), index));
        Map<String, Object> r = new LinkedHashMap<>();
        for (String k : model.inputDict().keySet()) r.put(k, sorted.get(k));
        return r;
    }

    /**
     * {@code values} by {@code keys}, one each, in their (sorted) order: a dict of inputs or outputs (their refs), or a
     * dict-output model's losses or loss weights by its keys.
     */
    private static Map<String, Object> byKey(List<String> keys, List<?> values) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) r.put(keys.get(i), values.get(i));
        return r;
    }

    /**
     * {@code byOutputKey} (a dict-output model's values by key) in the order of the model's dict ({@link Model#outputDict()}),
     * as Keras' get_config keeps the dict it was given: Keras reads it back so ({@code model.output}, its config).
     */
    private static Map<String, Object> inDictOrder(Model model, Map<String, Object> byOutputKey) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String k : model.outputDict().keySet()) r.put(k, byOutputKey.get(k));
        return r;
    }

    private static List<Object> refs(List<Node> nodes, Refs index) { return refs(nodes, index, false); }

    private static List<Object> refs(List<Node> nodes, Refs index, boolean modelIo) {
        List<Object> r = new ArrayList<>();
        for (Node n : nodes) r.add(ref(n, index, modelIo));
        return r;
    }

    /**
     * Whether the compile config's loss is one per output: where the outputs' losses differ, or loss weights go beside
     * them (Keras matches loss_weights to the losses one for one).
     */
    private static boolean lossPerOutput(Model model) {
        return model.losses().stream().distinct().count() > 1 || !model.lossWeights().isEmpty();
    }

    /** Whether {@link #compileConfig}'s loss is a map by a dict-output model's keys (else one loss, or a list). */
    static boolean lossByOutputKey(Model model) {
        return model.dictOutputs() && lossPerOutput(model);
    }

    /** Keras 3's compile_config: optimizer (class and config), loss, metrics, weighted_metrics. */
    static Map<String, Object> compileConfig(Model model) {
        Map<String, Object> c = new LinkedHashMap<>();
        // a file's LossScaleOptimizer written back around the optimizer jrnn compiled from it
        c.put("optimizer", KerasLossScale.serialized(model,
                serialized("keras.optimizers", model.optimizer().name(), model.optimizer().config())));
        // a logits form as Keras' loss object (a name cannot say it); one per output, as a list, when they differ
        List<Loss> ls = model.losses();
        boolean list = lossPerOutput(model);
        // an output without a loss is None in Keras' list (Keras' compile(loss=[None, "mse"]))
        List<Object> perOutput = list ? ls.stream().map(l -> l == null ? null : Losses.serialize(l)).toList() : null;
        // a dict-output model's by its keys, as Keras' compile(loss={...}) on it writes them (Keras reads a list too; the
        // KeyError 0 of a dict sample_weight came from output_layers written as a list, which made a list-output model)
        c.put("loss", !list ? Losses.serialize(model.loss()) : model.dictOutputs() ? inDictOrder(model, byKey(model.outputNames(), perOutput)) : perOutput);
        if (!model.lossWeights().isEmpty()) {
            c.put("loss_weights", model.dictOutputs() ? inDictOrder(model, byKey(model.outputNames(), model.lossWeights())) : model.lossWeights());
        }
        // as compile got them: a List for every output (per output on a model of several, which Keras 3 reads by position),
        // a Map by output name or a List per output; weighted_metrics only when given
        c.put("metrics", model.metricsConfig().get(0));
        if (model.metricsConfig().get(1) != null) c.put("weighted_metrics", model.metricsConfig().get(1));
        return c;
    }

    /**
     * model.weights.h5 as bytes: each layer's variables at Keras 3's paths, then {@code state} below
     * {@link #STATE_GROUP}, through {@link JhdfEmptyGroups#written}; a nested functional model's in its own group as
     * Keras 3 keeps it.
     */
    private static byte[] weightsFile(Model model, Map<String, Tensor> state, List<KerasOptimizerState.Var> optimizerVars) throws IOException {
        return JhdfEmptyGroups.written(h -> {
            h.putGroup(JhdfEmptyGroups.ROOT_VARS);   // the model's own variables: none
            putLayers(h.putGroup("layers"), model);
            if (!optimizerVars.isEmpty()) {   // scalars as Keras keeps them: the int64 iteration, float32 learning_rate
                WritableGroup optimizer = h.putGroup("optimizer");
                if (KerasLossScale.isWrapped(model)) {   // the wrapper's flat list, and its inner optimizer's
                    putVars(optimizer.putGroup("vars"), KerasLossScale.flatForZip(model, optimizerVars));
                    putVars(optimizer.putGroup("inner_optimizer").putGroup("vars"), optimizerVars);
                } else {
                    putVars(optimizer.putGroup("vars"), optimizerVars);
                }
            }
            if (!state.isEmpty()) {
                WritableGroup root = h.putGroup(STATE_GROUP);
                Map<String, WritableGroup> groups = new HashMap<>();
                for (var e : state.entrySet()) {
                    String path = e.getKey();
                    int slash = path.lastIndexOf('/');
                    WritableGroup g = slash < 0 ? root : group(root, groups, path.substring(0, slash));
                    g.putDataset(path.substring(slash + 1), nested(e.getValue()));
                }
            }
        });
    }

    /** {@code model}'s layers' variables below {@code layers}, each at its {@link KerasNesting#weightPlaces} group. */
    private static void putLayers(WritableGroup layers, Model model) {
        Map<String, WritableGroup> made = new HashMap<>();   // a nested model's groups, by path
        for (KerasNesting.Place p : KerasNesting.weightPlaces(model, true)) {
            WritableGroup g = layers;
            String[] parts = p.path().split("/");
            for (int i = 0; i < parts.length - 1; i++) {
                WritableGroup parent = g;
                String part = parts[i];
                g = made.computeIfAbsent(String.join("/", java.util.Arrays.copyOf(parts, i + 1)), x -> parent.putGroup(part));
            }
            putLayer(g.putGroup(parts[parts.length - 1]), p.layer());
        }
    }

    /** {@code vars} as datasets 0..N of {@code g}. */
    private static void putVars(WritableGroup g, List<KerasOptimizerState.Var> vars) {
        for (int i = 0; i < vars.size(); i++) {
            KerasOptimizerState.Var v = vars.get(i);
            g.putDataset(Integer.toString(i), v.whole() != null ? (Object) v.whole()
                    : v.scalar() ? (Object) v.value().data()[0] : nested(v.value()));
        }
    }

    /** The group at {@code path} ('/'-separated) below {@code root}, made with its parents on first use ({@code made} remembers them). */
    static WritableGroup group(WritableGroup root, Map<String, WritableGroup> made, String path) {
        WritableGroup g = made.get(path);
        if (g != null) return g;
        int slash = path.lastIndexOf('/');
        WritableGroup parent = slash < 0 ? root : group(root, made, path.substring(0, slash));
        g = parent.putGroup(path.substring(slash + 1));
        made.put(path, g);
        return g;
    }

    /** A layer's variables as Keras 3 nests them: wrappers keep their inner layers, recurrent layers a cell. */
    private static void putLayer(WritableGroup g, Layer l) {
        switch (l) {
            case Bidirectional b -> {
                putLayer(g.putGroup("forward_layer"), b.forwardLayer());
                putLayer(g.putGroup("backward_layer"), b.backwardLayer());
            }
            case TimeDistributed t -> putLayer(g.putGroup("layer"), t.layer());
            case RecurrentLayer r -> putVars(g.putGroup("cell"), r.params(), false);
            case Attention a -> putVars(g, a.params(), true);   // scale, concat_score_weight: Keras' shape ()
            case dev.jrnn.layers.Normalization n -> {   // mean, variance (scalars for axis None), and count: Keras' int scalar
                WritableGroup vars = g.putGroup("vars");
                List<Param> ps = n.params();
                boolean scalars = n.axis().length == 0;
                vars.putDataset("0", scalars ? (Object) ps.get(0).get().data()[0] : nested(ps.get(0).get()));
                vars.putDataset("1", scalars ? (Object) ps.get(1).get().data()[0] : nested(ps.get(1).get()));
                vars.putDataset("2", (Object) (long) ps.get(2).get().data()[0]);
            }
            case MultiHeadAttention m -> {   // its EinsumDense layers under Keras 3's names; its softmax and dropout hold none
                List<Param> ps = m.params();   // (no empty groups for those: Keras reads a missing path as empty, h5py an empty jhdf group not)
                int per = m.useBias() ? 2 : 1;
                for (int i = 0; i < 4; i++) putVars(g.putGroup(KerasMultiHeadAttention.GROUPS.get(i)), ps.subList(per * i, per * i + per), false);
            }
            default -> putVars(g, l.params(), false);
        }
    }

    /** vars/0, vars/1, ...; with {@code scalars}, each (1) weight as the scalar dataset Keras keeps it in. */
    private static void putVars(WritableGroup g, List<Param> params, boolean scalars) {
        WritableGroup vars = g.putGroup("vars");
        for (int i = 0; i < params.size(); i++) {
            Tensor t = params.get(i).get();
            vars.putDataset(Integer.toString(i), scalars ? (Object) t.data()[0] : nested(t));
        }
    }

    /** A tensor as the nested Java array jhdf writes (float[], float[][], ...). */
    static Object nested(Tensor t) {
        int[] shape = t.shape();
        float[] data = t.data();
        if (shape.length <= 1) return data.clone();
        Object a = Array.newInstance(float.class, shape);
        int row = shape[shape.length - 1];
        int[] at = {0};
        fill(a, shape.length, data, row, at);
        return a;
    }

    private static void fill(Object a, int rank, float[] data, int row, int[] at) {
        if (rank == 1) {
            System.arraycopy(data, at[0], a, 0, row);
            at[0] += row;
            return;
        }
        for (int i = 0; i < Array.getLength(a); i++) fill(Array.get(a, i), rank - 1, data, row, at);
    }
}
