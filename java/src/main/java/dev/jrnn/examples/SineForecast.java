package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.EarlyStopping;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A sine-wave forecaster with the training tools: validation split, early stopping, the Keras
 * progress line, History as CSV and PNG, and weights saved to safetensors and loaded back.
 */
public final class SineForecast {
    private SineForecast() {}

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("sine-wave forecaster: History, plot, save/load");
        Jrnn.clearSession();
        Jrnn.setSeed(7);
        Tensor[] d = Data.sine(96, 10);
        Sequential m = new Sequential(new LSTM(16).inputShape(10, 1), new Dense(1));
        m.compile(new Adam(0.01), "mse", "mae");
        Show.keras("model.fit(x, y, epochs=30, batch_size=16, validation_split=0.2, callbacks=[EarlyStopping(patience=5)], verbose=2)");
        History h = m.fit(d[0], d[1], new FitOptions().epochs(30).batchSize(16).validationSplit(0.2).verbose(2)
                .callbacks(new EarlyStopping().patience(5)));
        System.out.printf(Locale.ROOT, "loss %.4f -> %.2e%n", h.get("loss").get(0), h.last("loss"));
        Path dir = Path.of(dev.jrnn.backend.Settings.current().demoOut());
        try {
            java.nio.file.Files.createDirectories(dir);   // saves make no directories (as Python's open): the demo makes its own
            h.toCsv(dir.resolve("sine_history.csv"));
            h.plot(dir.resolve("sine_loss.png"));
            m.saveWeights(dir.resolve("sine.safetensors"));
            Jrnn.clearSession();
            Sequential again = new Sequential(new LSTM(16).inputShape(10, 1), new Dense(1));
            again.loadWeights(dir.resolve("sine.safetensors"));
            Tensor probe = d[0].slice(0, 3);
            boolean same = Arrays.equals(m.predict(probe).toArray(), again.predict(probe).toArray());
            System.out.println("wrote " + dir.resolve("sine_history.csv") + ", " + dir.resolve("sine_loss.png") + ", "
                    + dir.resolve("sine.safetensors") + " (" + m.weightNames() + ")");
            System.out.println("reloaded model predicts identically: " + same);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
