package dev.jrnn.layers;

import java.util.Arrays;

/**
 * The input shape a layer declares Keras-style before it is built: {@code input_shape}, the batch size of {@code
 * batch_input_shape}, and {@code input_length} with {@code input_dim} (together the shape (length, dim); dim alone the
 * layer's {@link Layer#defaultShapeForInputDim}). Each is checked as it is set, the message naming the layer.
 */
final class DeclaredInput {
    private int[] shape;      // per-sample input shape declared Keras-style, or null
    private int batch = -1;   // batch size fixed by batchInputShape, or -1
    private Integer length;
    private Integer dim;

    /** Keras' {@code input_shape}: at least one dimension, each positive or -1 (any). */
    void shape(Layer l, int... shape) {
        if (shape == null) throw new IllegalArgumentException(l.name() + ": inputShape is null");
        if (shape.length == 0) throw new IllegalArgumentException(l.name() + ": inputShape needs at least one dimension, got ()");
        for (int d : shape) {
            if (d <= 0 && d != -1) throw new IllegalArgumentException(l.name() + ": inputShape dimensions must be positive (or -1 for any), got " + Arrays.toString(shape));
        }
        this.shape = shape.clone();
    }

    /** Refuses a batch size of {@code batch_input_shape} that is not positive, before the shape is set. */
    static void checkBatch(Layer l, int batch) {
        if (batch <= 0) throw new IllegalArgumentException(l.name() + ": batch size must be positive, got " + batch);
    }

    void batch(int batch) { this.batch = batch; }

    void length(Layer l, int n) {
        if (n <= 0) throw new IllegalArgumentException(l.name() + ": inputLength must be positive, got " + n);
        this.length = n;
        syncLengthDim(l);
    }

    void dim(Layer l, int d) {
        if (d <= 0) throw new IllegalArgumentException(l.name() + ": inputDim must be positive, got " + d);
        this.dim = d;
        syncLengthDim(l);
    }

    private void syncLengthDim(Layer l) {
        if (dim != null) {
            shape = length != null ? new int[] {length, dim} : l.defaultShapeForInputDim(dim);
        }
    }

    /** The declared per-sample input shape (a copy), or null. */
    int[] shape() { return shape == null ? null : shape.clone(); }

    /** The batch size fixed by batchInputShape, or -1. */
    int batch() { return batch; }
}
