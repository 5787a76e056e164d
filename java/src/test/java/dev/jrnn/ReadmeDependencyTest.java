package dev.jrnn;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's "Using jrnn from another project" and examples/keras-way (the separate project ci/acceptance.sh builds
 * and runs) say the same: the project's pom.xml holds README's XML line for line, and the script installs jrnn with
 * README's command. So the acceptance run checks the instructions a user follows, not a private variant.
 */
class ReadmeDependencyTest {
    private static Path root() {
        return Files.exists(Path.of("examples")) ? Path.of(".") : Path.of("..");
    }

    private static List<String> lines(String text) {
        List<String> r = new ArrayList<>();
        for (String l : text.split("\n")) if (!l.isBlank()) r.add(l.strip());
        return r;
    }

    @Test
    void theKerasWayProjectIsReadmesPomAndScript() throws IOException {
        String section = Readme.section("## Using jrnn from another project");
        int from = section.indexOf("```xml\n"), to = section.indexOf("```", from + 7);
        assertTrue(from >= 0 && to > from, "README shows the pom.xml to copy");
        List<String> readme = lines(section.substring(from + 7, to));
        List<String> pom = lines(Files.readString(root().resolve("examples/keras-way/pom.xml")));
        int at = 0;
        for (String l : readme) {
            int i = pom.subList(at, pom.size()).indexOf(l);
            assertTrue(i >= 0, "examples/keras-way/pom.xml lacks README's line, in README's order: " + l);
            at += i + 1;
        }
        String install = "mvn -B -DskipTests -pl java -am install";
        assertTrue(section.contains("source ci/jdk.sh && " + install), "README's install command");
        String script = Files.readString(root().resolve("ci/acceptance.sh"));
        assertTrue(script.contains("-DskipTests -pl java -am install") && script.contains("compile exec:exec"), "ci/acceptance.sh follows README");
    }
}
