package dev.jrnn.io.keras;

import dev.jrnn.data.Npy;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keras 3.15.1 writes an .h5's layer_names and weight_names as variable-length strings tagged ASCII that hold UTF-8 bytes,
 * and h5py reads every HDF5 string as UTF-8 whatever its tag: nonascii_names.h5 (keras3_real/make_nonascii_names.py,
 * layers "INPUT_Işık", "LSTM_ı", "Dense_OUTPUT_İ") loads in Keras and predicts nonascii_names_pred.npy. jrnn read those
 * names as ASCII (U+FFFD for each byte over 0x7F) and refused the file: "layer 'INPUT_I����k' is listed in layer_names
 * but /model_weights/ has no group of that name".
 */
class Hdf5Utf8NamesTest {

    @Test
    void aKerasH5WithNonAsciiLayerNamesLoadsAndPredictsAsKeras() throws Exception {
        Tensor x = Npy.read(keras3Real("nonascii_names_x.npy"));
        float[] want = Npy.read(keras3Real("nonascii_names_pred.npy")).data();
        try (Model m = Models.load(keras3Real("nonascii_names.h5"))) {
            assertEquals(List.of("INPUT_Işık", "LSTM_ı", "Dense_OUTPUT_İ"), m.layers().stream().map(Layer::name).toList());
            assertArrayEquals(want, m.predict(x).data(), 1e-6f);
            try (Model fresh = Models.cloneModel(m)) {   // same layers and names, new weights: loaded by name from the .h5
                fresh.loadWeights(keras3Real("nonascii_names.h5"), true);
                assertArrayEquals(want, fresh.predict(x).data(), 1e-6f);
            }
        }
    }
}
