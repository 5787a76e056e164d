package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.RepeatVector;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.jrnn.examples.TutorialReference.close;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * keras.io's "Sequence to sequence learning for performing number addition" (keras-io {@code examples/nlp/addition_rnn.py}),
 * ported: its CharacterTable, reversed and space-padded questions, {@code LSTM(128) -> RepeatVector(4) -> LSTM(128,
 * return_sequences) -> Dense(12, softmax)}, Adam and categorical cross-entropy, fit one epoch at a time with validation
 * data, then the validation rows' answers decoded. References: the Keras 3 summary the example prints
 * ({@code examples/nlp/md/addition_rnn.md}) and a float64 torch replay of the training ({@code tutorials/make_addition_reference.py}),
 * on 100 questions drawn by an LCG both sides run (the example draws 50,000 with np.random) and weights from
 * {@link WorkingWithRnnsGuideTest#hashed}; no shuffling, which the replay leaves out.
 */
class AdditionRnnExampleTest {
    static final int TRAINING_SIZE = 100, DIGITS = 3, MAXLEN = DIGITS + 1 + DIGITS;
    /** Two epochs of four Adam steps in float32 against float64. */
    static final double TOL = 2e-5;
    static Map<String, Tensor> ref;

    @BeforeAll
    static void load() throws IOException {
        Jrnn.setBackend("cpu");
        ref = TutorialReference.load("addition");
    }

    /** The example's CharacterTable: one-hot encoding of the sorted characters and back. */
    record CharacterTable(List<Character> chars) {
        static CharacterTable of(String chars) {
            Set<Character> set = new TreeSet<>();
            for (char c : chars.toCharArray()) set.add(c);
            return new CharacterTable(List.copyOf(set));
        }

        /** One-hot rows of {@code strings}, each {@code numRows} long: (strings, numRows, chars). */
        Tensor encode(List<String> strings, int numRows) {
            float[] x = new float[strings.size() * numRows * chars.size()];
            for (int n = 0; n < strings.size(); n++) {
                String s = strings.get(n);
                for (int i = 0; i < s.length(); i++) x[(n * numRows + i) * chars.size() + chars.indexOf(s.charAt(i))] = 1;
            }
            return Tensor.of(x, strings.size(), numRows, chars.size());
        }

        /** The characters of each row's largest entry (calc_argmax), for one sample (rows, chars). */
        String decode(Tensor x) {
            StringBuilder b = new StringBuilder();
            int rows = x.dim(0), k = x.dim(1);
            float[] v = x.toArray();
            for (int r = 0; r < rows; r++) {
                int best = 0;
                for (int c = 1; c < k; c++) if (v[r * k + c] > v[r * k + best]) best = c;
                b.append(chars.get(best));
            }
            return b.toString();
        }
    }

    /** make_addition_reference.py's LCG (the example's np.random). */
    static final class Lcg {
        long state;

        Lcg(long seed) { state = seed; }

        int below(int n) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            return (int) ((state >>> 33) % n);
        }
    }

    /** The example's question generation: unique unordered pairs, padded with spaces and reversed; then shuffled. */
    static List<List<String>> questionsAndAnswers() {
        Lcg rng = new Lcg(2015);
        List<String> questions = new ArrayList<>(), expected = new ArrayList<>();
        Set<List<Integer>> seen = new HashSet<>();
        while (questions.size() < TRAINING_SIZE) {
            int a = number(rng), b = number(rng);
            List<Integer> key = List.of(Math.min(a, b), Math.max(a, b));
            if (!seen.add(key)) continue;
            String q = a + "+" + b;
            String query = new StringBuilder(q + " ".repeat(MAXLEN - q.length())).reverse().toString();
            String ans = Integer.toString(a + b);
            questions.add(query);
            expected.add(ans + " ".repeat(DIGITS + 1 - ans.length()));
        }
        int[] idx = new int[questions.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        for (int i = idx.length - 1; i > 0; i--) {
            int j = rng.below(i + 1), tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
        }
        List<String> q = new ArrayList<>(), e = new ArrayList<>();
        for (int i : idx) {
            q.add(questions.get(i));
            e.add(expected.get(i));
        }
        return List.of(q, e);
    }

    private static int number(Lcg rng) {
        int digits = rng.below(DIGITS) + 1;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < digits; i++) s.append(rng.below(10));
        return Integer.parseInt(s.toString());
    }

    static Tensor argmaxIds(Tensor oneHot) {
        int k = oneHot.dim(oneHot.rank() - 1);
        float[] v = oneHot.toArray(), ids = new float[v.length / k];
        for (int i = 0; i < ids.length; i++) for (int c = 0; c < k; c++) if (v[i * k + c] == 1) ids[i] = c;
        return Tensor.of(ids, oneHot.dim(0), oneHot.dim(1));
    }

    @Test
    void trainsAndAnswersAsTheReplayAndSummarizesAsKeras() {
        CharacterTable ctable = CharacterTable.of("0123456789+ ");
        List<List<String>> qa = questionsAndAnswers();
        Tensor x = ctable.encode(qa.get(0), MAXLEN), y = ctable.encode(qa.get(1), DIGITS + 1);
        close("questions", ref.get("x_ids"), argmaxIds(x), 0);
        close("answers", ref.get("y_ids"), argmaxIds(y), 0);
        int splitAt = TRAINING_SIZE - TRAINING_SIZE / 10;
        Tensor xTrain = x.slice(0, splitAt), xVal = x.slice(splitAt, TRAINING_SIZE);
        Tensor yTrain = y.slice(0, splitAt), yVal = y.slice(splitAt, TRAINING_SIZE);

        Jrnn.clearSession();
        Sequential model = new Sequential();
        model.add(Input.shape(MAXLEN, ctable.chars().size()));
        model.add(new LSTM(128));
        model.add(new RepeatVector(DIGITS + 1));
        model.add(new LSTM(128).returnSequences(true));
        model.add(new Dense(ctable.chars().size()).activation("softmax"));
        model.compile("adam", "categorical_crossentropy", "accuracy");
        // the Keras 3 table the example prints: names, shapes, parameter counts, totals
        List<List<String>> rows = WorkingWithRnnsGuideTest.rows(model.summaryString());
        assertEquals(List.of(List.of("lstm (LSTM)", "(None, 128)", "72192"), List.of("repeat_vector (RepeatVector)", "(None, 4, 128)", "0"),
                List.of("lstm_1 (LSTM)", "(None, 4, 128)", "131584"), List.of("dense (Dense)", "(None, 4, 12)", "1548")),
                rows.stream().map(List::copyOf).toList());
        assertEquals(List.of("Total params: 205,324", "Trainable params: 205,324", "Non-trainable params: 0"),
                model.summaryString().lines().filter(l -> l.contains(" params: ")).toList());

        int[][] shapes = {{12, 512}, {128, 512}, {512}, {128, 512}, {128, 512}, {512}, {128, 12}, {12}};
        List<Tensor> weights = new ArrayList<>();
        for (int k = 0; k < shapes.length; k++) weights.add(WorkingWithRnnsGuideTest.hashed(100 + k, -0.15, 0.15, shapes[k]));
        model.setWeights(weights);

        Tensor history = ref.get("history"), probs = ref.get("val_probs");
        for (int epoch = 0; epoch < 2; epoch++) {
            History h = model.fit(xTrain, yTrain, new FitOptions().batchSize(32).epochs(1).validationData(xVal, yVal)
                    .shuffle(false).verbose(0));
            float[] want = history.slice(epoch, epoch + 1).toArray();
            String[] keys = {"loss", "accuracy", "val_loss", "val_accuracy"};
            for (int k = 0; k < keys.length; k++) close("epoch " + (epoch + 1) + " " + keys[k], new float[] {want[k]}, new float[] {h.get(keys[k]).get(0).floatValue()}, TOL);
            Tensor preds = model.predict(xVal);
            Tensor wantProbs = probs.slice(epoch, epoch + 1).reshape(preds.shape());
            close("epoch " + (epoch + 1) + " predictions", wantProbs, preds, TOL);
            // the example's printout: Q (the question unreversed), T (the answer), the guess
            for (int i = 0; i < xVal.dim(0); i++) {
                String q = new StringBuilder(ctable.decode(xVal.slice(i, i + 1).reshape(MAXLEN, 12))).reverse().toString();
                assertEquals(qa.get(0).get(splitAt + i), new StringBuilder(q).reverse().toString());
                assertEquals(qa.get(1).get(splitAt + i), ctable.decode(yVal.slice(i, i + 1).reshape(DIGITS + 1, 12)));
                assertEquals(ctable.decode(wantProbs.slice(i, i + 1).reshape(DIGITS + 1, 12)),
                        ctable.decode(preds.slice(i, i + 1).reshape(DIGITS + 1, 12)), "guess for Q " + q.trim());
            }
        }
    }
}
