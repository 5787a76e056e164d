package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
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

/**
 * Keras 1 files. keras1_functional.h5 and keras1_sequential.h5 are written in Keras 1.2.2's layout (generator/
 * make_keras_files.py, keras1_files): Keras 1's option names and per-gate weight arrays. Their outputs are numpy's
 * float64 loop over those per-gate arrays (Keras 1's hard_sigmoid, masked steps carried over).
 */
class Keras1ConfigsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void keras1FilesPredictNumpysOutputs() throws IOException {
        for (String stem : List.of("keras1_functional", "keras1_sequential")) {
            Tensor x = Npy.read(resource(stem + "_x.npy"));
            float[] want = Npy.read(resource(stem + "_y.npy")).data();
            try (Model m = Models.load(resource(stem + ".h5"))) {
                assertClose(want, m.predict(x).data(), stem);
            }
        }
    }

    /** Keras 2's load_weights joins a Keras 1 file's per-gate arrays for LSTM and GRU layers built in code too. */
    @Test
    void loadWeightsJoinsTheGateArrays() throws IOException {
        Tensor x = Npy.read(resource("keras1_functional_x.npy"));
        float[] want = Npy.read(resource("keras1_functional_y.npy")).data();
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(5, 3);
        dev.jrnn.layers.Node h = new dev.jrnn.layers.LSTM(4).recurrentActivation("hard_sigmoid_keras2").returnSequences(true).apply(in);
        h = new dev.jrnn.layers.TimeDistributed(new dev.jrnn.layers.Dense(3).activation("relu")).apply(h);
        h = new dev.jrnn.layers.Bidirectional(new dev.jrnn.layers.GRU(2).resetAfter(false).recurrentActivation("hard_sigmoid_keras2")).apply(h);
        try (Model m = new Model(in, new dev.jrnn.layers.Dense(2).apply(h))) {
            m.loadWeights(resource("keras1_functional.h5"));
            assertClose(want, m.predict(x).data(), "loadWeights");
            m.loadWeights(resource("keras1_functional.weights.h5"));   // Keras 1's save_weights: no keras_version at all
            assertClose(want, m.predict(x).data(), "loadWeights of save_weights' file");
        }
    }

    /** What Keras 1 had and Keras 2 dropped, or jrnn lacks, is refused naming the layer and the option. */
    @Test
    void keras1OptionsWithoutAnEquivalentAreRefused() {
        String emb = "{\"class_name\": \"Embedding\", \"config\": {\"name\": \"e\", \"input_dim\": 5, \"output_dim\": 2, "
                + "\"batch_input_shape\": [null, 4], \"dropout\": 0.2}}";
        String dense = "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"output_dim\": 2, \"batch_input_shape\": [null, 4], "
                + "\"W_regularizer\": {\"name\": \"ActivityRegularizer\", \"l1\": 0.1}}}";
        String merge = "{\"class_name\": \"Merge\", \"config\": {\"name\": \"m\", \"mode\": \"cos\"}}";
        for (String[] c : new String[][] {
                {emb, "layer 'e' (Embedding): Keras 1's Embedding dropout=0.2 (whole words dropped) is not supported by jrnn, nor by Keras 2"},
                {dense, "layer 'd' (Dense): kernel_regularizer: Keras 1 regularizer ActivityRegularizer is not supported by jrnn, expected L1L2Regularizer"},
                {merge, "layer 'm' (Merge): Keras 1's Merge mode \"cos\" is not supported by jrnn; it reads the modes concat, sum, mul, ave and max"}}) {
            String json = "{\"class_name\": \"Sequential\", \"keras_version\": \"1.2.2\", \"config\": [" + c[0] + "]}";
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> KerasImport.fromJson(json));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        String bn = "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"b\", \"mode\": 2, \"batch_input_shape\": [null, 4]}}";
        String json = "{\"class_name\": \"Sequential\", \"keras_version\": \"1.2.2\", \"config\": [" + bn + "]}";
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> KerasImport.fromJson(json));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("layer 'b' (BatchNormalization): Keras 1's BatchNormalization mode=2"), e.getMessage());
        // Keras 1's option names of the pooling, upsampling and noise layers (pool_length 3 read as pool_size, not the default)
        Model p = KerasImport.fromJson("{\"class_name\": \"Sequential\", \"keras_version\": \"1.2.2\", \"config\": ["
                + "{\"class_name\": \"MaxPooling1D\", \"config\": {\"name\": \"p\", \"pool_length\": 3, \"stride\": null, "
                + "\"border_mode\": \"valid\", \"batch_input_shape\": [null, 9, 2]}},"
                + "{\"class_name\": \"UpSampling1D\", \"config\": {\"name\": \"u\", \"length\": 3}},"
                + "{\"class_name\": \"GaussianNoise\", \"config\": {\"name\": \"n\", \"sigma\": 0.5}},"
                + "{\"class_name\": \"SpatialDropout1D\", \"config\": {\"name\": \"s\", \"p\": 0.25}}]}");
        assertEquals("[9, 2]", java.util.Arrays.toString(p.layers().get(p.layers().size() - 1).calls().get(0).outputs().get(0).shape()),
                "9 steps pooled by 3 then upsampled by 3");
        assertEquals(0.5, ((dev.jrnn.layers.GaussianNoise) p.getLayer("n")).stddev(), 1e-12);
        assertEquals(0.25, ((dev.jrnn.layers.SpatialDropout1D) p.getLayer("s")).rate(), 1e-12);
        p.close();
        // the same Dense as Keras 1 wrote it otherwise loads with its Keras 2 options
        Model d = KerasImport.fromJson("{\"class_name\": \"Sequential\", \"keras_version\": \"1.2.2\", \"config\": [{\"class_name\": \"Dense\", "
                + "\"config\": {\"name\": \"d\", \"output_dim\": 2, \"bias\": false, \"batch_input_shape\": [null, 4], \"init\": \"zero\"}}]}");
        assertEquals(1, d.layers().get(d.layers().size() - 1).params().size(), "bias false: the kernel only");
        assertEquals(0f, d.layers().get(d.layers().size() - 1).params().get(0).get().data()[0], "init zero");
        d.close();
    }
}
