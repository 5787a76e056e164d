package dev.jrnn;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's programs compiled and run as written: "A first program" is a whole file, the class the README's pom.xml
 * runs; "A layer call and a model in ten lines" is the body of a method once its import line is taken off.
 */
class ReadmeProgramsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static String printed(ThrowingRunnable r) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(stdout);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void theFirstProgramIsTheMainClassThePomRunsAndItRuns(@TempDir Path dir) throws Exception {
        String program = Snippets.javaBlock(Readme.section("## A first program"), "## A first program");
        assertTrue(program.startsWith("package com.example;\n") && program.contains("\npublic class Main {"), program);
        String pom = Readme.section("## Using jrnn from another project");
        assertTrue(pom.contains("<argument>com.example.Main</argument>"), "the pom runs com.example.Main");
        assertTrue(pom.contains("```xml\n<?xml") && pom.contains("</project>\n```"), "the pom is a whole pom.xml");
        Class<?> main = Snippets.compile(dir, "com.example.Main", program);
        String out = printed(() -> main.getMethod("main", String[].class).invoke(null, (Object) new String[0]));
        assertTrue(out.contains("Epoch 5/5\n2/2 [==============================]"), out);
        assertTrue(out.contains("Tensor(2, 1) [[") && out.contains("\nsecond: "), out);
    }

    @Test
    void theTenLinesCompileAndRunAsAMethodBody(@TempDir Path dir) throws Exception {
        String block = Snippets.javaBlock(Readme.section("## A layer call and a model in ten lines"), "ten lines");
        int nl = block.indexOf('\n');
        String imports = block.substring(0, nl);
        assertTrue(imports.startsWith("import ") && !block.substring(nl).contains("import "), block);
        String source = "package readme;\n" + imports + "\npublic class Ten {\n public static void run() {\n"
                + block.substring(nl + 1) + " }\n}\n";
        Class<?> ten = Snippets.compile(dir, "readme.Ten", source);
        String out = printed(() -> ten.getMethod("run").invoke(null));
        assertTrue(out.contains("Epoch 100/100\n3/3 [==============================]"), out);
        assertTrue(out.contains("Total params: 131") && out.contains("Optimizer params: 264"), out);
    }
}
