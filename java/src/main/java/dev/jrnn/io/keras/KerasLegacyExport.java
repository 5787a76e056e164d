package dev.jrnn.io.keras;

import dev.jrnn.io.Json;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import io.jhdf.api.WritableGroup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a model in tf.keras 2's legacy HDF5 layout, as {@code model.save("m.h5")} writes it
 * ({@code keras/saving/legacy/hdf5_format.py} save_model_to_hdf5 of tf.keras 2.13), which tf.keras 2.x and Keras 3
 * ({@code legacy_h5_format.py}) both load: root attributes {@code keras_version}, {@code backend},
 * {@code model_config} (tf.keras 2's schema: no module, {@code batch_input_shape}, inbound nodes as
 * {@code [[["layer", node, tensor, {}]]]}) and {@code training_config} when compiled; group {@code model_weights}
 * (attributes {@code layer_names}, {@code backend}, {@code keras_version}) with one group per layer whose
 * {@code weight_names} attribute lists its arrays ({@code lstm/lstm_cell/kernel:0}) at those paths. The layer
 * configs are the Keras 3 ones jrnn writes ({@link KerasLayers#config}) turned into tf.keras 2's; a layer or an
 * activation tf.keras 2 lacks is refused before anything is written. Two parts follow Keras 3's legacy_h5_format.py
 * instead: a compiled model's optimizer variables, in Keras 3's {@code optimizer_weights} layout below
 * {@code jrnn_state/} (for jrnn: {@link KerasLegacyOptimizerWeights} says why Keras does not get them), and
 * MultiHeadAttention's calls ({@link #KERAS3_NODES}: such a file loads in Keras 3 only).
 */
public final class KerasLegacyExport {
    /**
     * The version written: the configs follow tf.keras 2.13's get_config (InputLayer's ragged, LSTM's implementation
     * 2, the optimizer config of its new optimizers), and any "2.x" tells Keras' readers not to convert Keras 1 weights.
     */
    public static final String KERAS_VERSION = "2.13.1";

    /**
     * Layer classes written (those of jrnn's Keras 3 export that tf.keras 2 has with the same numbers, and
     * MultiHeadAttention: see {@link #KERAS3_NODES}).
     */
    static final List<String> CLASSES = List.of("InputLayer", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed",
            "Dense", "Embedding", "Dropout", "Masking", "Activation", "RepeatVector", "Flatten", "Concatenate", "Add",
            "Multiply", "Average", "Subtract", "Maximum", "Minimum", "Dot", "Conv1D", "MaxPooling1D", "AveragePooling1D",
            "GlobalAveragePooling1D", "GlobalMaxPooling1D", "LayerNormalization", "BatchNormalization", "ZeroPadding1D",
            "Cropping1D", "UpSampling1D", "Reshape", "Permute", "GaussianNoise", "GaussianDropout", "SpatialDropout1D",
            "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Attention", "AdditiveAttention", "MultiHeadAttention");

    /**
     * tf.keras 2's layers (2.4-2.15) without masking support: its base Layer.compute_mask raises a TypeError when a mask
     * reaches one, so a model passing them a mask does not load there (jrnn and Keras 3 drop the mask).
     */
    private static final Set<String> UNMASKABLE = Set.of("Conv1D", "MaxPooling1D", "AveragePooling1D", "GlobalMaxPooling1D",
            "ZeroPadding1D", "Cropping1D", "UpSampling1D", "Reshape", "Permute", "Flatten", "RepeatVector");

    /**
     * Layers whose calls are written in Keras 3's node form ({@code {"args": [...], "kwargs": {...}}}), which Keras 3's
     * legacy loader reads per node beside tf.keras 2's lists: MultiHeadAttention takes query and value as two tensor
     * arguments, which tf.keras 2's list form cannot pass to Keras 3 (its loader calls the layer on one list of the
     * tensors, and passes tf.keras 2's {@code value} keyword on as the unread reference). A file with such a call loads
     * in Keras 3 only: tf.keras 2 reads no Keras 3 node.
     */
    static final Set<String> KERAS3_NODES = Set.of("MultiHeadAttention");

    /** Call flags written by the attention layers, left out where false. */
    private static final List<String> CALL_FLAGS = List.of("use_causal_mask", "return_attention_scores");

    /** jrnn's (Keras 3) activation names tf.keras 2.13 computes alike, to tf.keras 2's spelling. */
    private static final Map<String, String> ACTIVATIONS = activations();

    /** Keras' HDF5_OBJECT_HEADER_LIMIT: a string-list attribute larger than this is split into name0, name1, ... */
    static final int HEADER_LIMIT = 64512;
    /** The longest string attribute jhdf 0.13 writes readably (59,500 bytes read back, 59,700 did not: its object header). */
    static final int MAX_STRING_ATTRIBUTE = 59_000;

    private KerasLegacyExport() {}

    private static Map<String, String> activations() {
        Map<String, String> m = new HashMap<>();
        for (String a : List.of("linear", "tanh", "sigmoid", "relu", "softmax", "elu", "selu", "softplus", "softsign",
                "leaky_relu", "exponential", "gelu", "swish", "relu6", "mish", "log_softmax")) m.put(a, a);
        m.put(KerasLayers.HARD_SIGMOID_KERAS2, "hard_sigmoid");   // tf.keras 2's hard_sigmoid is 0.2x + 1/2
        return Map.copyOf(m);
    }

    /**
     * Writes {@code model} as a tf.keras 2 .h5 file to {@code out}. An IllegalArgumentException names a layer or an
     * activation tf.keras 2 lacks (nothing is written then).
     */
    public static void write(Model model, OutputStream out) throws IOException {
        write(model, out, List.of(), List.of());
    }

    /**
     * As {@link #write(Model, OutputStream)}, with the optimizer's variables in Keras 3's order
     * ({@link KerasOptimizerState#keras3Vars} over {@code trainable}, the model's trainable weights in Keras' order) in
     * Keras 3's {@code optimizer_weights} layout below {@code jrnn_state/} ({@link KerasLegacyOptimizerWeights});
     * {@code optimizerVars} empty: none written.
     */
    public static void write(Model model, OutputStream out, List<Param> trainable, List<KerasOptimizerState.Var> optimizerVars)
            throws IOException {
        if (trainable == null || optimizerVars == null) {
            throw new IllegalArgumentException("KerasLegacyExport.write: trainable and optimizerVars should be lists (empty: no optimizer"
                    + " state), got " + (trainable == null ? "trainable null" : "optimizerVars null"));
        }
        String[] configs = configs(model);
        String config = configs[0], training = configs[1];
        List<String> names = optimizerVars.isEmpty() ? List.of() : optimizerNames(model, trainable, optimizerVars);
        if (!optimizerVars.isEmpty() && KerasLossScale.isWrapped(model)) {   // as Keras 3's .h5: the wrapper's own four first
            List<KerasOptimizerState.Var> flat = KerasLossScale.flat(model, optimizerVars);
            List<KerasOptimizerState.Var> own = flat.subList(0, KerasLossScale.OWN_VARS);
            List<String> all = new ArrayList<>(KerasLegacyOptimizerWeights.names(model.lossScale().name(), own,
                    java.util.Collections.nCopies(own.size(), null)));
            all.addAll(names);
            names = all;
            optimizerVars = flat;
        }
        List<KerasOptimizerState.Var> vars = optimizerVars;
        List<String> written = names;
        out.write(JhdfEmptyGroups.written(h -> {
            h.putAttribute("backend", "tensorflow");
            h.putAttribute("keras_version", KERAS_VERSION);
            h.putAttribute("model_config", config);
            if (training != null) h.putAttribute("training_config", training);
            putWeights(h.putGroup("model_weights"), model);
            if (training != null && !vars.isEmpty()) KerasLegacyOptimizerWeights.put(h, vars, written);
        }));
    }

    /** Keras 3's paths of the optimizer's variables: its config name, then each slot's weight path (a functional model's). */
    private static List<String> optimizerNames(Model model, List<Param> trainable, List<KerasOptimizerState.Var> vars) {
        Map<Param, String> paths = new java.util.IdentityHashMap<>();
        for (Layer l : model.layers()) for (Param p : l.params()) paths.put(p, l.name() + "/" + path(l, p));
        int[] of = KerasOptimizerState.keras3VarWeights(model.optimizer(), trainable.size());
        List<String> weights = new ArrayList<>();
        for (int i : of) weights.add(i < 0 ? null : paths.getOrDefault(trainable.get(i), trainable.get(i).name()));
        Map<?, ?> opt = (Map<?, ?>) KerasExport.compileConfig(model).get("optimizer");
        // the inner optimizer's variables, under its name (the wrapper's own four are named in write)
        if (KerasLossScale.isWrapped(model)) opt = (Map<?, ?>) ((Map<?, ?>) opt.get("config")).get("inner_optimizer");
        return KerasLegacyOptimizerWeights.names(String.valueOf(((Map<?, ?>) opt.get("config")).get("name")), vars, weights);
    }

    /**
     * Refuses, as {@link #write} would, a model this writer cannot save (a layer, an activation, a call or a mask tf.keras
     * 2 lacks, or a config past the attribute limit), writing nothing: for checks before training (ModelCheckpoint).
     */
    public static void check(Model model) {
        configs(model);
    }

    /** The model_config and training_config (null when not compiled) as written, checked against the attribute limit. */
    private static String[] configs(Model model) {
        String config = Json.write(modelConfig(model));
        String training = model.loss() != null && model.optimizer() != null ? Json.write(KerasLegacyTrainingConfig.of(model)) : null;
        for (String[] a : new String[][] {{"model_config", config}, {"training_config", training}}) {
            int bytes = a[1] == null ? 0 : a[1].getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > MAX_STRING_ATTRIBUTE) {   // jhdf writes a corrupt file past ~59.6 KB (its object header's limit)
                throw new IllegalArgumentException(model.name() + ": its " + a[0] + " is " + bytes + " bytes, more than the "
                        + MAX_STRING_ATTRIBUTE + " an .h5 attribute written here can hold; save it as .keras (Keras 3) instead");
            }
        }
        return new String[] {config, training};
    }

    /**
     * Writes {@code model}'s weights as tf.keras 2's {@code save_weights("w.h5")} does: {@code layer_names},
     * {@code backend}, {@code keras_version} at the root and the per-layer groups of {@link #write}.
     */
    public static void writeWeights(Model model, OutputStream out) throws IOException {
        for (Layer l : model.layers()) {   // activations do not matter to weights
            if (!l.kerasClass().equals("InputLayer")) checkClass(KerasLayers.config(l));
        }
        out.write(JhdfEmptyGroups.written(h -> putWeights(h, model)));
    }

    /** The layers as Keras' model.layers lists them: a Sequential's own InputLayer is not among them, a Functional's are. */
    private static void putWeights(WritableGroup g, Model model) {
        List<Layer> layers = model.layers();   // Keras' order (by depth), with which tf.keras 2 pairs the groups by position
        List<String> names = new ArrayList<>();
        for (Layer l : layers) names.add(l.name());
        putStrings(g, "layer_names", names);
        g.putAttribute("backend", "tensorflow");
        g.putAttribute("keras_version", KERAS_VERSION);
        for (Layer l : layers) {
            WritableGroup lg = g.putGroup(l.name());
            Map<String, Object> ws = weights(l);
            // no weight_names on a layer without weights: jhdf cannot write an empty array attribute, and Keras'
            // load_attributes_from_hdf5_group reads a missing one as [] (as tf.keras' np.asarray([]) of float64)
            if (ws.isEmpty()) continue;
            putStrings(lg, "weight_names", new ArrayList<>(ws.keySet()));
            Map<String, WritableGroup> made = new HashMap<>();
            for (var e : ws.entrySet()) {
                String path = e.getKey();
                int slash = path.lastIndexOf('/');
                WritableGroup parent = slash < 0 ? lg : KerasExport.group(lg, made, path.substring(0, slash));
                parent.putDataset(path.substring(slash + 1), e.getValue());
            }
        }
    }

    /**
     * A list of strings as Keras' save_attributes_to_hdf5_group writes it: one fixed-length string array, or, past
     * {@link #HEADER_LIMIT} bytes, split as numpy's array_split into {@code name0}, {@code name1}, ...
     */
    static void putStrings(WritableGroup g, String name, List<String> values) {
        int width = 1;
        for (String v : values) width = Math.max(width, v.getBytes(StandardCharsets.UTF_8).length);
        int n = values.size();
        int chunks = 1;
        while ((long) ((n + chunks - 1) / chunks) * width > HEADER_LIMIT) chunks++;
        if (chunks == 1) {
            g.putAttribute(name, values.toArray(String[]::new));
            return;
        }
        int at = 0;
        for (int k = 0; k < chunks; k++) {   // array_split: the first n % chunks parts one longer
            int len = n / chunks + (k < n % chunks ? 1 : 0);
            g.putAttribute(name + k, values.subList(at, at + len).toArray(String[]::new));
            at += len;
        }
    }

    /**
     * A layer's arrays by their tf.keras 2 variable names, in its _legacy_weights order (trainable, then the rest):
     * {@code dense/kernel:0}, {@code lstm/lstm_cell/kernel:0}, {@code bi/forward_lstm/lstm_cell/kernel:0},
     * {@code td/dense/kernel:0}. Keras' loader goes by position; the names only lead to the arrays.
     */
    static Map<String, Object> weights(Layer l) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (int pass = 0; pass < 2; pass++) {
            for (Param p : l.params()) {   // Attention's scale and concat_score_weight: shape () in tf.keras 2 as in Keras 3
                Object v = l instanceof Attention ? (Object) p.get().data()[0] : KerasExport.nested(p.get());
                if (l.trains(p) == (pass == 0)) r.put(l.name() + "/" + path(l, p) + ":0", v);
            }
        }
        return r;
    }

    /** Where {@code p} sits below its layer: a cell's name for recurrent layers, the inner layer's for wrappers. */
    private static String path(Layer l, Param p) {
        return switch (l) {
            case Bidirectional b -> {
                boolean fw = b.forwardLayer().params().stream().anyMatch(q -> q == p);
                Layer inner = fw ? b.forwardLayer() : b.backwardLayer();
                // tf.keras 2 names the backward layer backward_<its config's name>, a given one too (Keras 3 keeps that name)
                String n = inner.name();
                yield (fw || n.startsWith("backward_") ? n : "backward_" + n) + "/" + path(inner, p);
            }
            case TimeDistributed t -> t.layer().name() + "/" + path(t.layer(), p);
            case MultiHeadAttention m -> m.weightName(p);   // query/kernel, ...
            case RecurrentLayer r -> Keras3Weights.snakeCase(r.kerasClass()) + "_cell/" + p.name();
            default -> p.name();
        };
    }

    /** Refuses a layer class (or a wrapped one) the writer does not save, naming the layer. */
    private static void checkClass(Map<?, ?> spec) {
        String cls = (String) spec.get("class_name");
        Map<?, ?> c = (Map<?, ?>) spec.get("config");
        if (!CLASSES.contains(cls)) {
            throw new IllegalArgumentException("layer '" + c.get("name") + "' (" + cls + ") cannot be saved in tf.keras 2's .h5 layout"
                    + (cls.equals("RNN") ? " as an RNN over a cell (build it as its SimpleRNN, LSTM or GRU layer)" : "")
                    + "; the .h5 writer saves " + String.join(", ", CLASSES) + ": save it as .keras (Keras 3) instead");
        }
        for (String k : List.of("layer", "backward_layer")) if (c.get(k) instanceof Map<?, ?> inner) checkClass(inner);
    }

    /** The model config in tf.keras 2's schema: Sequential with its InputLayer first, or Functional with inbound nodes. */
    static Map<String, Object> modelConfig(Model model) {
        Map<String, Object> k3 = KerasExport.modelConfig(model, false);
        Map<?, ?> c3 = (Map<?, ?>) k3.get("config");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", c3.get("name"));
        List<Object> layers = new ArrayList<>();
        boolean functional = !(model instanceof Sequential);
        new KerasMaskExport(model).refuseUnmaskedCalls(model);
        for (Object o : (List<?>) c3.get("layers")) {   // model.layers' order, as tf.keras 2's get_network_config
            Map<?, ?> spec = (Map<?, ?>) o;
            Map<String, Object> s = layer(spec);
            if (functional) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("class_name", s.get("class_name"));
                f.put("config", s.get("config"));
                f.put("name", spec.get("name"));
                f.put("inbound_nodes", KERAS3_NODES.contains((String) spec.get("class_name"))
                        ? spec.get("inbound_nodes") : inbound(spec, (List<?>) spec.get("inbound_nodes")));
                s = f;
            }
            layers.add(s);
        }
        c.put("layers", layers);
        checkMasks(model, layers, functional);
        if (functional) {
            c.put("input_layers", c3.get("input_layers"));
            c.put("output_layers", c3.get("output_layers"));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("class_name", functional ? "Functional" : "Sequential");
        r.put("config", c);
        return r;
    }

    /**
     * Refuses a model in which a mask (from Masking or Embedding(mask_zero), passed on by the layers that pass masks)
     * reaches one of the {@link #UNMASKABLE} layers, naming it: tf.keras 2 would refuse the file on loading.
     */
    private static void checkMasks(Model model, List<Object> layers, boolean functional) {
        Map<String, Layer> byName = new HashMap<>();
        for (Layer l : model.layers()) byName.put(l.name(), l);
        Set<String> masked = new java.util.HashSet<>();
        String previous = null;
        for (Object o : layers) {
            Map<?, ?> spec = (Map<?, ?>) o;
            String cls = (String) spec.get("class_name");
            String name = (String) ((Map<?, ?>) spec.get("config")).get("name");
            boolean in = false;
            if (functional) {
                for (Object call : (List<?>) spec.get("inbound_nodes")) {
                    List<Object> refs = new ArrayList<>();
                    if (call instanceof Map<?, ?> node) tensors(node, refs);   // a Keras 3 node's tensors
                    else refs.addAll((List<?>) call);
                    for (Object ref : refs) in |= masked.contains((String) ((List<?>) ref).get(0));
                }
            } else {
                in = masked.contains(previous);
            }
            if (in && UNMASKABLE.contains(cls)) {
                throw new IllegalArgumentException("layer '" + name + "' (" + cls + ") is passed a mask, which tf.keras 2's " + cls
                        + " does not support: tf.keras 2 refuses to load such a model (its compute_mask raises); jrnn and Keras 3 drop"
                        + " the mask there: save it as .keras (Keras 3) instead");
            }
            Layer l = byName.get(name);
            boolean keepsSteps = !(l instanceof RecurrentLayer r && !r.returnSequences()) && !(l instanceof Bidirectional b && !b.returnSequences());
            if (l instanceof Masking || l instanceof Embedding e && e.maskZero() || in && l != null && l.passesMask() && keepsSteps) masked.add(name);
            previous = name;
        }
    }

    /** A layer spec (Keras 3's {@code module}, {@code class_name}, {@code config}) in tf.keras 2's schema. */
    static Map<String, Object> layer(Map<?, ?> spec) {
        String cls = (String) spec.get("class_name");
        Map<?, ?> c3 = (Map<?, ?>) spec.get("config");
        Object name = c3.get("name");
        checkClass(spec);
        Map<String, Object> c = new LinkedHashMap<>();
        for (var e : c3.entrySet()) {
            String key = (String) e.getKey();
            Object v = e.getValue();
            if (key.equals("activation") || key.equals("recurrent_activation")) v = activation(name, cls, key, v);
            else if (key.equals("layer") || key.equals("backward_layer")) v = wrapped(layer((Map<?, ?>) v));
            else v = plain(v);
            c.put(key, v);
        }
        switch (cls) {
            case "InputLayer" -> {
                c.clear();
                c.putAll(KerasInputShape.tfKeras2InputLayer(c3));
            }
            case "SimpleRNN", "LSTM", "GRU" -> {
                c.remove("seed");   // tf.keras 2's RNNs take none (jrnn's dropout stream seed)
                if (Boolean.FALSE.equals(c.get("zero_output_for_mask"))) c.remove("zero_output_for_mask");   // written when set
                // time_major: left out (tf.keras 2's default, false): Keras 3's legacy loader refuses the key (keras#20750)
                if (!cls.equals("SimpleRNN")) c.put("implementation", 2L);   // tf.keras 2's default; the same numbers
            }
            // tf.keras 2 names its layers forward_<name>, backward_<name> itself, a given backward layer too (its config
            // holds the name unprefixed; Keras 3 reading it keeps that name for a given backward layer, as jrnn does)
            case "Bidirectional" -> {
                unprefix(c.get("layer"), "forward_");
                unprefix(c.get("backward_layer"), "backward_");
                if (isCopy(c.get("layer"), c.get("backward_layer"))) c.remove("backward_layer");   // tf.keras 2 writes none for its copy
            }
            case "Dense" -> c.putIfAbsent("activity_regularizer", null);   // tf.keras 2 writes it always
            case "Embedding" -> c.put("input_length", null);
            case "Dropout" -> c.put("noise_shape", null);
            // Keras 3's keys that tf.keras 2's __init__ refuses ("Keyword argument not understood"), left out where they
            // hold the default (jrnn writes channels_last and synchronized false always); GaussianNoise's and
            // GaussianDropout's seed always (they take one from 2.7 only; it moves training's draws, not the numbers)
            case "ZeroPadding1D" -> c.remove("data_format");
            case "BatchNormalization" -> c.remove("synchronized");   // from 2.12
            case "GlobalAveragePooling1D", "GlobalMaxPooling1D" -> {
                if (Boolean.FALSE.equals(c.get("keepdims"))) c.remove("keepdims");   // from 2.6
            }
            case "GaussianNoise", "GaussianDropout" -> c.remove("seed");
            case "SpatialDropout1D" -> {   // Dropout's seed, which every tf.keras 2 takes
                if (c.get("seed") == null) c.remove("seed");
            }
            case "Attention", "AdditiveAttention" -> {
                c.remove("seed");   // tf.keras 2 takes none: only its training-time dropout draws differ
                if ("dot".equals(c.get("score_mode"))) c.remove("score_mode");   // its default; "concat" needs 2.9+
            }
            case "LeakyReLU" -> c.put("alpha", c.remove("negative_slope"));   // tf.keras 2's name; Keras 3 reads it too
            default -> { }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("class_name", cls);
        s.put("config", c);
        return s;
    }

    /**
     * A wrapped layer as tf.keras 2.13's Wrapper.get_config writes it (serialization_lib's form, with its module): Keras 3's
     * Bidirectional and TimeDistributed from_config find the class only so; tf.keras 2.4-2.12 read past the extra keys.
     */
    private static Map<String, Object> wrapped(Map<String, Object> spec) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("module", "keras.layers");
        r.putAll(spec);
        r.put("registered_name", null);
        return r;
    }

    /**
     * Whether the (unprefixed) backward layer spec is the forward's copy going the other way, which tf.keras 2 leaves out of
     * its config (get_config writes backward_layer only for a given one) and builds again: read so, it is named
     * backward_<name> by tf.keras 2 and Keras 3 alike, where a written one would keep its unprefixed name in Keras 3.
     */
    private static boolean isCopy(Object forward, Object backward) {
        if (!(forward instanceof Map<?, ?> f && backward instanceof Map<?, ?> b && f.get("config") instanceof Map<?, ?> fc
                && b.get("config") instanceof Map<?, ?> bc) || !java.util.Objects.equals(f.get("class_name"), b.get("class_name"))) {
            return false;
        }
        Map<Object, Object> flipped = new LinkedHashMap<>(bc);
        flipped.put("go_backwards", fc.get("go_backwards"));
        return flipped.equals(fc) && !java.util.Objects.equals(bc.get("go_backwards"), fc.get("go_backwards"));
    }

    @SuppressWarnings("unchecked")
    private static void unprefix(Object spec, String prefix) {
        if (spec instanceof Map<?, ?> s && s.get("config") instanceof Map<?, ?> c && c.get("name") instanceof String n
                && n.startsWith(prefix) && n.length() > prefix.length()) {
            ((Map<String, Object>) c).put("name", n.substring(prefix.length()));
        }
    }

    private static String activation(Object layer, String cls, String key, Object v) {
        String a = String.valueOf(v);
        String k2 = ACTIVATIONS.get(a);
        if (k2 != null) return k2;
        throw new IllegalArgumentException("layer '" + layer + "' (" + cls + "): " + key + " '" + a + "' cannot be saved in"
                + " tf.keras 2's .h5 layout: tf.keras 2 has no such activation"
                + (a.equals("hard_sigmoid") ? " (its hard_sigmoid is 0.2x + 1/2, jrnn's \"hard_sigmoid_keras2\"; Keras 3's"
                + " x/6 + 1/2 has no tf.keras 2 name)" : "") + "; save it as .keras (Keras 3) instead");
    }

    /** A Keras 3 serialized object (initializer, regularizer, constraint, loss) as tf.keras 2 writes it: without module. */
    static Object plain(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (var e : m.entrySet()) {
                String k = (String) e.getKey();
                if (k.equals("module") || k.equals("registered_name")) continue;
                r.put(k, plain(e.getValue()));
            }
            return r;
        }
        if (v instanceof List<?> l) return l.stream().map(KerasLegacyExport::plain).toList();
        return v;
    }

    /**
     * Keras 3's inbound nodes ({@code {"args": [...], "kwargs": {...}}} of keras tensors) as tf.keras 2 writes them:
     * per call, the first argument's tensors {@code ["layer", node, tensor, {}]}; a recurrent layer's initial states
     * follow its input among them, as tf.keras 2's RNN calls itself on {@code [inputs] + initial_state}.
     */
    static List<Object> inbound(Map<?, ?> layer, List<?> nodes) {
        List<Object> r = new ArrayList<>();
        for (Object n : nodes) {
            Map<?, ?> node = (Map<?, ?>) n;
            List<Object> call = new ArrayList<>();
            tensors(node.get("args"), call);
            Map<?, ?> kwargs = (Map<?, ?>) node.get("kwargs");
            for (var e : kwargs.entrySet()) {
                // the attention layers' flags at their defaults: tf.keras 2 before 2.10 takes no use_causal_mask
                if (CALL_FLAGS.contains(e.getKey()) && Boolean.FALSE.equals(e.getValue())) continue;
                if (!e.getKey().equals("initial_state")) {
                    throw new IllegalArgumentException("layer '" + layer.get("name") + "' (" + layer.get("class_name") + "): call argument "
                            + e.getKey() + "=" + e.getValue() + " cannot be saved in tf.keras 2's .h5 layout: save it as .keras (Keras 3) instead");
                }
                tensors(e.getValue(), call);
            }
            r.add(call);
        }
        return r;
    }

    private static void tensors(Object o, List<Object> out) {
        if (o instanceof Map<?, ?> node && node.containsKey("args")) {
            tensors(node.get("args"), out);
            if (node.get("kwargs") instanceof Map<?, ?> kw) tensors(new ArrayList<>(kw.values()), out);
        } else if (o instanceof Map<?, ?> t && "__keras_tensor__".equals(t.get("class_name"))) {
            List<Object> ref = new ArrayList<>((List<?>) ((Map<?, ?>) t.get("config")).get("keras_history"));
            ref.add(Map.of());
            out.add(ref);
        } else if (o instanceof List<?> l) {
            for (Object x : l) tensors(x, out);
        }
    }
}
