package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.LSTM;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ModelFiles#restoreInto}: a file it refuses leaves the model as it was, weights and training state. */
class RestoreIntoTest {
    @TempDir
    Path dir;

    private static Sequential model() {
        Sequential m = new Sequential(new LSTM(4).inputShape(5, 3), new Dropout(0.3).seed(2), new Dense(2));
        m.compile(new Adam(0.01f), "mse");
        return m;
    }

    /**
     * A file whose dropout stream is refused (masks drawn -1) after its weights and optimizer state were read: the
     * weights were put back, but the optimizer's moments and update count stayed the file's (3 updates, not the model's 1).
     */
    @Test
    void aRefusedRestoreLeavesWeightsAndOptimizerStateAsTheyWere() throws Exception {
        Jrnn.setBackend("cpu");
        Path f = dir.resolve("m.keras");
        try (Sequential a = model()) {
            for (int i = 0; i < 3; i++) a.trainOnBatch(Tensor.full(0.5f, 4, 5, 3), Tensor.full(0.2f, 4, 2));
            a.save(f);
        }
        Path bad = withMetadata(f, dir.resolve("bad.keras"));
        try (Sequential b = model()) {
            b.trainOnBatch(Tensor.full(-0.3f, 4, 5, 3), Tensor.full(0.7f, 4, 2));
            List<Tensor> weights = b.getWeights();
            Map<String, float[]> state = b.optimizer().state();
            long[] stream = b.layers().get(1) instanceof Dropout d ? d.maskStream() : null;
            IOException e = assertThrows(IOException.class, () -> ModelFiles.restoreInto(b, bad));
            assertTrue(e.getMessage().contains("must be >= 0, got -1"), e.getMessage());
            assertEquals(1, b.optimizer().iterations(), "the model's update count");
            for (int i = 0; i < weights.size(); i++) assertArrayEquals(weights.get(i).data(), b.getWeights().get(i).data(), "weight " + i);
            Map<String, float[]> now = b.optimizer().state();
            assertEquals(state.keySet(), now.keySet());
            for (String k : state.keySet()) assertArrayEquals(state.get(k), now.get(k), "optimizer slot " + k);
            assertArrayEquals(stream, ((Dropout) b.layers().get(1)).maskStream(), "the dropout stream");
            ModelFiles.restoreInto(b, f);   // the good file restores all of it
            assertEquals(3, b.optimizer().iterations());
        }
    }

    /** A copy of {@code keras} whose metadata.json gives the dropout layer a stream of -1 masks drawn. */
    @SuppressWarnings("unchecked")
    private static Path withMetadata(Path keras, Path out) throws IOException {
        try (ZipFile in = new ZipFile(keras.toFile()); ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("metadata.json")) {
                    Map<String, Object> meta = (Map<String, Object>) Json.parse(new String(b, StandardCharsets.UTF_8));
                    Map<String, Object> dropout = (Map<String, Object>) ((Map<String, Object>) meta.get("jrnn")).get("dropout");
                    String layer = dropout.keySet().iterator().next();   // the one Dropout, whatever the session numbered it
                    dropout.put(layer, List.of(((List<Object>) dropout.get(layer)).get(0), "-1"));
                    b = Json.write(meta).getBytes(StandardCharsets.UTF_8);
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(b);
            }
        }
        return out;
    }
}
