package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Files saved by Keras 3.15.1 itself (keras3_real/make_keras3_real.py, jax backend), each trained 3 Adam steps first:
 * a Sequential LSTM-GRU-Dense stack; a functional model with Masking, a Bidirectional LSTM, the slice {@code h[:, -1]}
 * and {@code Dense(h) + h} (ops among the layers), also as Keras 3's legacy .h5; an Embedding(mask_zero) into a GRU;
 * Keras' generic RNN over cells, masked ({@code RNN(LSTMCell(4))}, then {@code RNN([GRUCell(3), SimpleRNNCell(2)])}: the
 * real counterpart of the generated rnn_cells.keras); a Sequential whose InputLayer "x" shares its name with a nested
 * Sequential's LSTM (Keras keeps both; jrnn, one namespace, names the input {@code x_input} there); nested models (a
 * functional model with a side branch, a nested functional model holding a nested Sequential and a frozen Dense, also
 * as .h5; the plain {@code Sequential([Sequential([LSTM]), Dense])}), whose optimizer slots Keras orders at the nested
 * model's place; Dropout and SpatialDropout1D of rate 1 (zeros in training, Keras 3's; jrnn refused the files).
 * jrnn predicts what Keras predicted, restores Keras' optimizer state (3 updates), and its next step gives the weights
 * Keras' next step gave.
 */
class RealKeras3FilesTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }


    @ParameterizedTest
    @ValueSource(strings = {"seq.keras", "func.keras", "func.h5", "emb.keras", "cells.keras", "nest_fn.keras", "nest_fn.h5", "nest_seq.keras", "nest_order.keras", "drop1.keras", "drop1.h5"})
    void predictsAndResumesAsKerasDid(String f) throws IOException {
        String n = f.substring(0, f.indexOf('.'));
        Tensor x = Npy.read(keras3Real(n + "_x0.npy")), y = Npy.read(keras3Real(n + "_y.npy"));
        try (Model m = Models.load(keras3Real(f))) {
            KerasFixtures.assertClose(Npy.read(keras3Real(n + "_pred.npy")).data(), m.predict(x).data(), f + " predict");
            assertEquals(3, m.optimizer().iterations(), f + ": Keras' update count");
            m.trainOnBatch(x, y);
            List<Tensor> w = m.getWeights();
            if (f.equals("nest_order.keras")) {   // Keras' get_weights order, where jrnn's flattened model lists them otherwise
                List<String> mine = m.weightNames();
                List<Tensor> byName = new java.util.ArrayList<>();
                for (Object k : (List<?>) dev.jrnn.io.Json.parse(java.nio.file.Files.readString(keras3Real(n + "_names.json")))) {
                    byName.add(w.get(mine.indexOf((String) k)));
                }
                w = byName;
            }
            for (int i = 0; i < w.size(); i++) {
                float[] want = Npy.read(keras3Real(n + "_after_" + i + ".npy")).data(), got = w.get(i).data();
                assertEquals(want.length, got.length, f + " weight " + i);
                for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 5e-7, f + ": weight " + i + "[" + k + "] after Keras' 4th step");
            }
        }
    }

    /**
     * dupname.keras: the InputLayer "x" of a Sequential and the LSTM "x" of the Sequential nested in it. It loads (it was
     * refused, "x" used by two layers, when the input's name was first kept) and predicts as Keras; its input is named
     * {@code x_input} there, jrnn's names being one namespace.
     */
    @Test
    void aSequentialWhoseInputSharesANestedLayersName() throws IOException {
        Tensor x = Npy.read(keras3Real("dupname_x0.npy"));
        try (Model m = Models.load(keras3Real("dupname.keras"))) {
            KerasFixtures.assertClose(Npy.read(keras3Real("dupname_pred.npy")).data(), m.predict(x).data(), "dupname predict");
            assertEquals("x_input", ((dev.jrnn.model.Input) m.inputs().get(0)).name());
        }
    }

    /**
     * fresh.keras: compiled with Adam(0.05) and saved before any step, so Keras' optimizer/vars holds iteration and
     * learning_rate alone (Keras builds the slots at the first step): it loads without a warning (jrnn warned that the
     * state was not restored, though fresh moments are what Keras uses too) and its first step gives Keras' weights.
     */
    @Test
    void aFileSavedBeforeAnyStepLoadsWithoutAWarningAndStepsAsKeras() throws Exception {
        Tensor x = Npy.read(keras3Real("fresh_x0.npy")), y = Npy.read(keras3Real("fresh_y.npy"));
        List<String> warnings = dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), () -> {
            try (Model m = Models.load(keras3Real("fresh.keras"))) {
                assertEquals(0, m.optimizer().iterations());
                assertEquals(0.05f, m.optimizer().learningRate());
                m.trainOnBatch(x, y);
                List<Tensor> w = m.getWeights();
                for (int i = 0; i < w.size(); i++) KerasFixtures.assertClose(Npy.read(keras3Real("fresh_after_" + i + ".npy")).data(), w.get(i).data(), "fresh weight " + i);
            }
        });
        assertEquals(List.of(), warnings);
    }

    /**
     * mha_rows.keras: MultiHeadAttention over masked embeddings where one sample's keys are all masked, so its query rows
     * take Keras 3's 1/Tv weights; jrnn predicts Keras' outputs and its first SGD(0.1) step of mse, whose gradients pass
     * through those rows, gives Keras' weights.
     */
    @Test
    void multiHeadAttentionRowsWithEveryKeyMaskedTrainAsKeras() throws IOException {
        List<Tensor> xs = List.of(Npy.read(keras3Real("mha_rows_x0.npy")), Npy.read(keras3Real("mha_rows_x1.npy")));
        try (Model m = Models.load(keras3Real("mha_rows.keras"))) {
            KerasFixtures.assertClose(Npy.read(keras3Real("mha_rows_pred.npy")).data(), m.predictAll(xs).get(0).data(), "mha_rows predict");
            m.trainOnBatch(xs, List.of(Npy.read(keras3Real("mha_rows_y.npy"))));
            List<Tensor> w = m.getWeights();
            assertEquals(10, w.size());
            for (int i = 0; i < w.size(); i++) {
                float[] want = Npy.read(keras3Real("mha_rows_after_" + i + ".npy")).data(), got = w.get(i).data();
                assertEquals(want.length, got.length, "weight " + i);
                for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 5e-7, "weight " + i + "[" + k + "] after Keras' step");
            }
        }
    }

    /**
     * init_mask.keras (and Keras 3's legacy .h5 of it): recurrent calls with {@code initial_state} on masked inputs.
     * Keras 3 fills a call's mask only when the call has one tensor argument, so {@code LSTM(x, initial_state=s)} runs
     * unmasked while its output still carries the mask on; with {@code mask=} given, which the file records, it is
     * masked. An LSTM, a Bidirectional SimpleRNN and a GRU run unmasked (over Embedding(mask_zero) and Masking), a GRU
     * and a SimpleRNN masked; so do a GRU given one tensor as initial_state, an LSTM and a Bidirectional GRU without
     * merge mode given their states positionally (Keras counts tensor arguments), the latter's two sequences both carrying
     * the mask; the concatenation's mask masks the loss. Saved with Keras' tensorflow backend (see the
     * generator: its jax backend outputs the initial state at a masked call's leading masked steps). jrnn predicts Keras'
     * outputs and its 4th step (SGD with momentum) gives Keras' weights.
     */
    @ParameterizedTest
    @ValueSource(strings = {"init_mask.keras", "init_mask.h5"})
    void recurrentCallsWithInitialStatesRunAsKeras3Ran(String f) throws IOException {
        List<Tensor> xs = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) xs.add(Npy.read(keras3Real("init_mask_x" + i + ".npy")));
        try (Model m = Models.load(keras3Real(f))) {
            KerasFixtures.assertClose(Npy.read(keras3Real("init_mask_pred.npy")).data(), m.predictAll(xs).get(0).data(), f + " predict");
            assertEquals(3, m.optimizer().iterations(), f + ": Keras' update count");
            m.trainOnBatch(xs, List.of(Npy.read(keras3Real("init_mask_y.npy"))));
            List<Tensor> w = m.getWeights();
            assertEquals(33, w.size());
            for (int i = 0; i < w.size(); i++) {
                float[] want = Npy.read(keras3Real("init_mask_after_" + i + ".npy")).data(), got = w.get(i).data();
                assertEquals(want.length, got.length, f + " weight " + i);
                for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 5e-7, f + ": weight " + i + "[" + k + "] after Keras' 4th step");
            }
        }
    }
}
