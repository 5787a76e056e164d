package dev.jrnn;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guide's "Tensors: getting numbers in and out" program compiled and run as written (its x.npy in a temporary folder). */
class GuideTensorsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void theTensorsProgramCompilesAndRuns(@TempDir Path dir) throws Exception {
        String program = Snippets.javaBlock(Readme.section("## Tensors: getting numbers in and out"), "## Tensors");
        String npy = "Path.of(\"x.npy\")";
        assertTrue(program.contains(npy), program);
        Path file = dir.resolve("x.npy");
        Class<?> c = Snippets.compile(dir, "Tensors", program.replace(npy, "Path.of(\"" + file.toString().replace("\\", "\\\\") + "\")"));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            c.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("Tensor(2, 3, 1) [[[1.0],"), out);
        assertTrue(Files.size(file) > 0, "x.npy written");
    }
}
