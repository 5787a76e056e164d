package dev.jrnn.io.keras;

import dev.jrnn.layers.Layer;
import dev.jrnn.model.Sequential;

import java.util.List;

/**
 * A Keras Sequential that was never built: Keras' {@code Sequential([LSTM(3), Dense(1)]).to_json()} lists its layers
 * without an InputLayer, and {@code model_from_json} gives a model built by the first data it sees. jrnn's
 * {@link Sequential} without an input shape is the same (read by {@link KerasImport#fromJson}; a model file with weights
 * still needs its input shape).
 */
final class KerasUnbuiltSequential {
    private KerasUnbuiltSequential() {}

    /** {@code s} with {@code layers} added, unbuilt (an InputLayer without a shape is refused by {@link KerasInputShape}). */
    static Sequential of(Sequential s, List<Layer> layers) {
        for (Layer l : layers) s.add(l);
        return s;
    }

    /** {@code declared}, the Sequential's input shape, where a nested functional model needs it (a functional jrnn model does). */
    static int[] declared(int[] declared, String name) {
        if (declared == null) {
            throw new KerasFormatException("Sequential '" + name + "' declares no input shape (an unbuilt model) and holds a nested "
                    + "functional model: jrnn builds it as a functional model, which needs the input shape; add an InputLayer in Keras");
        }
        return declared;
    }
}
