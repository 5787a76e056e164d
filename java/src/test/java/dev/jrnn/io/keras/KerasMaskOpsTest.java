package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 3 functional files whose implicit masks are recorded as Keras 3 records them (generator/make_keras_files.py,
 * keras3_mask_ops): the ops that computed a mask (not_equal, any) listed among the layers and the mask passed in the
 * nodes' kwargs. Predictions equal numpy's float64 loop over the masked steps; explicit masks jrnn would not compute
 * and ops used as layer inputs are refused naming them.
 */
class KerasMaskOpsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void implicitMasksRecordedAsOpsPredictNumpysOutputs() throws IOException {
        List<Tensor> x = List.of(Npy.read(resource("keras3_mask_ops_tokens.npy")), Npy.read(resource("keras3_mask_ops_features.npy")));
        float[] want = Npy.read(resource("keras3_mask_ops_y.npy")).data();
        for (String f : List.of("keras3_mask_ops.keras", "keras3_mask_ops.h5")) {
            try (Model m = Models.load(resource(f))) {
                assertEquals(List.of("tokens", "features", "embedding", "masking", "lstm", "gru", "concatenate", "dense"),
                        m.layers().stream().map(l -> l.name()).toList(), f + ": the ops are not layers");
                float[] got = m.predictAll(x, 32, null).get(0).data();
                assertEquals(want.length, got.length, f);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, f + ": y[" + i + "]");
            }
        }
    }

    /** The generated .keras with its config.json edited by {@code edit}, written to {@code out}. */
    private static Path edited(Path out, UnaryOperator<String> edit) throws IOException {
        try (ZipFile in = new ZipFile(resource("keras3_mask_ops.keras").toFile());
             ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(out))) {
            for (var e : Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("config.json")) {
                    String cfg = new String(b, StandardCharsets.UTF_8), changed = edit.apply(cfg);
                    assertFalse(cfg.equals(changed), "the edit changed nothing");
                    b = changed.getBytes(StandardCharsets.UTF_8);
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(b);
                z.closeEntry();
            }
        }
        return out;
    }

    private static String refused(Path file) {
        byte[] before = readQuietly(file);
        IOException e = assertThrows(IOException.class, () -> Models.load(file));
        assertTrue(java.util.Arrays.equals(before, readQuietly(file)), "the file is left as it was");
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        return e.getMessage();
    }

    private static byte[] readQuietly(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Embedding without mask_zero: the LSTM's mask (not_equal(tokens, 0)) is the user's own, which jrnn would drop. */
    @Test
    void anExplicitMaskComputedByOpsIsRefusedNamingTheLayerAndTheOp(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("explicit.keras"), c -> c.replace("\"mask_zero\": true", "\"mask_zero\": false")));
        assertTrue(m.contains("layer 'lstm'") && m.contains("'not_equal'") && m.contains("mask")
                && m.contains("Masking") && m.contains("mask_zero"), m);
    }

    /** A mask taken from a layer's output (here the features input itself) is an explicit mask: refused. */
    @Test
    void aMaskFromALayersOutputIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("fromlayer.keras"), c -> c.replace("\"keras_history\": [\"any\", 0, 0]",
                "\"keras_history\": [\"features\", 0, 0]")));
        assertTrue(m.contains("layer 'gru'") && m.contains("'features'") && m.contains("mask"), m);
    }

    /** An op's output as a layer's input (keras.ops in a functional graph) is not read: refused naming the op. */
    @Test
    void anOpUsedAsALayersInputIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("opinput.keras"), c -> c.replace("\"keras_history\": [\"concatenate\", 0, 0]",
                "\"keras_history\": [\"any\", 0, 0]")));
        assertTrue(m.contains("layer 'dense'") && m.contains("'any'") && m.contains("Any") && m.contains("keras.src.ops.numpy"), m);
    }

    /** An op that is not one of the ops Keras' compute_mask uses is refused even where it only feeds a mask. */
    @Test
    void anUnknownMaskOpIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("unknown.keras"), c -> c.replace("\"class_name\": \"Any\"", "\"class_name\": \"Sin\"")
                .replace("\"registered_name\": \"Any\"", "\"registered_name\": \"Sin\"")));
        assertTrue(m.contains("'any'") && m.contains("Sin"), m);
    }
}
