package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;

import java.util.Locale;

/**
 * The seed notebook's sequence 0.0, 0.1, 0.2, 0.3 -> 0.4 with three 100-unit models:
 * SimpleRNN (10,200 + 101 params), two stacked SimpleRNNs (10,200 + 20,100 + 101), LSTM (40,800 + 101).
 */
public final class SequencePrediction {
    private SequencePrediction() {}

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("sequence 0.0 0.1 0.2 0.3 -> 0.4");
        Tensor[] d = Data.tenths(6);
        Tensor probe = Tensor.of(new float[][][] {{{0.0f}, {0.1f}, {0.2f}, {0.3f}}});
        String[] keras = {
                "model = Sequential([SimpleRNN(100, input_shape=(4, 1)), Dense(1)])",
                "model = Sequential([SimpleRNN(100, return_sequences=True, input_shape=(4, 1)), SimpleRNN(100), Dense(1)])",
                "model = Sequential([LSTM(100, input_shape=(4, 1)), Dense(1)])"};
        for (int kind = 0; kind < 3; kind++) {
            Jrnn.clearSession();
            Jrnn.setSeed(3);
            Show.keras(keras[kind]);
            Sequential m = switch (kind) {
                case 0 -> new Sequential(new SimpleRNN(100).inputShape(4, 1), new Dense(1));
                case 1 -> new Sequential(new SimpleRNN(100).returnSequences(true).inputShape(4, 1), new SimpleRNN(100), new Dense(1));
                default -> new Sequential(new LSTM(100).inputShape(4, 1), new Dense(1));
            };
            m.summary();
            Show.keras("model.compile(optimizer='adam', loss='mse'); model.fit(x, y, epochs=100, batch_size=1, verbose=0)");
            m.compile("adam", "mse");
            History h = m.fit(d[0], d[1], new FitOptions().epochs(100).batchSize(1).verbose(0));
            System.out.printf(Locale.ROOT, "loss after 100 epochs: %.2e%n", h.last("loss"));
            Show.keras("model.predict([[[0.0], [0.1], [0.2], [0.3]]])");
            System.out.println(Show.array(m.predict(probe)));
        }
    }
}
