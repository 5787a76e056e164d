package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.AdditiveAttention;
import dev.jrnn.layers.Add;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.BaseDenseAttention;
import dev.jrnn.layers.Average;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Flatten;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.GlobalPooling1D;
import dev.jrnn.layers.LayerNormalization;
import dev.jrnn.layers.Multiply;
import dev.jrnn.layers.Pooling1D;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.AveragePooling1D;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.DtypePolicy;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Normalization;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.MaxPooling1D;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.RepeatVector;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;

import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one jrnn layer from a Keras layer config ({@code {"class_name": ..., "config": {...}}}), through the
 * layers' public API. Options jrnn cannot honour raise a {@link KerasFormatException} naming the layer, the
 * option and its value; options that cannot change inference numbers (noise_shape) are accepted with one
 * warning per layer ({@link #warnHarmless}), as is lora_rank (the kernel read with the low-rank update merged in,
 * {@link KerasLora}, but trained whole by a fit); regularizers and constraints are read by {@link KerasPenalties},
 * initializers by {@link KerasInitializers}.
 */
final class KerasLayers {
    /** Keras layer classes this importer builds (InputLayer is wired by {@link KerasGraph}). */
    static final List<String> SUPPORTED = List.of("InputLayer", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "Dense",
            "TimeDistributed", "Embedding", "Masking", "Dropout", "Activation", "RepeatVector",
            "Flatten", "LayerNormalization", "Concatenate", "Add", "Multiply", "Average", "Conv1D",
            "AveragePooling1D", "MaxPooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "Attention", "AdditiveAttention",
            "BatchNormalization", "MultiHeadAttention", "Normalization");

    /** {@link #SUPPORTED} and the classes {@link KerasWeightlessLayers} and {@link KerasActivationLayers} build: every class read and written. */
    static List<String> supported() {
        return java.util.stream.Stream.of(SUPPORTED, KerasWeightlessLayers.CLASSES, KerasActivationLayers.CLASSES, KerasGetItem.CLASSES)
                .flatMap(List::stream).toList();
    }

    private static final String[] HARMLESS = {"noise_shape"};
    /** Classes whose Keras config holds the seed of the masks or noise they draw, read and written here (Attention keeps its own). */
    private static final Set<String> SEEDED = Set.of("Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout",
            "SimpleRNN", "LSTM", "GRU");

    final int kerasMajor;
    private final String file;
    /** The layers whose dtype policy jrnn does not keep, with that policy (KerasDtypes refuses or warns of them). */
    final List<Map.Entry<Layer, String>> droppedDtypes = new ArrayList<>();
    /**
     * The layers that set Keras 3's lora_rank (a wrapper's inner layer too), each its {@link KerasLora.Lora}, for a
     * legacy .h5's unmerged pairs: by layer, as two layers of one config name (at two nesting levels) may set others.
     */
    final Map<Layer, KerasLora.Lora> loras = new java.util.IdentityHashMap<>();
    /** Each TimeDistributed and its inner layer, "wrapper/inner" by config names: the wrapper's group holds the inner's weights. */
    final java.util.Set<String> wrapped = new java.util.HashSet<>();

    /**
     * Refuses a Keras 3 layer or model entry whose {@code module} is not Keras' ({@code "evil.module"}): Keras 3.15.1 looks
     * the class up in that module and refuses the file ("Could not locate class 'Dense'"), where jrnn would build its own
     * class of that name. tf_keras' modules (tf.keras 2.16+, Keras 2 as its own package) are its writers' too. Returns
     * the entry's class_name.
     */
    static String checkModule(KerasConfig spec, String where) {
        Object m = spec.raw("module");
        if (m == null || m instanceof String s && (s.equals("keras") || s.startsWith("keras.") || s.equals("tf_keras") || s.startsWith("tf_keras."))) {
            return spec.string("class_name");
        }
        throw new KerasFormatException(where + ": module " + KerasConfig.describe(m) + " is not Keras' (Keras 3 refuses it too: 'Could not"
                + " locate class " + KerasConfig.describe(spec.raw("class_name")) + "'): a class of that module is not the Keras class jrnn builds");
    }

    /** The file this reads, as warnings name it. */
    String file() { return file; }

    /** {@code kerasMajor}: the saving Keras' major version (hard_sigmoid differs); {@code file} names warnings. */
    KerasLayers(int kerasMajor, String file) {
        this.kerasMajor = kerasMajor;
        this.file = file;
    }

    /**
     * The layer for {@code spec} ({@code class_name} + {@code config}); what a constructor or setter refuses (Dense
     * units 0, a Dropout rate of 1.5, an Embedding past 2^24 ids) names the file's layer, as the options refused here do.
     */
    Layer build(KerasConfig spec) {
        try {
            return layer(spec);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where(spec.object("config").string("name", null), spec.string("class_name")) + ": " + e.getMessage());
        }
    }

    /**
     * Refuses a model config ({@code cfg}: a model's "config", or a Keras 1 Sequential's list of layers) holding
     * TextVectorization, in it or in a nested model, before any layer is read (its string InputLayer would otherwise be
     * refused first, without the route {@link #textVectorization} names).
     */
    static void refuseTextVectorization(Object cfg) { refuseTextVectorization(cfg, "", null); }

    /** {@code path}: the nesting of the model's layers below {@code layers/} ("sequential/layers/"); {@code model}: its name, null for the file's. */
    private static void refuseTextVectorization(Object cfg, String path, String model) {
        Object specs = cfg instanceof Map<?, ?> m ? m.get("layers") : cfg;
        if (!(specs instanceof List<?> l)) return;
        for (Object o : l) {
            if (!(o instanceof Map<?, ?> spec)) continue;
            Object c = spec.get("config");
            String name = c instanceof Map<?, ?> cm && cm.get("name") instanceof String n ? n : spec.get("name") instanceof String n ? n : null;
            if ("TextVectorization".equals(spec.get("class_name"))) {
                String at = "layers/" + path + (name == null ? "<name>" : name);
                throw textVectorization(at, where(name, "TextVectorization") + (model == null ? "" : " in nested model '" + model + "'"));
            }
            if (spec.get("class_name") instanceof String cls && KerasGraph.MODEL_CLASSES.contains(cls)) {   // Set.of refuses null
                refuseTextVectorization(c, path + (name == null ? "<name>" : name) + "/layers/", name == null ? "<name>" : name);
            }
        }
    }

    /**
     * A model holding TextVectorization is refused (jrnn's models take float tensors), naming the route that works: the
     * host-side {@code dev.jrnn.data.TextVectorization} rebuilt from the layer's config and the vocabulary file Keras 3
     * writes into a .keras, the model loaded without it.
     */
    private static KerasFormatException textVectorization(String at, String where) {
        return new KerasFormatException(where + ": a TextVectorization layer inside a model is not supported: jrnn's models take"
                + " float tensors and its TextVectorization (dev.jrnn.data) vectorizes the texts on the host before them. Rebuild it"
                + " from the .keras archive with TextVectorization.fromConfig(this layer's \"config\" in config.json), then"
                + " loadVocabulary(assets/" + at + "/vocabulary.txt extracted from the archive;"
                + " in \"tf_idf\" mode vocabulary(tokens, idfWeights) with the weights at " + at
                + "/vars/idf_weights of its model.weights.h5), and load a model saved without it (in Keras: a Model from the layer"
                + " after it)");
    }

    /** How errors name a file's layer: {@code layer 'lstm' (LSTM)}, or {@code layer (LSTM)} when the config has no name. */
    private static String where(String name, String cls) {
        return name == null ? "layer (" + cls + ")" : "layer '" + name + "' (" + cls + ")";
    }

    private Layer layer(KerasConfig spec) {
        String cls = spec.string("class_name");
        KerasConfig c = spec.object("config");
        String name = c.string("name", null);
        String where = where(name, cls);
        checkModule(spec, where);
        if (kerasMajor == 1) {   // Keras 1's option names, as Keras 2 read them
            KerasConfig two = Keras1Configs.spec(cls, c, where);
            cls = two.string("class_name");
            c = two.object("config");
        } else if (!cls.equals("RNN")) {   // an RNN's keys and its cell's are KerasRnn's
            KerasLayerKeys.check(cls, c, where);
        }
        // a layer entry in Keras 3's form (tf.keras 2.13+ wrote "module" too, under its own version)
        if (kerasMajor >= 3 && spec.hasKey("module") && !cls.equals("InputLayer")) KerasInputShape.refuseKeras2BatchKeys(cls, c, where);
        if (KerasCuDnn.is(cls)) {   // Keras 2's cuDNN layers: an LSTM / GRU (their weights converted on loading)
            c = KerasCuDnn.asLayer(cls, c);
            cls = cls.substring("CuDNN".length());
        }
        boolean rnn = cls.equals("RNN");
        String cellName = null;
        if (rnn) {   // over one built-in cell: that cell's layer, standing for the RNN (a stack of cells is KerasGraph's)
            KerasRnn.CellLayer one = KerasRnn.single(c, where);
            cellName = one.cellName();
            cls = one.spec().string("class_name");
            c = one.spec().object("config");
        }
        Layer l = switch (cls) {
            case "SimpleRNN", "LSTM", "GRU" -> recurrent(cls, c, where);
            case "Bidirectional" -> bidirectional(c, where);
            case "Dense" -> new Dense(c.integer("units")).activation(activation(c, "activation", where)).useBias(c.bool("use_bias", true));
            case "TimeDistributed" -> {
                KerasConfig inner = c.object("layer");
                Object innerName = inner.raw("config") instanceof Map<?, ?> ic ? ic.get("name") : null;
                if (innerName instanceof String in && name != null) wrapped.add(name + "/" + in);   // its weights lie in the wrapper's group
                yield new TimeDistributed(build(inner));
            }
            case "Embedding" -> embedding(c);
            case "Masking" -> new Masking(c.number("mask_value", 0.0));
            case "Dropout" -> new Dropout(c.number("rate", 0.0));
            case "Activation" -> new Activation(activation(c, "activation", where));
            case "RepeatVector" -> new RepeatVector(c.integer("n"));
            case "Flatten" -> flatten(c, where);
            case "LayerNormalization" -> layerNormalization(c, where);
            case "Concatenate" -> new Concatenate(axis(c, where));
            case "Add" -> new Add();
            case "Multiply" -> new Multiply();
            case "Average" -> new Average();
            case "Conv1D" -> conv1d(c, where);
            case "AveragePooling1D" -> pooling1d(new AveragePooling1D(oneInt(c, "pool_size", where)), c, where);
            case "MaxPooling1D" -> pooling1d(new MaxPooling1D(oneInt(c, "pool_size", where)), c, where);
            case "GlobalAveragePooling1D" -> globalPooling(new GlobalAveragePooling1D(), c, where);
            case "GlobalMaxPooling1D" -> globalPooling(new GlobalMaxPooling1D(), c, where);
            case "BatchNormalization" -> KerasBatchNormalization.read(c, where);
            case "Attention", "AdditiveAttention" -> attention(cls, c, where);
            case "MultiHeadAttention" -> KerasMultiHeadAttention.read(c, where, file, kerasMajor);
            case "Normalization" -> KerasNormalization.read(c, where);
            case "GetItem", "SlicingOpLambda" -> KerasGetItem.read(spec, where);
            case "TFOpLambda" -> KerasArithmeticOps.tfOp(c, where);
            case "TextVectorization" -> throw textVectorization("layers/" + (name == null ? "<name>" : name), where);
            case String other when KerasWeightlessLayers.CLASSES.contains(other) -> KerasWeightlessLayers.build(other, c, where);
            case String other when KerasActivationLayers.CLASSES.contains(other) -> KerasActivationLayers.build(other, c, where);
            default -> throw new KerasFormatException(where + ": layer class '" + cls + "' is not supported; jrnn imports "
                    + String.join(", ", supported()) + " and RNN over SimpleRNNCell, LSTMCell, GRUCell or StackedRNNCells of them");
        };
        if (rnn) {   // the cell keeps the file's name (before asKerasRnn, which would draw one as for a new cell)
            if (cellName != null) ((RecurrentLayer) l).cellName(cellName);
            ((RecurrentLayer) l).asKerasRnn(true);
        }
        warnHarmless(c, where);
        lora(c, l, where);
        if (SEEDED.contains(cls) && c.raw("seed") instanceof Long seed) l.seed(seed);
        KerasInitializers.read(l, c, where, kerasMajor);
        KerasPenalties.read(l, c, where);
        if (name != null) l.name(name);
        // kept for the config jrnn writes (computed in float32); an integer one is Keras 1 / 2's dtype of the first layer's
        // input (input_dtype), not a policy Keras 3 reads: left out, as before; any other (quantized) dropped and warned of
        String policy = KerasDtypes.policy(c.raw("dtype"), where);
        if (policy != null && DtypePolicy.isPolicy(policy)) {
            l.dtype(policy);
        } else if (policy != null && !(kerasMajor < 3 && KerasDtypes.inputDtype(policy))) {
            if (!KerasDtypes.quantizedObject(c.raw("dtype"))) KerasDtypes.checkName(policy, where);   // an object: checked by its class
            droppedDtypes.add(Map.entry(l, policy));
        }
        // only a freeze is applied: a wrapper's trainable(true) would unfreeze the layer it wraps, which Keras leaves frozen
        if (!c.bool("trainable", true)) l.trainable(false);
        return l;
    }

    /** A recurrent layer; what its setters refuse (a rate out of range, softmax as a cell activation) names the layer. */
    private RecurrentLayer recurrent(String cls, KerasConfig c, String where) {
        try {
            return recurrentLayer(cls, c, where);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    private RecurrentLayer recurrentLayer(String cls, KerasConfig c, String where) {
        if (c.bool("time_major", false)) throw new KerasFormatException(where + ": option time_major=true is not supported by jrnn");
        int units = c.integer("units");
        RecurrentLayer r = switch (cls) {
            case "SimpleRNN" -> new SimpleRNN(units);
            case "LSTM" -> new LSTM(units);
            default -> new GRU(units);
        };
        // named first: a setter's refusal names the layer, which would otherwise draw an auto-name (lstm_3) for it
        if (c.string("name", null) != null) r.name(c.string("name", null));
        switch (r) {
            case LSTM lstm -> lstm.recurrentActivation(activation(c, "recurrent_activation", "sigmoid", where))
                    .unitForgetBias(c.bool("unit_forget_bias", true));
            // reset_after came with Keras 2.1.3 (default false) and is written since; Keras 3's default is true (a trimmed config)
            case GRU gru -> gru.resetAfter(c.bool("reset_after", kerasMajor >= 3)).recurrentActivation(activation(c, "recurrent_activation", "sigmoid", where));
            default -> { }
        }
        r.activation(activation(c, "activation", "tanh", where));
        r.useBias(c.bool("use_bias", true));
        r.returnSequences(c.bool("return_sequences", false));
        r.returnState(c.bool("return_state", false));
        r.goBackwards(c.bool("go_backwards", false));
        r.unroll(c.bool("unroll", false));
        r.stateful(c.bool("stateful", false));
        if (c.has("zero_output_for_mask")) r.zeroOutputForMask(c.bool("zero_output_for_mask", false));
        r.dropout(c.number("dropout", 0.0)).recurrentDropout(c.number("recurrent_dropout", 0.0));
        return r;
    }

    private Bidirectional bidirectional(KerasConfig c, String where) {
        Layer fw = build(c.object("layer"));
        if (!(fw instanceof RecurrentLayer f)) throw new KerasFormatException(where + ": wraps " + fw.kerasClass() + ", expected a recurrent layer");
        RecurrentLayer bw = null;
        if (c.has("backward_layer")) {
            Layer b = build(c.object("backward_layer"));
            if (!(b instanceof RecurrentLayer br)) throw new KerasFormatException(where + ": backward_layer is " + b.kerasClass() + ", expected a recurrent layer");
            bw = br;
        } else if (f.goBackwards()) {   // tf.keras 2 (no backward_layer in its config) flipped the copy; Keras 3 refuses it
            bw = (RecurrentLayer) build(c.object("layer"));
            bw.goBackwards(false);
            // tf.keras 2's copy is named backward_<name>; naming it gives back the default a config without a name drew
            bw.name("backward_" + f.name());
        }
        Bidirectional bi = new Bidirectional(f, bw);
        bi.mergeMode(c.has("merge_mode") ? c.string("merge_mode") : null);
        try {
            dev.jrnn.layers.WeightRules.check(where, bi);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
        return bi;
    }

    private Embedding embedding(KerasConfig c) {
        Embedding e = new Embedding(c.integer("input_dim"), c.integer("output_dim")).maskZero(c.bool("mask_zero", false));
        if (c.has("input_length")) e.inputLength(c.integer("input_length"));
        return e;
    }

    /** Refuses a data_format other than Keras' default channels_last, the one layout jrnn's layers have. */
    static void channelsLast(KerasConfig c, String where) {
        String format = c.string("data_format", "channels_last");
        if (!format.equals("channels_last")) {
            throw new KerasFormatException(where + ": option data_format='" + format + "' is not supported by jrnn (channels_last only)");
        }
    }

    private static Flatten flatten(KerasConfig c, String where) {
        channelsLast(c, where);
        return new Flatten();
    }

    /** A global 1D pooling layer's keepdims; data_format channels_last only. */
    private static GlobalPooling1D globalPooling(GlobalPooling1D p, KerasConfig c, String where) {
        channelsLast(c, where);
        return p.keepdims(c.bool("keepdims", false));
    }

    private Conv1D conv1d(KerasConfig c, String where) {
        channelsLast(c, where);
        if (c.has("groups") && c.integer("groups") != 1) {
            throw new KerasFormatException(where + ": option groups=" + c.integer("groups") + " is not supported by jrnn (1 only)");
        }
        try {
            return new Conv1D(c.integer("filters"), oneInt(c, "kernel_size", where)).strides(oneInt(c, "strides", where))
                    .dilationRate(oneInt(c, "dilation_rate", where)).padding(c.string("padding", "valid"))
                    .activation(activation(c, "activation", where)).useBias(c.bool("use_bias", true));
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** A pooling layer's strides (Keras' null: the pool size) and padding; channels_last only. */
    private static Pooling1D pooling1d(Pooling1D p, KerasConfig c, String where) {
        channelsLast(c, where);
        try {
            if (c.has("strides")) p.strides(oneInt(c, "strides", where));
            return p.padding(c.string("padding", "valid"));
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** Attention (use_scale, score_mode) or AdditiveAttention (use_scale, default true); dropout; a seed draws the masks. */
    private static BaseDenseAttention attention(String cls, KerasConfig c, String where) {
        try {
            BaseDenseAttention a = cls.equals("Attention")
                    ? new Attention().useScale(c.bool("use_scale", false)).scoreMode(c.string("score_mode", "dot"))
                    : new AdditiveAttention().useScale(c.bool("use_scale", true));
            a.dropout(c.number("dropout", 0.0)).useCausalMask(c.bool("causal", false));   // tf.keras 2 kept causal in the config
            if (c.raw("seed") instanceof Long seed) a.seed(seed);
            return a;
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** A 1-D option Keras writes as an int or a list of one int ({@code "kernel_size": [3]}); absent: 1. */
    private static int oneInt(KerasConfig c, String key, String where) {
        if (!c.has(key)) return 1;
        Object v = c.raw(key);
        if (v instanceof List<?> l) {
            if (l.size() != 1) throw new KerasFormatException(where + ": '" + key + "' should hold one integer (a 1-D layer), got " + l);
            v = l.get(0);
        }
        return c.toInt(v, key);
    }

    private static LayerNormalization layerNormalization(KerasConfig c, String where) {
        // Keras 3's rms_scaling scales by the variance without centering (gamma only): not jrnn's normalization
        if (c.bool("rms_scaling", false)) throw new KerasFormatException(where + ": option rms_scaling=true is not supported by jrnn (false only)");
        LayerNormalization ln = new LayerNormalization().epsilon(c.number("epsilon", 1e-3))
                .center(c.bool("center", true)).scale(c.bool("scale", true));
        Integer a = normalizedAxis(c, where);
        if (a != null) {
            try {
                ln.axis(a);
            } catch (IllegalArgumentException e) {
                throw new KerasFormatException(where + ": " + e.getMessage());
            }
        }
        return ln;
    }

    /** A normalization layer's axis, null when absent; tf.keras stores the built axes as a list, e.g. [2]. */
    static Integer normalizedAxis(KerasConfig c, String where) {
        Object a = c.raw("axis");
        if (a instanceof List<?> l) {
            if (l.size() != 1) throw new KerasFormatException(where + ": axis " + l + " normalizes over several axes; jrnn normalizes over the last only");
            a = l.get(0);
        }
        return a == null ? null : signed(a, "axis", where);
    }

    /** Concatenate's axis (Keras default -1). */
    private static int axis(KerasConfig c, String where) {
        Object a = c.raw("axis");
        int axis = a == null ? -1 : signed(a, "axis", where);
        if (axis == 0) throw new KerasFormatException(where + ": axis 0 is the batch axis");
        return axis;
    }

    static int signed(Object v, String key, String where) {
        if (!(v instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new KerasFormatException(where + ": '" + key + "' should be an integer, got " + KerasConfig.describe(v));
        }
        return (int) (long) l;
    }

    /** The jrnn name of a Keras activation; Keras 3's hard_sigmoid (x/6 + 1/2) differs from Keras 2's (0.2x + 1/2). */
    private String activation(KerasConfig c, String key, String where) {
        return activation(c, key, "linear", where);
    }

    /** The activation under {@code key}; {@code dflt} (the Keras constructor's default) when the config leaves it out. */
    private String activation(KerasConfig c, String key, String dflt, String where) {
        Object v = c.hasKey(key) ? c.raw(key) : dflt;
        if (v instanceof Map<?, ?> m && m.get("config") instanceof String s) v = s;   // Keras 3 serialised function
        if (v != null && !(v instanceof String)) {
            throw new KerasFormatException(where + ": " + key + " should name an activation, got " + KerasConfig.describe(v));
        }
        String name = v == null ? "linear" : (String) v;
        // Keras 1/2 wrote "hard_sigmoid" for 0.2x + 1/2; Keras 3 (and jrnn's own files, which say 3.x) for x/6 + 1/2
        if (name.equals("hard_sigmoid") && kerasMajor < 3) name = HARD_SIGMOID_KERAS2;
        try {
            return dev.jrnn.backend.Activation.of(name).kerasName();
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + key + "='" + name + "' is not supported: " + e.getMessage());
        }
    }

    /** How jrnn, in code and in the Keras 3 configs it writes, names Keras 2's hard_sigmoid (Keras 3 has only its own). */
    static final String HARD_SIGMOID_KERAS2 = "hard_sigmoid_keras2";

    /**
     * The Keras 3 config of {@code l} ({@code class_name}, {@code config}): the inverse of {@link #build}, so what
     * jrnn saves reads back through the same path as a Keras file.
     */
    static Map<String, Object> config(Layer l) {
        if (l instanceof dev.jrnn.layers.GetItem g) return KerasGetItem.config(g);   // an op in Keras 3, not a layer
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", l.name());
        // Keras 3's SpatialDropout1D takes no trainable in its constructor (from_config would fail on it)
        if (!(l instanceof dev.jrnn.layers.SpatialDropout1D)) c.put("trainable", l.trainable());
        c.put("dtype", l.dtype());   // the policy given or read (jrnn computes in float32 whatever it says)
        switch (l) {
            case RecurrentLayer r -> {
                c.put("units", r.units());
                c.put("activation", activationName(r.activation()));
                if (r instanceof LSTM lstm) {
                    c.put("recurrent_activation", activationName(lstm.recurrentActivation()));
                    c.put("unit_forget_bias", lstm.unitForgetBias());
                }
                if (r instanceof GRU gru) {
                    c.put("recurrent_activation", activationName(gru.recurrentActivation()));
                    c.put("reset_after", gru.resetAfter());
                }
                c.put("use_bias", r.useBias());
                c.put("return_sequences", r.returnSequences());
                c.put("return_state", r.returnState());
                c.put("go_backwards", r.goBackwards());
                c.put("stateful", r.stateful());
                c.put("unroll", r.unroll());
                c.put("zero_output_for_mask", r.zeroOutputForMask());
                c.put("dropout", r.dropout());
                c.put("recurrent_dropout", r.recurrentDropout());
            }
            case Bidirectional b -> {
                c.put("merge_mode", "none".equals(b.mergeMode()) ? null : b.mergeMode());
                c.put("layer", config(b.forwardLayer()));   // forward_lstm, backward_lstm: as Keras 3 writes them
                c.put("backward_layer", config(b.backwardLayer()));
            }
            case Dense d -> {
                c.put("units", d.units());
                c.put("activation", activationName(d.activation()));
                c.put("use_bias", d.useBias());
            }
            case TimeDistributed t -> c.put("layer", config(t.layer()));
            case Embedding e -> {
                c.put("input_dim", e.vocabularySize());
                c.put("output_dim", e.outputDim());
                c.put("mask_zero", e.maskZero());
            }
            case Masking m -> c.put("mask_value", m.maskValue());
            case Dropout d -> c.put("rate", d.rate());
            case Activation a -> c.put("activation", activationName(a.activation()));
            case RepeatVector r -> c.put("n", r.n());
            case Flatten f -> c.put("data_format", "channels_last");
            case LayerNormalization n -> {
                c.put("axis", n.axis());
                c.put("epsilon", n.epsilon());
                c.put("center", n.center());
                c.put("scale", n.scale());
            }
            case Concatenate m -> c.put("axis", m.axis());
            case Pooling1D p -> {
                c.put("pool_size", List.of(p.poolSize()));
                c.put("padding", p.padding());
                c.put("strides", List.of(p.strides()));
                c.put("data_format", "channels_last");
            }
            case Conv1D v -> {
                c.put("filters", v.filters());
                c.put("kernel_size", List.of(v.kernelSize()));
                c.put("strides", List.of(v.strides()));
                c.put("padding", v.padding());
                c.put("data_format", "channels_last");
                c.put("dilation_rate", List.of(v.dilationRate()));
                c.put("groups", 1);
                c.put("activation", activationName(v.activation()));
                c.put("use_bias", v.useBias());
            }
            case Add m -> { }
            case Multiply m -> { }
            case Average m -> { }
            case Attention a -> {
                c.put("use_scale", a.useScale());
                c.put("score_mode", a.scoreMode());
                c.put("dropout", a.dropout());
                c.put("seed", a.seed());   // read back by attention(): the masks a clone draws
            }
            case AdditiveAttention a -> {
                c.put("use_scale", a.useScale());
                c.put("dropout", a.dropout());
                c.put("seed", a.seed());
            }
            case GlobalPooling1D p -> {
                c.put("data_format", "channels_last");
                c.put("keepdims", p.keepdims());
            }
            case dev.jrnn.layers.BatchNormalization b -> KerasBatchNormalization.write(b, c);
            case dev.jrnn.layers.MultiHeadAttention m -> KerasMultiHeadAttention.write(m, c);
            case Normalization n -> KerasNormalization.write(n, c);
            case Layer other when KerasWeightlessLayers.writes(other) -> KerasWeightlessLayers.write(other, c);
            case Layer other when KerasActivationLayers.writes(other) -> KerasActivationLayers.write(other, c);
            default -> throw new IllegalArgumentException("layer '" + l.name() + "' (" + l.kerasClass() + ") cannot be saved; jrnn saves "
                    + String.join(", ", supported()));
        }
        // read back by build(): the masks a clone or a loaded model draws
        if (SEEDED.contains(l.kerasClass()) || l instanceof RecurrentLayer) c.put("seed", l.seed());
        KerasInitializers.write(l, c);
        KerasPenalties.write(l, c);
        if (l instanceof RecurrentLayer r && r.asKerasRnn()) return KerasRnn.write(r, c);
        return KerasExport.serialized("keras.layers", l.kerasClass(), c);
    }

    /**
     * jrnn's activation name as a Keras 3 config writes it: the same spelling, Keras 3's hard_sigmoid as "hard_sigmoid",
     * Keras 2's as {@link #HARD_SIGMOID_KERAS2}, which only jrnn reads ({@link KerasExport#write} warns of it).
     */
    private static String activationName(String jrnn) {
        return dev.jrnn.backend.Activation.of(jrnn).kerasName();
    }

    /**
     * Keras 3's lora_rank: predictions are Keras' (the .keras holds the merged kernel, a legacy .h5's pair is merged on
     * loading, {@link KerasLora}), but jrnn has no LoRA, so a fit trains the whole kernel: one warning per layer.
     */
    private void lora(KerasConfig c, Layer l, String where) {
        KerasLora.Lora lora = KerasLora.of(c);
        if (lora == null) return;
        loras.put(l, lora);
        FileFaults.warn(KerasImport.class.getName(), file + ": " + where + " sets lora_rank " + c.raw("lora_rank")
                + ": jrnn has no LoRA and reads the layer with its low-rank update merged into the kernel, as Keras"
                + " predicts; a fit then trains that whole kernel, where Keras trains only the low-rank pair");
    }

    private void warnHarmless(KerasConfig c, String where) {
        List<String> set = c.setAmong(HARMLESS);
        if (!set.isEmpty()) {
            FileFaults.warn(KerasImport.class.getName(), file + ": " + where
                    + " sets " + set + ", which jrnn ignores; predictions are unchanged, training differs");
        }
    }
}
