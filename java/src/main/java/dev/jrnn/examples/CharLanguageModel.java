package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;

import java.util.Locale;

/**
 * A character-level language model on "hello": from "hell" it learns to predict the next
 * characters "ello" (softmax cross-entropy on logits), then writes "hello" from "h" alone.
 */
public final class CharLanguageModel {
    private CharLanguageModel() {}

    static final String VOCAB = "helo";

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("character-level \"hello\" language model");
        Jrnn.clearSession();
        Jrnn.setSeed(7);
        Tensor x = Data.oneHot("hell", VOCAB);
        Tensor y = Tensor.of(new float[] {1, 2, 2, 3}, 1, 4);   // "ello" as class indices
        Show.keras("x = one_hot('hell'); y = [[1, 2, 2, 3]]   # 'ello', vocabulary h e l o");
        Show.keras("model = Sequential([SimpleRNN(8, return_sequences=True, input_shape=(None, 4)), Dense(4)])");
        Sequential m = new Sequential(new SimpleRNN(8).returnSequences(true).inputShape(-1, VOCAB.length()), new Dense(VOCAB.length()));
        m.summary();
        Show.keras("model.compile(optimizer=Adam(0.05), loss=SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])");
        m.compile(new Adam(0.05), Losses.sparseCategoricalCrossentropy(true), "accuracy");
        for (int round = 1; round <= 4; round++) {
            var h = m.fit(x, y, new FitOptions().epochs(10).verbose(0));
            System.out.printf(Locale.ROOT, "epoch %2d  loss %.4f  accuracy %.2f  'hell' -> '%s'%n",
                    round * 10, h.last("loss"), h.last("accuracy"), decode(m.predict(x)));
        }
        StringBuilder text = new StringBuilder("h");
        while (text.length() < 5) {
            Tensor p = m.predict(Data.oneHot(text.toString(), VOCAB));
            text.append(decode(p).charAt(text.length() - 1));
        }
        System.out.println("generated from 'h': " + text);
    }

    /** The argmax character at every timestep of logits (1, T, |vocab|). */
    static String decode(Tensor logits) {
        StringBuilder b = new StringBuilder();
        int t = logits.dim(1), v = logits.dim(2);
        for (int s = 0; s < t; s++) {
            int best = 0;
            for (int k = 1; k < v; k++) if (logits.get(0, s, k) > logits.get(0, s, best)) best = k;
            b.append(VOCAB.charAt(best));
        }
        return b.toString();
    }
}
