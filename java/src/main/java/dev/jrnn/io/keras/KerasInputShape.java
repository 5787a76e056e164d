package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys that declare a model's input shape, read and written in this one place: an InputLayer's config, a Sequential's
 * first layer's shape keys, and a Sequential's {@code build_input_shape}. Every shape comes back batch first, a dimension
 * that is not fixed (null in the file) as -1.
 * <p>
 * An InputLayer is read as Keras 3's {@code InputLayer.__init__} resolves its arguments: {@code batch_shape} (Keras
 * 3's get_config) or {@code batch_input_shape} (tf.keras 2's and Keras 2's), or {@code shape} (Keras 3's constructor
 * argument, tf.keras 2's {@code input_shape}) with an optional {@code batch_size}, the tf.keras 2 key taken whenever
 * given, null too; a shape and a batch shape together, a batch size beside a batch shape, or none of them, are
 * refused as Keras 3 refuses them. Any other key is left alone: Keras 3's InputLayer takes {@code **kwargs} and
 * drops what it does not know (every 3.x release to 3.15.1), so a file with such a key loads there. {@code sparse},
 * {@code ragged} and {@code optional} set true warn: jrnn feeds dense tensors (never None), which give the
 * predictions Keras gives, and Keras 3.15.1 loads such files (ragged only on TensorFlow).
 * <p>
 * A Sequential's first layer's keys (no other layer's: Keras ignores them) are read as tf.keras 2's {@code
 * Layer.__init__} read them, the one Keras that read them all: {@code batch_input_shape}, else {@code input_shape}
 * with {@code batch_size}, else {@code input_dim} (a recurrent layer's the features of steps of any length, as
 * tf.keras 2's RNN made it; Embedding's is its vocabulary). Keras 3.15.1 reads {@code input_shape} as the shape of
 * one sample and {@code input_dim} as the shape {@code (input_dim,)}, so it refuses a recurrent layer's {@code
 * input_dim} (an input of one axis too few) and {@code input_dim} beside {@code input_shape} (an unrecognized
 * keyword); it refuses {@code batch_size} and {@code batch_input_shape} on a layer entry with {@code module} (a {@code .keras},
 * Keras 3's to_json), as jrnn does ({@link #refuseKeras2BatchKeys}), and reads a legacy config's (tf.keras 2's, and Keras 3's
 * {@code .h5}, whose layer entries have no {@code module}) {@code batch_input_shape}
 * (tf.keras 2's get_config writes it on a Sequential's first layer) as a shape without the batch: a model of one axis
 * more, whose LSTM refuses it.
 */
final class KerasInputShape {
    private KerasInputShape() {}

    /** The layers whose {@code input_dim} tf.keras 2 read as the features of steps of any length (its RNN base). */
    private static final Set<String> RECURRENT = Set.of("SimpleRNN", "LSTM", "GRU", "RNN", "CuDNNLSTM", "CuDNNGRU");

    /**
     * The batch shape {@code c} (an InputLayer's config, named {@code name}, of {@code file}) declares; refused where it
     * declares none. Keras' {@code input_shape} and {@code batch_input_shape} stand for {@code shape} and {@code
     * batch_shape} whenever given, null too (a null one leaves no shape of its kind: {@code {"input_shape": null, "shape":
     * [3]}} declares none), as Keras 3 pops them over the others.
     */
    static int[] ofInputLayer(KerasConfig c, String name, String file) {
        List<String> set = c.setAmong("sparse", "ragged", "optional");
        if (!set.isEmpty()) {
            FileFaults.warn(KerasImport.class.getName(), file + ": InputLayer '" + name + "' sets " + set + ", which jrnn cannot honour: it"
                    + " takes dense inputs (never None), which predict as in Keras; a save writes the input as dense");
        }
        String where = c.where() + ": InputLayer '" + name + "'";
        // Keras 3 pops input_shape over shape and batch_input_shape over batch_shape whenever the key is there, null too
        String shapeKey = c.hasKey("input_shape") ? "input_shape" : "shape";
        String batchKey = c.hasKey("batch_input_shape") ? "batch_input_shape" : "batch_shape";
        String lost = c.has("shape") && !c.has(shapeKey) ? "shape" : c.has("batch_shape") && !c.has(batchKey) ? "batch_shape" : null;
        if (!c.has(shapeKey)) shapeKey = null;
        if (!c.has(batchKey)) batchKey = null;
        if (shapeKey != null && batchKey != null) {
            throw new KerasFormatException(where + ": both " + shapeKey + " " + KerasConfig.describe(c.raw(shapeKey)) + " and " + batchKey
                    + " " + KerasConfig.describe(c.raw(batchKey)) + " are given; expected one (Keras 3 refuses both too: 'You cannot pass"
                    + " both `shape` and `batch_shape` at the same time')");
        }
        if (batchKey != null && c.has("batch_size")) {
            throw new KerasFormatException(where + ": both batch_size " + KerasConfig.describe(c.raw("batch_size")) + " and " + batchKey
                    + " " + KerasConfig.describe(c.raw(batchKey)) + " are given; expected one (Keras 3 refuses both too: 'You cannot pass"
                    + " both `batch_size` and `batch_shape` at the same time')");
        }
        if (batchKey != null) return withSteps(c.shape(batchKey), batchKey, c, where);
        if (shapeKey == null) {
            String why = lost == null ? "" : " (" + (lost.equals("shape") ? "input_shape" : "batch_input_shape") + " null stands for its " + lost + " "
                    + KerasConfig.describe(c.raw(lost)) + ", as Keras 3 takes it over " + lost + " whenever it is given)";
            throw new KerasFormatException(where + " has no shape" + why + ": expected batch_shape, batch_input_shape, shape or input_shape"
                    + " (Keras 3 refuses it too: 'You must pass a `shape` argument')");
        }
        return withBatchSize(c, shapeKey, where);
    }

    /**
     * The batch shape a layer of class {@code cls} other than InputLayer declares in its config {@code c} (a Sequential's
     * first layer: Keras builds the model's input of it), or null where it declares none.
     */
    static int[] ofLayer(String cls, KerasConfig c) {
        String where = c.where() + ": layer '" + c.string("name", cls) + "' (" + cls + ")";
        if (c.has("batch_input_shape")) return withSteps(c.shape("batch_input_shape"), "batch_input_shape", c, where);
        if (c.has("input_shape")) return withBatchSize(c, "input_shape", where);
        if (!c.has("input_dim") || cls.equals("Embedding")) return null;
        int dim = c.toInt(c.raw("input_dim"), "input_dim");
        if (dim == 0) throw new KerasFormatException(where + ": input_dim must be positive, got 0");
        return RECURRENT.contains(cls) ? new int[] {-1, -1, dim} : new int[] {-1, dim};
    }

    /**
     * Refuses {@code batch_input_shape} and {@code batch_size} (null too) on a layer other than InputLayer in a Keras 3
     * layer entry (one with {@code module}: a {@code .keras}, Keras 3's to_json), as Keras 3.15.1 refuses the model
     * ("Unrecognized keyword arguments passed to LSTM"): its Layer takes only {@code input_shape} / {@code input_dim}.
     * tf.keras 2's configs keep their meaning (its get_config wrote {@code batch_input_shape} on a Sequential's first
     * layer), and so do Keras 3's {@code .h5} entries, which have no {@code module} and which Keras reads the legacy way.
     */
    static void refuseKeras2BatchKeys(String cls, KerasConfig c, String where) {
        List<String> given = List.of("batch_input_shape", "batch_size").stream().filter(c::hasKey).toList();
        if (given.isEmpty()) return;
        StringBuilder values = new StringBuilder();
        for (String k : given) values.append(values.isEmpty() ? "" : ", ").append(k).append(' ').append(KerasConfig.describe(c.raw(k)));
        throw new KerasFormatException(where + ": " + values + ": not an argument of " + cls + " in a Keras 3 config (only an"
                + " InputLayer takes a batch shape; Keras 3 refuses " + (given.size() == 1 ? "it" : "them") + " too: 'Unrecognized"
                + " keyword arguments passed to " + cls + "'); declare the input with an InputLayer (batch_shape) or input_shape");
    }

    /**
     * A Sequential config's {@code build_input_shape} (the shape a model built by its first data was built for), or null
     * where it has none: absent, or anything but a non-empty list (null, empty, an object, a number), as Keras'
     * from_config then builds nothing (Keras 3.15.1's and tf.keras 2's check {@code isinstance(build_input_shape, (tuple,
     * list))}).
     */
    static int[] ofBuild(KerasConfig model) {
        if (!(model.raw("build_input_shape") instanceof List<?> l) || l.isEmpty()) return null;
        return withSteps(model.shape("build_input_shape"), "build_input_shape", model, model.where());
    }

    /** An InputLayer config as Keras 3 writes it: {@code batchShape} (the batch first, null where not fixed). */
    static Map<String, Object> keras3InputLayer(List<Object> batchShape, Object dtype, String name) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("batch_shape", batchShape);
        c.put("dtype", dtype);
        c.put("sparse", false);
        c.put("name", name);
        return c;
    }

    /** An InputLayer config as tf.keras 2 writes it, of the batch shape a Keras 3 config {@code keras3} holds. */
    static Map<String, Object> tfKeras2InputLayer(Map<?, ?> keras3) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("batch_input_shape", keras3.get("batch_shape"));
        c.put("dtype", keras3.get("dtype"));
        c.put("sparse", false);
        c.put("ragged", false);
        c.put("name", keras3.get("name"));
        return c;
    }

    /** The shape {@code key} of {@code c} with {@code batch_size} before it (-1 where absent or null). */
    private static int[] withBatchSize(KerasConfig c, String key, String where) {
        int[] sample = c.shape(key);
        int batch = -1;
        if (c.has("batch_size")) {
            batch = c.toInt(c.raw("batch_size"), "batch_size");
            if (batch <= 0) throw new KerasFormatException(where + ": batch_size must be positive or null, got " + batch);
        }
        int[] s = new int[sample.length + 1];
        s[0] = batch;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return withSteps(s, key, c, where);
    }

    /**
     * {@code s} (the batch shape {@code key} of {@code c} gives), refused where it has no dimension besides the batch
     * (jrnn's models take sequences or feature rows), quoting the key's value as the file holds it and naming {@code where}.
     */
    private static int[] withSteps(int[] s, String key, KerasConfig c, String where) {
        if (s.length < 2) {
            throw new KerasFormatException(where + ": " + key + " " + KerasConfig.describe(c.raw(key)) + " has no dimension besides the batch");
        }
        return s;
    }
}
