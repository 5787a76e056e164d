package dev.jrnn;

import dev.jrnn.tensor.Tensor;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java code blocks of README.md and docs/GUIDE.md compiled as written (javac of the running JDK, jrnn's classes on the
 * class path) and loaded, so a test checks the snippet a user copies, not a copy of it.
 */
public final class Snippets {
    private Snippets() {}

    /** The first ```java block after {@code marker} in {@code text} (a section of README or the guide). */
    public static String javaBlock(String text, String marker) {
        int at = text.indexOf(marker);
        assertTrue(at >= 0, "the text has '" + marker + "'");
        int from = text.indexOf("```java\n", at);
        assertTrue(from >= 0, "a ```java block follows '" + marker + "'");
        int to = text.indexOf("\n```", from + 8);
        assertTrue(to > from, "the ```java block after '" + marker + "' ends");
        return text.substring(from + 8, to + 1);
    }

    /**
     * Compiles {@code source}, the whole file of class {@code className} (fully qualified), into {@code dir} and
     * loads it; a compile error fails the test with javac's diagnostics.
     */
    public static Class<?> compile(Path dir, String className, String source) throws IOException, ClassNotFoundException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests run on a JDK");
        Path src = dir.resolve("src").resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source, StandardCharsets.UTF_8);
        Path out = Files.createDirectories(dir.resolve("classes"));
        String jrnn;
        try {
            jrnn = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        String cp = jrnn + File.pathSeparator + System.getProperty("java.class.path");
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diags, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, diags,
                    List.of("-classpath", cp, "-d", out.toString(), "--release", "25", "-proc:none"), null,
                    files.getJavaFileObjects(src)).call();
            StringBuilder errors = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) errors.append(d).append('\n');
            assertTrue(ok, "the snippet compiles:\n" + errors + "\n" + source);
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, Snippets.class.getClassLoader());
        return Class.forName(className, true, loader);
    }
}
