package dev.jrnn.io.keras;

import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras 2's CuDNNLSTM and CuDNNGRU (also tf.keras 2's {@code tf.compat.v1.keras.layers}): an LSTM with sigmoid gates and
 * a GRU with {@code reset_after=True}, whose weights are laid out for cuDNN. Keras 2 converts them on loading
 * ({@code hdf5_format._convert_rnn_weights}, by the bias' shape, also into a plain LSTM or GRU), and so does this:
 * <ul>
 * <li>each gate's kernel block reached cuDNN flat in row order, read there as its (units, inputs) matrix: the layer's
 * (inputs, units) block is that matrix transposed;</li>
 * <li>each recurrent block is transposed;</li>
 * <li>the input and recurrent biases (8 units for an LSTM) add up; a GRU keeps them as the (2, 3 units) of
 * {@code reset_after}.</li>
 * </ul>
 */
final class KerasCuDnn {
    private KerasCuDnn() {}

    /** Whether {@code cls} is one of Keras 2's cuDNN layers. */
    static boolean is(String cls) {
        return cls.equals("CuDNNLSTM") || cls.equals("CuDNNGRU");
    }

    /** The LSTM or GRU config the cuDNN layer's config stands for: its own options and the math cuDNN fixes. */
    static KerasConfig asLayer(String cls, KerasConfig c) {
        Map<String, Object> m = new LinkedHashMap<>(c.entries());
        m.put("activation", "tanh");
        m.put("recurrent_activation", "sigmoid");
        m.put("use_bias", true);
        if (cls.equals("CuDNNGRU")) m.put("reset_after", true);
        return new KerasConfig(m, c.where());
    }

    /**
     * {@code ws} for {@code target} (an LSTM, a GRU with reset_after, or a Bidirectional of them), converted where they
     * are a cuDNN layer's (told, as Keras tells it, by a bias of twice the gates); else {@code ws} as they are.
     */
    static List<Hdf5Arrays.Stored> weights(Layer target, List<Hdf5Arrays.Stored> ws) {
        List<Hdf5Arrays.Stored> both = perDirection(target, ws, KerasCuDnn::weights);
        if (both != null) return both;
        if (target instanceof dev.jrnn.layers.TimeDistributed td) return weights(td.layer(), ws);   // Keras 2: convert_nested_time_distributed
        int gates = target instanceof LSTM ? 4 : target instanceof GRU ? 3 : 0;
        if (gates == 0 || ws.size() != 3 || ws.get(1).shape().length != 2) return ws;
        int units = ws.get(1).shape()[0];
        if (target instanceof GRU g && !g.resetAfter()) {
            if (java.util.Arrays.equals(ws.get(2).shape(), new int[] {6 * units})) {   // Keras: "(CuDNNGRU, GRU(reset_after=False)) is not compatible"
                throw new KerasFormatException("layer '" + target.name() + "' (GRU, reset_after false) cannot take a CuDNNGRU's "
                        + "weights: cuDNN applies the reset after the recurrent product, as resetAfter(true)");
            }
            return ws;
        }
        int[] k = ws.get(0).shape(), b = ws.get(2).shape();
        if (b.length != 1 || b[0] != 2 * gates * units || k.length != 2 || k[1] != gates * units
                || !java.util.Arrays.equals(ws.get(1).shape(), new int[] {units, gates * units})) {
            return ws;
        }
        Tensor kernel = blocks(ws.get(0).tensor(), gates, units), recurrent = blocks(ws.get(1).tensor(), gates, units);
        float[] bias = ws.get(2).tensor().data();
        Tensor merged;
        if (gates == 4) {
            float[] sum = new float[4 * units];
            for (int i = 0; i < sum.length; i++) sum[i] = bias[i] + bias[4 * units + i];
            merged = Tensor.wrap(sum, 4 * units);
        } else {
            merged = Tensor.wrap(bias.clone(), 2, 3 * units);
        }
        return List.of(Hdf5Arrays.Stored.of(kernel), Hdf5Arrays.Stored.of(recurrent), Hdf5Arrays.Stored.of(merged));
    }

    /**
     * A Bidirectional's arrays (its forward layer's, then as many of its backward layer's) with {@code convert} applied
     * to each direction's; null when {@code target} is no Bidirectional or the arrays do not halve.
     */
    static List<Hdf5Arrays.Stored> perDirection(Layer target, List<Hdf5Arrays.Stored> ws,
                                                java.util.function.BiFunction<Layer, List<Hdf5Arrays.Stored>, List<Hdf5Arrays.Stored>> convert) {
        if (!(target instanceof Bidirectional bi) || ws.size() % 2 != 0) return null;
        int half = ws.size() / 2;
        List<Hdf5Arrays.Stored> r = new ArrayList<>(convert.apply(bi.forwardLayer(), ws.subList(0, half)));
        r.addAll(convert.apply(bi.backwardLayer(), ws.subList(half, ws.size())));
        return r;
    }

    /**
     * Each (rows, units) gate block of {@code w} as the layer reads it: cuDNN's (units, rows) matrix, the block's values
     * in row order, transposed (for a square recurrent block, the block transposed).
     */
    private static Tensor blocks(Tensor w, int gates, int units) {
        int rows = w.dim(0), cols = gates * units;
        float[] in = w.data(), out = new float[in.length], block = new float[rows * units];
        for (int g = 0; g < gates; g++) {
            for (int i = 0; i < rows; i++) System.arraycopy(in, i * cols + g * units, block, i * units, units);
            for (int a = 0; a < rows; a++) {
                for (int u = 0; u < units; u++) out[a * cols + g * units + u] = block[u * rows + a];
            }
        }
        return Tensor.wrap(out, rows, cols);
    }
}
