package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;

import java.util.Locale;

/** The seed notebook's many-to-one ([1, 2, 3] -> 4) and many-to-many ([1, 2, 3] -> [2, 3, 4]) SimpleRNNs. */
public final class ManyToOne {
    private ManyToOne() {}

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("many-to-one: [1, 2, 3] -> 4");
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        Tensor[] d = Data.counting(10);
        Show.keras("x = [[1,2,3], [2,3,4], ..., [10,11,12]] reshaped (10, 3, 1); y = [4, 5, ..., 13]");
        Show.keras("model = Sequential([SimpleRNN(10, input_shape=(3, 1)), Dense(1)])");
        Sequential m = new Sequential(new SimpleRNN(10).inputShape(3, 1), new Dense(1));
        m.summary();
        Show.keras("model.compile(optimizer='adam', loss='mse'); model.fit(x, y, epochs=100, batch_size=1, verbose=0)");
        m.compile("adam", "mse");
        History h = m.fit(d[0], d[1], new FitOptions().epochs(100).batchSize(1).verbose(0));
        System.out.printf(Locale.ROOT, "loss: epoch 1 %.4f -> epoch 100 %.4f%n", h.get("loss").get(0), h.last("loss"));
        Show.keras("model.predict([[[1], [2], [3]]])");
        System.out.println(Show.array(m.predict(Tensor.of(new float[][][] {{{1}, {2}, {3}}}))));

        Show.title("many-to-many: [1, 2, 3] -> [2, 3, 4]");
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        Tensor[] s = Data.countingSequences(10);
        Show.keras("model = Sequential([SimpleRNN(10, return_sequences=True, input_shape=(3, 1)), TimeDistributed(Dense(1))])");
        Sequential mm = new Sequential(new SimpleRNN(10).returnSequences(true).inputShape(3, 1), new TimeDistributed(new Dense(1)));
        mm.summary();
        Show.keras("model.compile(optimizer=Adam(0.01), loss='mse'); model.fit(x, y, epochs=100, batch_size=1, verbose=0)");
        mm.compile(new Adam(0.01), "mse");
        History hm = mm.fit(s[0], s[1], new FitOptions().epochs(100).batchSize(1).verbose(0));
        System.out.printf(Locale.ROOT, "loss: epoch 1 %.4f -> epoch 100 %.4f%n", hm.get("loss").get(0), hm.last("loss"));
        Show.keras("model.predict([[[1], [2], [3]]])");
        System.out.println(Show.array(mm.predict(Tensor.of(new float[][][] {{{1}, {2}, {3}}}))));
    }
}
