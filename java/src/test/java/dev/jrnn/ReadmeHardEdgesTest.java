package dev.jrnn;

import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guide's (docs/GUIDE.md) "Hard edges" and "Stateful RNNs" quote errors: each quote (its parts between "...") is in the message the call
 * really throws, with the names a fresh session gives (Jrnn.clearSession before each case).
 */
class ReadmeHardEdgesTest {
    private static String edges, stateful;

    @BeforeAll
    static void readme() throws IOException {
        Jrnn.setBackend("cpu");
        edges = Readme.section("## Hard edges").replaceAll("\\s+", " ");   // a quote may wrap across lines
        stateful = Readme.section("### Stateful RNNs").replaceAll("\\s+", " ");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    private static void quoted(String section, String quote, Executable call) {
        assertTrue(section.contains("`" + quote + "`"), "the guide quotes `" + quote + "`");
        String thrown = assertThrows(IllegalArgumentException.class, call).getMessage();
        for (String part : quote.split("\\.\\.\\.")) {
            assertTrue(thrown.contains(part.strip()), "thrown: " + thrown + "\nthe guide quotes: " + quote);
        }
    }

    private static Sequential lstm(int features, int outputs, String loss) {
        Sequential m = new Sequential(new LSTM(4).inputShape(3, features), new Dense(outputs));
        m.compile("adam", loss);
        return m;
    }

    @Test
    void badInput() {
        quoted(edges, "lstm: expected input (batch, timesteps, 2), got (4, 3, 1)", () -> {
            LSTM l = new LSTM(4);
            l.call(Tensor.zeros(4, 3, 2));
            l.call(Tensor.zeros(4, 3, 1));
        });
        Tensor nan = Tensor.zeros(8, 3, 2);
        nan.data()[(5 * 3 + 2) * 2 + 1] = Float.NaN;
        quoted(edges, "sequential.fit: x holds NaN at (5, 2, 1)",
                () -> lstm(2, 1, "mse").fit(nan, Tensor.zeros(8, 1), new FitOptions().verbose(0)));
        fresh();
        quoted(edges, "sequential.fit: y has shape (8, 2) (2 values per sample), output dense (None, 1) needs 1 per sample ...",
                () -> lstm(2, 1, "mse").fit(Tensor.zeros(8, 3, 2), Tensor.zeros(8, 2), new FitOptions().verbose(0)));
        Tensor classes = Tensor.zeros(8, 1);
        classes.data()[7] = 3f;
        quoted(edges, "... holds class index 3.0 at (7, 0); loss sparse_categorical_crossentropy needs integers in [0, 3) ...",
                () -> lstm(2, 3, "sparse_categorical_crossentropy").fit(Tensor.zeros(8, 3, 2), classes, new FitOptions().verbose(0)));
    }

    @Test
    void weightsThatDoNotFit(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("w.safetensors");
        Sequential saved = new Sequential(new LSTM(4).inputShape(3, 3), new Dense(1));
        saved.saveWeights(file);
        Sequential other = new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1));   // lstm_1
        quoted(edges, "weight 0: the model's lstm_1/kernel is (2, 16), the file's lstm/kernel (3, 16)", () -> other.loadWeights(file));
        fresh();
        Sequential byName = new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1).name("out"));   // lstm again, other sizes
        quoted(edges, "missing [...]; unexpected [...]; lstm/kernel expected shape (2, 16), got (3, 16)",
                () -> byName.loadWeights(file, true));
    }

    @Test
    void statefulBatchSizes() {
        quoted(stateful, "... the batch size 32 is incompatible with the batch size 8 ...", () -> statefulModel()
                .fit(Tensor.zeros(96, 10, 1), Tensor.zeros(96, 1), new FitOptions().verbose(0).batchSize(32)));
        quoted(stateful, "... must be a multiple of the batch size 8, found 100 samples ...", () -> statefulModel()
                .fit(Tensor.zeros(100, 10, 1), Tensor.zeros(100, 1), new FitOptions().verbose(0)));
    }

    private static Sequential statefulModel() {
        Sequential m = new Sequential(new LSTM(4).stateful(true).batchInputShape(8, 10, 1), new Dense(1));
        m.compile("adam", "mse");
        return m;
    }
}
