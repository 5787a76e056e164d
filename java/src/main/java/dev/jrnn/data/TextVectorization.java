package dev.jrnn.data;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code keras.layers.TextVectorization} as a host-side utility: texts in, a float tensor of token indices (or
 * of multi-hot, count or TF-IDF vectors) out, ready for an {@code Embedding} or a {@code Dense} layer. jrnn's models
 * take float tensors, so this is not a graph layer: call it on the data before {@code fit}, as Keras recommends for
 * its preprocessing layers ("outside the model itself").
 *
 * <pre>{@code
 * TextVectorization vectorize = new TextVectorization().maxTokens(5000).outputSequenceLength(4);
 * vectorize.adapt(List.of("foo bar", "bar baz", "baz bada boom"));
 * Tensor x = vectorize.call(List.of("foo qux bar", "qux baz"));   // [[4, 1, 3, 0], [1, 2, 0, 0]]
 * vectorize.vocabulary();          // ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]
 * }</pre>
 *
 * <p>Each text is standardized ({@link #standardize(String)}), split into tokens ({@link #split(String)}) and each
 * token looked up in the vocabulary. In "int" mode index 0 is the padding (mask) token "" and 1 the out-of-vocabulary
 * token "[UNK]"; in the other modes there is no padding index and "[UNK]" is 0. As in Keras, only ASCII letters are
 * lowercased and only ASCII punctuation is stripped ({@code tf.strings.lower} without an encoding, and Keras' regex
 * over Python's {@code string.punctuation}): "École «Vite»!" becomes "École «vite»". With {@link #ngrams(int)} the
 * tokens are followed by their n-grams, and those are what the vocabulary holds:
 *
 * <pre>{@code
 * TextVectorization bigrams = new TextVectorization().ngrams(2).outputMode("count");
 * bigrams.adapt(List.of("foo bar", "bar baz"));   // ["[UNK]", "bar", "foo bar", "foo", "baz", "bar baz"]
 * TextVectorization labels = new TextVectorization().split(null).outputMode("one_hot");
 * labels.adapt(List.of("red", "green", "red"));
 * labels.call(List.of("green", "blue"));           // [[0, 0, 1], [1, 0, 0]]: "blue" is [UNK]
 * }</pre>
 *
 * Keras' callables for {@code standardize} / {@code split} and {@code ragged} and {@code sparse} outputs are not
 * supported.
 */
public final class TextVectorization {
    /** The padding (mask) token, index 0 in "int" mode. */
    public static final String MASK_TOKEN = "";
    /** The out-of-vocabulary token, index 1 in "int" mode and 0 in the others. */
    public static final String OOV_TOKEN = "[UNK]";

    private static final List<String> MODES = List.of("int", "one_hot", "multi_hot", "count", "tf_idf");

    private Integer maxTokens;
    private String standardize = TextTokens.LOWER_AND_STRIP_PUNCTUATION;
    private String split = TextTokens.WHITESPACE;
    private String outputMode = "int";
    private Integer outputSequenceLength;
    private boolean padToMaxTokens;
    /** Keras' {@code ngrams}: the n-gram sizes made from each text's tokens, in order; null for none. */
    private List<Integer> ngrams;
    /** Keras' {@code ngrams=n} when {@link #ngrams(int)} set it: get_config writes the int back. */
    private Integer ngramsUpTo;

    private List<String> tokens = List.of();
    private Map<String, Integer> index = Map.of();
    /** "tf_idf" only: one weight per output slot (the OOV slot's the mean, the slots past the vocabulary 0). */
    private float[] idfWeights;
    /** Keras' {@code _frozen_vocab_size}: set by the first vocabulary; "multi_hot"/"count"/"tf_idf" keep it. */
    private Integer frozenSize;
    private boolean vocabularySet;
    /** Keras' base layer keys as fromConfig read them, written back by config(): jrnn's ids are float32 whatever the dtype. */
    String kerasName = "text_vectorization", kerasDtype = "float32";
    /** A quantized policy object as fromConfig read it, written back as its own class (null: written from kerasDtype's name). */
    Map<String, Object> kerasDtypeObject;
    boolean kerasTrainable = true;

    /** A layer with Keras' defaults: no token limit, "lower_and_strip_punctuation", "whitespace", "int". */
    public TextVectorization() {}

    /**
     * Keras' {@code max_tokens}: the vocabulary's largest size, its special tokens counted ("" and "[UNK]" in "int"
     * mode, "[UNK]" in the others), so {@code adapt} keeps the {@code n - 2} (or {@code n - 1}) most frequent tokens.
     */
    public TextVectorization maxTokens(int n) {
        requireNoVocabulary("maxTokens");
        if (n <= 1) throw new IllegalArgumentException("TextVectorization: maxTokens must be greater than 1 (it counts the special tokens), got " + n);
        this.maxTokens = n;
        return this;
    }

    /** Keras' {@code max_tokens}, or null when the vocabulary has no limit. */
    public Integer maxTokens() { return maxTokens; }

    /** Keras' {@code standardize}: "lower_and_strip_punctuation" (the default), "lower", "strip_punctuation" or null (none). */
    public TextVectorization standardize(String mode) {
        if (mode != null && !List.of(TextTokens.LOWER_AND_STRIP_PUNCTUATION, TextTokens.LOWER, TextTokens.STRIP_PUNCTUATION).contains(mode)) {
            throw new IllegalArgumentException("TextVectorization: standardize must be \"lower_and_strip_punctuation\", \"lower\", "
                    + "\"strip_punctuation\" or null, got " + quoted(mode));
        }
        this.standardize = mode;
        return this;
    }

    /** Keras' {@code standardize}: the mode, or null for none. */
    public String standardize() { return standardize; }

    /** Keras' {@code split}: "whitespace" (the default), "character" (one token per code point) or null (each text one token). */
    public TextVectorization split(String mode) {
        if (mode != null && !List.of(TextTokens.WHITESPACE, TextTokens.CHARACTER).contains(mode)) {
            throw new IllegalArgumentException("TextVectorization: split must be \"whitespace\", \"character\" or null, got " + quoted(mode));
        }
        this.split = mode;
        return this;
    }

    /** Keras' {@code split}: the mode, or null for none. */
    public String split() { return split; }

    /**
     * Keras' {@code ngrams=n}: the tokens, then every run of 2, ..., {@code n} consecutive tokens joined by a space
     * ("foo bar baz" with 2: "foo", "bar", "baz", "foo bar", "bar baz"), as {@code tf.strings.ngrams}; {@code adapt}
     * learns its vocabulary over them. {@code ngrams(1)} is the tokens alone.
     */
    public TextVectorization ngrams(int n) {
        if (n < 1) throw new IllegalArgumentException("TextVectorization: ngrams must be >= 1 (the largest n-gram size), got " + n);
        List<Integer> sizes = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) sizes.add(i);
        ngrams(sizes);
        ngramsUpTo = n;
        return this;
    }

    /**
     * Keras' {@code ngrams=(a, b, ...)}: the n-grams of these sizes only, each size's in text order, the sizes in the
     * given order ({@code List.of(1, 3)}: the tokens and the trigrams, no bigrams); null for none (the tokens alone).
     */
    public TextVectorization ngrams(List<Integer> sizes) {
        requireNoVocabulary("ngrams");
        if (sizes != null) {
            if (sizes.isEmpty()) throw new IllegalArgumentException("TextVectorization: ngrams must hold at least one size, got []");
            for (Integer w : sizes) {
                if (w == null || w < 1) throw new IllegalArgumentException("TextVectorization: ngrams sizes must be >= 1, got " + sizes);
            }
        }
        this.ngrams = sizes == null ? null : List.copyOf(sizes);
        this.ngramsUpTo = null;
        return this;
    }

    /** Keras' {@code ngrams}: the n-gram sizes ({@code ngrams(3)} gives [1, 2, 3]), or null for none. */
    public List<Integer> ngrams() { return ngrams; }

    /**
     * Keras' {@code output_mode}: "int" (token indices, the default), "one_hot" (each token's one-hot row),
     * "multi_hot" (1 where a token occurs), "count" (how often it occurs) or "tf_idf" (the count times the token's
     * inverse document frequency); Keras' old names "binary" and "tf-idf" are taken too.
     */
    public TextVectorization outputMode(String mode) {
        requireNoVocabulary("outputMode");
        String m = "binary".equals(mode) ? "multi_hot" : "tf-idf".equals(mode) ? "tf_idf" : mode;
        if (m == null || !MODES.contains(m)) {
            throw new IllegalArgumentException("TextVectorization: outputMode must be \"int\", \"one_hot\", \"multi_hot\", \"count\" or "
                    + "\"tf_idf\", got "
                    + quoted(mode));
        }
        if (!"int".equals(m) && outputSequenceLength != null) {
            throw new IllegalArgumentException("TextVectorization: outputSequenceLength must not be set if outputMode is not \"int\", got "
                    + "outputMode \"" + m + "\" with outputSequenceLength " + outputSequenceLength);
        }
        this.outputMode = m;
        return this;
    }

    /** Keras' {@code output_mode}: "int", "one_hot", "multi_hot", "count" or "tf_idf". */
    public String outputMode() { return outputMode; }

    /** Keras' {@code output_sequence_length} ("int" mode only): every row padded with 0 or cut to {@code n} tokens. */
    public TextVectorization outputSequenceLength(int n) {
        if (!"int".equals(outputMode)) {
            throw new IllegalArgumentException("TextVectorization: outputSequenceLength must not be set if outputMode is not \"int\", got "
                    + "outputMode \"" + outputMode + "\"");
        }
        if (n < 1) throw new IllegalArgumentException("TextVectorization: outputSequenceLength must be >= 1, got " + n);
        this.outputSequenceLength = n;
        return this;
    }

    /** Keras' {@code output_sequence_length}, or null: rows padded to the longest text of each call. */
    public Integer outputSequenceLength() { return outputSequenceLength; }

    /** Keras' {@code pad_to_max_tokens} ("one_hot", "multi_hot", "count", "tf_idf"): rows of {@code maxTokens} values whatever the vocabulary's size. */
    public TextVectorization padToMaxTokens(boolean pad) {
        requireNoVocabulary("padToMaxTokens");
        this.padToMaxTokens = pad;
        return this;
    }

    /** Keras' {@code pad_to_max_tokens}. */
    public boolean padToMaxTokens() { return padToMaxTokens; }

    /**
     * Keras' {@code adapt}: the vocabulary of {@code texts}' tokens by descending count, ties in reverse code point
     * order as Keras' {@code np.lexsort(...)[::-1]}, the special tokens left out, cut to {@code maxTokens}. In
     * "tf_idf" mode it also learns each token's inverse document frequency {@code log(1 + n / (1 + df))}, each text a
     * document. With {@link #ngrams(int)} the n-grams are its tokens. As in Keras, texts that give no token at all
     * leave the vocabulary as it was.
     */
    public void adapt(List<String> texts) {
        checkTexts("adapt", texts);
        checkPadding();
        Map<String, long[]> counts = new LinkedHashMap<>();   // token -> {count, documents}
        for (int i = 0; i < texts.size(); i++) {
            List<String> toks = tokens(text("adapt", texts, i));   // each read once: a lazy list reads a file per get
            for (String tok : toks) counts.computeIfAbsent(tok, k -> new long[2])[0]++;
            for (String tok : new java.util.HashSet<>(toks)) counts.get(tok)[1]++;
        }
        if (counts.isEmpty()) {
            checkFrozenSize(vocabularySize());
            return;
        }
        counts.remove(MASK_TOKEN);
        counts.remove(OOV_TOKEN);
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Long.compare(b.getValue()[0], a.getValue()[0])
                : TextTokens.compareCodePoints(b.getKey(), a.getKey()));
        int start = tokenStart();
        if (maxTokens != null && sorted.size() > maxTokens - start) sorted = sorted.subList(0, maxTokens - start);
        List<String> learned = new ArrayList<>(sorted.size());
        for (Map.Entry<String, long[]> e : sorted) learned.add(e.getKey());
        float[] idf = null;
        if ("tf_idf".equals(outputMode)) {
            float[] w = new float[sorted.size()];
            double sum = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) Math.log(1 + (double) texts.size() / (1 + sorted.get(i).getValue()[1]));
                sum += w[i];
            }
            idf = padIdf(w, (float) (sum / w.length), start);
        }
        install(learned, idf);
    }

    /**
     * Keras' {@code call}: the texts as one tensor. "int": (n, {@code outputSequenceLength}) token indices, or
     * (n, longest) without it, zero-padded at the end and cut at the end; with {@code split} null each text is one
     * token. "multi_hot" / "count" / "tf_idf": (n, {@link #vocabularySize()}), or (n, {@code maxTokens}) with
     * {@link #padToMaxTokens(boolean)}. "one_hot": (n, longest, that width), each token's one-hot row, texts shorter
     * than the longest padded with all-zero rows (Keras gives a ragged (batch, None, depth)); with split null each text
     * is one token and the output (n, width), as Keras' on unsplit strings. Refused before a vocabulary (adapt of texts that
     * give tokens, vocabulary(list)), as Keras' uninitialized lookup table. Unknown tokens take the "[UNK]" index; ""
     * (a text with nothing left) is padding (a 0, or an all-zero row).
     */
    public Tensor call(List<String> texts) {
        checkTexts("call", texts);
        checkPadding();
        int n = texts.size();
        List<List<String>> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) rows.add(tokens(text("call", texts, i)));
        if (!vocabularySet) {   // Keras' lookup table is not initialized: it refuses rather than give every token [UNK]
            throw new IllegalStateException("TextVectorization.call: no vocabulary; set the vocabulary before calling: adapt(texts) "
                    + "(texts that give tokens), vocabulary(list) or loadVocabulary(path)");
        }
        if ("int".equals(outputMode)) return indices(rows);
        if ("tf_idf".equals(outputMode) && idfWeights == null) {
            throw new IllegalStateException("TextVectorization.call: outputMode \"tf_idf\" needs idf weights: adapt(texts) or "
                    + "vocabulary(list, idfWeights)");
        }
        int depth = padToMaxTokens ? maxTokens : frozenSize;
        if ("one_hot".equals(outputMode)) return oneHot(rows, depth);
        float[] out = new float[Math.multiplyExact(n, depth)];
        for (int r = 0; r < n; r++) {
            for (String tok : rows.get(r)) {
                if (tok.isEmpty()) continue;   // the mask token is dropped, as Keras' bincount drops its index
                int k = r * depth + index.getOrDefault(tok, 0);
                out[k] = "multi_hot".equals(outputMode) || "one_hot".equals(outputMode) ? 1f : out[k] + 1f;
            }
        }
        if ("tf_idf".equals(outputMode)) {
            for (int i = 0; i < out.length; i++) out[i] *= idfWeights[i % depth];
        }
        return Tensor.wrap(out, n, depth);
    }

    /**
     * "one_hot": split texts give (n, longest, depth), one row per token (Keras' ragged (batch, None, depth), padded at
     * the end with all-zero rows as "int" pads with 0); with split null each text is one token and the output (n, depth).
     */
    private Tensor oneHot(List<List<String>> rows, int depth) {
        int n = rows.size(), len = 0;
        for (int r = 0; r < n; r++) {
            if (split == null && rows.get(r).size() != 1) {
                throw new IllegalArgumentException("TextVectorization.call: outputMode \"one_hot\" with split null encodes each text as "
                        + "one token (Keras' output (batch, " + depth + ")), got " + rows.get(r).size() + " tokens from texts[" + r
                        + "] (ngrams " + ngrams + ")");
            }
            len = Math.max(len, rows.get(r).size());
        }
        if (len == 0) {
            throw new IllegalArgumentException("TextVectorization.call: outputMode \"one_hot\": every text gives 0 tokens, so the "
                    + "longest has 0 steps (Keras gives a ragged (" + n + ", None, " + depth + ") of empty rows; a jrnn Tensor has no"
                    + " zero-size axis)");
        }
        float[] out = new float[Math.multiplyExact(Math.multiplyExact(n, len), depth)];
        for (int r = 0; r < n; r++) {
            List<String> toks = rows.get(r);
            for (int k = 0; k < toks.size(); k++) {
                if (!toks.get(k).isEmpty()) out[(r * len + k) * depth + index.getOrDefault(toks.get(k), 0)] = 1f;   // "" stays all zero
            }
        }
        return split == null ? Tensor.wrap(out, n, depth) : Tensor.wrap(out, n, len, depth);
    }

    /** A text's tokens, then its n-grams when {@link #ngrams(List)} is set, as {@code tf.strings.ngrams(separator=" ")}. */
    private List<String> tokens(String text) {
        List<String> toks = TextTokens.tokens(text, standardize, split);
        if (ngrams == null) return toks;
        List<String> out = new ArrayList<>();
        for (int w : ngrams) {
            for (int i = 0; i + w <= toks.size(); i++) out.add(String.join(" ", toks.subList(i, i + w)));
        }
        return out;
    }

    private Tensor indices(List<List<String>> rows) {
        int len = 0;
        if (outputSequenceLength != null) len = outputSequenceLength;
        else for (List<String> r : rows) len = Math.max(len, r.size());
        if (len == 0) {
            throw new IllegalArgumentException("TextVectorization.call: every text gives 0 tokens, so the longest has 0 steps (Keras"
                    + " gives a (" + rows.size() + ", 0) tensor; a jrnn Tensor has no zero-size axis); set outputSequenceLength(n) for a"
                    + " tensor of padding only");
        }
        float[] out = new float[Math.multiplyExact(rows.size(), len)];
        for (int r = 0; r < rows.size(); r++) {
            List<String> toks = rows.get(r);
            for (int k = 0; k < Math.min(len, toks.size()); k++) {
                String tok = toks.get(k);
                out[r * len + k] = tok.isEmpty() ? 0f : index.getOrDefault(tok, 1);
            }
        }
        return Tensor.wrap(out, rows.size(), len);
    }

    /** Keras' {@code get_vocabulary()}: the special tokens first, so a token's position is its index. */
    public List<String> vocabulary() { return vocabulary(true); }

    /** Keras' {@code get_vocabulary(include_special_tokens)}: without them, the learned or set tokens only. */
    public List<String> vocabulary(boolean includeSpecialTokens) {
        List<String> v = new ArrayList<>(vocabularySize());
        if (includeSpecialTokens) v.addAll(specialTokens());
        v.addAll(tokens);
        return v;
    }

    /** Keras' {@code vocabulary_size()}: the tokens and the special tokens. */
    public int vocabularySize() { return tokenStart() + tokens.size(); }

    /**
     * Keras' {@code set_vocabulary(vocabulary)}: the tokens in index order, with or without the special tokens at the
     * start ("", "[UNK]" in "int" mode; "[UNK]" in the others, in that order). A repeated token, "" anywhere else or
     * more than {@code maxTokens} in all is refused; "[UNK]" elsewhere is an ordinary token, as in Keras.
     */
    public TextVectorization vocabulary(List<String> vocabulary) {
        if ("tf_idf".equals(outputMode)) {
            throw new IllegalArgumentException("TextVectorization.vocabulary: idfWeights must be set if outputMode is \"tf_idf\": "
                    + "use vocabulary(list, idfWeights)");
        }
        return setVocabulary(vocabulary, null);
    }

    /**
     * Keras' {@code set_vocabulary(vocabulary, idf_weights)} for "tf_idf": one weight per entry of {@code vocabulary};
     * without the special tokens, "[UNK]" takes the weights' mean, as in Keras. With {@link #padToMaxTokens(boolean)},
     * {@code maxTokens} weights whose entries past the vocabulary are 0 ({@link #idfWeights()} of a padded layer) are
     * taken too, where Keras refuses them (its own reload of a saved padded layer passes them, and fails): so
     * {@code copy.vocabulary(tv.vocabulary(), tv.idfWeights())} copies any "tf_idf" layer.
     */
    public TextVectorization vocabulary(List<String> vocabulary, float[] idfWeights) {
        if (!"tf_idf".equals(outputMode)) {
            throw new IllegalArgumentException("TextVectorization.vocabulary: idfWeights should only be set if outputMode is \"tf_idf\", "
                    + "got outputMode \"" + outputMode + "\"");
        }
        if (idfWeights == null) throw new IllegalArgumentException("TextVectorization.vocabulary: idfWeights is null; \"tf_idf\" needs them");
        return setVocabulary(vocabulary, idfWeights);
    }

    private TextVectorization setVocabulary(List<String> vocabulary, float[] idf) {
        if (vocabulary == null) throw new IllegalArgumentException("TextVectorization.vocabulary: vocabulary is null");
        if (vocabulary.isEmpty()) throw new IllegalArgumentException("TextVectorization.vocabulary: cannot set an empty vocabulary");
        for (int i = 0; i < vocabulary.size(); i++) {
            if (vocabulary.get(i) == null) throw new IllegalArgumentException("TextVectorization.vocabulary: vocabulary[" + i + "] is null");
        }
        checkPadding();
        List<String> special = specialTokens();
        boolean found = vocabulary.size() >= special.size() && vocabulary.subList(0, special.size()).equals(special);
        List<String> toks = found ? vocabulary.subList(special.size(), vocabulary.size()) : vocabulary;
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String t : toks) seen.merge(t, 1, Integer::sum);
        List<String> repeated = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(e -> quoted(e.getKey())).toList();
        if (!repeated.isEmpty()) {
            throw new IllegalArgumentException("TextVectorization.vocabulary: the vocabulary repeats " + repeated + "; each token must "
                    + "appear once");
        }
        if (seen.containsKey(MASK_TOKEN)) {
            throw new IllegalArgumentException("TextVectorization.vocabulary: the mask token \"\" is at index " + vocabulary.lastIndexOf(MASK_TOKEN)
                    + "; leave the special tokens out, or give them only at the start, in this order: " + quotedList(special));
        }
        int size = tokenStart() + toks.size();
        if (maxTokens != null && size > maxTokens) {
            throw new IllegalArgumentException("TextVectorization.vocabulary: a vocabulary of " + size + " tokens (the special ones counted) "
                    + "is larger than maxTokens " + maxTokens);
        }
        float[] weights = null;
        if (idf != null) {
            if (padToMaxTokens && idf.length == maxTokens && idf.length > vocabulary.size() && zerosFrom(idf, vocabulary.size())) {
                idf = java.util.Arrays.copyOf(idf, vocabulary.size());   // idfWeights() of a padded layer: its padding dropped
            }
            if (idf.length != vocabulary.size()) {
                throw new IllegalArgumentException("TextVectorization.vocabulary: idfWeights must have one weight per vocabulary entry, "
                        + vocabulary.size() + ", got " + idf.length + (padToMaxTokens && idf.length == maxTokens
                        ? " (maxTokens weights are taken with padToMaxTokens when those past the vocabulary are 0, as idfWeights() gives them)"
                        : ""));
            }
            if (found) {
                weights = padIdf(idf, 0f, 0);
            } else {
                double sum = 0;
                for (float w : idf) sum += w;
                weights = padIdf(idf, (float) (sum / idf.length), tokenStart());
            }
        }
        install(new ArrayList<>(toks), weights);
        return this;
    }

    /**
     * Writes the vocabulary (special tokens included) to {@code file}, one token per line, UTF-8, as Keras writes
     * {@code vocabulary.txt} into a saved model ({@code "\n".join(...)}, no final line break). A token that holds a
     * line break (in Python's {@code splitlines} sense) would not read back and is refused, the file untouched.
     */
    public void saveVocabulary(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("TextVectorization.saveVocabulary: file is null");
        List<String> v = vocabulary();
        for (int i = 0; i < v.size(); i++) {
            for (int c = 0; c < v.get(i).length(); c++) {
                if (TextTokens.isLineBoundary(v.get(i).charAt(c))) {
                    throw new IllegalArgumentException("TextVectorization.saveVocabulary: token " + i + " " + quoted(v.get(i))
                            + " holds a line break (U+" + String.format("%04X", (int) v.get(i).charAt(c)) + "), so a file of one token "
                            + "per line cannot hold it");
                }
            }
        }
        byte[] bytes = String.join("\n", v).getBytes(StandardCharsets.UTF_8);
        dev.jrnn.io.FileFaults.save("TextVectorization.saveVocabulary", file, () -> AtomicFiles.write(file, out -> out.write(bytes)));
    }

    /**
     * Sets the vocabulary from a file of one token per line (UTF-8; trailing empty lines dropped), as Keras reads its
     * {@code vocabulary.txt} back; the checks of {@link #vocabulary(List)} apply. Not in "tf_idf" mode, as Keras.
     */
    public TextVectorization loadVocabulary(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("TextVectorization.loadVocabulary: file is null");
        if ("tf_idf".equals(outputMode)) {
            throw new IllegalArgumentException("TextVectorization.loadVocabulary: outputMode \"tf_idf\" does not support loading a "
                    + "vocabulary from a file; use vocabulary(list, idfWeights)");
        }
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("TextVectorization.loadVocabulary: vocabulary file " + file + " does not exist");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("TextVectorization.loadVocabulary: " + file + " is not UTF-8 text: " + e.getMessage(), e);
        }
        List<String> lines = new ArrayList<>(TextTokens.splitLines(text));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        try {
            return vocabulary(lines);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (read from " + file + ")", e);
        }
    }

    /**
     * Keras' {@code get_config()}: the options under Keras' keys ({@code ngrams} an int after {@link #ngrams(int)}, a list
     * after {@link #ngrams(List)}), {@code vocabulary} null as Keras writes it for an adapted layer (the vocabulary goes
     * in {@link #saveVocabulary}'s file). In "tf_idf" mode the idf weights are in neither the config nor the file
     * ({@link #loadVocabulary} refuses that mode, as Keras' {@code vocabulary=} path does): give them with the vocabulary.
     *
     * <pre>{@code
     * Map<String, Object> c = vectorize.config();     // {"max_tokens": 20000, ..., "ngrams": 2, "output_mode": "int", ...}
     * vectorize.saveVocabulary(dir.resolve("vocabulary.txt"));
     * TextVectorization back = TextVectorization.fromConfig(c).loadVocabulary(dir.resolve("vocabulary.txt"));
     * // "tf_idf" (padToMaxTokens or not):
     * TextVectorization idf = TextVectorization.fromConfig(c).vocabulary(vectorize.vocabulary(), vectorize.idfWeights());
     * }</pre>
     */
    public Map<String, Object> config() { return TextVectorizationConfig.write(this, ngramsUpTo); }

    /**
     * Keras' {@code TextVectorization.from_config}: a layer with these options (Keras' keys, as {@link #config()} writes
     * them or Keras' config.json holds them; {@code vocabulary} and {@code idf_weights} set the vocabulary when given).
     * Callables, {@code sparse} or {@code ragged} true and unknown keys are refused naming the option.
     */
    public static TextVectorization fromConfig(Map<String, ?> config) { return TextVectorizationConfig.read(config); }

    /** "tf_idf": the weight of each output slot ({@link #vocabularySize()}, or {@code maxTokens} with padToMaxTokens); null before a vocabulary. */
    public float[] idfWeights() { return idfWeights == null ? null : idfWeights.clone(); }

    private void install(List<String> learned, float[] idf) {
        int size = tokenStart() + learned.size();
        checkFrozenSize(size);
        Map<String, Integer> ix = new HashMap<>();
        for (int i = 0; i < learned.size(); i++) ix.put(learned.get(i), tokenStart() + i);
        tokens = List.copyOf(learned);
        index = ix;
        idfWeights = idf;
        frozenSize = size;
        vocabularySet = true;
    }

    /** Keras' {@code _ensure_vocab_size_unchanged}: a multi-hot, count or TF-IDF output keeps its width once it has one. */
    private void checkFrozenSize(int size) {
        if (!"int".equals(outputMode) && !padToMaxTokens && frozenSize != null && frozenSize != size) {
            throw new IllegalStateException("TextVectorization: with outputMode \"" + outputMode + "\" and padToMaxTokens false, the "
                    + "vocabulary size cannot change once set (the output's width): it is " + frozenSize + ", the new one " + size
                    + "; make a new TextVectorization");
        }
        if (frozenSize == null) frozenSize = size;
    }

    private static boolean zerosFrom(float[] w, int from) {
        for (int i = from; i < w.length; i++) if (w[i] != 0f) return false;
        return true;
    }

    /** {@code w} after {@code front} slots of {@code frontValue}, then zeros up to {@code maxTokens} with padToMaxTokens. */
    private float[] padIdf(float[] w, float frontValue, int front) {
        int len = padToMaxTokens ? maxTokens : front + w.length;
        float[] out = new float[len];
        java.util.Arrays.fill(out, 0, front, frontValue);
        System.arraycopy(w, 0, out, front, w.length);
        return out;
    }

    private List<String> specialTokens() {
        return "int".equals(outputMode) ? List.of(MASK_TOKEN, OOV_TOKEN) : List.of(OOV_TOKEN);
    }

    /** Keras' {@code _token_start_index}: the first learned token's index. */
    private int tokenStart() { return "int".equals(outputMode) ? 2 : 1; }

    private void checkPadding() {
        if (padToMaxTokens && maxTokens == null) {
            throw new IllegalArgumentException("TextVectorization: padToMaxTokens(true) needs maxTokens(n), got no maxTokens");
        }
    }

    private void requireNoVocabulary(String setting) {
        if (frozenSize != null) {
            throw new IllegalStateException("TextVectorization: " + setting + " decides the vocabulary's layout, so it must be set "
                    + "before adapt or vocabulary(list); make a new TextVectorization");
        }
    }

    private static void checkTexts(String where, List<String> texts) {
        if (texts == null) throw new IllegalArgumentException("TextVectorization." + where + ": texts is null");
        if (texts.isEmpty()) throw new IllegalArgumentException("TextVectorization." + where + ": texts is empty; give at least one text");
    }

    private static String text(String where, List<String> texts, int i) {
        String t = texts.get(i);
        if (t == null) throw new IllegalArgumentException("TextVectorization." + where + ": texts[" + i + "] is null");
        return t;
    }

    private static String quoted(String s) { return s == null ? "null" : "\"" + s + "\""; }

    private static String quotedList(List<String> l) { return l.stream().map(TextVectorization::quoted).toList().toString(); }
}
