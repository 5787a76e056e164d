package dev.jrnn.io.keras;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' generic {@code RNN} layer over its built-in cells. {@code RNN(LSTMCell(8))} computes what {@code LSTM(8)}
 * computes, with the same weights, so it is read as that layer under the RNN's name (the cell's options and the
 * RNN's return_sequences, go_backwards, ... in one config). {@code RNN(StackedRNNCells([c1, c2]))} (Keras also writes
 * {@code RNN([c1, c2])} so) runs c2 on c1's output at every step: a chain of recurrent layers, one per cell, the lower
 * ones returning sequences, which {@link KerasGraph} splices into the model as it splices a nested model.
 */
final class KerasRnn {
    /** The built-in cells and the layer each one runs in. */
    private static final Map<String, String> CELLS = Map.of("SimpleRNNCell", "SimpleRNN", "LSTMCell", "LSTM", "GRUCell", "GRU");
    /** The RNN's own options, taken over the cell's when both are written. */
    private static final List<String> RNN_KEYS = List.of("return_sequences", "return_state", "go_backwards", "stateful",
            "unroll", "zero_output_for_mask", "time_major", "dtype", "activity_regularizer");

    private KerasRnn() {}

    /** A recurrent layer's spec, {@code {"class_name": "LSTM", "config": ...}}, that one cell of an RNN stands for. */
    record CellLayer(String cellName, KerasConfig spec) {}

    /** Whether {@code spec} is an RNN layer over StackedRNNCells (or a list of cells). */
    static boolean stacked(KerasConfig spec) {
        return "RNN".equals(spec.string("class_name", null)) && spec.raw("config") instanceof Map<?, ?> c && stackedCell(c.get("cell"));
    }

    private static boolean stackedCell(Object cell) {
        return cell instanceof List<?> || cell instanceof Map<?, ?> m && "StackedRNNCells".equals(m.get("class_name"));
    }

    /** The one layer an RNN over a single built-in cell is, with the cell's name; {@code rnn} is the RNN's config. */
    static CellLayer single(KerasConfig rnn, String where) {
        check(rnn, where);
        if (stackedCell(rnn.raw("cell"))) {
            throw new KerasFormatException(where + ": StackedRNNCells inside a wrapper (Bidirectional, TimeDistributed) is not supported: "
                    + "jrnn runs a stack of cells as one layer per cell; wrap one RNN per cell instead");
        }
        return layer(rnn, new KerasConfig(rnn.raw("cell"), where + ".cell"), rnn.string("name", null), Map.of(), where);
    }

    /**
     * The layers of a stacked RNN, bottom first: each named as its cell, the lower ones returning sequences (and, when the
     * RNN returns its states, their states too, which the chain gathers); the top one takes the RNN's return_sequences.
     */
    static List<CellLayer> stack(KerasConfig rnn, String where) {
        check(rnn, where);
        List<?> cells = rnn.raw("cell") instanceof List<?> l ? l : rnn.object("cell").object("config").list("cells");
        if (cells.isEmpty()) throw new KerasFormatException(where + ": StackedRNNCells holds no cell");
        if (rnn.bool("go_backwards", false)) {
            throw new KerasFormatException(where + ": go_backwards=True over StackedRNNCells is not supported: jrnn runs a stack of cells "
                    + "as one layer per cell, where a mask would not follow the reversed steps; use one RNN per cell");
        }
        boolean frozen = !rnn.bool("trainable", true) || rnn.raw("cell") instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> sc
                && Boolean.FALSE.equals(sc.get("trainable"));
        List<CellLayer> r = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            KerasConfig cell = new KerasConfig(cells.get(i), where + ".cell.cells[" + i + "]");
            String name = cell.object("config").string("name", null);
            if (name == null) throw new KerasFormatException(cell.where() + ": a cell without a name (jrnn names the cell's layer after it)");
            Map<String, Object> set = new LinkedHashMap<>();
            if (i < cells.size() - 1) {
                set.put("return_sequences", true);
                set.put("zero_output_for_mask", false);
                set.put("activity_regularizer", null);   // Keras applies it to the RNN's outputs only: the top layer's
            }
            if (frozen) set.put("trainable", false);
            r.add(layer(rnn, cell, name, set, where));
        }
        return r;
    }

    /**
     * {@code r}'s layer config {@code c} (its layer's options) written as Keras' {@code RNN(cell)}: the RNN's options in
     * its config, the others in the serialized cell's ({@code LSTMCell}, ...).
     */
    static Map<String, Object> write(dev.jrnn.layers.RecurrentLayer r, Map<String, Object> c) {
        Map<String, Object> rnn = new LinkedHashMap<>(), cell = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : c.entrySet()) {   // the RNN's options, its name and flag; the rest is the cell's
            boolean own = RNN_KEYS.contains(e.getKey()) || e.getKey().equals("name") || e.getKey().equals("trainable");
            (own ? rnn : cell).put(e.getKey(), e.getValue());
        }
        Map<String, Object> named = new LinkedHashMap<>();
        named.put("name", r.cellName() != null ? r.cellName() : r.name() + "_cell");   // the file's or Keras' own (lstm_cell)
        named.put("trainable", c.get("trainable"));
        named.put("dtype", c.get("dtype"));
        named.putAll(cell);
        String cls = r instanceof dev.jrnn.layers.LSTM ? "LSTMCell" : r instanceof dev.jrnn.layers.GRU ? "GRUCell" : "SimpleRNNCell";
        rnn.put("cell", KerasExport.serialized("keras.layers", cls, named));
        return KerasExport.serialized("keras.layers", "RNN", rnn);
    }

    /** Refuses the RNN options jrnn lacks: constants, and a cell that is none of Keras' three. */
    private static void check(KerasConfig rnn, String where) {
        if (rnn.has("num_constants") && rnn.raw("num_constants") instanceof Number n && n.intValue() != 0) {
            throw new KerasFormatException(where + ": option num_constants=" + n + " is not supported by jrnn (cells without constants only)");
        }
        if (!rnn.has("cell")) throw new KerasFormatException(where + ": an RNN without its 'cell'");
        KerasLayerKeys.check("RNN", rnn, where);
        if (rnn.raw("cell") instanceof Map<?, ?> m && "StackedRNNCells".equals(m.get("class_name")) && m.get("config") instanceof Map<?, ?>) {
            KerasLayerKeys.check("StackedRNNCells", rnn.object("cell").object("config"), where + ".cell");
        }
    }

    /** The spec of the layer that runs {@code cell} with the RNN's options, named {@code name}, then {@code set} over them. */
    private static CellLayer layer(KerasConfig rnn, KerasConfig cell, String name, Map<String, Object> set, String where) {
        String cls = cell.string("class_name");
        String layerClass = CELLS.get(cls);
        Object registered = cell.raw("registered_name");
        if (layerClass == null || registered instanceof String r && !r.equals(cls)) {
            throw new KerasFormatException(where + ": cell class '" + (registered instanceof String r ? r : cls) + "' is not supported: jrnn "
                    + "reads an RNN over SimpleRNNCell, LSTMCell, GRUCell or StackedRNNCells of them (write a custom cell's math as one "
                    + "of those, or build the model in jrnn)");
        }
        KerasConfig cc = cell.object("config");
        KerasLayerKeys.check(cls, cc, where + " cell '" + cc.string("name", "<name>") + "' (" + cls + ")");
        Map<String, Object> c = new LinkedHashMap<>(cc.entries());
        for (String k : RNN_KEYS) if (rnn.hasKey(k)) c.put(k, rnn.raw(k));
        c.put("name", name);
        c.put("trainable", rnn.bool("trainable", true) && cc.bool("trainable", true));
        c.putAll(set);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("class_name", layerClass);
        spec.put("config", c);
        return new CellLayer(cc.string("name", null), new KerasConfig(spec, where));
    }
}
