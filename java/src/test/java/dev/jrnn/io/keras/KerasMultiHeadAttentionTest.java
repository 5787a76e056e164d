package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras files with MultiHeadAttention (generator/make_keras_files.py: keras3_mha, tfkeras_mha): Keras 3's calls by
 * keyword and by position with an attention_mask input, its EinsumDense weight groups, the legacy .h5 and a .weights.h5,
 * tf.keras 2's node kwargs; predictions equal numpy's float64 outputs of Keras' formula on the file's weights. What jrnn
 * cannot do is refused naming the file, the layer and the option.
 */
class KerasMultiHeadAttentionTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static List<Tensor> inputs() throws IOException {
        return List.of(Npy.read(resource("keras3_mha_q.npy")), Npy.read(resource("keras3_mha_v.npy")),
                Npy.read(resource("keras3_mha_k.npy")), Npy.read(resource("keras3_mha_am.npy")));
    }

    private static void assertNear(Tensor want, Tensor got, String what) {
        assertEquals(want.data().length, got.data().length, what);
        for (int i = 0; i < want.data().length; i++) assertEquals(want.data()[i], got.data()[i], 3e-6, what + "[" + i + "]");
    }

    private static void assertPredictsNumpy(Model m, String f) throws IOException {
        List<Tensor> got = m.predictAll(inputs(), 32, null);
        for (int o = 0; o < 3; o++) assertNear(Npy.read(resource("keras3_mha_y" + o + ".npy")), got.get(o), f + ": output " + o);
    }

    @Test
    void keras3FilesPredictNumpysOutputs() throws IOException {
        // keras3_mha_302.keras: Keras 3.0.0-3.0.2's groups (_query_dense, ...) and a config without the keys later versions added
        for (String f : List.of("keras3_mha.keras", "keras3_mha.h5", "keras3_mha_302.keras")) {
            try (Model m = Models.load(resource(f))) {
                MultiHeadAttention cross = (MultiHeadAttention) m.getLayer("cross"), self = (MultiHeadAttention) m.getLayer("self");
                assertTrue(cross.useCausalMask() && cross.returnAttentionScores() && !cross.attentionMaskInput(), f);
                assertTrue(!self.useCausalMask() && self.attentionMaskInput() && self.outputShape() == 0, f);
                assertEquals(6, cross.outputShape(), f);
                assertEquals(2, cross.valueDim(), f);
                assertPredictsNumpy(m, f);
            }
        }
    }

    @Test
    void tfKeras2FilePredictsNumpysOutput() throws IOException {
        try (Model m = Models.load(resource("tfkeras_mha.h5"))) {
            MultiHeadAttention l = (MultiHeadAttention) m.getLayer("mha");
            assertEquals(3, l.valueDim());
            Tensor y = m.predictAll(List.of(Npy.read(resource("tfkeras_mha_q.npy")), Npy.read(resource("tfkeras_mha_v.npy"))), 32, null).get(0);
            assertNear(Npy.read(resource("tfkeras_mha_y.npy")), y, "tfkeras_mha.h5");
        }
    }

    /** The weights alone into the same architecture built in jrnn; what jrnn writes reads back the same. */
    @Test
    void weightsFileLoadsIntoAModelBuiltInJrnnAndBack(@TempDir Path dir) throws IOException {
        try (Model fromFile = Models.load(resource("keras3_mha.keras"))) {
            Input q = Input.shape(3, 4), v = Input.shape(4, 3), k = Input.shape(4, 5), am = Input.shape(3, 3);
            var a = new MultiHeadAttention(2, 3).valueDim(2).outputShape(6).useCausalMask(true).returnAttentionScores(true).apply(q, v, k);
            var b = new MultiHeadAttention(3, 2).attentionMaskInput(true).apply(q, q, am);
            try (Model mine = new Model(List.of(q, v, k, am), List.of(a, a.get(1), b))) {
                assertFalse(mine.getWeights().equals(fromFile.getWeights()));
                mine.loadWeights(resource("keras3_mha.weights.h5"));
                assertPredictsNumpy(mine, "keras3_mha.weights.h5");
                Path again = dir.resolve("again.weights.h5");
                mine.saveWeights(again);
                fromFile.loadWeights(again);
                assertPredictsNumpy(fromFile, "again.weights.h5");
            }
        }
    }

    /** The generated .keras with its config.json edited by {@code edit}, written to {@code out}. */
    private static Path edited(Path out, UnaryOperator<String> edit) throws IOException {
        return KerasFixtures.withConfig(resource("keras3_mha.keras"), out, edit);
    }

    private static void assertRefused(Path dir, String name, UnaryOperator<String> edit, String... words) throws IOException {
        Path f = edited(dir.resolve(name), edit);
        IOException e = assertThrows(IOException.class, () -> Models.load(f));
        assertTrue(e.getMessage().contains(name), e.getMessage());
        for (String w : words) assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
    }

    @Test
    void optionsJrnnCannotHonourAreRefusedNamingTheLayer(@TempDir Path dir) throws IOException {
        String layer = "layer 'cross' (MultiHeadAttention)";
        assertRefused(dir, "gate.keras", c -> c.replaceFirst("\"use_gate\": false", "\"use_gate\": true"), layer, "use_gate");
        assertRefused(dir, "window.keras", c -> c.replaceFirst("\"sliding_window\": null", "\"sliding_window\": 2"), layer, "sliding_window");
        assertRefused(dir, "axes.keras", c -> c.replaceFirst("\"attention_axes\": null", "\"attention_axes\": [2]"), layer, "attentionAxes", "[2]");
        assertRefused(dir, "shape.keras", c -> c.replaceFirst("\"output_shape\": \\[6\\]", "\"output_shape\": [2, 3]"), layer, "output_shape");
        assertRefused(dir, "activity.keras", c -> c.replaceFirst("\"activity_regularizer\": null",
                "\"activity_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.1}}"),
                layer, "activity_regularizer");
        assertRefused(dir, "heads.keras", c -> c.replaceFirst("\"num_heads\": 2", "\"num_heads\": 0"), layer, "numHeads", "0");
        assertRefused(dir, "flag.keras", c -> c.replace("\"use_causal_mask\": true", "\"use_causal_mask\": \"yes\""), "use_causal_mask",
                "true or false");
    }
}
