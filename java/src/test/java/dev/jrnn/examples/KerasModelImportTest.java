package dev.jrnn.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the {@code keras} demo finds its Keras file: in the repository's examples/keras-files, so a plain clone runs
 * it (it looked only for shared/fixtures/keras, which lies outside the repository, and failed there).
 */
class KerasModelImportTest {
    private static final String[] FILES = {"simple_lstm_model.h5", "simple_lstm_inputs_and_outputs.h5"};

    @Test
    void aCloneFindsTheFilesInItsOwnExamples(@TempDir Path clone) throws IOException {
        Path files = Files.createDirectories(clone.resolve("examples/keras-files"));
        Files.writeString(files.resolve("simple_lstm_model.h5"), "x");
        Path java = Files.createDirectories(clone.resolve("java"));
        assertEquals(files, KerasModelImport.fixtures(null, java), "found from <clone>/java, where the tests and demo.sh run");
        assertEquals(files, KerasModelImport.fixtures(null, clone));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KerasModelImport.fixtures(clone.resolve("nowhere").toString(), clone.getParent()));
        assertTrue(e.getMessage().startsWith("Keras demo files not found; looked in [" + clone.resolve("nowhere")), e.getMessage());
    }

    /** The repository's copies are the fixtures' Keras files, byte for byte (examples/keras-files/README.md). */
    @Test
    void theCopiesAreTheKerasFixtures() throws IOException {
        Path repo = KerasModelImport.fixtures(null, Path.of("").toAbsolutePath());
        Path shared = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && shared == null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/fixtures/keras"))) shared = p.resolve("shared/fixtures/keras");
        }
        assertTrue(shared != null, "shared/fixtures/keras beside the repository (the suite's Keras fixtures)");
        for (String f : FILES) assertArrayEquals(Files.readAllBytes(shared.resolve(f)), Files.readAllBytes(repo.resolve(f)), f);
    }
}
