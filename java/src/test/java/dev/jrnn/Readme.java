package dev.jrnn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** README.md and the guide it leads to (docs/GUIDE.md) as the tests that check them read them (from the module or the repository root). */
public final class Readme {
    private Readme() {}

    /**
     * The text of the section that starts with {@code heading} (e.g. "## CPU or CUDA") in README.md, else in
     * docs/GUIDE.md, up to the next "## ".
     */
    public static String section(String heading) throws IOException {
        for (String name : new String[] {"README.md", "docs/GUIDE.md"}) {
            Path file = Path.of(name);
            if (!Files.exists(file)) file = Path.of("..").resolve(name);
            String s = Files.readString(file);
            int from = s.startsWith(heading) ? 0 : s.indexOf("\n" + heading);   // a heading, not a mention of it
            if (from < 0) continue;
            if (from > 0) from++;
            int to = s.indexOf("\n## ", from + 1);
            return s.substring(from, to < 0 ? s.length() : to);
        }
        assertTrue(false, "README.md or docs/GUIDE.md has a '" + heading + "' section");
        return null;
    }
}
