package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Models#cloneModel}'s own trainable flag, as Keras 3's clone_model sets it: a Sequential's clone keeps the
 * model's flag ({@code Sequential(new_layers, trainable=model.trainable)}), a functional model's clone is a new
 * Functional with the default flag, true; the layers keep their flags in both. Goldens: keras3_real/clone_trainable.py
 * (Keras 3.15.1) over the real seq.keras and func.keras: frozen, cloned, the clone's last layer unfrozen, given the
 * original's weights and fitted 2 epochs of SGD(0.1). jrnn had it the other way round (cloneModel went through fromJson,
 * which reads the flag as a load does): the Sequential clone trainable, its last layer training, the functional one
 * frozen, nothing training.
 */
class CloneTrainableTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }


    @ParameterizedTest
    @CsvSource({"seq, false, dense, 0, 322, 1.341974, 1.341974", "func, true, dense_2, 14, 210, 1.642316, 1.445202"})
    void aFrozenModelsCloneHasKeras3sOwnFlag(String n, boolean trainable, String last, long tr, long nonTr, double l0, double l1)
            throws IOException {
        Tensor x = Npy.read(keras3Real(n + "_x0.npy")), y = Npy.read(keras3Real(n + "_y.npy"));
        try (Model s = Models.load(keras3Real(n + ".keras"))) {
            s.trainable(false);
            try (Model c = Models.cloneModel(s)) {
                assertEquals(trainable, c.trainable(), n + ": Keras' clone.trainable");
                assertEquals(last, c.getLayer(-1).name());
                c.getLayer(-1).trainable(true);
                assertEquals("[" + tr + ", " + nonTr + "]", java.util.Arrays.toString(NestedTrainableTest.counts(c)),
                        n + ": Keras' trainable / non-trainable counts after unfreezing " + last);
                c.setWeights(s.getWeights());
                c.compile(new SGD(0.1), "mse");
                List<Double> loss = c.fit(x, y, new FitOptions().epochs(2).batchSize(2).shuffle(false).verbose(0)).get("loss");
                assertEquals(l0, loss.get(0), 2e-6, n + ": Keras' first epoch loss");
                assertEquals(l1, loss.get(1), 2e-6, n + ": Keras' second epoch loss");
            }
        }
    }
}
