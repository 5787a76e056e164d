package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.RMSprop;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static dev.jrnn.examples.TutorialReference.close;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * keras.io's "Character-level text generation with LSTM" (keras-io {@code examples/generative/lstm_character_level_text_generation.py}),
 * ported: the lower-cased corpus cut in sequences of 40 characters every 3, one-hot, {@code LSTM(128) -> Dense(chars,
 * softmax)}, {@code RMSprop(learning_rate=0.01)}, categorical cross-entropy, {@code fit} one epoch at a time with
 * batch_size 128, and the example's {@code sample(preds, temperature)} generating from a seed sentence at its four
 * diversities. Reference: a float64 torch replay ({@code tutorials/make_char_generation_reference.py}) on
 * {@code tutorials/char_text.txt} (the example downloads Nietzsche), the multinomial draw from an LCG's uniform both sides
 * run (the example's np.random), weights from {@link WorkingWithRnnsGuideTest#hashed}; unshuffled batches.
 */
class CharTextGenerationExampleTest {
    static final int MAXLEN = 40, STEP = 3, GENERATE = 20;
    static final double TOL = 2e-5;
    static Map<String, Tensor> ref;

    @BeforeAll
    static void load() throws IOException {
        Jrnn.setBackend("cpu");
        ref = TutorialReference.load("char_generation");
    }

    /** make_char_generation_reference.py's LCG: uniforms in [0, 1) of 53 bits. */
    static final class Lcg {
        long state;

        Lcg(long seed) { state = seed; }

        double uniform() {
            state = state * 6364136223846793005L + 1442695040888963407L;
            return (state >>> 11) / 0x1p53;
        }
    }

    /** The example's sample(): reweigh the probabilities by the temperature and draw one index (from {@code u}). */
    static int sample(float[] preds, double temperature, double u) {
        double[] p = new double[preds.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(Math.log(preds[i]) / temperature);
        double cum = 0;
        for (int i = 0; i < p.length; i++) {
            cum += p[i] / sum;
            if (cum > u) return i;
        }
        return p.length - 1;
    }

    static Tensor oneHot(List<String> sentences, List<Character> chars) {
        float[] x = new float[sentences.size() * MAXLEN * chars.size()];
        for (int i = 0; i < sentences.size(); i++) {
            String s = sentences.get(i);
            for (int t = 0; t < s.length(); t++) x[(i * MAXLEN + t) * chars.size() + chars.indexOf(s.charAt(t))] = 1;
        }
        return Tensor.of(x, sentences.size(), MAXLEN, chars.size());
    }

    @Test
    void trainsAndGeneratesAsTheReplay() throws IOException {
        String text = Files.readString(TutorialReference.resource("char_text.txt")).toLowerCase(Locale.ROOT);
        List<Character> chars = new ArrayList<>(new TreeSet<>(text.chars().mapToObj(c -> (char) c).toList()));
        // cut the text in semi-redundant sequences of maxlen characters
        List<String> sentences = new ArrayList<>();
        List<Character> nextChars = new ArrayList<>();
        for (int i = 0; i < text.length() - MAXLEN; i += STEP) {
            sentences.add(text.substring(i, i + MAXLEN));
            nextChars.add(text.charAt(i + MAXLEN));
        }
        assertEquals((int) ref.get("n_sentences").get(0), sentences.size());
        assertEquals((int) ref.get("n_chars").get(0), chars.size());
        float[] y = new float[sentences.size() * chars.size()];
        for (int i = 0; i < sentences.size(); i++) y[i * chars.size() + chars.indexOf(nextChars.get(i))] = 1;
        Tensor x = oneHot(sentences, chars), yt = Tensor.of(y, sentences.size(), chars.size());

        Sequential model = new Sequential(Input.shape(MAXLEN, chars.size()), new LSTM(128),
                new Dense(chars.size()).activation("softmax"));
        model.compile(new RMSprop(0.01), "categorical_crossentropy");
        int v = chars.size();
        int[][] shapes = {{v, 512}, {128, 512}, {512}, {128, v}, {v}};
        List<Tensor> weights = new ArrayList<>();
        for (int k = 0; k < shapes.length; k++) weights.add(WorkingWithRnnsGuideTest.hashed(200 + k, -0.15, 0.15, shapes[k]));
        model.setWeights(weights);

        Tensor losses = ref.get("loss");
        for (int epoch = 0; epoch < 2; epoch++) {
            History h = model.fit(x, yt, new FitOptions().batchSize(128).epochs(1).shuffle(false).verbose(0));
            close("epoch " + (epoch + 1) + " loss", losses.slice(epoch, epoch + 1), h.get("loss"), TOL);
        }

        Lcg rng = new Lcg(1507);
        int startIndex = 17;
        Tensor generated = ref.get("generated");
        double[] diversities = {0.2, 0.5, 1.0, 1.2};
        for (int d = 0; d < diversities.length; d++) {
            String sentence = text.substring(startIndex, startIndex + MAXLEN);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < GENERATE; i++) {
                float[] preds = model.predict(oneHot(List.of(sentence), chars)).toArray();
                char next = chars.get(sample(preds, diversities[d], rng.uniform()));
                out.append(next);
                sentence = sentence.substring(1) + next;
            }
            StringBuilder want = new StringBuilder();
            for (float k : generated.slice(d, d + 1).toArray()) want.append(chars.get((int) k));
            assertEquals(want.toString(), out.toString(), "generated at diversity " + diversities[d]);
        }
    }
}
