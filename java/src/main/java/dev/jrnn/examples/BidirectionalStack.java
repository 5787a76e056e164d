package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Keras' Bidirectional example: two stacked Bidirectional LSTMs and a softmax, trained to tell
 * at which of 5 timesteps a marker sits among noise.
 */
public final class BidirectionalStack {
    private BidirectionalStack() {}

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("Bidirectional stack");
        Jrnn.clearSession();
        Jrnn.setSeed(2);
        Show.keras("model = Sequential([Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 10)),");
        Show.keras("                    Bidirectional(LSTM(10)), Dense(5, activation='softmax')])");
        Sequential m = new Sequential(
                new Bidirectional(new LSTM(10).returnSequences(true)).inputShape(5, 10),
                new Bidirectional(new LSTM(10)),
                new Dense(5).activation("softmax"));
        m.summary();
        int n = 256;
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[n * 5 * 10];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int marked = r.nextInt(5);   // the timestep whose feature 0 carries the marker
            for (int t = 0; t < 5; t++) {
                x[(i * 5 + t) * 10] = t == marked ? 1f : 0f;
                for (int f = 1; f < 10; f++) x[(i * 5 + t) * 10 + f] = (float) r.nextDouble(-0.5, 0.5);
            }
            y[i] = marked;
        }
        Tensor xs = Tensor.of(x, n, 5, 10), ys = Tensor.of(y, n);
        Show.keras("model.compile(optimizer=Adam(0.01), loss='sparse_categorical_crossentropy', metrics=['accuracy'])");
        m.compile(new Adam(0.01), "sparse_categorical_crossentropy", "accuracy");
        Show.keras("model.fit(x, y, epochs=15, batch_size=32, validation_split=0.25, verbose=2)");
        History h = m.fit(xs, ys, new FitOptions().epochs(15).batchSize(32).validationSplit(0.25).verbose(2));
        System.out.printf(Locale.ROOT, "val_accuracy %.3f (chance 0.200)%n", h.last("val_accuracy"));
    }
}
