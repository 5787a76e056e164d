package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.AdditiveAttention;
import dev.jrnn.layers.Attention;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 3 files with Attention and AdditiveAttention (generator/make_keras_files.py, keras3_attention): config names,
 * call arguments in the nodes' kwargs, scalar weights of shape (), in the .keras zip, the legacy .h5 and a
 * .weights.h5; predictions equal numpy's float64 outputs of Keras' formula on the file's weights.
 */
class KerasAttentionImportTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static List<Tensor> inputs() throws IOException {
        return List.of(Npy.read(resource("keras3_attention_q.npy")), Npy.read(resource("keras3_attention_v.npy")),
                Npy.read(resource("keras3_attention_k.npy")));
    }

    private static void assertPredictsNumpy(Model m, String f) throws IOException {
        List<Tensor> got = m.predictAll(inputs(), 32, null);
        for (int o = 0; o < 4; o++) {
            float[] want = Npy.read(resource("keras3_attention_y" + o + ".npy")).data();
            assertEquals(want.length, got.get(o).data().length, f + ": output " + o);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got.get(o).data()[i], 2e-6, f + ": output " + o + "[" + i + "]");
        }
    }

    @Test
    void keras3AttentionFilesPredictNumpysOutputs() throws IOException {
        for (String f : List.of("keras3_attention.keras", "keras3_attention.h5")) {
            try (Model m = Models.load(resource(f))) {
                Attention luong = (Attention) m.getLayer("luong"), concat = (Attention) m.getLayer("concat");
                AdditiveAttention bahdanau = (AdditiveAttention) m.getLayer("bahdanau");
                assertTrue(luong.useScale() && luong.returnAttentionScores() && !luong.useCausalMask(), f);
                assertEquals("dot", luong.scoreMode(), f);
                assertEquals("concat", concat.scoreMode(), f);
                assertTrue(bahdanau.useScale() && bahdanau.useCausalMask() && !bahdanau.returnAttentionScores(), f);
                assertEquals(0.1, bahdanau.dropout(), 1e-12, f);
                assertEquals(0.8f, luong.getWeights().get(0).data()[0], f);
                assertEquals(1.5f, concat.getWeights().get(1).data()[0], f);
                assertPredictsNumpy(m, f);
            }
        }
    }

    /** The generated .keras with its config.json edited by {@code edit}, written to {@code out}. */
    private static Path edited(Path out, java.util.function.UnaryOperator<String> edit) throws IOException {
        return KerasFixtures.withConfig(resource("keras3_attention.keras"), out, edit);
    }

    /** What jrnn cannot read from an attention layer's config or call is an IOException naming the file, layer and value. */
    @Test
    void badAttentionConfigsAreRefusedNamingTheLayer(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path mode = edited(dir.resolve("mode.keras"), c -> c.replace("\"score_mode\": \"concat\"", "\"score_mode\": \"general\""));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Models.load(mode));
        assertTrue(e.getMessage().contains("mode.keras") && e.getMessage().contains("layer 'concat' (Attention)")
                && e.getMessage().contains("score_mode") && e.getMessage().contains("\"general\""), e.getMessage());
        Path arg = edited(dir.resolve("arg.keras"), c -> c.replace("\"use_causal_mask\": true", "\"use_causal_mask\": 3"));
        e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Models.load(arg));
        assertTrue(e.getMessage().contains("use_causal_mask") && e.getMessage().contains("should be true or false"), e.getMessage());
        Path rate = edited(dir.resolve("rate.keras"), c -> c.replace("\"dropout\": 0.1", "\"dropout\": 1.5"));
        e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Models.load(rate));
        assertTrue(e.getMessage().contains("layer 'bahdanau' (AdditiveAttention)") && e.getMessage().contains("dropout")
                && e.getMessage().contains("[0, 1)"), e.getMessage());
    }

    /** The weights alone into the same architecture built in jrnn, by structure (Keras 3 names groups by class). */
    @Test
    void keras3WeightsFileLoadsIntoAModelBuiltInJrnn(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        try (Model fromFile = Models.load(resource("keras3_attention.keras"))) {
            dev.jrnn.model.Input q = dev.jrnn.model.Input.shape(3, 4), v = dev.jrnn.model.Input.shape(5, 4),
                    k = dev.jrnn.model.Input.shape(5, 4);
            var a = new Attention().useScale(true).returnAttentionScores(true).apply(q, v);
            var b = new AdditiveAttention().useCausalMask(true).apply(q, v, k);
            var c = new Attention().useScale(true).scoreMode("concat").apply(q, v);
            try (Model mine = new Model(List.of(q, v, k), List.of(a, a.get(1), b, c))) {
                assertFalse(mine.getWeights().equals(fromFile.getWeights()));
                mine.loadWeights(resource("keras3_attention.weights.h5"));
                assertPredictsNumpy(mine, "keras3_attention.weights.h5");
                // and what jrnn writes reads back the same
                Path again = dir.resolve("again.weights.h5");
                mine.saveWeights(again);
                fromFile.loadWeights(again);
                assertPredictsNumpy(fromFile, "again.weights.h5");
            }
        }
    }
}
