package dev.jrnn;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A child JVM with this one's class path and JVM flags of the test's choosing (HotSpot options are read at start-up). */
public final class ChildJvm {
    private ChildJvm() {}

    /** What the child printed; {@code err} without the JVM's own incubator-module and SLF4J lines. */
    public record Result(int rc, String out, String err) {}

    /** jrnn's JVM flags, the CPU backend chosen (no CUDA search line on stderr), then {@code more}. */
    public static List<String> jrnnFlags(String... more) {
        List<String> f = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djrnn.backend=cpu"));
        f.addAll(List.of(more));
        return f;
    }

    /**
     * Runs {@code main} with the JVM flags {@code flags} (see {@link #jrnnFlags}) and {@code args}; output to files, waited
     * on first, so a hung child fails the test instead of hanging it.
     */
    public static Result run(Path dir, List<String> flags, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", classPath(), main.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "child", ".out"), err = Files.createTempFile(dir, "child", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        // the launcher would add these to the child's flags and print "Picked up ..." on its stderr
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        boolean ended = p.waitFor(300, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly().waitFor();
        String o = Files.readString(out, StandardCharsets.UTF_8), e = Files.readString(err, StandardCharsets.UTF_8).lines()
                .filter(l -> !l.contains("Using incubator modules") && !l.startsWith("SLF4J")).reduce("", (a, b) -> a + b + "\n");
        assertTrue(ended, "child did not end: " + o + e);
        return new Result(p.exitValue(), o, e);
    }

    /**
     * java.class.path and the entries of the loaders above this class's (JUnit's console launcher loads the test classes
     * through a loader of its own, so java.class.path may hold only the launcher's jar).
     */
    private static String classPath() throws Exception {
        List<String> cp = new ArrayList<>(List.of(System.getProperty("java.class.path")));
        for (ClassLoader l = ChildJvm.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof java.net.URLClassLoader u) {
                for (java.net.URL url : u.getURLs()) cp.add(Path.of(url.toURI()).toString());
            }
        }
        return String.join(File.pathSeparator, cp);
    }
}
