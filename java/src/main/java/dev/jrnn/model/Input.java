package dev.jrnn.model;

import dev.jrnn.layers.Node;

/**
 * A model input of the functional API, as Keras' {@code Input(shape=..., name=...)}.
 *
 * <pre>{@code
 * Input in = Input.shape(3, 1).name("input");       // Keras: Input(shape=(3, 1), name="input")
 * Input fixed = Input.batchShape(8, 2, 10);          // Keras: Input(batch_shape=(8, 2, 10))
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

    public String name() { return inputLayer.name(); }
}
