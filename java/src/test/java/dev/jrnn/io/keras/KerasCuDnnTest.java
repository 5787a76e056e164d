package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 2's CuDNNLSTM and CuDNNGRU. keras22_cudnn.h5 is written in Keras 2.2.4's layout (generator/make_keras_files.py,
 * keras22_cudnn); its expected output emulates cuDNN on the params Keras hands it (each gate block read flat as
 * cuDNN's (units, inputs) matrix), in numpy float64, not Keras' own conversion.
 */
class KerasCuDnnTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void cudnnLayersLoadAsLstmAndGruWithCudnnsNumbers() throws IOException {
        Tensor x = Npy.read(resource("keras22_cudnn_x.npy"));
        float[] want = Npy.read(resource("keras22_cudnn_y.npy")).data();
        try (Model m = Models.load(resource("keras22_cudnn.h5"))) {
            assertTrue(m.getLayer("cu_dnnlstm_1") instanceof LSTM l && l.returnSequences(), "an LSTM returning sequences");
            assertTrue(m.getLayer("bidirectional_1") instanceof Bidirectional b && b.forwardLayer() instanceof GRU g && g.resetAfter());
            assertClose(want, m.predict(x).data(), "Models.load");
        }
        // Keras' load_weights into LSTM / GRU layers converts too (told by the bias' shape)
        Input in = Input.shape(6, 3);
        Node h = new Bidirectional(new GRU(3)).apply(new LSTM(4).returnSequences(true).apply(in));
        try (Model built = new Model(in, new Dense(2).apply(h))) {
            built.loadWeights(resource("keras22_cudnn.h5"));
            assertClose(want, built.predict(x).data(), "loadWeights");
        }
    }

    /**
     * A dataset the cuDNN conversion cannot read (hostile/cudnn_damaged.h5, make_cudnn_damaged.py: the CuDNNLSTM's bias's
     * data address past the file's end) is the file's damage, an IOException naming the file and the dataset, by
     * loadWeights as by Models.load. Before, loadWeights' shape check, which converts the layout, called it a misfit (an
     * IllegalArgumentException advising to build the same architecture).
     */
    @Test
    void aDamagedDatasetMetConvertingCudnnArraysIsTheFilesDamage() throws Exception {
        java.nio.file.Path f = java.nio.file.Path.of(KerasCuDnnTest.class.getResource("/dev/jrnn/io/keras/hostile/cudnn_damaged.h5").toURI());
        Input in = Input.shape(6, 3);
        Node h = new Bidirectional(new GRU(3)).apply(new LSTM(4).returnSequences(true).apply(in));
        try (Model built = new Model(in, new Dense(2).apply(h))) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> built.loadWeights(f));
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("cu_dnnlstm_1")
                    && e.getMessage().contains("is damaged") && !e.getMessage().contains("does not match"), e.getMessage());
        }
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Models.load(f).close());
        assertTrue(e.getMessage().contains("is damaged"), e.getMessage());
    }

    /** Keras 2 converts a TimeDistributed(CuDNNLSTM)'s arrays too (convert_nested_time_distributed): kernel (2, 4), bias summed. */
    @Test
    void aTimeDistributedLstmTakesCudnnArraysConverted() {
        float[] k = new float[2 * 4], r = new float[1 * 4], b = new float[8];
        for (int i = 0; i < k.length; i++) k[i] = i;   // gate blocks (2, 1): [[0], [4]], [[1], [5]], ... flat in row order
        for (int i = 0; i < r.length; i++) r[i] = 10 + i;
        for (int i = 0; i < b.length; i++) b[i] = i;
        List<Hdf5Arrays.Stored> ws = List.of(Hdf5Arrays.Stored.of(Tensor.wrap(k, 2, 4)), Hdf5Arrays.Stored.of(Tensor.wrap(r, 1, 4)),
                Hdf5Arrays.Stored.of(Tensor.wrap(b, 8)));
        List<Hdf5Arrays.Stored> got = KerasCuDnn.weights(new dev.jrnn.layers.TimeDistributed(new LSTM(1)), ws);
        // each gate's (2, 1) block [[a], [c]] read by cuDNN as its (1, 2) matrix [a, c]: the layer's block is its transpose, the same
        org.junit.jupiter.api.Assertions.assertArrayEquals(k, got.get(0).tensor().data());
        org.junit.jupiter.api.Assertions.assertArrayEquals(r, got.get(1).tensor().data());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {4, 6, 8, 10}, got.get(2).tensor().data());
    }

    @Test
    void aGruWithResetBeforeDoesNotTakeCudnnWeights() throws IOException {
        Input in = Input.shape(6, 3);
        Node h = new Bidirectional(new GRU(3).resetAfter(false)).apply(new LSTM(4).returnSequences(true).apply(in));
        try (Model built = new Model(in, new Dense(2).apply(h))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> built.loadWeights(resource("keras22_cudnn.h5")));
            assertTrue(e.getMessage().contains("the file does not match the model: layer 'forward_gru") && e.getMessage().contains("(GRU, reset_after "
                    + "false) cannot take a CuDNNGRU's weights: cuDNN applies the reset after the recurrent product, as resetAfter(true)"), e.getMessage());
        }
    }

}
