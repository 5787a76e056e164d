package dev.jrnn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** README.md as the tests that check it read it (from the module or the repository root). */
public final class Readme {
    private Readme() {}

    /** The text of the section that starts with {@code heading} (e.g. "## CPU or CUDA"), up to the next "## ". */
    public static String section(String heading) throws IOException {
        Path readme = Path.of("README.md");
        if (!Files.exists(readme)) readme = Path.of("../README.md");
        String s = Files.readString(readme);
        int from = s.indexOf(heading);
        assertTrue(from >= 0, "README.md has a '" + heading + "' section");
        int to = s.indexOf("\n## ", from + 1);
        return s.substring(from, to < 0 ? s.length() : to);
    }
}
