package dev.jrnn.edges;

import dev.jrnn.data.Csv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad arguments to {@link Csv}: each refused naming the parameter, what was expected and what came. */
class CsvBadInputTest {
    @TempDir static Path dir;
    static Path csv, empty;

    @BeforeAll
    static void files() throws IOException {
        csv = Files.writeString(dir.resolve("a.csv"), "a,b\n1,2\n");
        empty = Files.writeString(dir.resolve("empty.csv"), "");
    }

    static Stream<Arguments> cases() {
        Csv.Options o = new Csv.Options();
        return Stream.of(
                Arguments.of("file null", (Executable) () -> Csv.read(null, o), List.of("Csv: file: expected a CSV file, got null")),
                Arguments.of("options null", (Executable) () -> Csv.read(csv, null), List.of("Csv: options: expected Csv.Options, got null")),
                Arguments.of("delimiter quote", (Executable) () -> o.delimiter('"'), List.of("Csv: delimiter: expected an ASCII character other than", "got '\"'")),
                Arguments.of("delimiter not ASCII", (Executable) () -> o.delimiter('§'), List.of("Csv: delimiter: expected an ASCII character", "got '§'")),
                Arguments.of("delimiter line break", (Executable) () -> o.delimiter('\n'), List.of("Csv: delimiter", "got a line break")),
                Arguments.of("naValue null", (Executable) () -> o.naValue(null), List.of("Csv: naValue: expected a string", "got null")),
                Arguments.of("columns no names", (Executable) () -> o.columns(new String[0]), List.of("Csv: columns: expected at least one column name, got none")),
                Arguments.of("columns null name", (Executable) () -> o.columns("a", null), List.of("Csv: columns: name 1 is null")),
                Arguments.of("columns name twice", (Executable) () -> o.columns("a", "a"), List.of("Csv: columns: \"a\" is given twice")),
                Arguments.of("columns no indices", (Executable) () -> o.columns(new int[0]), List.of("Csv: columns: expected at least one column index, got none")),
                Arguments.of("columns decreasing", (Executable) () -> o.columns(2, 1), List.of("Csv: columns: expected increasing indices >= 0, got [2, 1]")),
                Arguments.of("columns negative", (Executable) () -> o.columns(-1), List.of("Csv: columns: expected increasing indices >= 0, got [-1]")),
                Arguments.of("defaults none", (Executable) () -> o.defaults(), List.of("Csv: defaults: expected one value per column read (or one for all), got none")),
                Arguments.of("defaults of another count", (Executable) () -> Csv.read(csv, o.defaults(1, 2, 3)),
                        List.of("Csv: defaults: expected one per column read (2) or one for all, got 3")),
                Arguments.of("names without header", (Executable) () -> Csv.read(csv, o.header(false).columns("a")),
                        List.of("Csv: columns: names need header(true)")),
                Arguments.of("name not in header", (Executable) () -> Csv.read(csv, o.columns("c")),
                        List.of("Csv: columns: \"c\" is not in the header [a, b] of", "a.csv")),
                Arguments.of("index past the fields", (Executable) () -> Csv.read(csv, o.columns(0, 2)),
                        List.of("Csv: columns: index 2 is past the 2 fields of the first record of")),
                Arguments.of("npy null", (Executable) () -> Csv.toNpy(csv, null, o), List.of("Csv: npy: expected the .npy file to write, got null")));
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
    void missingEmptyOrAFolderIsAnIOException() {
        for (Object[] c : new Object[][] {{dir.resolve("none.csv"), "none.csv does not exist"}, {dir, " is not a file"},
                {empty, "empty.csv: the file is empty"}}) {
            IOException e = assertThrows(IOException.class, () -> Csv.read((Path) c[0]));
            assertTrue(e.getMessage().startsWith("Csv: ") && e.getMessage().contains((String) c[1]), e.getMessage());
            e = assertThrows(IOException.class, () -> Csv.toNpy((Path) c[0], dir.resolve("out.npy"), new Csv.Options()));
            assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
        }
        assertTrue(!Files.exists(dir.resolve("out.npy")));
    }
}
