package dev.jrnn.edges;

import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.TextDirectory;
import dev.jrnn.data.TextVectorization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad arguments to {@link TextDirectory} (Keras' text_dataset_from_directory): each refused naming the parameter, what
 * was expected and what came; the folder's files are left as they were.
 */
class TextDirectoryBadInputTest {
    @TempDir static Path dir;
    static Path classes, empty, file;

    @BeforeAll
    static void tree() throws IOException {
        classes = dir.resolve("classes");
        for (String f : List.of("a/1.txt", "a/2.txt", "b/3.txt", "c/4.txt")) {
            Files.createDirectories(classes.resolve(f).getParent());
            Files.writeString(classes.resolve(f), "text " + f);
        }
        empty = Files.createDirectories(dir.resolve("empty").resolve("a"));
        Files.writeString(empty.resolve("notes.md"), "no .txt here");
        empty = empty.getParent();
        file = Files.writeString(dir.resolve("plain.txt"), "a file, not a folder");
    }

    static TextDirectory.Options quiet() { return new TextDirectory.Options().verbose(false); }

    static TextVectorization adapted() { return adapted("int"); }

    static TextVectorization adapted(String mode) {
        TextVectorization v = new TextVectorization().maxTokens(10).outputMode(mode);
        v.adapt(List.of("text a b c"));
        return v;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("directory null", (Executable) () -> TextDirectory.read(null, quiet()),
                        List.of("TextDirectory: directory: expected a folder of text files, got null")),
                Arguments.of("options null", (Executable) () -> TextDirectory.read(classes, null),
                        List.of("TextDirectory: options: expected TextDirectory.Options, got null")),
                Arguments.of("no text files", (Executable) () -> TextDirectory.read(empty, quiet()),
                        List.of("TextDirectory: directory: no text files (.txt) found under", "empty")),
                Arguments.of("labels neither inferred nor null", (Executable) () -> quiet().labels("folders"),
                        List.of("TextDirectory: labels: expected \"inferred\", noLabels() or a list of integer labels, got \"folders\"")),
                Arguments.of("labels null array", (Executable) () -> quiet().labels((int[]) null),
                        List.of("TextDirectory: labels: expected one integer label per file, got null")),
                Arguments.of("labels negative", (Executable) () -> quiet().labels(0, -1),
                        List.of("TextDirectory: labels: expected integer labels >= 0, got -1 at index 1")),
                Arguments.of("labels of another count", (Executable) () -> TextDirectory.read(classes, quiet().labels(0, 1)),
                        List.of("TextDirectory: labels: expected one label per text file, 4 under", "got 2")),
                Arguments.of("labels with classNames", (Executable) () -> TextDirectory.read(classes, quiet().labels(0, 1, 0, 1).classNames(List.of("a"))),
                        List.of("TextDirectory: classNames: only with inferred labels", "got [a]")),
                Arguments.of("labelMode unknown", (Executable) () -> quiet().labelMode("sparse"),
                        List.of("TextDirectory: labelMode: expected \"int\", \"categorical\", \"binary\" or null, got \"sparse\"")),
                Arguments.of("binary of three classes", (Executable) () -> TextDirectory.read(classes, quiet().labelMode("binary")),
                        List.of("TextDirectory: labelMode: \"binary\" needs exactly 2 classes, got 3 [a, b, c]")),
                Arguments.of("binary label 2", (Executable) () -> TextDirectory.read(classes, quiet().labels(0, 2, 0, 2).labelMode("binary")),
                        List.of("TextDirectory: labels: labelMode \"binary\" takes labels 0 and 1, got 2")),
                Arguments.of("categorical label past the classes", (Executable) () -> TextDirectory.read(classes, quiet().labels(0, 5, 0, 5).labelMode("categorical")),
                        List.of("TextDirectory: labels: labelMode \"categorical\" takes labels in [0, 2)", "got 5")),
                Arguments.of("classNames unknown", (Executable) () -> TextDirectory.read(classes, quiet().classNames(List.of("a", "z"))),
                        List.of("TextDirectory: classNames: expected names of subfolders of", "[a, b, c] (or some of them), got [a, z]")),
                Arguments.of("classNames empty", (Executable) () -> quiet().classNames(List.of()),
                        List.of("TextDirectory: classNames: expected at least one class subfolder name", "got []")),
                Arguments.of("classNames twice", (Executable) () -> quiet().classNames(List.of("a", "a")),
                        List.of("TextDirectory: classNames: a name appears twice: [a, a]")),
                Arguments.of("classNames with null", (Executable) () -> quiet().classNames(Arrays.asList("a", null)),
                        List.of("TextDirectory: classNames: a name is null")),
                Arguments.of("classNames without labels", (Executable) () -> TextDirectory.read(classes, quiet().labelMode(null).classNames(List.of("a"))),
                        List.of("TextDirectory: classNames: not without labels", "got [a]")),
                Arguments.of("batchSize 0", (Executable) () -> quiet().batchSize(0),
                        List.of("TextDirectory: batchSize: expected at least 1 (or null: unbatched), got 0")),
                Arguments.of("maxLength negative", (Executable) () -> quiet().maxLength(-1),
                        List.of("TextDirectory: maxLength: expected at least 0 bytes", "got -1")),
                Arguments.of("seed negative", (Executable) () -> quiet().seed(-1),
                        List.of("TextDirectory: seed: expected an integer in [0, 2^32 - 1] (NumPy's), got -1")),
                Arguments.of("seed past 2^32", (Executable) () -> quiet().seed(1L << 32), List.of("TextDirectory: seed", "got 4294967296")),
                Arguments.of("validationSplit 1", (Executable) () -> quiet().validationSplit(1),
                        List.of("TextDirectory: validationSplit: expected a fraction in (0, 1) (or 0: no split), got 1.0")),
                Arguments.of("validationSplit NaN", (Executable) () -> quiet().validationSplit(Double.NaN), List.of("validationSplit", "got NaN")),
                Arguments.of("validationSplit leaves no file", (Executable) () -> TextDirectory.read(classes, quiet().validationSplit(0.2).subset("training").seed(1)),
                        List.of("TextDirectory: validationSplit: 0.2 of the 4 text files", "leaves no file for validation", "int(0.2 * 4) = 0")),
                Arguments.of("validationSplit without subset", (Executable) () -> TextDirectory.read(classes, quiet().validationSplit(0.5)),
                        List.of("TextDirectory: subset and validationSplit: set both or neither, got validationSplit 0.5 and subset null")),
                Arguments.of("validationSplit shuffled without seed", (Executable) () -> TextDirectory.read(classes, quiet().validationSplit(0.5).subset("training")),
                        List.of("TextDirectory: seed: a validation split of shuffled files needs a seed")),
                Arguments.of("subset unknown", (Executable) () -> quiet().subset("test"),
                        List.of("TextDirectory: subset: expected \"training\", \"validation\", \"both\" or null, got \"test\"")),
                Arguments.of("subset both to read", (Executable) () -> TextDirectory.read(classes, quiet().validationSplit(0.5).subset("both").seed(1)),
                        List.of("TextDirectory: subset: \"both\" gives two subsets: call TextDirectory.readBoth")),
                Arguments.of("readBoth without both", (Executable) () -> TextDirectory.readBoth(classes, quiet().validationSplit(0.5).subset("training").seed(1)),
                        List.of("TextDirectory: subset: readBoth needs options with subset(\"both\")", "got subset \"training\"")),
                Arguments.of("dataset null", (Executable) () -> TextDirectory.read(classes, quiet()).dataset(null),
                        List.of("TextDirectory: vectorize: expected a TextVectorization with a vocabulary, got null")),
                Arguments.of("dataset of int without length", (Executable) () -> TextDirectory.read(classes, quiet()).dataset(adapted()),
                        List.of("TextDirectory: vectorize: outputMode \"int\" without outputSequenceLength", "set outputSequenceLength(n)")),
                Arguments.of("dataset of one_hot split", (Executable) () -> TextDirectory.read(classes, quiet()).dataset(adapted("one_hot")),
                        List.of("TextDirectory: vectorize: outputMode \"one_hot\" over split texts", "use split(null)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refused(String name, Executable call, List<String> words) {
        RefusalCases.assertRefused(name, call, words);
    }

    @Test
    void caseNamesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    @Test
    void aFolderThatIsAFileOrMissingIsAnIOException() {
        IOException e = assertThrows(IOException.class, () -> TextDirectory.read(file, quiet()));
        assertTrue(e.getMessage().startsWith("TextDirectory: directory: " + file + " is not a folder"), e.getMessage());
        e = assertThrows(IOException.class, () -> TextDirectory.read(dir.resolve("missing"), quiet()));
        assertTrue(e.getMessage().contains("missing is not a folder"), e.getMessage());
    }

    /** A file gone after the folder was read fails the batch that needs it, naming it; the other files are untouched. */
    @Test
    void aFileRemovedAfterReadingIsNamed() throws IOException {
        Path d = Files.createDirectories(dir.resolve("gone").resolve("a"));
        Files.writeString(d.resolve("1.txt"), "one");
        Files.writeString(d.resolve("2.txt"), "two");
        TextDirectory t = TextDirectory.read(d.getParent(), quiet().shuffle(false));
        TextVectorization v = new TextVectorization().maxTokens(10).outputSequenceLength(3);
        v.adapt(List.of("text a b c"));
        Dataset ds = t.dataset(v);
        Files.delete(d.resolve("2.txt"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> t.texts().get(1));
        assertTrue(e.getMessage().contains("2.txt: cannot read the text file"), e.getMessage());
        Exception batch = assertThrows(Exception.class, () -> {
            try (BatchStream s = ds.epoch(0)) {
                while (s.hasNext()) s.next().close();
            }
        });
        String all = batch + " " + batch.getCause();
        assertTrue(all.contains("2.txt"), all);
        assertEquals("one", Files.readString(d.resolve("1.txt")));
    }
}
