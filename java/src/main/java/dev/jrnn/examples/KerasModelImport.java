package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads a model saved by Keras 2.0.6 ({@code model.save("simple_lstm_model.h5")}: LSTM(50) -> Dense(1)), prints its
 * summary and predicts the first inputs stored beside it. The files are real Keras files, kept in the repository's
 * {@code examples/keras-files} (found in or above the working directory, or named by -Djrnn.kerasFixtures).
 */
public final class KerasModelImport {
    private KerasModelImport() {}

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("a model saved by Keras: Models.load(\"simple_lstm_model.h5\")");
        Jrnn.clearSession();
        Path dir = fixtures();
        Show.keras("model = keras.models.load_model('simple_lstm_model.h5'); model.summary()");
        try (Model m = Models.load(dir.resolve("simple_lstm_model.h5"));
             HdfFile io = new HdfFile(dir.resolve("simple_lstm_inputs_and_outputs.h5"))) {
            m.summary();
            float[] x = (float[]) io.getDatasetByPath("inputs/lstm_1_input").getDataFlat();
            float[] target = (float[]) io.getDatasetByPath("outputs/dense_1").getDataFlat();
            int n = 5;
            Show.keras("model.predict(x[:5])   # x: (100, 1, 1), stored with the model");
            Tensor y = m.predict(Tensor.of(java.util.Arrays.copyOf(x, n), n, 1, 1));
            for (int i = 0; i < n; i++) {
                System.out.printf(Locale.ROOT, "x = %8.4f   predicted %8.4f   (training target %8.4f)%n", x[i], y.get(i, 0), target[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder named by -Djrnn.kerasFixtures, else examples/keras-files in or above the working directory. */
    static Path fixtures() {
        return fixtures(System.getProperty("jrnn.kerasFixtures"), Path.of("").toAbsolutePath());
    }

    static Path fixtures(String named, Path workingDirectory) {
        List<Path> tried = new ArrayList<>();
        if (named != null) tried.add(Path.of(named));
        for (Path p = workingDirectory; p != null; p = p.getParent()) tried.add(p.resolve("examples/keras-files"));
        for (Path t : tried) if (Files.isRegularFile(t.resolve("simple_lstm_model.h5"))) return t;
        throw new IllegalStateException("Keras demo files not found; looked in " + tried + " (set -Djrnn.kerasFixtures=<dir>)");
    }
}
