package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    /**
     * Array orders other than lora.h5's (keras3_real/make_lora_variants.py): a nested Sequential's group, where the LoRA
     * Dense's bias and pair come first, BatchNormalization's gamma / beta and the next Dense between, its kernel after;
     * a Dense without bias; a frozen LoRA Dense, whose arrays come as [kernel, bias, lora_kernel_a, lora_kernel_b]. Each
     * predicts what the saving model (and Keras' load of its .keras) predicted. Also a LoRA Dense inside a TimeDistributed,
     * at the top and in a nested Sequential (make_lora_wrapped.py): its arrays lie in the wrapper's group under scope
     * td/d, so the pair is the wrapper's inner layer's (the lorafix re-review found these refused).
     */
    @ParameterizedTest
    @CsvSource({"lora_nested, lora_v_x", "lora_frozen, lora_v_x", "lora_td, lora_td_x", "lora_nested_td, lora_td_x"})
    void otherArrayOrdersPredictAsTheSavingModel(String f, String x) throws Exception {
        List<Model> loaded = new ArrayList<>();
        LogCapture.warnings(KerasImport.class.getName(), () -> loaded.add(Models.load(keras3Real(f + ".h5"))));
        try (Model m = loaded.get(0)) {
            KerasFixtures.assertClose(Npy.read(keras3Real(f + "_pred.npy")).data(), m.predict(Npy.read(keras3Real(x + ".npy"))).data(), f);
        }
    }

    /**
     * Files Keras 3.15.1 refuses (make_lora_variants.py prints its refusals): lora_rank_edit.h5, whose config says
     * lora_rank 2 where the arrays have rank 1 ("Shape mismatch ... lora_kernel_a"; jrnn scaled by lora_alpha / 2 and
     * loaded), and lora_mhaq.h5, whose MultiHeadAttention holds its query projection's pair under mha/query while a Dense
     * named "query" sets lora_rank ("Weight count mismatch for layer #0 (named mha)"; jrnn merged MHA's pair with the
     * Dense's scale). Each is refused naming the layer.
     */
    @Test
    void aRankTheArraysDoNotHaveOrAPairOfAnotherLayerIsRefused() {
        var e = assertThrows(java.io.IOException.class, () -> Models.load(keras3Real("lora_rank_edit.h5")));
        assertEquals(keras3Real("lora_rank_edit.h5") + ": layer group 'fr': layer 'fr' sets lora_rank 2, but its LoRA arrays have"
                + " rank 1: lora_kernel_a (3, 1), lora_kernel_b (1, 2)", e.getMessage());
        e = assertThrows(java.io.IOException.class, () -> Models.load(keras3Real("lora_mhaq.h5")));
        assertEquals(keras3Real("lora_mhaq.h5") + ": layer group 'mha' holds LoRA arrays of 'mha/query', but the config has no"
                + " layer 'query' in that group that sets lora_rank", e.getMessage());
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
        Dense layer = new Dense(2);
        KerasLora.merge(stored, Map.of(layer, new KerasLora.Lora(1, 1.5)), alone("d", layer), java.util.Set.of());
        List<Hdf5Arrays.Stored> d = stored.get("d");
        assertEquals(2, d.size());
        assertEquals("m/d/kernel", d.get(0).name());
        // kernel + 1.5 * a @ b (numpy: k + 1.5 * a @ b)
        assertEquals(List.of(16f, 152f, 33f, 304f, 50f, 456f), boxed(d.get(0).tensor().data()));
        assertEquals("m/d/bias", d.get(1).name());
        assertEquals(List.of(7f), boxed(stored.get("other").get(0).tensor().data()));
    }

    /**
     * Two TimeDistributed wrappers whose inner layers share a name (td1 -> d, td2 -> d): each group's pair is its own
     * wrapper's (a map from inner name to wrapper kept only the last, refusing td1's pair); a pair whose scope names a
     * layer that is no wrapper's inner one is still refused.
     */
    @Test
    void innerLayersOfTwoWrappersWithOneNameAreEachTheirWrappers() {
        Map<String, List<Hdf5Arrays.Stored>> stored = new LinkedHashMap<>();
        for (String td : List.of("td1", "td2")) {
            stored.put(td, new ArrayList<>(List.of(
                    named("s/" + td + "/d/lora_kernel_a", Tensor.wrap(new float[] {1, 2, 3}, 3, 1)),
                    named("s/" + td + "/d/lora_kernel_b", Tensor.wrap(new float[] {10, 100}, 1, 2)),
                    named("s/" + td + "/d/kernel", Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)))));
        }
        Dense d1 = new Dense(2), d2 = new Dense(2);
        Map<String, Map<String, List<Layer>>> groups = new java.util.HashMap<>(alone("td1", new TimeDistributed(d1)));
        groups.putAll(alone("td2", new TimeDistributed(d2)));
        KerasLora.merge(stored, Map.of(d1, new KerasLora.Lora(1, 1), d2, new KerasLora.Lora(1, 1)), groups, java.util.Set.of("td1/d", "td2/d"));
        assertEquals(1, stored.get("td1").size());
        assertEquals(List.of(11f, 102f, 23f, 204f, 35f, 306f), boxed(stored.get("td2").get(0).tensor().data()));
        Map<String, List<Hdf5Arrays.Stored>> other = new LinkedHashMap<>();
        other.put("mha", new ArrayList<>(List.of(
                named("mha/query/lora_kernel_a", Tensor.wrap(new float[] {1, 2, 3}, 3, 1)),
                named("mha/query/lora_kernel_b", Tensor.wrap(new float[] {10, 100}, 1, 2)),
                named("mha/query/kernel", Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)))));
        assertThrows(KerasFormatException.class,
                () -> KerasLora.merge(other, Map.of(new Dense(2), new KerasLora.Lora(1, 1)), Map.of(), java.util.Set.of("td1/query")));
    }

    /** A pair that does not fit its kernel, or one for a layer the config gives no lora_rank, is refused by name. */
    @Test
    void aPairThatDoesNotFitIsRefusedByName() {
        Map<String, List<Hdf5Arrays.Stored>> stored = new LinkedHashMap<>();
        stored.put("d", new ArrayList<>(List.of(
                named("m/d/lora_kernel_a", Tensor.wrap(new float[] {1, 2}, 2, 1)),
                named("m/d/lora_kernel_b", Tensor.wrap(new float[] {10, 100}, 1, 2)),
                named("m/d/kernel", Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)))));
        Dense layer = new Dense(2);
        var e = assertThrows(KerasFormatException.class, () -> KerasLora.merge(stored, Map.of(layer, new KerasLora.Lora(1, 1)), alone("d", layer), java.util.Set.of()));
        assertEquals("layer group 'd': LoRA arrays of 'm/d' do not fit its kernel (3, 2): lora_kernel_a (2, 1), lora_kernel_b (1, 2)"
                + " (expected (3, 1) and (1, 2))", e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> KerasLora.merge(stored, Map.of(), alone("d", layer), java.util.Set.of()));
        assertEquals("layer group 'd' holds LoRA arrays of 'm/d', but the config has no layer 'd' in that group that sets lora_rank", e.getMessage());
        stored.get("d").remove(2);
        e = assertThrows(KerasFormatException.class, () -> KerasLora.merge(stored, Map.of(layer, new KerasLora.Lora(1, 1)), alone("d", layer), java.util.Set.of()));
        assertEquals("layer group 'd' holds LoRA arrays of 'm/d' ([lora_kernel_a, lora_kernel_b]) without all of kernel,"
                + " lora_kernel_a and lora_kernel_b", e.getMessage());
    }

    /** A top-level layer's legacy group: itself, by its file name. */
    private static Map<String, Map<String, List<Layer>>> alone(String name, Layer l) {
        return Map.of(name, Map.of(name, List.of(l)));
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
