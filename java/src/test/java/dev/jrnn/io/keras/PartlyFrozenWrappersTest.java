package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.logging.LogRecord;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models holding Bidirectional, TimeDistributed, GRU and LSTM layers, partly frozen when saved, as the real
 * tf.keras 2 (tf_keras 2.21.0, which writes no nested model's flag) and Keras 3.15.1 (which does) write them in a legacy
 * .h5: keras3_real/make_tf2_wrappers.py, which saves tf_keras's predictions as {@code tf2_<name>_pred.npy} and checks
 * Keras 3's are equal. Input tf2_names_seq_x.npy (4, 5, 3). Keras writes a layer's legacy group in its
 * {@code _legacy_weights} order, trainable arrays first, so a Bidirectional with one direction frozen holds its backward
 * arrays first; tf.keras 2 does not save that direction's flag.
 */
class PartlyFrozenWrappersTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /**
     * wrappers: top > A (Bidirectional(LSTM) a_bi, B, TimeDistributed(Dense) a_td) > B (TimeDistributed(Dense) b_td,
     * Bidirectional(LSTM) b_bi), B frozen, b_bi unfrozen (tf_keras' A group: a_bi, a_td, b_bi, b_td; equal shapes, so
     * only the names tell it). bidi_halves: top > A (a1, B, a2) > B (Bidirectional(GRU) b_bi, b2), B frozen, b_bi
     * unfrozen and its forward layer frozen again (b_bi's backward arrays before its forward ones). rnn_deep: top > A
     * (GRU a_gru reset_after, B, a_dense) > B (LSTM b_lstm, C, GRU b_gru reset_after false) > C (c_dense,
     * Bidirectional(LSTM(1)) c_bi), B frozen, b_gru and c_bi unfrozen. top_bidi: no nested model, Bidirectional(GRU)
     * b_bi with its forward layer frozen (b_bi's own group: backward arrays first). jrnn read bidi_halves' tf_keras file
     * with b_bi's directions in the config's order (wrong arrays from b_bi on) and both top_bidi files with the
     * directions swapped (a layer's own group was read by position); the others loaded right before too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"wrappers", "bidi_halves", "rnn_deep", "top_bidi"})
    void aPartlyFrozenModelOfWrappersAndRecurrentLayersPredictsAsKeras(String name) throws Exception {
        float[] want = Npy.read(keras3Real("tf2_" + name + "_pred.npy")).data();
        for (String file : List.of("tf2_" + name + ".h5", "k3_" + name + ".h5")) {
            float[][] p = new float[1][];
            List<String> warned = LogCapture.records("dev.jrnn.io.keras.KerasImport", () -> {
                try (Model m = Models.load(keras3Real(file))) {
                    p[0] = m.predict(Npy.read(keras3Real("tf2_names_seq_x.npy"))).data();
                }
            }).stream().map(LogRecord::getMessage).toList();
            assertEquals(want.length, p[0].length, file);
            assertArrayEquals(want, p[0], 1e-5f, file + ": tf_keras' predictions");
            assertTrue(warned.stream().noneMatch(w -> w.contains("nested model(s)")), file + ": " + warned);
        }
    }

    /**
     * jrnn writes a legacy .h5 (model.save, saveWeights) as Keras does, trainable arrays first, so a Bidirectional with
     * its forward layer frozen holds its backward arrays first; it read them back by position, into the other direction
     * (predictions off by about 1). The reference is the model's own prediction before the save; Keras 3's reading of
     * the same layout is the test above (k3_top_bidi.h5).
     */
    @Test
    void aBidirectionalWithOneDirectionFrozenRoundTripsThroughH5(@TempDir Path dir) throws Exception {
        Tensor x = Npy.read(keras3Real("tf2_names_seq_x.npy"));
        Jrnn.setSeed(5);
        Sequential m = new Sequential(new Bidirectional(new GRU(2).returnSequences(true)).inputShape(5, 3), new Dense(1));
        float[] want = m.predict(x).data();
        ((Bidirectional) m.layers().get(0)).forwardLayer().trainable(false);
        m.save(dir.resolve("m.h5"));
        try (Model back = Models.load(dir.resolve("m.h5"))) {
            assertArrayEquals(want, back.predict(x).data(), 1e-6f, "model.save .h5");
            assertFalse(((Bidirectional) back.layers().get(0)).forwardLayer().trainable());
        }
        m.saveWeights(dir.resolve("w.h5"));
        Jrnn.setSeed(6);
        Sequential other = new Sequential(new Bidirectional(new GRU(2).returnSequences(true)).inputShape(5, 3), new Dense(1));
        ((Bidirectional) other.layers().get(0)).forwardLayer().trainable(false);
        other.loadWeights(dir.resolve("w.h5"));
        assertArrayEquals(want, other.predict(x).data(), 1e-6f, "saveWeights .h5");
    }
}
