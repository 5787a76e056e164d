package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.ModelCheckpoint;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A save that fails says so the same way from every entry point: saveWeights as save, "<model>.saveWeights(<file>): <why>
 * (the previous file, if any, is unchanged)", and ModelCheckpoint once, not twice. The failure here is a read-only (0444)
 * target, which a save refuses to replace.
 */
class SaveMessagesTest {
    @TempDir
    Path tmp;

    private static Sequential model() {
        Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.compile("sgd", "mse");
        return m;
    }

    private static void readOnly(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--r--r--"));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    @Test
    void saveWeightsNamesTheFileAndSaysThePreviousOneIsUnchanged() throws IOException {
        try (Sequential m = model()) {
            for (String n : new String[] {"w.safetensors", "w.weights.h5", "w.h5"}) {
                Path p = tmp.resolve(n);
                m.saveWeights(p);
                byte[] before = Files.readAllBytes(p);
                readOnly(p);
                IOException e = assertThrows(IOException.class, () -> m.saveWeights(p), n);
                assertEquals(m.name() + ".saveWeights(" + p + "): " + p.toAbsolutePath() + " is read-only; refusing to replace it (make it"
                        + " writable or remove it first) (the previous file, if any, is unchanged)", e.getMessage());
                assertArrayEquals(before, Files.readAllBytes(p));
            }
        }
    }

    @Test
    void modelCheckpointSaysThePreviousFileIsUnchangedOnce() throws IOException {
        try (Sequential m = model()) {
            Path p = tmp.resolve("m.keras");
            m.save(p);
            readOnly(p);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> m.fit(Tensor.zeros(4, 3), Tensor.zeros(4, 2),
                    new FitOptions().epochs(1).verbose(0).callbacks(new ModelCheckpoint(p.toString()))));
            assertTrue(e.getMessage().startsWith("ModelCheckpoint: could not write " + p + " at epoch 1: " + m.name() + ".save(" + p + "): "),
                    e.getMessage());
            assertEquals(1, count(e.getMessage(), "unchanged"), e.getMessage());
        }
    }
}
