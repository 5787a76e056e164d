package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 3.15.1's LoRA layers (keras3_real/make_lora.py: Embedding enable_lora(2), Conv1D enable_lora(1, lora_alpha=3),
 * Dense enable_lora(2, lora_alpha=4), fitted). The legacy .h5 keeps each kernel and its low-rank pair unmerged (jrnn
 * refused it: "layer 'conv' (Conv1D) has 2 weight arrays, the file 4", after warning "predictions are unchanged"); the
 * .keras keeps the merged kernel. Both load as plain layers predicting what the saving model predicted.
 */
class LoraFilesTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora.h5", "lora.keras"})
    void predictsAsTheSavingModel(String f) throws Exception {
        Tensor x = Npy.read(keras3Real("lora_x.npy"));
        List<Model> loaded = new ArrayList<>();
        List<String> warned = LogCapture.warnings(KerasImport.class.getName(), () -> loaded.add(Models.load(keras3Real(f))));
        try (Model m = loaded.get(0)) {
            KerasFixtures.assertClose(Npy.read(keras3Real("lora_pred.npy")).data(), m.predict(x).data(), f + " predict");
            // the plain layers' weights, all trainable: Keras' kernel + bias, without the pair (Keras: 108 params, 48 trainable)
            assertEquals(List.of("emb/embeddings", "conv/kernel", "conv/bias", "dense/kernel", "dense/bias"), m.weightNames(), f);
            assertEquals(7 * 4 + 2 * 4 * 3 + 3 + 3 * 2 + 2, m.countParams(), f);
            assertEquals(m.countParams(), m.trainableWeights().values().stream().mapToLong(Tensor::size).sum(), f);
        }
        assertEquals(3, warned.size(), warned.toString());
        for (String[] l : new String[][] {{"emb", "Embedding", "2"}, {"conv", "Conv1D", "1"}, {"dense", "Dense", "2"}}) {
            assertTrue(warned.contains(keras3Real(f) + ": layer '" + l[0] + "' (" + l[1] + ") sets lora_rank " + l[2]
                    + ": jrnn has no LoRA and reads the layer with its low-rank update merged into the kernel, as Keras predicts;"
                    + " a fit then trains that whole kernel, where Keras trains only the low-rank pair"), warned.toString());
        }
        assertFalse(warned.toString().contains("predictions are unchanged"), warned.toString());
    }

    /** The pair sums into the kernel where the layer's first array was (a plain layer's kernel comes first), its bias after. */
    @Test
    void mergeSumsThePairScaledInKerasOrder() {
        Map<String, List<Hdf5Arrays.Stored>> stored = new LinkedHashMap<>();
        stored.put("d", new ArrayList<>(List.of(
                named("m/d/bias", Tensor.wrap(new float[] {0.5f, -0.5f}, 2)),
                named("m/d/lora_kernel_a", Tensor.wrap(new float[] {1, 2, 3}, 3, 1)),
                named("m/d/lora_kernel_b", Tensor.wrap(new float[] {10, 100}, 1, 2)),
                named("m/d/kernel", Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)))));
        stored.put("other", List.of(named("m/other/kernel", Tensor.wrap(new float[] {7}, 1, 1))));
        KerasLora.merge(stored, Map.of("d", 1.5));
        List<Hdf5Arrays.Stored> d = stored.get("d");
        assertEquals(2, d.size());
        assertEquals("m/d/kernel", d.get(0).name());
        // kernel + 1.5 * a @ b (numpy: k + 1.5 * a @ b)
        assertEquals(List.of(16f, 152f, 33f, 304f, 50f, 456f), boxed(d.get(0).tensor().data()));
        assertEquals("m/d/bias", d.get(1).name());
        assertEquals(List.of(7f), boxed(stored.get("other").get(0).tensor().data()));
    }

    /** A pair that does not fit its kernel, or one for a layer the config gives no lora_rank, is refused by name. */
    @Test
    void aPairThatDoesNotFitIsRefusedByName() {
        Map<String, List<Hdf5Arrays.Stored>> stored = new LinkedHashMap<>();
        stored.put("d", new ArrayList<>(List.of(
                named("m/d/lora_kernel_a", Tensor.wrap(new float[] {1, 2}, 2, 1)),
                named("m/d/lora_kernel_b", Tensor.wrap(new float[] {10, 100}, 1, 2)),
                named("m/d/kernel", Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)))));
        var e = assertThrows(KerasFormatException.class, () -> KerasLora.merge(stored, Map.of("d", 1.0)));
        assertEquals("layer group 'd': LoRA arrays of 'm/d' do not fit its kernel (3, 2): lora_kernel_a (2, 1), lora_kernel_b (1, 2)"
                + " (expected (3, 1) and (1, 2))", e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> KerasLora.merge(stored, Map.of()));
        assertEquals("layer group 'd' holds LoRA arrays of 'm/d', but the config has no layer 'd' that sets lora_rank", e.getMessage());
        stored.get("d").remove(2);
        e = assertThrows(KerasFormatException.class, () -> KerasLora.merge(stored, Map.of("d", 1.0)));
        assertEquals("layer group 'd' holds LoRA arrays of 'm/d' ([lora_kernel_a, lora_kernel_b]) without all of kernel,"
                + " lora_kernel_a and lora_kernel_b", e.getMessage());
    }

    private static Hdf5Arrays.Stored named(String name, Tensor t) {
        return Hdf5Arrays.Stored.of(t).named(name);
    }

    private static List<Float> boxed(float[] v) {
        List<Float> r = new ArrayList<>();
        for (float f : v) r.add(f);
        return r;
    }
}
