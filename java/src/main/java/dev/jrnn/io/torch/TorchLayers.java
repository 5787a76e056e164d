package dev.jrnn.io.torch;

import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.LayerNormalization;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which torch keys one jrnn layer reads from its torch module, in which shapes, and how their values become the
 * layer's Keras weights: torch keeps a layer's matrices as (out, in) where Keras keeps (in, out); nn.LSTM's gates
 * i, f, g, o are Keras' i, f, c, o; nn.GRU's r, z, n become Keras' z, r, h, its two biases the rows of Keras'
 * reset_after bias (2, 3H); nn.LSTM's and nn.RNN's two biases add up to Keras' one; nn.Conv1d's (out, in, k) kernel
 * is Keras' (k, in, out). nn.LSTMCell, nn.GRUCell and nn.RNNCell hold a one-layer module's weights without the
 * {@code _l0} suffix and read as that module.
 */
final class TorchLayers {
    private TorchLayers() {}

    /** The torch module a jrnn layer takes: its prefix ("" for the root) and, for a recurrent module, the torch layer. */
    record Module(String prefix, int layer) {
        String key(String local) { return prefix.isEmpty() ? local : prefix + "." + local; }

        String describe() { return layer < 0 ? "'" + prefix + "'" : "'" + prefix + "' layer " + layer; }
    }

    /** A torch key a plan reads and the shape it must have there. */
    record Need(String key, int[] shape) {}

    /** What a layer reads ({@code needs}), the keys it takes without reading, and how it turns the values into its weights. */
    record Plan(Layer layer, Module module, List<Need> needs, List<String> ignored, Build build) {}

    interface Build {
        /** The layer's weights in {@link Layer#params()} order, from the values of {@code needs} by key. */
        List<Tensor> weights(Map<String, float[]> values);
    }

    /** A plan, or an IllegalArgumentException naming the layer, the module and what does not fit. */
    static Plan plan(Layer layer, Module m, Map<String, TorchStateDict.Info> sd) {
        Layer target = layer instanceof TimeDistributed td ? td.layer() : layer;
        String who = "jrnn layer '" + layer.name() + "' (" + layer.kerasClass() + ") <- torch module " + m.describe();
        List<Need> needs = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        List<Step> steps = new ArrayList<>();   // one per param of the layer, in params() order
        if (target instanceof Bidirectional b) {
            recurrent(who, b.forwardLayer(), m, "", sd, needs, steps);
            recurrent(who, b.backwardLayer(), m, "_reverse", sd, needs, steps);
        } else if (target instanceof RecurrentLayer r) {
            int k = Math.max(m.layer, 0);
            if (sd.containsKey(m.key("weight_ih_l" + k + "_reverse"))) {
                throw new IllegalArgumentException(who + ": the torch module is bidirectional (it has " + m.key("weight_ih_l" + k + "_reverse")
                        + "); build the jrnn layer as new Bidirectional(new " + r.layerClass() + "(...))");
            }
            recurrent(who, r, m, "", sd, needs, steps);
        } else {
            if (m.layer >= 0) throw new IllegalArgumentException(who + ": a torch layer index names a layer of nn.LSTM, nn.GRU or nn.RNN, "
                    + "and " + layer.name() + " is a " + target.kerasClass());
            Map<String, String> names = new LinkedHashMap<>();   // jrnn param -> torch local key
            switch (target) {
                case Dense d -> { names.put("kernel", "weight"); names.put("bias", "bias"); }
                case Embedding e -> names.put("embeddings", "weight");
                case LayerNormalization n -> { names.put("gamma", "weight"); names.put("beta", "bias"); }
                case Conv1D c -> { names.put("kernel", "weight"); names.put("bias", "bias"); }
                case BatchNormalization n -> {
                    names.put("gamma", "weight");
                    names.put("beta", "bias");
                    names.put("moving_mean", "running_mean");
                    names.put("moving_variance", "running_var");
                    if (sd.containsKey(m.key("num_batches_tracked"))) ignored.add(m.key("num_batches_tracked"));
                }
                default -> throw new IllegalArgumentException(who + ": jrnn reads torch weights into LSTM, GRU, SimpleRNN (and their "
                        + "Bidirectional), Dense, Embedding, LayerNormalization, Conv1D and BatchNormalization layers, not "
                        + target.kerasClass());
            }
            for (Param p : target.params()) {
                String local = names.get(p.name());
                if (local == null) throw new IllegalStateException(target.kerasClass() + " has an unexpected weight " + p.name());
                String key = m.key(local);
                int[] ks = p.shape();
                if (target instanceof Dense && p.name().equals("kernel")) {
                    needs.add(new Need(key, new int[] {ks[1], ks[0]}));
                    steps.add(v -> Tensor.wrap(transpose(v.get(key), ks[1], ks[0]), ks));
                } else if (target instanceof Conv1D && p.name().equals("kernel")) {
                    needs.add(new Need(key, new int[] {ks[2], ks[1], ks[0]}));
                    steps.add(v -> Tensor.wrap(convKernel(v.get(key), ks[2], ks[1], ks[0]), ks));
                } else {
                    needs.add(new Need(key, ks));
                    steps.add(v -> Tensor.wrap(v.get(key).clone(), ks));
                }
            }
        }
        return new Plan(layer, m, needs, ignored, values -> {
            List<Tensor> out = new ArrayList<>();
            for (Step s : steps) out.add(s.make(values));
            return out;
        });
    }

    private interface Step {
        Tensor make(Map<String, float[]> values);
    }

    /** nn.LSTM / nn.GRU / nn.RNN layer {@code m.layer} (0 when not given), direction {@code dir}, into {@code r}'s weights. */
    private static void recurrent(String who, RecurrentLayer r, Module m, String dir, Map<String, TorchStateDict.Info> sd,
                                  List<Need> needs, List<Step> steps) {
        int k = m.layer;
        // nn.LSTMCell / nn.GRUCell / nn.RNNCell: the one-layer module's weights without the _l0 suffix, the same step
        boolean cell = k < 0 && sd.containsKey(m.key("weight_ih")) && !sd.containsKey(m.key("weight_ih_l0"));
        if (cell && !dir.isEmpty()) {
            throw new IllegalArgumentException(who + ": the torch module is a cell (nn.LSTMCell, nn.GRUCell or nn.RNNCell: "
                    + m.key("weight_ih") + ", no _l0 suffix), which runs one direction; the jrnn layer is a Bidirectional, use its "
                    + r.layerClass() + " alone");
        }
        if (k < 0) {
            k = 0;
            if (sd.containsKey(m.key("weight_ih_l1"))) {
                int n = 1;
                while (sd.containsKey(m.key("weight_ih_l" + n))) n++;
                List<String> each = new ArrayList<>();
                for (int i = 0; i < n; i++) each.add(m.key("l" + i));
                throw new IllegalArgumentException(who + ": the torch module has " + n + " layers (num_layers=" + n + "); map one jrnn "
                        + "layer to each torch layer, as " + each + " (a jrnn layer per torch layer, the lower ones returnSequences(true))");
            }
        }
        String sfx = cell ? "" : "_l" + k + dir;
        if (sd.containsKey(m.key("weight_hr" + sfx))) {
            throw new IllegalArgumentException(who + ": the torch LSTM has proj_size (" + m.key("weight_hr" + sfx) + " "
                    + Tensor.shapeString(sd.get(m.key("weight_hr" + sfx)).shape()) + "), which jrnn's LSTM does not have");
        }
        if (!dir.isEmpty() && !sd.containsKey(m.key("weight_ih" + sfx)) && sd.containsKey(m.key("weight_ih_l" + k))) {
            throw new IllegalArgumentException(who + ": the torch module is not bidirectional (no " + m.key("weight_ih" + sfx)
                    + "), the jrnn layer is a Bidirectional; use its " + r.layerClass() + " alone");
        }
        if (r instanceof GRU g && !g.resetAfter()) {
            throw new IllegalArgumentException(who + ": torch's GRU applies the reset gate after the recurrent product, Keras' "
                    + "reset_after=True; build the jrnn layer with resetAfter(true) (the default)");
        }
        int gates = r instanceof LSTM ? 4 : r instanceof GRU ? 3 : 1;
        if (!(r instanceof LSTM || r instanceof GRU || r instanceof SimpleRNN)) {
            throw new IllegalArgumentException(who + ": jrnn reads torch weights into LSTM, GRU and SimpleRNN, not " + r.layerClass());
        }
        int units = r.units();
        int[] perm = r instanceof GRU ? new int[] {1, 0, 2} : null;   // Keras' z, r, h from torch's r, z, n
        String ih = m.key("weight_ih" + sfx), hh = m.key("weight_hh" + sfx), bih = m.key("bias_ih" + sfx), bhh = m.key("bias_hh" + sfx);
        for (Param p : r.params()) {
            int[] ks = p.shape();
            switch (p.name()) {
                case "kernel", "recurrent_kernel" -> {
                    String key = p.name().equals("kernel") ? ih : hh;
                    needs.add(new Need(key, new int[] {ks[1], ks[0]}));
                    steps.add(v -> Tensor.wrap(transpose(blocks(v.get(key), gates, units, ks[0], perm), ks[1], ks[0]), ks));
                }
                case "bias" -> {
                    needs.add(new Need(bih, new int[] {gates * units}));
                    needs.add(new Need(bhh, new int[] {gates * units}));
                    if (r instanceof GRU) {   // (2, 3H): the input bias, then the recurrent one
                        steps.add(v -> {
                            float[] out = new float[2 * gates * units];
                            System.arraycopy(blocks(v.get(bih), gates, units, 1, perm), 0, out, 0, gates * units);
                            System.arraycopy(blocks(v.get(bhh), gates, units, 1, perm), 0, out, gates * units, gates * units);
                            return Tensor.wrap(out, ks);
                        });
                    } else {
                        steps.add(v -> {
                            float[] a = v.get(bih), b = v.get(bhh), out = new float[a.length];
                            for (int i = 0; i < out.length; i++) out[i] = a[i] + b[i];
                            return Tensor.wrap(out, ks);
                        });
                    }
                }
                default -> throw new IllegalStateException(r.kerasClass() + " has an unexpected weight " + p.name());
            }
        }
    }

    /** {@code a} (rows, cols) transposed to (cols, rows). */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] out = new float[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
        return out;
    }

    /** A (gates * units, cols) matrix with its gate blocks of {@code units} rows reordered: block j of the result is block perm[j]. */
    static float[] blocks(float[] a, int gates, int units, int cols, int[] perm) {
        if (perm == null) return a;
        float[] out = new float[a.length];
        int block = units * cols;
        for (int j = 0; j < gates; j++) System.arraycopy(a, perm[j] * block, out, j * block, block);
        return out;
    }

    /** torch's Conv1d kernel (out, in, k) as Keras' (k, in, out). */
    static float[] convKernel(float[] w, int out, int in, int k) {
        float[] r = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                for (int t = 0; t < k; t++) r[(t * in + c) * out + o] = w[(o * in + c) * k + t];
            }
        }
        return r;
    }
}
