package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static dev.jrnn.io.keras.KerasFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a .keras weights file keeps each layer. tfkeras213.keras is written as tf.keras 2.13's saving_lib writes it
 * (generator/make_keras_files.py, tfkeras213_keras): the layers below {@code _layer_checkpoint_dependencies}, the
 * second LSTM in lstm_2. Its predictions are numpy's float64 loop over the same weights.
 */
class Keras3WeightsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void aTfKeras213FilePredictsNumpysOutputs() throws IOException {
        Tensor x = Npy.read(resource("tfkeras213_x.npy"));
        float[] want = Npy.read(resource("tfkeras213_y.npy")).data();
        try (Model m = Models.load(resource("tfkeras213.keras"))) {
            assertEquals(List.of("input_1", "lstm", "dropout", "lstm_1", "dense"), m.layers().stream().map(l -> l.name()).toList());
            assertClose(want, m.predict(x).data(), "Models.load");
        }
        Jrnn.setSeed(3);
        Input in = Input.shape(5, 3);
        Node h = new LSTM(3).apply(new Dropout(0.25).apply(new LSTM(4).returnSequences(true).apply(in)));
        try (Model built = new Model(in, new Dense(2).apply(h))) {
            built.loadWeights(resource("tfkeras213.keras"));
            assertClose(want, built.predict(x).data(), "loadWeights");
        }
    }

    /**
     * tf.keras 2.14 names a visited layer's second entry no more (saving_lib.py at v2.14.0): three LSTMs in lstm, lstm_1,
     * lstm_2, read as such (read the 2.13 way, the second LSTM took the third's weights, same shapes, silently); its
     * save_weights(".weights.h5") is the same HDF5 and loads by structure.
     */
    @Test
    void aTfKeras214FileWithThreeLstmsPredictsNumpysOutputs() throws IOException {
        Tensor x = Npy.read(resource("tfkeras214_x.npy"));
        float[] want = Npy.read(resource("tfkeras214_y.npy")).data();
        try (Model m = Models.load(resource("tfkeras214.keras"))) {
            assertClose(want, m.predict(x).data(), "Models.load");
        }
        Input in = Input.shape(5, 3);
        Node h = new LSTM(3).apply(new LSTM(4).returnSequences(true).apply(new LSTM(4).returnSequences(true).apply(in)));
        try (Model built = new Model(in, new Dense(2).apply(h))) {
            built.loadWeights(resource("tfkeras214.weights.h5"));
            assertClose(want, built.predict(x).data(), "loadWeights of save_weights' file");
        }
    }

    @Test
    void aNestedModelOfATfKeras213FileIsRefusedNamingIt() throws IOException {
        try (KerasFile kf = KerasFile.open(resource("tfkeras213.keras"))) {
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> Keras3Weights.read(kf.hdf,
                    List.<String[]>of(new String[] {"lstm", "LSTM", "functional/layers/lstm"}), kf.fills));
            assertTrue(e.getMessage().contains("nested model 'functional' of a tf.keras 2.12-2.14 .keras file is not read"), e.getMessage());
        }
    }
}
