package dev.jrnn.model;

import dev.jrnn.layers.Node;

/**
 * A model input of the functional API, as Keras' {@code Input(shape=..., name=...)}.
 *
 * <pre>{@code
 * Input in = Input.shape(3, 1).name("input");       // Keras: Input(shape=(3, 1), name="input")
 * Input fixed = Input.batchShape(8, 2, 10);          // Keras: Input(batch_shape=(8, 2, 10))
 * Input ids = Input.shape(20).dtype("int32");       // Keras: Input(shape=(20,), dtype="int32")
 * }</pre>
 */
public final class Input extends Node {
    private final InputLayer inputLayer;

    private Input(InputLayer layer, int[] shape, int batch) {
        super(layer, shape, batch);
        this.inputLayer = layer;
    }

    /** An input of per-sample {@code shape} (batch excluded; -1 for a dimension of any size, e.g. timesteps). */
    public static Input shape(int... shape) {
        return create(shape, -1);
    }

    /** An input whose batch size is fixed too (Keras' {@code batch_shape}). */
    public static Input batchShape(int batch, int... shape) {
        if (batch <= 0) throw new IllegalArgumentException("Input.batchShape: batch size must be positive, got " + batch);
        return create(shape, batch);
    }

    private static Input create(int[] shape, int batch) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException("Input: a shape needs at least one dimension (batch excluded), got none");
        }
        for (int d : shape) {
            if (d <= 0 && d != -1) {
                throw new IllegalArgumentException("Input: dimensions must be positive or -1 (any), got "
                        + java.util.Arrays.toString(shape));
            }
        }
        return new Input(new InputLayer(shape, batch), shape, batch);
    }

    /** Names the input (and its InputLayer), as Keras' {@code name=}. */
    public Input name(String name) {
        inputLayer.name(name);
        return this;
    }

    /**
     * The input's name: the one given to {@link #name(String)}, else tf.keras 2's default ({@code input_1},
     * {@code input_2}, ...; Keras 3 says {@code input_layer}, {@code input_layer_1}).
     */
    public String name() { return inputLayer.name(); }

    /**
     * The input's dtype, as Keras' {@code Input(shape, dtype="int32")} (one of float16, bfloat16, float32, float64,
     * int8 ... int64, uint8 ... uint64, bool; float32 by default): kept in the config {@code toJson} and {@code save}
     * write, so Keras rebuilds an Embedding's id input as int32. jrnn feeds every input as float32 whatever it says.
     */
    public Input dtype(String dtype) {
        inputLayer.dtype(dtype);
        return this;
    }

    /** The dtype {@link #dtype(String)} set, "float32" until then. */
    public String dtype() { return inputLayer.dtype(); }
}
