package dev.jrnn.io.keras;

import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras 1 files, read as Keras 2 read them: the layer options under their Keras 2 names ({@code keras/legacy/
 * interfaces.py}: output_dim is units, init kernel_initializer, inner_activation recurrent_activation, dropout_W dropout,
 * p a Dropout's rate, ...), and the recurrent layers' per-gate weight arrays joined into Keras 2's three
 * ({@code topology.preprocess_weights_for_loading}: an LSTM's i, c, f, o arrays as i, f, c, o; a GRU's z, r, h). An
 * option Keras 2 dropped with no equivalent (Embedding's word dropout, BatchNormalization's modes 1 and 2) is refused
 * when set; Keras 1's Convolution1D is not read (a class jrnn does not know, refused naming it).
 */
final class Keras1Configs {
    private Keras1Configs() {}

    /** Keras 1 names of the options every layer shares and their Keras 2 names. */
    private static final Map<String, String> RENAMED = Map.ofEntries(
            Map.entry("init", "kernel_initializer"), Map.entry("inner_init", "recurrent_initializer"),
            Map.entry("inner_activation", "recurrent_activation"), Map.entry("W_regularizer", "kernel_regularizer"),
            Map.entry("U_regularizer", "recurrent_regularizer"), Map.entry("b_regularizer", "bias_regularizer"),
            Map.entry("W_constraint", "kernel_constraint"), Map.entry("U_constraint", "recurrent_constraint"),
            Map.entry("b_constraint", "bias_constraint"), Map.entry("dropout_W", "dropout"), Map.entry("dropout_U", "recurrent_dropout"),
            Map.entry("bias", "use_bias"), Map.entry("input_dtype", "dtype"));
    /** Keras 1 names of one class's options and their Keras 2 names ({@code legacy/interfaces.py}). */
    private static final Map<String, Map<String, String>> PER_CLASS = Map.of(
            "Dropout", Map.of("p", "rate"), "SpatialDropout1D", Map.of("p", "rate"), "GaussianDropout", Map.of("p", "rate"),
            "GaussianNoise", Map.of("sigma", "stddev"), "UpSampling1D", Map.of("length", "size"),
            "MaxPooling1D", Map.of("pool_length", "pool_size", "stride", "strides", "border_mode", "padding"),
            "AveragePooling1D", Map.of("pool_length", "pool_size", "stride", "strides", "border_mode", "padding"));
    /** Keras 1 initializer names Keras 2 spells otherwise. */
    private static final Map<String, String> INITIALIZERS = Map.of("zero", "zeros", "one", "ones", "uniform", "random_uniform",
            "normal", "random_normal");
    /** Keras 1's Merge modes and the Keras 2 layer each is. */
    private static final Map<String, String> MERGES = Map.of("concat", "Concatenate", "sum", "Add", "mul", "Multiply", "ave", "Average",
            "max", "Maximum");

    /** The Keras 2 spec ({@code class_name}, {@code config}) of a Keras 1 layer's {@code cls} and config {@code c}. */
    static KerasConfig spec(String cls, KerasConfig c, String where) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (var e : c.entries().entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (k.equals("consume_less") || k.equals("input_length") && !cls.equals("Embedding")) continue;   // Keras 2's implementation; the shape's
            if (k.equals("input_dim") && !cls.equals("Embedding")) continue;   // in batch_input_shape when it was given
            if (k.equals("output_dim") && !cls.equals("Embedding")) k = "units";
            else if (cls.equals("Embedding") && k.equals("init")) k = "embeddings_initializer";
            else if (cls.equals("Embedding") && k.equals("W_regularizer")) k = "embeddings_regularizer";
            else if (cls.equals("Embedding") && k.equals("W_constraint")) k = "embeddings_constraint";
            else if (PER_CLASS.getOrDefault(cls, Map.of()).containsKey(k)) k = PER_CLASS.get(cls).get(k);
            else if (k.equals("forget_bias_init")) {
                k = "unit_forget_bias";
                v = "one".equals(v);
            } else if (RENAMED.containsKey(k)) k = RENAMED.get(k);
            if (k.endsWith("_initializer") && v instanceof String s) v = INITIALIZERS.getOrDefault(s, s);
            if (k.endsWith("_regularizer") && v instanceof Map<?, ?> r) v = regularizer(r, where + ": " + k);
            m.put(k, v);
        }
        if (cls.equals("Embedding")) {
            if (m.get("dropout") instanceof Number p && p.doubleValue() != 0) {
                throw new KerasFormatException(where + ": Keras 1's Embedding dropout=" + p + " (whole words dropped) is not supported by "
                        + "jrnn, nor by Keras 2");
            }
            m.remove("dropout");
        }
        if (cls.equals("BatchNormalization") && m.get("mode") instanceof Number mode && mode.intValue() != 0) {   // as Keras 2 refused it
            throw new KerasFormatException(where + ": Keras 1's BatchNormalization mode=" + mode + " (per-sample or per-batch statistics) "
                    + "is not supported by jrnn, nor by Keras 2; mode 0 only");
        }
        if (cls.equals("BatchNormalization")) m.remove("mode");
        String to = cls;
        if (cls.equals("Merge")) {
            if (m.containsKey("layers")) {
                throw new KerasFormatException(where + ": Keras 1's Merge of branch models in a Sequential is not supported by jrnn; "
                        + "rebuild the model with the functional API in Keras 2 or in jrnn");
            }
            Object mode = m.get("mode");
            to = mode instanceof String s ? MERGES.get(s) : null;
            if (to == null) {
                throw new KerasFormatException(where + ": Keras 1's Merge mode " + KerasConfig.describe(mode) + " is not supported by jrnn; "
                        + "it reads the modes concat, sum, mul, ave and max");
            }
            if (to.equals("Concatenate")) m.put("axis", m.getOrDefault("concat_axis", -1L));
            for (String k : List.of("mode", "concat_axis", "dot_axes", "mode_type", "output_shape", "output_shape_type", "output_mask",
                    "output_mask_type", "arguments")) m.remove(k);
        }
        return new KerasConfig(Map.of("class_name", to, "config", m), where);
    }

    private static Map<String, Object> regularizer(Map<?, ?> r, String where) {
        if (!"L1L2Regularizer".equals(r.get("name")) && !"WeightRegularizer".equals(r.get("name"))) {
            throw new KerasFormatException(where + ": Keras 1 regularizer " + r.get("name") + " is not supported by jrnn, expected L1L2Regularizer");
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("l1", r.get("l1") instanceof Number n ? n.doubleValue() : 0.0);
        config.put("l2", r.get("l2") instanceof Number n ? n.doubleValue() : 0.0);
        return Map.of("class_name", "L1L2", "config", config);
    }

    /**
     * {@code ws} for {@code target} as Keras 2 joins a Keras 1 file's arrays: an LSTM's 12 (W, U, b of gates i, c, f, o)
     * into kernel, recurrent kernel and bias of gates i, f, c, o; a GRU's 9 (z, r, h) likewise; a wrapper's per wrapped
     * layer. Other layers' arrays (and a recurrent layer's 3, consume_less 'gpu') are Keras 2's already. Told by the count
     * alone, as no later Keras stores 12 arrays for an LSTM or 9 for a GRU: Keras 1's save_weights files carry no version.
     */
    static List<Hdf5Arrays.Stored> weights(Layer target, List<Hdf5Arrays.Stored> ws) {
        List<Hdf5Arrays.Stored> both = KerasCuDnn.perDirection(target, ws, Keras1Configs::weights);
        if (both != null) return both;
        if (target instanceof TimeDistributed td) return weights(td.layer(), ws);
        int[] order = target instanceof LSTM && ws.size() == 12 ? new int[] {0, 2, 1, 3}   // i, c, f, o -> i, f, c, o
                : target instanceof GRU && ws.size() == 9 ? new int[] {0, 1, 2} : null;
        if (order == null) return ws;
        List<Hdf5Arrays.Stored> r = new ArrayList<>();
        for (int part = 0; part < 3; part++) {
            List<Tensor> gates = new ArrayList<>();
            for (int g : order) gates.add(ws.get(3 * g + part).tensor());
            r.add(Hdf5Arrays.Stored.of(joined(gates)));
        }
        return r;
    }

    /** Arrays of one shape but the last axis, joined along it. */
    private static Tensor joined(List<Tensor> parts) {
        int[] shape = parts.get(0).shape();
        int last = shape[shape.length - 1], rows = parts.get(0).size() / last, n = parts.size();
        for (Tensor t : parts) {
            if (!java.util.Arrays.equals(t.shape(), shape)) {
                throw new KerasFormatException("Keras 1 gate arrays of shapes " + Tensor.shapeString(shape) + " and " + Tensor.shapeString(t.shape())
                        + " cannot be joined");
            }
        }
        float[] out = new float[rows * last * n];
        for (int g = 0; g < n; g++) {
            float[] in = parts.get(g).data();
            for (int i = 0; i < rows; i++) System.arraycopy(in, i * last, out, i * last * n + g * last, last);
        }
        int[] s = shape.clone();
        s[s.length - 1] = last * n;
        return Tensor.wrap(out, s);
    }
}
