package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.LSTM;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.Nadam;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
        return model(new Adam(0.01f));
    }

    private static Sequential model(Optimizer optimizer) {
        Sequential m = new Sequential(new LSTM(4).inputShape(5, 3), new Dropout(0.3).seed(2), new Dense(2));
        m.compile(optimizer, "mse");
        return m;
    }

    /**
     * A file whose dropout stream is refused (masks drawn -1) after its weights and optimizer state were read: the
     * weights were put back, but the optimizer's moments and update count stayed the file's (3 updates, not the model's 1).
     */
    /** Trains {@code a} three steps on constant data, saves it to {@code f} and closes it. */
    private static void savedAfterThreeSteps(Sequential a, Path f) throws Exception {
        try (a) {
            for (int i = 0; i < 3; i++) a.trainOnBatch(Tensor.full(0.5f, 4, 5, 3), Tensor.full(0.2f, 4, 2));
            a.save(f);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRefusedRestoreLeavesWeightsAndOptimizerStateAsTheyWere() throws Exception {
        Jrnn.setBackend("cpu");
        Path f = dir.resolve("m.keras");
        savedAfterThreeSteps(model(), f);
        Path bad = withMetadata(f, dir.resolve("bad.keras"), jrnn -> {
            Map<String, Object> dropout = (Map<String, Object>) jrnn.get("dropout");
            String layer = dropout.keySet().iterator().next();   // the one Dropout, whatever the session numbered it
            dropout.put(layer, List.of(((List<Object>) dropout.get(layer)).get(0), "-1"));
        });
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

    /**
     * An update count past what the optimizer holds (2^50 > {@link Optimizer#MAX_ITERATIONS}) was checked only when the
     * state was set, after the read: an IllegalArgumentException that did not name the file. It is refused in the read now.
     */
    @Test
    @SuppressWarnings("unchecked")
    void anUpdateCountPastTheLimitIsRefusedNamingTheFileWithNothingChanged() throws Exception {
        Jrnn.setBackend("cpu");
        Path f = dir.resolve("m.keras");
        savedAfterThreeSteps(model(), f);
        Path bad = withMetadata(f, dir.resolve("count.keras"),
                jrnn -> ((Map<String, Object>) jrnn.get("optimizer")).put("iterations", 1L << 50));
        try (Sequential b = model()) {
            refusedLeavingAllAsItWas(b, bad, "iterations must be in [0, " + Optimizer.MAX_ITERATIONS + "], got " + (1L << 50));
        }
    }

    /**
     * Optimizer state that lacks a slot (Nadam's state names "m" alone, its "v" left out) was refused after the optimizer
     * was bound afresh: the model's moments were gone (state() empty, not the model's m and v). Refused in the read now;
     * Models.load of the file leaves the state out with one warning (it refused the whole file before session 29).
     */
    @Test
    @SuppressWarnings("unchecked")
    void optimizerStateMissingASlotIsRefusedNamingTheFileWithNothingChanged() throws Exception {
        Jrnn.setBackend("cpu");
        Path f = dir.resolve("nadam.keras");
        savedAfterThreeSteps(model(new Nadam(0.01)), f);
        Path bad = withMetadata(f, dir.resolve("slot.keras"), jrnn -> {
            Map<String, Object> o = (Map<String, Object>) jrnn.get("optimizer");
            assertEquals(List.of("m", "v"), o.get("state"), "Nadam's state below jrnn_state/, by name");
            o.put("state", List.of("m"));
        });
        String says = "Nadam as compiled keeps the slots [m, v], the file's state holds [m]";
        try (Sequential b = model(new Nadam(0.01))) {
            refusedByRestoreInto(b, bad, says);
        }
        // Models.load compiles from the file's config, which the state does not fit: not restored, as Keras skips such
        // state (one warning), where the load was refused
        Model[] loaded = new Model[1];
        List<String> w = dev.jrnn.LogCapture.warnings(dev.jrnn.io.keras.KerasImport.class.getName(), () -> loaded[0] = Models.load(bad));
        try (Model l = loaded[0]) {
            assertEquals(1, w.size(), w.toString());
            assertTrue(w.get(0).contains(says) && w.get(0).contains("fresh moments at update 0"), w.get(0));
            assertEquals(0, l.optimizer().iterations());
        }
    }

    /**
     * The current layout (Keras' optimizer/vars) restored into a model compiled with other settings (amsgrad: more
     * variables) is refused with the model left as it was, as the layout below jrnn_state/ refuses state that does not
     * fit; Models.load of a file whose config says amsgrad leaves the state out with one warning (ModelFileBadInputTest).
     */
    @Test
    void stateAtKerasVarsOfOtherSettingsIsRefusedByRestoreInto() throws Exception {
        Jrnn.setBackend("cpu");
        Path f = dir.resolve("adam.keras");
        savedAfterThreeSteps(model(), f);
        try (Sequential b = model(new Adam(0.01f).amsgrad(true))) {
            refusedByRestoreInto(b, f, "the model's optimizer (as compiled) does not fit the file's optimizer state: the optimizer state "
                    + "holds 12 variables, Adam (amsgrad) over 5 trainable weights has 17 in Keras 3.10.0's order");
        }
    }

    /** {@code file} refused by restoreInto and Models.load, naming it and {@code says}; {@code m}'s weights and optimizer state unchanged. */
    private static void refusedLeavingAllAsItWas(Sequential m, Path file, String says) throws IOException {
        refusedByRestoreInto(m, file, says);
        IOException l = assertThrows(IOException.class, () -> Models.load(file));
        assertTrue(l.getMessage().startsWith(file.toString()) && l.getMessage().contains(says), l.getMessage());
    }

    /** {@code file} refused by restoreInto, naming it and {@code says}; {@code m}'s weights and optimizer state unchanged. */
    private static void refusedByRestoreInto(Sequential m, Path file, String says) throws IOException {
        m.trainOnBatch(Tensor.full(-0.3f, 4, 5, 3), Tensor.full(0.7f, 4, 2));
        List<Tensor> weights = m.getWeights();
        Map<String, float[]> state = m.optimizer().state();
        IOException e = assertThrows(IOException.class, () -> ModelFiles.restoreInto(m, file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(says), e.getMessage());
        assertEquals(1, m.optimizer().iterations(), "the model's update count");
        for (int i = 0; i < weights.size(); i++) assertArrayEquals(weights.get(i).data(), m.getWeights().get(i).data(), "weight " + i);
        Map<String, float[]> now = m.optimizer().state();
        assertEquals(state.keySet(), now.keySet());
        for (String k : state.keySet()) assertArrayEquals(state.get(k), now.get(k), "optimizer slot " + k);
    }

    /** A copy of {@code keras} whose metadata.json's "jrnn" part {@code edit} changed. */
    @SuppressWarnings("unchecked")
    private static Path withMetadata(Path keras, Path out, Consumer<Map<String, Object>> edit) throws IOException {
        try (ZipFile in = new ZipFile(keras.toFile()); ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("metadata.json")) {
                    Map<String, Object> meta = (Map<String, Object>) Json.parse(new String(b, StandardCharsets.UTF_8));
                    edit.accept((Map<String, Object>) meta.get("jrnn"));
                    b = Json.write(meta).getBytes(StandardCharsets.UTF_8);
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(b);
            }
        }
        return out;
    }
}
