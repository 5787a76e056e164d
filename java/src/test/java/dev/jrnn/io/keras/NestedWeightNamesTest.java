package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.logging.LogRecord;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A legacy .h5 of Keras 2 or tf.keras 2 keeps a nested model's arrays in one group, in an order that depends on whether
 * its nested models were frozen when saved, which those writers do not put in the config. The group's
 * {@code weight_names} name each array's layer: jrnn takes the order they agree with, and warns only where they agree
 * with no order or with orders that load differently. The files are saves of the tf.keras 2 engine bundled in
 * TensorFlow 2.21 (keras3_real/make_tf2_unflagged.py, make_tf2_nested_names.py, which print the predictions held here).
 */
class NestedWeightNamesTest {
    private static final String LOGGER = "dev.jrnn.io.keras.KerasImport";

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static List<String> warnings(Path file) throws Exception {
        return LogCapture.records(LOGGER, () -> Models.load(file).close()).stream().map(LogRecord::getMessage).toList();
    }

    /**
     * tf2_unflagged.h5: top > A (a1, B, a2) > B (b1, b2), B frozen then b2 unfrozen (A's group: a1, a2, b2, b1).
     * tf2_frozen_bn.h5: top > A (LSTM a_lstm, B, a2) > B (b1, BatchNormalization bn, b2), B frozen then b2 unfrozen, bn's
     * moving statistics away from 0 / 1 (a_lstm, a2, b2, b1, bn). tf2_three_deep.h5: top > A (a1, B, a2) > B (b1, C, b2)
     * > C (c1, c2), C frozen then c2 unfrozen, B trains (a1, b1, b2, a2, c2, c1: four orders to tell apart).
     * tf2_unfrozen_all.h5: tf2_unflagged's B frozen, then b1 and b2 both unfrozen (a1, a2, b1, b2; every flag in the
     * file says true). tf2_name_parts.h5: top > A (LSTM lstm, B, Dense b1) > B (LSTM lstm_1, Dense b11), B frozen, then
     * b11 unfrozen: a name must be a whole part of the weight's name (b1 is in b11/kernel:0, lstm in lstm_1/...), and the
     * cells' own names (lstm_cell_1 in lstm's weights) are no layer's. Every Dense is 3 by 3, so shapes do not tell b2's arrays from a2's. Before, jrnn read each
     * unflagged model as trainable (b2's arrays into a2 ...) and predicted other values, warning "may have been frozen"
     * for the first three and nothing for the last.
     */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "tf2_unflagged.h5; deep_nested_x.npy; 2.003782, 0.927819, 0.846023, 0.418893",
            "tf2_unfrozen_all.h5; deep_nested_x.npy; 2.003782, 0.927819, 0.846023, 0.418893",
            "tf2_frozen_bn.h5; tf2_names_seq_x.npy; -0.388513, -0.385613, -0.342969, -0.34555",
            "tf2_three_deep.h5; deep_nested_x.npy; -0.206203, 0.670985, 0.303629, 0.036037",
            "tf2_name_parts.h5; tf2_names_seq_x.npy; 0.011919, 0.02965, 0.037475, 0.031812, 0.02819, 0.027871, 0.044775, "
                    + "0.04914, 0.038516, 0.034318, -0.011627, -0.013436, -0.004166, -0.018234, -0.017343, -0.000794, 0.014703, "
                    + "0.006712, 0.018838, 0.003183"})
    void anUnflaggedFrozenModelLoadsInTheOrderItsWeightNamesGive(String file, String x, String keras) throws Exception {
        float[] p;
        try (Model m = Models.load(keras3Real(file))) {
            p = m.predict(Npy.read(keras3Real(x))).data();
        }
        String[] want = keras.split(",\\s*");
        assertEquals(want.length, p.length, file);
        for (int i = 0; i < p.length; i++) assertEquals(Float.parseFloat(want[i]), p[i], 1e-5, file + ": tf.keras 2's prediction " + i);
        List<String> warned = warnings(keras3Real(file));
        assertTrue(warned.stream().noneMatch(w -> w.contains("nested model(s)")), file + ": " + warned);
    }

    /**
     * keras22_nested_functional.h5 (generator/make_keras_files.py, Keras 2.2.4's layout): head (head_hidden, projector
     * (proj_out)) has no saved flags, but projector's arrays come after head_hidden's whether it was frozen or not, and
     * the weight names agree with both: one load, no warning (it warned "[head > projector] may have been frozen").
     * Its predictions are KerasNestedModelsTest's.
     */
    @Test
    void aFileWhoseOrdersAllLoadAlikeDoesNotWarn() throws Exception {
        List<String> warned = warnings(resource("keras22_nested_functional.h5"));
        assertTrue(warned.stream().noneMatch(w -> w.contains("nested model(s)")), warned.toString());
    }

    /**
     * tf2_renamed.h5: tf2_unflagged.h5's model with b1 and b2 renamed to each other's names after they were built (tf.keras
     * 2 keeps a variable's first name: the layer now called b1 holds b2/kernel:0). The names then agree with neither
     * order, so jrnn does not guess from them: it reads B as trainable, as before, and warns naming A > B. A flagged file
     * (deep_nested_tf2.h5: B's "trainable": false in the config) is read by its flag and does not warn.
     */
    @Test
    void namesThatAgreeWithNoOrderFallBackToTheWarning() throws Exception {
        List<String> warned = warnings(keras3Real("tf2_renamed.h5"));
        assertEquals(1, warned.stream().filter(w -> w.contains("nested model(s) [A > B] may have been frozen when saved")).count(),
                warned.toString());
        List<String> quiet = warnings(keras3Real("deep_nested_tf2.h5"));
        assertTrue(quiet.stream().noneMatch(w -> w.contains("nested model(s)")), quiet.toString());
    }

    /**
     * tf2_damaged_bias.h5 (keras3_real/make_tf2_damaged.py): tf2_unflagged.h5 with a2's bias resized to (4,). No order
     * of A's group has the file's shapes, so the one its weight names alone agree with is taken (a1, a2, b2, b1) and the
     * shape check names a2, the layer the array belongs to; before, a trainable B's order was taken and the error named
     * b2 ("layer 'b2' weight bias expected shape (3,)"), whose array the damaged one is not.
     */
    @Test
    void aDamagedArrayIsNamedByItsOwnLayer() {
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Models.load(keras3Real("tf2_damaged_bias.h5")).close());
        assertTrue(e.getMessage().endsWith("tf2_damaged_bias.h5: layer 'a2' weight bias expected shape (3,), the file has (4,)"),
                e.getMessage());
    }

    /**
     * tf2_renamed_damaged.h5 (keras3_real/make_tf2_damaged.py): tf2_renamed.h5 with a2's bias resized to (4,). The names
     * agree with no order, so B is read as trainable (b1 takes a2's arrays) and the shape check fails. The "may have been
     * frozen" warning is what says the order was a guess: the load fails, so it is not logged, and the error carries it,
     * in its message and whole as a suppressed exception. Before, the warning was held and dropped and the error said
     * only "layer 'b1' weight bias expected shape (3,), the file has (4,)".
     */
    @Test
    void aFailedLoadKeepsTheDoubtAboutTheOrderItWasReadIn() throws Exception {
        java.io.IOException[] e = {null};
        List<String> logged = LogCapture.records(LOGGER, () -> e[0] = assertThrows(java.io.IOException.class,
                () -> Models.load(keras3Real("tf2_renamed_damaged.h5")).close())).stream().map(LogRecord::getMessage).toList();
        assertTrue(logged.isEmpty(), logged.toString());
        String m = e[0].getMessage();
        assertTrue(m.contains("expected shape (3,), the file has (4,)"), m);
        assertTrue(m.contains("nested model(s) [A > B] may have been frozen when saved"), m);
        assertEquals(1, java.util.Arrays.stream(e[0].getSuppressed())
                .filter(w -> w.getMessage().contains("nested model(s) [A > B] may have been frozen when saved")
                        && w.getMessage().contains("check the predictions")).count(),
                java.util.Arrays.toString(e[0].getSuppressed()));
    }

    /**
     * tf2_own_flag.h5 (keras3_real/make_tf2_own_flag.py, tf.keras 2's own save): top > A (a1, B, a2, C), B frozen with
     * b2 unfrozen and b1, b2 renamed after the build (the names agree with no order), C (Dense c1 frozen, Activation c2)
     * training (mixed flags: doubtful too). C's one weighted layer is frozen, so its arrays sit in the same place of A's
     * group whether C was frozen or not: only B's flag can change the load, and the warning names A > B and not A > C
     * (it named both before).
     */
    @Test
    void theWarningNamesOnlyTheModelsWhoseOwnFlagChangesTheOrder() throws Exception {
        List<String> warned = warnings(keras3Real("tf2_own_flag.h5")).stream().filter(w -> w.contains("nested model(s)")).toList();
        assertEquals(1, warned.size(), warned.toString());
        assertTrue(warned.get(0).contains("nested model(s) [A > B] may have been frozen when saved"), warned.toString());
    }
}
