package dev.jrnn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticListener;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Javadoc a user reads (the HTML pages and the IDE's hover), built by the running JDK's javadoc with doclint over the
 * main sources as {@code mvn install} builds the javadoc jar (ci/test.sh skips that jar): no broken or inaccessible
 * {@code {@link}} (a link to a private field shows as plain text naming a class users cannot see), no HTML or syntax
 * fault, and in the packages users call no public class, constructor, method or field without a comment (an empty hover).
 * {@code @param} / {@code @return} are not required: a one-line comment that says it all is enough.
 */
class JavadocTest {
    /** The packages whose public members users call; backend, distributed and examples are left to their own comments. */
    static final Set<String> USER_FACING = Set.of("dev.jrnn", "dev.jrnn.model", "dev.jrnn.layers", "dev.jrnn.optim",
            "dev.jrnn.optim.schedules", "dev.jrnn.losses", "dev.jrnn.data", "dev.jrnn.io", "dev.jrnn.io.keras",
            "dev.jrnn.io.torch", "dev.jrnn.initializers", "dev.jrnn.regularizers", "dev.jrnn.tensor");

    /** doclint's "missing" group: only these three mean an empty hover (no @param / @return is fine). */
    private static final List<String> EMPTY_HOVER = List.of("no comment", "use of default constructor", "no main description");

    @Test
    void publicJavadocHasNoBrokenLinksAndUserFacingMembersHaveComments(@TempDir Path out) throws IOException {
        Path main = Path.of("src/main/java");
        if (!Files.isDirectory(main)) main = Path.of("java/src/main/java");
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        assertNotNull(javadoc, "the tests run on a JDK");
        Set<String> faults = new LinkedHashSet<>();   // javadoc reports a fault once per page that shows the comment
        Path root = main.toAbsolutePath();
        DiagnosticListener<JavaFileObject> listener = d -> {
            if (d.getKind() != Diagnostic.Kind.ERROR && d.getKind() != Diagnostic.Kind.WARNING
                    && d.getKind() != Diagnostic.Kind.MANDATORY_WARNING) return;
            String message = d.getMessage(Locale.ENGLISH);
            if (message.contains("incubating module")) return;
            String where = "";
            String pkg = "";
            if (d.getSource() != null) {
                Path file = Path.of(d.getSource().toUri()).toAbsolutePath();
                where = root.relativize(file) + ":" + d.getLineNumber() + ": ";
                Path dir = root.relativize(file).getParent();
                pkg = dir == null ? "" : dir.toString().replace('/', '.').replace('\\', '.');
            }
            boolean missing = message.startsWith("no @") || EMPTY_HOVER.stream().anyMatch(message::startsWith);
            if (missing && !(USER_FACING.contains(pkg) && EMPTY_HOVER.stream().anyMatch(message::startsWith))) return;
            faults.add(where + d.getKind() + ": " + message.lines().findFirst().orElse(""));
        };
        StringWriter log = new StringWriter();
        try (StandardJavaFileManager files = javadoc.getStandardFileManager(listener, Locale.ENGLISH, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-Xdoclint:all", "-Xmaxwarns", "100000", "-Xmaxerrs", "100000", "-quiet",
                    "--add-modules", "jdk.incubator.vector", "--release", "25", "-locale", "en",
                    "-classpath", System.getProperty("java.class.path"), "-sourcepath", main.toString(),
                    "-subpackages", "dev.jrnn", "-d", out.toString(),
                    "-notree", "-noindex", "-nohelp", "-nodeprecatedlist", "--no-platform-links");
            boolean ok = javadoc.getTask(log, files, listener, null, options, null).call();
            assertTrue(ok || !faults.isEmpty(), "javadoc ran:\n" + log);
        }
        assertTrue(faults.isEmpty(), faults.size() + " Javadoc faults (see the class comment):\n" + String.join("\n", faults));
    }
}
