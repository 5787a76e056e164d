package dev.jrnn.edges;

import dev.jrnn.data.TextVectorization;
import dev.jrnn.edges.RefusalCases.Action;
import dev.jrnn.edges.RefusalCases.Case;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at TextVectorization's entry points (settings, adapt, call, the vocabulary and its file): each throws
 * IllegalArgumentException naming the parameter, what it expects and what came, and a refused call leaves the
 * vocabulary as it was.
 */
class TextVectorizationBadInputTest {
    private static final List<Case> CASES = new ArrayList<>();

    private static void bad(String name, Action action, String... words) {
        CASES.add(new Case(name, action, List.of(words)));
    }

    private static TextVectorization tv() { return new TextVectorization(); }

    private static TextVectorization oneHot() {
        TextVectorization v = tv().outputMode("one_hot");
        v.adapt(List.of("a", "b"));
        return v;
    }

    static List<Case> cases() {
        if (CASES.isEmpty()) {
            settings();
            texts();
            vocabularies();
            configs();
        }
        return CASES;
    }

    private static void settings() {
        bad("maxTokens 1", () -> tv().maxTokens(1), "maxTokens", "greater than 1", "got 1");
        bad("maxTokens 0", () -> tv().maxTokens(0), "maxTokens", "got 0");
        bad("maxTokens negative", () -> tv().maxTokens(-5), "maxTokens", "got -5");
        bad("standardize unknown", () -> tv().standardize("lowercase"), "standardize", "\"lower_and_strip_punctuation\"", "\"lowercase\"");
        bad("split unknown", () -> tv().split("words"), "split", "\"whitespace\", \"character\" or null", "\"words\"");
        bad("outputMode unknown", () -> tv().outputMode("embedding"), "outputMode", "\"multi_hot\"", "\"embedding\"");
        bad("outputMode null", () -> tv().outputMode(null), "outputMode", "got null");
        bad("ngrams 0", () -> tv().ngrams(0), "ngrams", ">= 1", "got 0");
        bad("ngrams negative", () -> tv().ngrams(-2), "ngrams", "got -2");
        bad("ngrams empty sizes", () -> tv().ngrams(List.of()), "ngrams", "at least one size", "[]");
        bad("ngrams size 0", () -> tv().ngrams(List.of(1, 0)), "ngrams", ">= 1", "[1, 0]");
        bad("ngrams null size", () -> tv().ngrams(Arrays.asList(2, null)), "ngrams", "[2, null]");
        bad("one_hot with outputSequenceLength", () -> tv().outputSequenceLength(3).outputMode("one_hot"), "outputSequenceLength",
                "\"one_hot\"", "3");
        bad("outputSequenceLength 0", () -> tv().outputSequenceLength(0), "outputSequenceLength", ">= 1", "got 0");
        bad("outputSequenceLength outside int", () -> tv().outputMode("count").outputSequenceLength(4), "outputSequenceLength",
                "not \"int\"", "\"count\"");
        bad("count after outputSequenceLength", () -> tv().outputSequenceLength(4).outputMode("multi_hot"), "outputSequenceLength",
                "\"multi_hot\"", "4");
        bad("padToMaxTokens without maxTokens", () -> tv().outputMode("count").padToMaxTokens(true).adapt(List.of("a")),
                "padToMaxTokens", "maxTokens");
    }

    private static void texts() {
        bad("adapt null", () -> tv().adapt(null), "adapt", "texts is null");
        bad("adapt empty", () -> tv().adapt(List.of()), "adapt", "texts is empty");
        bad("adapt null text", () -> tv().adapt(Arrays.asList("a", null)), "adapt", "texts[1] is null");
        bad("call null", () -> tv().call(null), "call", "texts is null");
        bad("call empty", () -> tv().call(List.of()), "call", "texts is empty");
        bad("call null text", () -> tv().call(Arrays.asList(null, "b")), "call", "texts[0] is null");
        // Keras 3.15.1 returns a (3, 0) tensor here (outside tester's k7.py, case "allempty"); jrnn's tensors have no zero-size axis
        bad("call with no token", () -> tv().vocabulary(List.of("a")).call(List.of("", "  ", "?! ")), "TextVectorization.call: every"
                + " text gives 0 tokens, so the longest has 0 steps (Keras gives a (3, 0) tensor; a jrnn Tensor has no zero-size axis);"
                + " set outputSequenceLength(n) for a tensor of padding only");
        bad("one_hot split null no unigram", () -> tv().split(null).ngrams(List.of(2)).outputMode("one_hot").vocabulary(List.of("a"))
                .call(List.of("a")), "call", "\"one_hot\"", "split null", "0 tokens", "texts[0]", "[2]");
        bad("one_hot no token", () -> oneHot().call(List.of("?!", "")), "call", "\"one_hot\"", "0 tokens");
    }

    private static java.util.Map<String, Object> config(Object... kv) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static void configs() {
        bad("fromConfig null", () -> TextVectorization.fromConfig(null), "fromConfig", "config is null");
        bad("fromConfig unknown key", () -> TextVectorization.fromConfig(config("max_token", 5)), "fromConfig", "unknown option 'max_token'",
                "max_tokens");
        bad("fromConfig sparse", () -> TextVectorization.fromConfig(config("sparse", true)), "fromConfig", "sparse=true", "false only");
        bad("fromConfig ragged", () -> TextVectorization.fromConfig(config("ragged", true)), "fromConfig", "ragged=true");
        bad("fromConfig callable standardize", () -> TextVectorization.fromConfig(config("standardize", java.util.Map.of("class_name", "F"))),
                "fromConfig", "'standardize'", "callables");
        bad("fromConfig ngrams string", () -> TextVectorization.fromConfig(config("ngrams", "2")), "fromConfig", "'ngrams'", "integer",
                "\"2\"");
        bad("fromConfig ngrams list of strings", () -> TextVectorization.fromConfig(config("ngrams", List.of("a"))), "'ngrams'", "\"a\"");
        bad("fromConfig max_tokens fraction", () -> TextVectorization.fromConfig(config("max_tokens", 1.5)), "'max_tokens'", "1.5");
        bad("fromConfig encoding", () -> TextVectorization.fromConfig(config("encoding", "latin-1")), "encoding", "\"latin-1\"");
        bad("fromConfig dtype number", () -> TextVectorization.fromConfig(config("dtype", 3)), "fromConfig", "'dtype'", "DTypePolicy object", "got 3");
        bad("fromConfig dtype not Keras'", () -> TextVectorization.fromConfig(config("dtype", "double")), "fromConfig", "'dtype'", "\"double\"",
                "expected one of");
        bad("fromConfig dtype int8 string", () -> TextVectorization.fromConfig(config("dtype", "int8")), "'dtype'", "\"int8\"", "quantization mode");
        bad("fromConfig float8 amax_history_length fraction", () -> TextVectorization.fromConfig(config("dtype", Map.of("module",
                "keras.dtype_policies", "class_name", "QuantizedFloat8DTypePolicy", "config", Map.of("mode", "float8", "source_name", "float32",
                "amax_history_length", 16.5)))), "'dtype'", "amax_history_length", "integer", "16.5");
        bad("fromConfig trainable string", () -> TextVectorization.fromConfig(config("trainable", "yes")), "fromConfig", "'trainable'",
                "true or false", "\"yes\"");
        bad("fromConfig name number", () -> TextVectorization.fromConfig(config("name", 7)), "fromConfig", "'name'", "got 7");
        bad("fromConfig vocabulary not a list", () -> TextVectorization.fromConfig(config("vocabulary", "vocab.txt")), "'vocabulary'",
                "list of strings", "\"vocab.txt\"");
        bad("fromConfig vocabulary of numbers", () -> TextVectorization.fromConfig(config("vocabulary", List.of(1L))), "'vocabulary'", "1");
        bad("fromConfig pad_to_max_tokens string", () -> TextVectorization.fromConfig(config("pad_to_max_tokens", "yes")),
                "'pad_to_max_tokens'", "\"yes\"");
        bad("fromConfig one_hot length", () -> TextVectorization.fromConfig(config("output_mode", "one_hot", "output_sequence_length", 4)),
                "outputSequenceLength", "\"one_hot\"");
    }

    private static void vocabularies() {
        bad("vocabulary null", () -> tv().vocabulary(null), "vocabulary is null");
        bad("vocabulary empty", () -> tv().vocabulary(List.of()), "empty vocabulary");
        bad("vocabulary null token", () -> tv().vocabulary(Arrays.asList("a", null)), "vocabulary[1] is null");
        bad("vocabulary repeats", () -> tv().vocabulary(List.of("a", "b", "a", "c", "b")), "repeats", "[\"a\", \"b\"]");
        bad("vocabulary repeats after specials", () -> tv().vocabulary(List.of("", "[UNK]", "x", "x")), "repeats", "\"x\"");
        bad("mask token late", () -> tv().vocabulary(List.of("a", "", "b")), "mask token", "index 1", "[\"\", \"[UNK]\"]");
        bad("specials swapped", () -> tv().vocabulary(List.of("[UNK]", "", "a")), "mask token", "index 1");
        bad("mask token in multi_hot", () -> tv().outputMode("multi_hot").vocabulary(List.of("", "[UNK]", "a")), "mask token",
                "index 0", "[\"[UNK]\"]");
        bad("vocabulary over maxTokens", () -> tv().maxTokens(3).vocabulary(List.of("a", "b")), "vocabulary of 4 tokens",
                "maxTokens 3");
        bad("tf_idf without weights", () -> tv().outputMode("tf_idf").vocabulary(List.of("a")), "idfWeights", "\"tf_idf\"");
        bad("tf_idf null weights", () -> tv().outputMode("tf_idf").vocabulary(List.of("a"), null), "idfWeights is null");
        bad("weights outside tf_idf", () -> tv().vocabulary(List.of("a"), new float[] {1}), "idfWeights", "\"int\"");
        bad("weights length", () -> tv().outputMode("tf_idf").vocabulary(List.of("a", "b"), new float[] {1}), "idfWeights",
                "2", "got 1");
        // a padded layer's idfWeights() (maxTokens entries, 0 past the vocabulary) are taken; other maxTokens weights are not
        bad("padded weights not zero past the vocabulary", () -> tv().maxTokens(8).outputMode("tf_idf").padToMaxTokens(true)
                .vocabulary(List.of("[UNK]", "a"), new float[] {1, 1, 0, 0, 0, 0, 0, 1}), "TextVectorization.vocabulary: idfWeights must"
                + " have one weight per vocabulary entry, 2, got 8 (maxTokens weights are taken with padToMaxTokens when those past the"
                + " vocabulary are 0, as idfWeights() gives them)");
        bad("saveVocabulary null", () -> tv().saveVocabulary(null), "saveVocabulary", "file is null");
        bad("loadVocabulary null", () -> tv().loadVocabulary(null), "loadVocabulary", "file is null");
        bad("loadVocabulary missing", () -> tv().loadVocabulary(Path.of("/nonexistent/vocabulary.txt")), "does not exist");
        bad("loadVocabulary tf_idf", () -> tv().outputMode("tf_idf").loadVocabulary(Path.of("v.txt")), "\"tf_idf\"",
                "loading a vocabulary from a file");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(Case c) {
        RefusalCases.assertRefused(c);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinct(cases().stream().map(Case::name).toList());
    }

    /** A refused vocabulary, file or adapt leaves the vocabulary as it was; settings that shape it are refused once it exists. */
    @Test
    void refusalsChangeNothing(@TempDir Path dir) throws Exception {
        TextVectorization v = new TextVectorization().maxTokens(4).vocabulary(List.of("a", "b"));
        List<String> before = v.vocabulary();
        assertThrows(IllegalArgumentException.class, () -> v.vocabulary(List.of("a", "b", "c")));
        assertThrows(IllegalArgumentException.class, () -> v.vocabulary(List.of("c", "c")));
        assertThrows(IllegalArgumentException.class, () -> v.adapt(Arrays.asList("x", null)));
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.loadVocabulary(empty));
        assertTrue(e.getMessage().contains("empty vocabulary") && e.getMessage().contains("empty.txt"), e.getMessage());
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'a', '\n', (byte) 0xE9});
        e = assertThrows(IllegalArgumentException.class, () -> v.loadVocabulary(latin1));
        assertTrue(e.getMessage().contains("is not UTF-8"), e.getMessage());
        Path dup = Files.writeString(dir.resolve("dup.txt"), "\n[UNK]\nq\nq");
        e = assertThrows(IllegalArgumentException.class, () -> v.loadVocabulary(dup));
        assertTrue(e.getMessage().contains("repeats [\"q\"]") && e.getMessage().contains("dup.txt"), e.getMessage());
        assertEquals(before, v.vocabulary());
        for (Action late : List.<Action>of(() -> v.maxTokens(10), () -> v.outputMode("count"), () -> v.padToMaxTokens(true))) {
            IllegalStateException s = assertThrows(IllegalStateException.class, late::run);
            assertTrue(s.getMessage().contains("before adapt or vocabulary(list)"), s.getMessage());
        }
        // a layer needs a vocabulary before it is called (every mode, padToMaxTokens too), as Keras' lookup table
        for (TextVectorization unset : List.of(new TextVectorization().outputMode("multi_hot"), new TextVectorization(),
                new TextVectorization().maxTokens(4).outputMode("count").padToMaxTokens(true))) {
            IllegalStateException s = assertThrows(IllegalStateException.class, () -> unset.call(List.of("a")));
            assertTrue(s.getMessage().contains("set the vocabulary before calling") && s.getMessage().contains("TextVectorization.call"),
                    s.getMessage());
        }
    }
}
