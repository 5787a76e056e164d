package dev.jrnn.data;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TextVectorization against Keras 3: its docstring examples (TextVectorization's and StringLookup's, the same
 * lookup) as golden values, vocabularies counted by hand with ties, Keras' ASCII-only standardization, the vocabulary
 * file, and a text classifier that learns.
 */
class TextVectorizationTest {
    private static void assertRows(float[][] expected, Tensor t) {
        assertArrayEquals(new int[] {expected.length, expected[0].length}, t.shape());
        for (int r = 0; r < expected.length; r++) {
            float[] row = new float[expected[0].length];
            System.arraycopy(t.data(), r * row.length, row, 0, row.length);
            assertArrayEquals(expected[r], row, 1e-6f, "row " + r);
        }
    }

    /** TextVectorization's first docstring example (and Keras' test_adapt_flow). */
    @Test
    void docstringAdaptExample() {
        TextVectorization v = new TextVectorization().maxTokens(5000).outputMode("int").outputSequenceLength(4);
        v.adapt(List.of("foo bar", "bar baz", "baz bada boom"));
        assertRows(new float[][] {{4, 1, 3, 0}, {1, 2, 0, 0}}, v.call(List.of("foo qux bar", "qux baz")));
        // bar and baz twice (baz first: ties in reverse order), then foo, boom, bada once
        assertEquals(List.of("", "[UNK]", "baz", "bar", "foo", "boom", "bada"), v.vocabulary());
        assertEquals(List.of("baz", "bar", "foo", "boom", "bada"), v.vocabulary(false));
        assertEquals(7, v.vocabularySize());
    }

    /** TextVectorization's second docstring example, and Keras' test_fixed_vocabulary / test_set_vocabulary. */
    @Test
    void docstringVocabularyExample() {
        TextVectorization v = new TextVectorization().maxTokens(5000).outputSequenceLength(4)
                .vocabulary(List.of("earth", "wind", "and", "fire"));
        assertEquals(List.of("", "[UNK]", "earth", "wind", "and", "fire"), v.vocabulary());
        TextVectorization fixed = new TextVectorization().maxTokens(5000).outputSequenceLength(4).vocabulary(List.of("baz", "bar", "foo"));
        assertRows(new float[][] {{4, 1, 3, 0}, {1, 2, 0, 0}}, fixed.call(List.of("foo qux bar", "qux baz")));
        // the special tokens given at the start are recognised, not counted twice
        TextVectorization withSpecial = new TextVectorization().vocabulary(List.of("", "[UNK]", "baz", "bar", "foo"));
        assertEquals(fixed.vocabulary(), withSpecial.vocabulary());
    }

    /** StringLookup's docstring: adapt(["a c d", "d z b"]) gives ['[UNK]', 'd', 'z', 'c', 'b', 'a'] (no mask outside "int"). */
    @Test
    void stringLookupAdaptExample() {
        TextVectorization v = new TextVectorization().outputMode("multi_hot");
        v.adapt(List.of("a c d", "d z b"));
        assertEquals(List.of("[UNK]", "d", "z", "c", "b", "a"), v.vocabulary());
        TextVectorization ints = new TextVectorization();
        ints.adapt(List.of("a c d", "d z b"));
        assertRows(new float[][] {{6, 4, 2}, {2, 3, 5}}, ints.call(List.of("a c d", "d z b")));   // Keras' [[5,3,1],[1,2,4]] + the mask
    }

    /** StringLookup's multi_hot, count and tf_idf docstring examples through whitespace splitting. */
    @Test
    void stringLookupEncodingExamples() {
        List<String> vocab = List.of("a", "b", "c", "d"), data = List.of("a c d d", "d z b z");
        assertRows(new float[][] {{0, 1, 0, 1, 1}, {1, 0, 1, 0, 1}},
                new TextVectorization().outputMode("multi_hot").vocabulary(vocab).call(data));
        assertRows(new float[][] {{0, 1, 0, 1, 2}, {2, 0, 1, 0, 1}},
                new TextVectorization().outputMode("count").vocabulary(vocab).call(data));
        assertRows(new float[][] {{0, 0.25f, 0, 0.6f, 0.8f}, {1.0f, 0, 0.75f, 0, 0.4f}},
                new TextVectorization().outputMode("tf_idf").vocabulary(vocab, new float[] {0.25f, 0.75f, 0.6f, 0.4f}).call(data));
        assertRows(new float[][] {{0, 0.25f, 0, 0.6f, 0.8f}, {1.8f, 0, 0.75f, 0, 0.4f}},
                new TextVectorization().outputMode("tf_idf").vocabulary(List.of("[UNK]", "a", "b", "c", "d"),
                        new float[] {0.9f, 0.25f, 0.75f, 0.6f, 0.4f}).call(data));
        // Keras' old names
        assertEquals("multi_hot", new TextVectorization().outputMode("binary").outputMode());
        assertEquals("tf_idf", new TextVectorization().outputMode("tf-idf").outputMode());
    }

    /** tf_idf's adapt: idf = log(1 + docs / (1 + df)), the OOV slot their mean, counted by hand. */
    @Test
    void tfIdfAdapt() {
        TextVectorization v = new TextVectorization().outputMode("tf_idf");
        v.adapt(List.of("a a b", "a c", "b"));   // counts a 3, b 2, c 1; documents a 2, b 2, c 1
        assertEquals(List.of("[UNK]", "a", "b", "c"), v.vocabulary());
        double a = Math.log(1 + 3.0 / 3), b = a, c = Math.log(1 + 3.0 / 2);
        float[] idf = v.idfWeights();
        assertArrayEquals(new float[] {(float) ((a + b + c) / 3), (float) a, (float) b, (float) c}, idf, 1e-6f);
        assertRows(new float[][] {{idf[0], 2 * idf[1], 0, idf[3]}}, v.call(List.of("a A c zz")));
        // padToMaxTokens: zero weights past the vocabulary
        TextVectorization padded = new TextVectorization().outputMode("tf_idf").maxTokens(6).padToMaxTokens(true);
        padded.adapt(List.of("a a b", "a c", "b"));
        assertArrayEquals(new float[] {idf[0], idf[1], idf[2], idf[3], 0, 0}, padded.idfWeights(), 1e-6f);
        assertArrayEquals(new int[] {1, 6}, padded.call(List.of("a")).shape());
    }

    /**
     * A padded "tf_idf" layer copied through vocabulary(tv.vocabulary(), tv.idfWeights()): idfWeights() has maxTokens
     * entries, which the setter refused ("6, got 8"). Keras 3.15.1 (TF 2.21) on the same texts:
     * <pre>
     * tv = keras.layers.TextVectorization(max_tokens=8, output_mode="tf_idf", pad_to_max_tokens=True)
     * tv.adapt(["a b c", "a b", "a d e"])
     * tv.get_vocabulary()                  # ['[UNK]', 'a', 'b', 'e', 'd', 'c']
     * tv._lookup_layer.idf_weights         # [0.8003271, 0.5596158, 0.6931472, 0.9162908, 0.9162908, 0.9162908, 0, 0]
     * tv(["a b z"])                        # [[0.8003271, 0.5596158, 0.6931472, 0, 0, 0, 0, 0]]
     * </pre>
     * Keras' set_vocabulary refuses those 8 weights (and so does its own reload of the saved layer); jrnn takes them.
     */
    @Test
    void aPaddedTfIdfLayerCopiesThroughItsVocabularyAndIdfWeights() {
        TextVectorization tv = new TextVectorization().maxTokens(8).outputMode("tf_idf").padToMaxTokens(true);
        tv.adapt(List.of("a b c", "a b", "a d e"));
        float[] kerasIdf = {0.8003271222114563f, 0.5596157908439636f, 0.6931471824645996f, 0.9162907600402832f, 0.9162907600402832f,
                0.9162907600402832f, 0, 0};
        assertEquals(List.of("[UNK]", "a", "b", "e", "d", "c"), tv.vocabulary());
        assertArrayEquals(kerasIdf, tv.idfWeights(), 1e-6f);
        TextVectorization copy = TextVectorization.fromConfig(tv.config()).vocabulary(tv.vocabulary(), tv.idfWeights());
        assertEquals(tv.vocabulary(), copy.vocabulary());
        assertArrayEquals(kerasIdf, copy.idfWeights(), 1e-6f);
        assertArrayEquals(new float[] {0.8003271222114563f, 0.5596157908439636f, 0.6931471824645996f, 0, 0, 0, 0, 0},
                copy.call(List.of("a b z")).toArray(), 1e-6f);
    }

    /** Ties by reverse code point order (Keras' lexsort on UTF-8 bytes), maxTokens counting the special tokens. */
    @Test
    void tiesAndMaxTokensCountedByHand() {
        // counts: the 3; cat, dog, ant 2; zebra, apple, Émile (lowercase keeps É), 𝔘 (U+1D518), ｆ (U+FF46) 1
        List<String> texts = List.of("the cat the dog", "The ant cat", "dog ant zebra", "apple Émile 𝔘 ｆ");
        TextVectorization v = new TextVectorization();
        v.adapt(texts);
        // the ones by code point, descending: U+1D518, U+FF46, 'É' (U+00C9), 'z', 'a' (UTF-16 order would put U+FF46 first)
        assertEquals(List.of("", "[UNK]", "the", "dog", "cat", "ant", "𝔘", "ｆ", "Émile", "zebra", "apple"), v.vocabulary());
        TextVectorization capped = new TextVectorization().maxTokens(5);
        capped.adapt(texts);
        assertEquals(List.of("", "[UNK]", "the", "dog", "cat"), capped.vocabulary());
        assertRows(new float[][] {{2, 4, 1, 1}}, capped.call(List.of("the cat ant zebra")));
        TextVectorization counted = new TextVectorization().outputMode("count").maxTokens(3);
        counted.adapt(texts);
        assertEquals(List.of("[UNK]", "the", "dog"), counted.vocabulary());   // one special token outside "int"
        assertRows(new float[][] {{2, 1, 1}}, counted.call(List.of("The cat dog ant")));
        // maxTokens 2 in "int" mode: no room for a learned token
        TextVectorization none = new TextVectorization().maxTokens(2);
        none.adapt(texts);
        assertEquals(List.of("", "[UNK]"), none.vocabulary());
        // the reserved tokens in the data are not learned
        TextVectorization reserved = new TextVectorization().standardize(null).split(null);
        reserved.adapt(List.of("[UNK]", "[UNK]", "", "x"));
        assertEquals(List.of("", "[UNK]", "x"), reserved.vocabulary());
        assertRows(new float[][] {{1}, {0}, {2}}, reserved.call(List.of("[UNK]", "", "x")));
    }

    /** Keras' standardize and split, ASCII only as tf.strings.lower without an encoding and Keras' punctuation regex. */
    @Test
    void standardizeAndSplit() {
        String text = " Hello,\tWORLD!! Ça\u00A0va? «Oui» (it's) a-b_c ";
        assertEquals(List.of("hello", "world", "Ça\u00A0va", "«oui»", "its", "abc"),
                TextTokens.tokens(text, "lower_and_strip_punctuation", "whitespace"));
        assertEquals(List.of("hello,", "world!!", "Ça\u00A0va?", "«oui»", "(it's)", "a-b_c"), TextTokens.tokens(text, "lower", "whitespace"));
        assertEquals(List.of("Hello", "WORLD", "Ça\u00A0va", "«Oui»", "its", "abc"), TextTokens.tokens(text, "strip_punctuation", "whitespace"));
        assertEquals(List.of(text), TextTokens.tokens(text, null, null));
        // every character of string.punctuation goes, nothing else of ASCII
        StringBuilder ascii = new StringBuilder();
        for (char c = 33; c < 127; c++) ascii.append(c);
        assertEquals("0123456789abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
                TextTokens.standardize(ascii.toString(), "lower_and_strip_punctuation"));
        // "character": one token per code point, whitespace included
        assertEquals(List.of("a", " ", "𝔘", "é"), TextTokens.tokens("A 𝔘é", "lower", "character"));
        // whitespace: \v and \f separate, U+00A0 and U+2003 do not
        assertEquals(List.of("a", "b", "c\u2003d"), TextTokens.tokens("a\u000Bb\fc\u2003d", null, "whitespace"));
        TextVectorization chars = new TextVectorization().split("character");
        chars.adapt(List.of("abba"));
        assertEquals(List.of("", "[UNK]", "b", "a"), chars.vocabulary());
        assertRows(new float[][] {{3, 2, 1}, {2, 0, 0}}, chars.call(List.of("AB.c", "b")));
    }

    /** "int" rows: padded to the longest text of the call, or to / cut at outputSequenceLength, at the end. */
    @Test
    void intRowsPadAndCut() {
        TextVectorization v = new TextVectorization().vocabulary(List.of("a", "b", "c"));
        assertRows(new float[][] {{2, 3, 4, 2}, {4, 0, 0, 0}, {0, 0, 0, 0}}, v.call(List.of("a b c a", "c", "...")));
        TextVectorization cut = new TextVectorization().outputSequenceLength(2).vocabulary(List.of("a", "b", "c"));
        assertRows(new float[][] {{2, 3}, {4, 0}}, cut.call(List.of("a b c a", "c")));
        // split null: each text is one token, at the row's start (Keras' (n, 1) string input)
        TextVectorization whole = new TextVectorization().split(null).outputSequenceLength(3).vocabulary(List.of("red car", "blue"));
        assertRows(new float[][] {{2, 0, 0}, {3, 0, 0}, {1, 0, 0}, {0, 0, 0}}, whole.call(List.of("Red car!", "BLUE", "blue car", "?")));
        // before any vocabulary a call is refused, as Keras' uninitialized lookup table (TfDataGoldensTest's text_unadapted.json)
        assertThrows(IllegalStateException.class, () -> new TextVectorization().call(List.of("x y")));
        assertEquals(List.of("", "[UNK]"), new TextVectorization().vocabulary());
    }

    /** A set vocabulary keeps "[UNK]" elsewhere as an ordinary token (Keras refuses it only for invert=True). */
    @Test
    void oovTokenElsewhereIsAToken() {
        TextVectorization v = new TextVectorization().standardize(null).vocabulary(List.of("a", "[UNK]"));
        assertEquals(List.of("", "[UNK]", "a", "[UNK]"), v.vocabulary());
        assertRows(new float[][] {{2, 3, 1}}, v.call(List.of("a [UNK] b")));
    }

    /** The vocabulary file reads back as Keras reads its vocabulary.txt; a bad file or token changes nothing. */
    @Test
    void vocabularyFile(@TempDir Path dir) throws Exception {
        TextVectorization v = new TextVectorization();
        v.adapt(List.of("foo bar", "bar baz", "baz bada boom", "ünï"));
        Path f = dir.resolve("vocabulary.txt");
        v.saveVocabulary(f);
        assertEquals("\n[UNK]\nbaz\nbar\nünï\nfoo\nboom\nbada", Files.readString(f, StandardCharsets.UTF_8));
        TextVectorization back = new TextVectorization().loadVocabulary(f);
        assertEquals(v.vocabulary(), back.vocabulary());
        // Keras' splitlines: \r\n lines and trailing empty lines are fine
        Files.writeString(f, "a\r\nb\u2028c\n\n\n", StandardCharsets.UTF_8);
        assertEquals(List.of("", "[UNK]", "a", "b", "c"), new TextVectorization().loadVocabulary(f).vocabulary());
        // a token holding a line break is refused and the file stays as it was
        TextVectorization odd = new TextVectorization().split(null).standardize(null).vocabulary(List.of("x\u0085y"));
        assertThrows(IllegalArgumentException.class, () -> odd.saveVocabulary(f));
        assertEquals("a\r\nb\u2028c\n\n\n", Files.readString(f, StandardCharsets.UTF_8));
        // a multi_hot layer saves without the mask token and reads it back
        TextVectorization multi = new TextVectorization().outputMode("multi_hot").vocabulary(List.of("p", "q"));
        multi.saveVocabulary(f);
        assertEquals("[UNK]\np\nq", Files.readString(f, StandardCharsets.UTF_8));
        assertEquals(multi.vocabulary(), new TextVectorization().outputMode("multi_hot").loadVocabulary(f).vocabulary());
    }

    /** Keras keeps a multi-hot layer's width once set; texts without a token leave the vocabulary as it was. */
    @Test
    void widthIsFrozenOutsideInt() {
        TextVectorization v = new TextVectorization().outputMode("multi_hot");
        v.adapt(List.of("a b"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.adapt(List.of("a b c")));
        assertTrue(e.getMessage().contains("cannot change once set"), e.getMessage());
        assertEquals(List.of("[UNK]", "b", "a"), v.vocabulary());
        v.adapt(List.of("c d"));   // the same size is fine
        assertEquals(List.of("[UNK]", "d", "c"), v.vocabulary());
        v.adapt(List.of("!!", " "));
        assertEquals(List.of("[UNK]", "d", "c"), v.vocabulary());
        TextVectorization ints = new TextVectorization();
        ints.adapt(List.of("a"));
        ints.adapt(List.of("a b"));   // "int" rows have no fixed width
        assertEquals(4, ints.vocabularySize());
    }

    /** The IMDB-style path: texts -> TextVectorization -> Embedding(maskZero) -> LSTM -> Dense; the loss falls. */
    @Test
    void sentimentClassifierLearns() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        List<String> good = List.of("a great movie!", "I loved it.", "Wonderful acting, great story", "loved the music",
                "what a wonderful film", "great fun", "the story was great", "I loved every minute");
        List<String> bad = List.of("a terrible movie!", "I hated it.", "Awful acting, boring story", "hated the music",
                "what an awful film", "boring mess", "the story was terrible", "I hated every minute");
        List<String> texts = new ArrayList<>();
        float[] y = new float[good.size() + bad.size()];
        for (int i = 0; i < good.size(); i++) {
            texts.add(good.get(i));
            y[2 * i] = 1;
            texts.add(bad.get(i));
        }
        TextVectorization vectorize = new TextVectorization().maxTokens(40).outputSequenceLength(6);
        vectorize.adapt(texts);
        Tensor x = vectorize.call(texts);
        Sequential model = new Sequential();
        model.add(new Embedding(vectorize.vocabularySize(), 8).maskZero(true).inputShape(6));
        model.add(new LSTM(8));
        model.add(new Dense(1).activation("sigmoid"));
        model.compile(new dev.jrnn.optim.Adam(0.02), "binary_crossentropy");
        History h = model.fit(x, Tensor.of(y, y.length, 1), new FitOptions().epochs(40).batchSize(8).verbose(0).seed(5));
        List<Double> loss = h.get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.5 * loss.get(0), "loss " + loss.get(0) + " -> " + loss.get(loss.size() - 1));
        Tensor p = model.predict(vectorize.call(List.of("a great story", "an awful story")));
        assertTrue(p.data()[0] > p.data()[1], "positive above negative: " + java.util.Arrays.toString(p.data()));
    }

    /**
     * Keras' test_ngrams_integer / test_ngrams_tuple, and the vocabulary and rows by hand (numpy's lexsort over the
     * n-grams gives the same order): tokens first, then each size's n-grams in text order, as tf.strings.ngrams.
     */
    @Test
    void ngramsAsKeras() {
        TextVectorization v = new TextVectorization().ngrams(2);
        v.adapt(List.of("foo bar baz"));
        assertEquals(List.of(1, 2), v.ngrams());
        assertEquals(List.of("", "[UNK]", "foo bar", "foo", "baz", "bar baz", "bar"), v.vocabulary());
        // foo bar baz | foo bar, bar baz;  bar qux | bar qux (unknown)
        assertRows(new float[][] {{3, 6, 4, 2, 5}, {6, 1, 1, 0, 0}}, v.call(List.of("foo bar baz", "bar qux")));
        TextVectorization t = new TextVectorization().ngrams(List.of(1, 3));
        t.adapt(List.of("foo bar baz"));
        assertTrue(t.vocabulary().contains("foo") && t.vocabulary().contains("foo bar baz") && !t.vocabulary().contains("foo bar"),
                t.vocabulary().toString());
        TextVectorization only = new TextVectorization().ngrams(List.of(2)).vocabulary(List.of("a b", "b c"));
        assertRows(new float[][] {{2, 3}, {1, 0}}, only.call(List.of("a b c", "c d")));   // bigrams only: "c d" unknown
    }

    /** "count" and "tf_idf" over the n-grams, by hand: idf = log(1 + docs / (1 + df)), "[UNK]" the mean of the others. */
    @Test
    void ngramsCountAndTfIdf() {
        List<String> texts = List.of("a b a b", "b c");
        TextVectorization c = new TextVectorization().ngrams(2).outputMode("count");
        c.adapt(texts);
        assertEquals(List.of("[UNK]", "b", "a b", "a", "c", "b c", "b a"), c.vocabulary());
        float[][] counts = {{0, 2, 2, 2, 0, 0, 1}, {0, 1, 0, 0, 1, 1, 0}};
        assertRows(counts, c.call(texts));
        TextVectorization t = new TextVectorization().ngrams(2).outputMode("tf_idf");
        t.adapt(texts);
        double b = Math.log(1 + 2.0 / 3), one = Math.log(2);   // "b" in both texts, every other n-gram in one
        float[] idf = {(float) ((b + 5 * one) / 6), (float) b, (float) one, (float) one, (float) one, (float) one, (float) one};
        assertArrayEquals(idf, t.idfWeights(), 1e-6f);
        float[][] want = new float[2][7];
        for (int r = 0; r < 2; r++) for (int j = 0; j < 7; j++) want[r][j] = counts[r][j] * idf[j];
        assertRows(want, t.call(texts));
        TextVectorization m = new TextVectorization().ngrams(2).outputMode("multi_hot");
        m.adapt(texts);
        assertRows(new float[][] {{0, 1, 1, 1, 0, 0, 1}, {0, 1, 0, 0, 1, 1, 0}}, m.call(texts));
    }

    /** StringLookup's one-hot docstring example (each text one token: split null), the OOV column first. */
    @Test
    void oneHotDocstringExample() {
        TextVectorization v = new TextVectorization().split(null).outputMode("one_hot").vocabulary(List.of("a", "b", "c", "d"));
        assertRows(new float[][] {{0, 1, 0, 0, 0}, {0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}, {0, 0, 0, 0, 1}, {1, 0, 0, 0, 0}},
                v.call(List.of("a", "b", "c", "d", "z")));
        // "" is the mask token: an all-zero row, as Keras maps it past the depth
        assertRows(new float[][] {{0, 0, 0, 0, 0}}, v.call(List.of("?!")));
    }

    /**
     * Keras' test_one_hot_output: a split sentence gives (1, tokens, vocabulary size); texts of other lengths are padded
     * at the end with all-zero rows; padToMaxTokens widens each row to maxTokens; adapt learns as for "multi_hot".
     */
    @Test
    void oneHotOfSplitTexts() {
        TextVectorization v = new TextVectorization().outputMode("one_hot").vocabulary(List.of("foo", "bar", "baz"));
        Tensor one = v.call(List.of("foo bar"));
        assertArrayEquals(new int[] {1, 2, 4}, one.shape());
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 1, 0}, one.data());
        Tensor two = v.call(List.of("foo", "bar baz qux"));
        assertArrayEquals(new int[] {2, 3, 4}, two.shape());
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0}, two.data());
        TextVectorization p = new TextVectorization().maxTokens(6).padToMaxTokens(true).outputMode("one_hot");
        p.adapt(List.of("x y y"));
        assertEquals(List.of("[UNK]", "y", "x"), p.vocabulary());
        Tensor padded = p.call(List.of("y x"));
        assertArrayEquals(new int[] {1, 2, 6}, padded.shape());
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, padded.data());
        TextVectorization g = new TextVectorization().ngrams(2).outputMode("one_hot").vocabulary(List.of("a b", "a"));
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, g.call(List.of("a b")).data());   // a, b ([UNK]), "a b"
    }

    /** A vocabulary of n-grams (tokens holding a space) goes through the vocabulary file and reads back the same rows. */
    @Test
    void ngramVocabularyFile(@TempDir Path dir) throws Exception {
        TextVectorization v = new TextVectorization().ngrams(List.of(1, 2)).outputMode("count");
        v.adapt(List.of("the cat sat", "the cat ran"));
        Path f = dir.resolve("vocabulary.txt");
        v.saveVocabulary(f);
        assertTrue(Files.readString(f, StandardCharsets.UTF_8).contains("\nthe cat\n"));
        TextVectorization back = new TextVectorization().ngrams(2).outputMode("count").loadVocabulary(f);
        assertEquals(v.vocabulary(), back.vocabulary());
        List<String> texts = List.of("the cat sat on the mat", "ran");
        assertEquals(v.call(texts), back.call(texts));
    }

    /**
     * config() as Keras 3's get_config writes it (its keys in its order; ngrams the int or the list it was given;
     * vocabulary null, the vocabulary in the file), and fromConfig with the vocabulary file gives the same layer back.
     */
    @Test
    void configCarriesNgramsAndOneHot(@TempDir Path dir) throws Exception {
        TextVectorization v = new TextVectorization().maxTokens(100).ngrams(2).outputMode("count");
        v.adapt(List.of("foo bar", "bar baz"));
        java.util.Map<String, Object> want = new java.util.LinkedHashMap<>();
        want.put("name", "text_vectorization");
        want.put("trainable", true);
        java.util.Map<String, Object> policy = new java.util.LinkedHashMap<>();
        policy.put("module", "keras");
        policy.put("class_name", "DTypePolicy");
        policy.put("config", java.util.Map.of("name", "float32"));
        policy.put("registered_name", null);
        want.put("dtype", policy);
        want.put("max_tokens", 100);
        want.put("standardize", "lower_and_strip_punctuation");
        want.put("split", "whitespace");
        want.put("ngrams", 2);
        want.put("output_mode", "count");
        want.put("output_sequence_length", null);
        want.put("pad_to_max_tokens", false);
        want.put("sparse", false);
        want.put("ragged", false);
        want.put("vocabulary", null);
        want.put("idf_weights", null);
        want.put("encoding", "utf-8");
        want.put("vocabulary_size", 6);
        assertEquals(want, v.config());
        assertEquals(List.copyOf(want.keySet()), List.copyOf(v.config().keySet()));
        Path f = dir.resolve("vocabulary.txt");
        v.saveVocabulary(f);
        TextVectorization back = TextVectorization.fromConfig(v.config()).loadVocabulary(f);
        List<String> texts = List.of("foo bar baz", "baz foo");
        assertEquals(v.call(texts), back.call(texts));
        assertEquals(List.of(1, 2), back.ngrams());

        TextVectorization oneHot = new TextVectorization().ngrams(List.of(1, 3)).outputMode("one_hot").split("character").standardize(null);
        oneHot.adapt(List.of("abc", "abd"));
        assertEquals(List.of(1, 3), oneHot.config().get("ngrams"));
        assertEquals("one_hot", oneHot.config().get("output_mode"));
        Path g = dir.resolve("chars.txt");
        oneHot.saveVocabulary(g);
        TextVectorization back2 = TextVectorization.fromConfig(oneHot.config()).loadVocabulary(g);
        assertEquals(oneHot.call(List.of("abcd")), back2.call(List.of("abcd")));
    }

    /** A Keras config that carries its vocabulary and idf weights (a layer made with vocabulary= and idf_weights=). */
    @Test
    void kerasConfigWithAVocabulary() {
        java.util.Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("name", "text_vectorization");
        c.put("max_tokens", null);
        c.put("ngrams", List.of(2));
        c.put("output_mode", "tf_idf");
        c.put("vocabulary", List.of("a b", "b c"));
        c.put("idf_weights", List.of(0.5, 2.0));
        c.put("vocabulary_size", 3);
        TextVectorization v = TextVectorization.fromConfig(c);
        assertEquals(List.of("[UNK]", "a b", "b c"), v.vocabulary());
        // "[UNK]" weighs the mean 1.25: "a b c d" has a b, b c, c d (unknown)
        assertRows(new float[][] {{1.25f, 0.5f, 2f}}, v.call(List.of("a b c d")));
    }

    /**
     * Keras 3.15.1's own get_config (make_tv_configs.py: the default layer, and one with dtype="int32", name="tv",
     * trainable=False) through fromConfig and config() comes back as Keras wrote it: name, trainable and the dtype policy
     * object included (config() had none of the three, and fromConfig dropped them: the tester's D6).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"tv_config_default.json", "tv_config_int32.json"})
    void kerasGetConfigRoundTrips(String file) throws Exception {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> keras = (java.util.Map<String, Object>) dev.jrnn.io.Json.parse(
                java.nio.file.Files.readString(Path.of(getClass().getResource(file).toURI())));
        java.util.Map<String, Object> back = TextVectorization.fromConfig(keras).config();
        assertEquals(keras.toString(), back.toString(), file);
        assertEquals(List.copyOf(keras.keySet()), List.copyOf(back.keySet()), file);
    }
    /**
     * The dtype names Keras 3.15.1's from_config takes, as a string and as a DTypePolicy object (tv_dtypes.json, from
     * make_tv_configs.py), load; the others are refused naming 'dtype' and the value. Any name loaded before.
     */
    @Test
    void fromConfigReadsKerasQuantizedPolicyObject() {
        // Keras 3.15.1's get_config of TextVectorization(dtype="int8_from_float32"), which its from_config loads
        Map<String, Object> policy = new java.util.LinkedHashMap<>(Map.of("module", "keras.dtype_policies", "class_name", "QuantizedDTypePolicy",
                "config", Map.of("mode", "int8", "source_name", "float32")));
        policy.put("registered_name", null);
        Map<String, Object> config = new java.util.LinkedHashMap<>(Map.of("max_tokens", 10));
        config.put("dtype", policy);
        assertEquals(policy, TextVectorization.fromConfig(config).config().get("dtype"));
        config.put("dtype", Map.of("class_name", "QuantizedDTypePolicy", "config", Map.of("mode", "int8")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextVectorization.fromConfig(config));
        assertTrue(e.getMessage().contains("'dtype'") && e.getMessage().contains("source_name"), e.getMessage());
    }

    @Test
    void fromConfigTakesTheDtypesKerasTakes() throws Exception {
        Map<?, ?> all = (Map<?, ?>) dev.jrnn.io.Json.parse(java.nio.file.Files.readString(Path.of(getClass().getResource("tv_dtypes.json").toURI())));
        assertEquals("3.15.1", all.get("keras_version"));
        int refused = 0;
        for (Object o : (List<?>) all.get("cases")) {
            Map<?, ?> c = (Map<?, ?>) o;
            String name = (String) c.get("name");
            Object dtype = "string".equals(c.get("form")) ? name
                    : Map.of("module", "keras", "class_name", "DTypePolicy", "config", Map.of("name", name));
            Map<String, Object> config = new java.util.LinkedHashMap<>(Map.of("max_tokens", 10));
            config.put("dtype", dtype);
            String what = name + " (" + c.get("form") + ")";
            if ("loads".equals(c.get("keras"))) {
                Map<String, Object> written = TextVectorization.fromConfig(config).config();
                Map<?, ?> p = (Map<?, ?>) written.get("dtype");
                int from = name.indexOf("_from_");
                if (from > 0) {   // as Keras 3.15.1's get_config writes a quantized policy (QuantizedFloat8DTypePolicy for float8)
                    String mode = name.substring(0, from);
                    assertEquals(mode.equals("float8") ? "QuantizedFloat8DTypePolicy" : "QuantizedDTypePolicy", p.get("class_name"), what);
                    assertEquals("keras.dtype_policies", p.get("module"), what);
                    assertEquals(mode, ((Map<?, ?>) p.get("config")).get("mode"), what);
                    assertEquals(name.substring(from + "_from_".length()), ((Map<?, ?>) p.get("config")).get("source_name"), what);
                } else {
                    assertEquals("DTypePolicy", p.get("class_name"), what);
                    assertEquals(name, ((Map<?, ?>) p.get("config")).get("name"), what);
                }
                assertEquals(written, TextVectorization.fromConfig(written).config(), what + ": its own config read back");
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextVectorization.fromConfig(config), what);
                assertTrue(e.getMessage().contains("'dtype'") && e.getMessage().contains("\"" + name + "\""), e.getMessage());
                refused++;
            }
        }
        assertTrue(refused >= 20, "the cases Keras refuses: " + refused);
    }

    /**
     * Keras 3.15.1's dtype_policies.get on each quantized and plain name (io/dtype_policy_names.json, from
     * io/make_dtype_policy_names.py), as TextVectorization's dtype string: taken where Keras takes it and written back as
     * the policy class Keras' get_config names (Int4DTypePolicy, GPTQDTypePolicy, AWQDTypePolicy too), refused naming
     * 'dtype' where Keras refuses it. Before, "int8_from_mixed_float16" and "gptq/5/128_from_float32" were taken and
     * "gptq/4/128_from_float32" written as a QuantizedDTypePolicy, which Keras refuses.
     */
    @Test
    void fromConfigFollowsKerasQuantizedNameRules() throws Exception {
        List<?> rows = (List<?>) dev.jrnn.io.Json.parse(java.nio.file.Files.readString(
                Path.of(dev.jrnn.io.Json.class.getResource("dtype_policy_names.json").toURI())));
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            String name = (String) row.get("name");
            Map<String, Object> config = new java.util.LinkedHashMap<>(Map.of("max_tokens", 10));
            config.put("dtype", name);
            if (Boolean.TRUE.equals(row.get("accepted"))) {
                Map<String, Object> written = TextVectorization.fromConfig(config).config();
                assertEquals(row.get("class_name"), ((Map<?, ?>) written.get("dtype")).get("class_name"), name);
                assertEquals(written, TextVectorization.fromConfig(written).config(), name + ": its own config read back");
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextVectorization.fromConfig(config), name);
                assertTrue(e.getMessage().contains("'dtype'") && e.getMessage().contains("\"" + name + "\""), e.getMessage());
            }
        }
    }

    /**
     * Each quantized policy object of io/dtype_policy_objects.json as TextVectorization's dtype: taken where Keras 3.15.1's
     * constructor of its class takes it, its mode written back as Keras' get_config writes it (numbers parsed:
     * "gptq/4/128" of "gptq/04/128"); refused naming 'dtype' where Keras refuses it. Before, QuantizedDTypePolicy "gptq"
     * was refused, QuantizedDTypePolicy "int4/128" taken (and written as an Int4DTypePolicy), "gptq/04/128" written as given.
     * The whole object is written back as Keras' get_config writes it ("written_policy"): the object's own class, so a
     * QuantizedDTypePolicy of mode float8 stays one (no amax_history_length) and a QuantizedFloat8DTypePolicy of mode int8
     * stays one with its amax_history_length (1024 unless given); before, the class followed the name (float8:
     * QuantizedFloat8DTypePolicy with 1024, int8: QuantizedDTypePolicy) and a given amax_history_length was lost.
     */
    @Test
    void fromConfigChecksAQuantizedPolicyObjectByItsClass() throws Exception {
        List<?> rows = (List<?>) dev.jrnn.io.Json.parse(java.nio.file.Files.readString(
                Path.of(dev.jrnn.io.Json.class.getResource("dtype_policy_objects.json").toURI())));
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            Map<String, Object> dtype = new java.util.LinkedHashMap<>();
            dtype.put("module", "keras.dtype_policies");
            dtype.put("class_name", row.get("class_name"));
            Map<String, Object> policyConfig = new java.util.LinkedHashMap<>(Map.of("mode", row.get("mode"), "source_name", row.get("source_name")));
            if (row.get("amax_history_length") != null) policyConfig.put("amax_history_length", row.get("amax_history_length"));
            dtype.put("config", policyConfig);
            Map<String, Object> config = new java.util.LinkedHashMap<>(Map.of("max_tokens", 10));
            config.put("dtype", dtype);
            String what = row.get("class_name") + " " + row.get("mode") + " " + row.get("source_name");
            if (Boolean.TRUE.equals(row.get("accepted"))) {
                Map<?, ?> written = (Map<?, ?>) TextVectorization.fromConfig(config).config().get("dtype");
                assertEquals(row.get("written"), ((Map<?, ?>) written.get("config")).get("mode"), what);
                assertEquals(row.get("written_policy"), dev.jrnn.io.Json.parse(dev.jrnn.io.Json.write(written)), what);
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextVectorization.fromConfig(config), what);
                assertTrue(e.getMessage().contains("'dtype'") && e.getMessage().contains(row.get("class_name") + " with mode"), e.getMessage());
            }
        }
    }
}
