package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
            if (name.equals("top_bidi")) {   // the config's flags: tf.keras 2 saves no direction's, Keras 3 does
                try (Model m = Models.load(keras3Real(file))) {
                    assertEquals(file.startsWith("tf2_"), ((Bidirectional) m.getLayer("b_bi")).forwardLayer().trainable(), file);
                }
            }
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

    private static Sequential biGru(long seed, boolean forwardTrains, boolean backwardTrains) {
        Jrnn.setSeed(seed);
        Sequential m = new Sequential(new Bidirectional(new GRU(2).returnSequences(true)).inputShape(5, 3), new Dense(1));
        ((Bidirectional) m.layers().get(0)).forwardLayer().trainable(forwardTrains);
        ((Bidirectional) m.layers().get(0)).backwardLayer().trainable(backwardTrains);
        return m;
    }

    /**
     * loadWeights by structure into a Bidirectional whose directions' flags differ from the saving one's: each array
     * goes to the direction its weight name says (the loading layer's auto name, bidirectional_N, is not the file's).
     * 3e4d57fa ordered the file's arrays by the loading layer's flags: saved with both directions trainable and
     * loaded with the forward layer frozen, the directions were swapped (right before it); the reverse was swapped on
     * both. The reference is the saving model's own prediction. Only pairs whose flags give different orders are here:
     * TT and TF both write and read the forward arrays first, so TT>TF and TF>TT could not fail.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TT>FT", "FT>TT", "TF>FT", "FT>TF"})
    void loadWeightsTakesEachDirectionByItsWeightNamesWhateverTheLoadingFlags(String flags, @TempDir Path dir) throws Exception {
        Tensor x = Npy.read(keras3Real("tf2_names_seq_x.npy"));
        Sequential saved = biGru(5, flags.charAt(0) == 'T', flags.charAt(1) == 'T');
        float[] want = saved.predict(x).data();
        saved.saveWeights(dir.resolve("w.h5"));
        saved.save(dir.resolve("m.h5"));
        for (String file : List.of("w.h5", "m.h5")) {
            Sequential into = biGru(6, flags.charAt(3) == 'T', flags.charAt(4) == 'T');
            assertFalse(into.layers().get(0).name().equals(saved.layers().get(0).name()));
            into.loadWeights(dir.resolve(file));
            assertArrayEquals(want, into.predict(x).data(), 1e-6f, flags + " " + file);
            assertEquals(flags.charAt(3) == 'T', ((Bidirectional) into.layers().get(0)).forwardLayer().trainable());
        }
    }

    /**
     * Keras' own files (make_tf2_bidi_dirs.py; make_tf2_wrappers.py's top_bidi): saved with both directions trainable,
     * loaded into a jrnn model with the forward layer frozen, and saved with it frozen (backward arrays first), loaded
     * into one with both trainable. Keras' load_weights orders the arrays by the loading layer's flags and swaps the
     * directions in both; jrnn follows the weight names and predicts as tf_keras' model did before it saved.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tf2_top_bidi_trainable.h5", "k3_top_bidi_trainable.h5", "tf2_top_bidi.h5", "k3_top_bidi.h5"})
    void loadWeightsOfAKerasBidirectionalFollowsItsWeightNames(String file) throws Exception {
        float[] want = Npy.read(keras3Real("tf2_top_bidi_pred.npy")).data();
        boolean savedTrainable = file.contains("trainable");
        Sequential into = biGru(7, !savedTrainable, true);
        into.loadWeights(keras3Real(file));
        assertArrayEquals(want, into.predict(Npy.read(keras3Real("tf2_names_seq_x.npy"))).data(), 1e-5f, file);
    }

    /**
     * Where the weight names do not say a direction (tf2_top_bidi_renamed.h5: tf2_top_bidi.h5's direction scopes renamed
     * fw_gru_1 / bw_gru_1), the order the layer's flags give is taken: tf.keras 2 saved no direction's flag, so both read
     * as trainable and the file's backward arrays, first, go to the forward layer, as tf_keras itself reloads
     * tf2_top_bidi.h5 (tf2_top_bidi_swapped_pred.npy, tf_keras' load_model; make_tf2_bidi_dirs.py).
     */
    @Test
    void aBidirectionalWhoseNamesDoNotSayTheDirectionLoadsByItsFlags() throws Exception {
        Tensor x = Npy.read(keras3Real("tf2_names_seq_x.npy"));
        float[] want = Npy.read(keras3Real("tf2_top_bidi_swapped_pred.npy")).data();
        try (Model m = Models.load(keras3Real("tf2_top_bidi_renamed.h5"))) {
            assertArrayEquals(want, m.predict(x).data(), 1e-5f);
            assertTrue(((Bidirectional) m.getLayer("b_bi")).forwardLayer().trainable());
        }
        // loadWeights into a model with the forward layer frozen, as when saved: by its flags the backward arrays come
        // first, which is the file's order, so it predicts as tf_keras' model did before it saved (read by position,
        // as before, the directions were swapped)
        Sequential into = biGru(8, false, true);
        into.loadWeights(keras3Real("tf2_top_bidi_renamed.h5"));
        assertArrayEquals(Npy.read(keras3Real("tf2_top_bidi_pred.npy")).data(), into.predict(x).data(), 1e-5f, "forward frozen");
    }

    /**
     * A Bidirectional(GRU(2) or LSTM(2)) whose direction scopes have different stems: a given backward layer
     * ({@code new Bidirectional(fw, rev)}: scopes forward_gru_N and backward_rev), a wrapped layer named backward_gru
     * (forward_backward_gru and backward_gru: jrnn and Keras 3 strip a wrapped layer's own prefix) or forward_gru
     * (forward_gru and backward_forward_gru); and one whose Bidirectional itself is named backward_bi (each name's
     * first direction scope is backward_bi, its last the direction's). Saved with both directions trainable and loaded
     * by structure with the forward layer frozen, and the reverse. The names say each array's direction; before, only
     * forward_X / backward_X of one X were read so, and the loading layer's flags put these arrays into the wrong
     * directions (TT>FT, which read by position loaded right, off by 0.4 to 1.4). The reference is the saving model's
     * own prediction.
     */
    @ParameterizedTest
    @CsvSource({"given,TT>FT", "given,FT>TT", "backward_gru,TT>FT", "backward_gru,FT>TT", "forward_gru,TT>FT",
            "forward_gru,FT>TT", "bi=backward_bi,TT>FT", "bi=backward_bi,FT>TT", "lstm backward_gru,TT>FT", "lstm forward_gru,FT>TT"})
    void directionScopesOfDifferentStemsStillSayTheDirection(String names, String flags, @TempDir Path dir) throws Exception {
        Tensor x = Npy.read(keras3Real("tf2_names_seq_x.npy"));
        Sequential saved = named(11, names, flags.charAt(0) == 'T');
        Bidirectional sb = (Bidirectional) saved.layers().get(0);
        float[] want = saved.predict(x).data();
        saved.saveWeights(dir.resolve("w.h5"));
        Sequential into = named(12, names, flags.charAt(3) == 'T');
        into.loadWeights(dir.resolve("w.h5"));
        assertArrayEquals(want, into.predict(x).data(), 1e-6f, names + " " + flags + ": " + sb.name() + "/"
                + sb.forwardLayer().name() + "/" + sb.backwardLayer().name());
    }

    /** {@code names}: "given" (a backward layer rev), "bi=N" (the Bidirectional named N), else the wrapped layer's name. */
    private static Sequential named(long seed, String names, boolean forwardTrains) {
        Jrnn.setSeed(seed);
        boolean lstm = names.startsWith("lstm ");
        String name = lstm ? names.substring(5) : names;
        java.util.function.Supplier<dev.jrnn.layers.RecurrentLayer> cell = () -> lstm ? new LSTM(2) : new GRU(2);
        dev.jrnn.layers.RecurrentLayer fw = cell.get().returnSequences(true);
        Bidirectional b;
        if (name.equals("given")) {
            b = new Bidirectional(fw, cell.get().returnSequences(true).goBackwards(true).name("rev" + seed));
        } else {
            if (!name.startsWith("bi=")) fw.name(name + "_" + seed);
            b = new Bidirectional(fw);
            if (name.startsWith("bi=")) b.name(name.substring(3) + "_" + seed);
        }
        Sequential m = new Sequential(b.inputShape(5, 3), new Dense(1));
        b.forwardLayer().trainable(forwardTrains);
        return m;
    }

    /**
     * tf.keras 2 nested groups at the edge of the flags jrnn tries (make_tf2_bidi_dirs.py): top > A (Bidirectional(GRU(1))
     * bi1 .. biN) > out, bi2's forward layer frozen, so its forward arrays come last in A's group; A's flag and each
     * direction's are unknown: 2N flags (A's own does not change its group's order). N = 5 (10) tries them all and
     * predicts as tf_keras; N = 6 (12, over 10) reads the directions as trainable and warns naming the Bidirectionals,
     * where 3e4d57fa loaded the wrong arrays from bi2 on silently.
     */
    @Test
    void overTenUnknownFlagsANestedGroupsBidirectionalsWarn() throws Exception {
        Tensor x = Npy.read(keras3Real("tf2_names_seq_x.npy"));
        for (int n : new int[] {5, 6}) {
            float[] want = Npy.read(keras3Real("tf2_bidi_cap" + n + "_pred.npy")).data();
            float[][] p = new float[1][];
            List<String> warned = LogCapture.records("dev.jrnn.io.keras.KerasImport", () -> {
                try (Model m = Models.load(keras3Real("tf2_bidi_cap" + n + ".h5"))) {
                    p[0] = m.predict(x).data();
                }
            }).stream().map(LogRecord::getMessage).toList();
            List<String> bidis = warned.stream().filter(w -> w.contains("Bidirectional layer(s)")).toList();
            if (n == 5) {
                assertArrayEquals(want, p[0], 1e-5f, "tf_keras' predictions");
                assertEquals(List.of(), warned);
            } else {
                assertEquals(1, bidis.size(), warned.toString());
                assertTrue(bidis.get(0).contains("[A: bi1, A: bi2, A: bi3, A: bi4, A: bi5, A: bi6] may have had one direction frozen"), bidis.get(0));
                assertTrue(bidis.get(0).contains("more than 10 unknown trainable flags"), bidis.get(0));
                float diff = 0;
                for (int i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(want[i] - p[0][i]));
                assertTrue(diff > 1e-3f, "read as trainable: not tf_keras' predictions");
            }
        }
    }
}
