package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;

import java.util.List;

/**
 * An InputLayer config's batch shape, resolved as Keras 3's {@code InputLayer.__init__} resolves its arguments: {@code
 * batch_shape} (Keras 3's get_config) or {@code batch_input_shape} (tf.keras 2's and Keras 2's), or {@code shape}
 * (Keras 3's constructor argument, tf.keras 2's {@code input_shape}) with an optional {@code batch_size}; a shape and a
 * batch shape together, or a batch size beside a batch shape, are refused as Keras 3 refuses them.
 * <p>
 * Any other key is left alone: Keras 3's InputLayer takes {@code **kwargs} and drops what it does not know (every 3.x
 * release to 3.15.1, {@code layers/core/input_layer.py}), so a file with such a key loads there. tf.keras 2 and Keras 2
 * refused one ("Unrecognized keyword arguments"), but Keras 3 reads their files too, and jrnn follows Keras 3.
 * {@code sparse}, {@code ragged} and {@code optional} set true warn: jrnn feeds dense tensors (never None), which give the
 * predictions Keras gives, and Keras 3.15.1 loads such files (ragged only on TensorFlow), so they are not refused.
 */
final class KerasInputLayer {
    private KerasInputLayer() {}

    /**
     * The batch shape {@code c} (an InputLayer's config, named {@code name}, of {@code file}) declares, the batch -1 where not fixed; null
     * where it declares none. Keras' {@code input_shape} and {@code batch_input_shape} stand for {@code shape} and {@code
     * batch_shape} where both are given, as Keras 3 pops them over the others.
     */
    static int[] batchShape(KerasConfig c, String name, String file) {
        List<String> set = c.setAmong("sparse", "ragged", "optional");
        if (!set.isEmpty()) {
            FileFaults.warn(KerasImport.class.getName(), file + ": InputLayer '" + name + "' sets " + set + ", which jrnn cannot honour: it"
                    + " takes dense inputs (never None), which predict as in Keras; a save writes the input as dense");
        }
        return batchShape(c, name);
    }

    /** As {@link #batchShape(KerasConfig, String, String)}, without the warning. */
    static int[] batchShape(KerasConfig c, String name) {
        String where = c.where() + ": InputLayer '" + name + "'";
        String shapeKey = c.has("input_shape") ? "input_shape" : c.has("shape") ? "shape" : null;
        String batchKey = c.has("batch_input_shape") ? "batch_input_shape" : c.has("batch_shape") ? "batch_shape" : null;
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
        if (shapeKey == null) return null;
        int[] sample = c.shape(shapeKey);
        int batch = -1;
        if (c.has("batch_size")) {
            batch = c.toInt(c.raw("batch_size"), "batch_size");
            if (batch <= 0) throw new KerasFormatException(where + ": batch_size must be positive or null, got " + batch);
        }
        int[] s = new int[sample.length + 1];
        s[0] = batch;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return withSteps(s, shapeKey, c, where);
    }

    /**
     * {@code s} (the batch shape {@code key} of {@code c} gives), refused where it has no dimension besides the batch
     * (jrnn's models take sequences or feature rows), quoting the key's value as the file holds it and naming {@code where}.
     */
    static int[] withSteps(int[] s, String key, KerasConfig c, String where) {
        if (s.length < 2) {
            throw new KerasFormatException(where + ": " + key + " " + KerasConfig.describe(c.raw(key)) + " has no dimension besides the batch");
        }
        return s;
    }
}
