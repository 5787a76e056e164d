package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 3's MultiHeadAttention clears its inputs' masks at run time (outside testers att1, att2, att5, att7), against
 * files, predictions, a loss and a training step of Keras 3.15.1 itself (keras3_real/make_keras3_real.py, section 10).
 */
class MaskClearingTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** Found on the class path: the staged GPU library check runs from another working directory. */
    static Path file(String name) {
        try {
            return Path.of(MaskClearingTest.class.getResource("/dev/jrnn/io/keras/keras3_real/" + name).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource keras3_real/" + name + " not on the class path", e);
        }
    }

    static void close(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        double d = 0;
        for (int i = 0; i < want.length; i++) d = Math.max(d, Math.abs(want[i] - got[i]));
        assertTrue(d <= tol, what + ": max difference " + d);
    }

    /**
     * mha_clear.keras: the residual Add after mha1 runs unmasked (mha1 cleared e's mask), so mha2 on its output too; of
     * mha3 and mha4 on (e, e), the one Keras runs second (by depth, then map_graph's order) runs unmasked; the
     * GlobalAveragePooling1D keeps its node's mask and averages over the valid steps. jrnn kept every mask: o1 differed by
     * 0.2, o2 or o3 too.
     */
    @Test
    void layersAfterAMultiHeadAttentionReadItsInputsUnmaskedAsKeras() throws IOException {
        Tensor x = Npy.read(file("mha_clear_x0.npy"));
        try (Model m = Models.load(file("mha_clear.keras"))) {
            List<Tensor> got = m.predictAll(List.of(x));
            for (int j = 0; j < 4; j++) close(Npy.read(file("mha_clear_pred" + j + ".npy")).data(), got.get(j).data(), 1e-5, "output " + j);
        }
    }

    /**
     * mha_clear_loss.keras: Dense(9)(Add(e, MHA(e, e))) under sparse categorical cross-entropy from logits: the output
     * carries no mask at run time, so Keras' loss is the mean over every step, padded ones too (evaluate, and the weights
     * after one SGD step). jrnn took the masked mean (2.99390 for Keras' 2.99090 in att2).
     */
    @Test
    void theLossOfAnOutputAfterAClearedMaskIsUnmaskedAsKeras() throws IOException {
        Tensor x = Npy.read(file("mha_clear_x0.npy")), y = Npy.read(file("mha_clear_loss_y.npy"));
        try (Model m = Models.load(file("mha_clear_loss.keras"))) {
            close(Npy.read(file("mha_clear_loss_pred.npy")).data(), m.predict(x).data(), 1e-5, "predict");
            double loss = m.evaluate(x, y);
            close(Npy.read(file("mha_clear_loss_eval.npy")).data(), new float[] {(float) loss}, 1e-5, "evaluate");
            m.trainOnBatch(List.of(x), List.of(y));
            List<Tensor> w = m.getWeights();
            for (int i = 0; i < w.size(); i++) close(Npy.read(file("mha_clear_loss_after_" + i + ".npy")).data(), w.get(i).data(), 2e-5, "weight " + i);
        }
    }
    /**
     * mha_alias.keras: at inference Keras' Dropout returns its input itself, so MultiHeadAttention(d, d) on d = Dropout(e)
     * clears e's mask as well: the residual Add([e, ...]) reads e unmasked, and the MultiHeadAttention on its output
     * attends to every step (predictions; in training Dropout makes a new tensor and e keeps its mask).
     */
    @Test
    void aLayerThatReturnsItsInputSharesTheClearedMask() throws IOException {
        Tensor x = Npy.read(file("mha_clear_x0.npy"));
        try (Model m = Models.load(file("mha_alias.keras"))) {
            close(Npy.read(file("mha_alias_pred.npy")).data(), m.predict(x).data(), 1e-5, "predict");
        }
    }

    /** Which layers return their input itself in Keras, at inference and in training. */
    @Test
    void theTensorALayerReturns() {
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(3, 2);
        Node drop = new Dropout(0.5).apply(in), zero = new Dropout(0).apply(in), lin = new Activation("linear").apply(in);
        Node relu = new Activation("relu").apply(in), id = new Identity().apply(drop), noise = new GaussianNoise(0.1).apply(in);
        assertTrue(MaskClearing.tensor(drop, false) == in && MaskClearing.tensor(drop, true) == drop);
        assertTrue(MaskClearing.tensor(zero, true) == in && MaskClearing.tensor(lin, true) == in);
        assertTrue(MaskClearing.tensor(relu, false) == relu && MaskClearing.tensor(noise, true) == noise);
        assertTrue(MaskClearing.tensor(id, false) == in && MaskClearing.tensor(id, true) == drop);
    }
}
