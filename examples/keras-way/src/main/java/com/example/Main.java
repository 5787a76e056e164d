package com.example;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.RMSprop;
import dev.jrnn.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * jrnn typed the Keras way, as a Keras user would write it: compile("adam", "mse"), LSTM dropout, RMSprop, a
 * stateful LSTM with resetStates, a functional model with two outputs, save and load. Prints one line per part
 * and "keras-way: OK" at the end; any mismatch is an exception (exit code 1).
 */
public class Main {
    public static void main(String[] args) throws Exception {
        Jrnn.setSeed(42);
        int n = 64, t = 10;
        Tensor x = sine(n, t, 0), y = sine(n, 1, t);   // the next value of each sine window

        // 1. Keras: model = Sequential([LSTM(32, dropout=0.2, recurrent_dropout=0.2, input_shape=(10, 1)), Dense(1)])
        //           model.compile("adam", "mse"); model.fit(x, y, epochs=3, batch_size=16)
        Sequential model = new Sequential(new LSTM(32).dropout(0.2).recurrentDropout(0.2).inputShape(t, 1), new Dense(1));
        model.compile("adam", "mse");
        History h = model.fit(x, y, new FitOptions().epochs(3).batchSize(16).verbose(0));
        System.out.println("adam + LSTM dropout: loss " + h.get("loss") + ", predict " + Arrays.toString(model.predict(x.slice(0, 2)).shape()));

        // 2. Keras: model.compile(optimizer=RMSprop(learning_rate=1e-3), loss="mse")
        Sequential rms = new Sequential(new LSTM(16).inputShape(t, 1), new Dense(1));
        rms.compile(new RMSprop(1e-3), "mse");
        double before = rms.evaluate(x, y);
        rms.fit(x, y, new FitOptions().epochs(5).batchSize(16).verbose(0));
        double after = rms.evaluate(x, y);
        System.out.println("RMSprop(1e-3): mse " + before + " -> " + after);
        check(after < before, "RMSprop did not lower the loss");

        // 3. Keras: LSTM(16, stateful=True, batch_input_shape=(8, 5, 1)); fit per epoch with shuffle=False, then reset_states()
        Sequential stateful = new Sequential(new LSTM(16).stateful(true).batchInputShape(8, 5, 1), new Dense(1));
        stateful.compile("adam", "mse");
        Tensor halves = halves(x, 8);   // 8 sequences: their first 5 steps, then their last 5
        Tensor yHalves = Tensor.wrap(concat(y.slice(0, 8).data(), y.slice(0, 8).data()), 16, 1);
        for (int epoch = 0; epoch < 3; epoch++) {
            stateful.fit(halves, yHalves, new FitOptions().epochs(1).shuffle(false).verbose(0));
            stateful.resetStates();
        }
        Tensor first = stateful.predict(halves);
        Tensor again = stateful.predict(halves);   // starts from the states the first predict left
        stateful.resetStates();
        Tensor reset = stateful.predict(halves);
        check(!Arrays.equals(first.data(), again.data()), "the states were not carried from one predict to the next");
        check(Arrays.equals(first.data(), reset.data()), "resetStates did not start over");
        System.out.println("stateful LSTM + resetStates: predictions " + Arrays.toString(first.shape()) + ", carried and reset");

        // 4. Keras functional API with two outputs: next value and the whole sequence's mean, one loss for both
        Input in = Input.shape(t, 1).name("window");
        Node seq = new LSTM(16).returnSequences(true).apply(in);
        Node next = new Dense(1).name("next").apply(new LSTM(8).apply(seq));
        Node mean = new Dense(1).name("mean").apply(new LSTM(8).apply(seq));
        Model multi = new Model(in, List.of(next, mean));
        multi.compile("adam", "mse");
        Tensor yMean = means(x);
        History hm = multi.fit(List.of(x), List.of(y, yMean), new FitOptions().epochs(3).batchSize(16).verbose(0));
        List<Tensor> outs = multi.predictAll(x);
        System.out.println("two outputs: " + hm.history().keySet() + ", predictAll shapes " + Arrays.toString(outs.get(0).shape())
                + " " + Arrays.toString(outs.get(1).shape()));

        // 5. Keras: model.save("m.keras"); keras.models.load_model("m.keras")
        Path dir = Files.createTempDirectory("keras-way");
        Path file = dir.resolve("multi.keras");
        multi.save(file);
        try (Model loaded = Models.load(file)) {
            List<Tensor> back = loaded.predictAll(x);
            for (int k = 0; k < 2; k++) check(Arrays.equals(outs.get(k).data(), back.get(k).data()), "output " + k + " differs after loading");
            System.out.println("save + Models.load: " + loaded.layers().size() + " layers, the same predictions");
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        System.out.println("keras-way: OK");
    }

    /** n windows of sin, each of {@code len} steps starting {@code offset} steps after sample i's start. */
    static Tensor sine(int n, int len, int offset) {
        float[] d = new float[n * len];
        for (int i = 0; i < n; i++) for (int s = 0; s < len; s++) d[i * len + s] = (float) Math.sin(0.3 * (i + offset + s));
        return Tensor.wrap(d, n, len, 1).reshape(len == 1 ? new int[] {n, 1} : new int[] {n, len, 1});
    }

    /** The first {@code b} windows' steps 0-4 as one batch, then their steps 5-9 as the next. */
    static Tensor halves(Tensor x, int b) {
        float[] d = new float[2 * b * 5];
        for (int i = 0; i < b; i++) {
            System.arraycopy(x.data(), i * 10, d, i * 5, 5);
            System.arraycopy(x.data(), i * 10 + 5, d, (b + i) * 5, 5);
        }
        return Tensor.wrap(d, 2 * b, 5, 1);
    }

    static Tensor means(Tensor x) {
        int n = x.dim(0), t = x.dim(1);
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < t; s++) m[i] += x.data()[i * t + s] / t;
        }
        return Tensor.wrap(m, n, 1);
    }

    static float[] concat(float[] a, float[] b) {
        float[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("keras-way: " + what);
    }
}
