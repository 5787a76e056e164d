package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasLayers} on configs as Keras 3 writes them: the global 1D poolings (BaseGlobalPooling.get_config),
 * LayerNormalization's; hard_sigmoid as Keras 2 and Keras 3 (and jrnn) write it.
 */
class KerasLayersTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Map<String, Object> spec(String cls, String format, boolean keepdims) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", "pool");
        c.put("trainable", true);
        c.put("dtype", "float32");
        c.put("data_format", format);
        c.put("keepdims", keepdims);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("module", "keras.layers");
        s.put("class_name", cls);
        s.put("config", c);
        s.put("registered_name", null);
        return s;
    }

    @Test
    void globalPoolingImportsAndExportsAsKeras() {
        KerasLayers k = new KerasLayers(3, "m.keras");
        Layer a = k.build(new KerasConfig(spec("GlobalAveragePooling1D", "channels_last", true), "layers[0]"));
        assertInstanceOf(GlobalAveragePooling1D.class, a);
        assertTrue(((GlobalAveragePooling1D) a).keepdims());
        assertEquals("pool", a.name());
        Layer m = k.build(new KerasConfig(spec("GlobalMaxPooling1D", "channels_last", false), "layers[1]"));
        assertInstanceOf(GlobalMaxPooling1D.class, m);
        assertFalse(((GlobalMaxPooling1D) m).keepdims());
        assertEquals(spec("GlobalMaxPooling1D", "channels_last", false), KerasLayers.config(m));
        KerasFormatException e = assertThrows(KerasFormatException.class,
                () -> k.build(new KerasConfig(spec("GlobalAveragePooling1D", "channels_first", false), "layers[2]")));
        assertTrue(e.getMessage().contains("data_format='channels_first' is not supported"), e.getMessage());
    }

    /**
     * Keras 3's LayerNormalization(rms_scaling=True) scales by the variance without centering, with gamma only: jrnn
     * normalizes as rms_scaling=False, so a file with it is refused naming the option rather than predicting otherwise.
     */
    @Test
    void layerNormalizationsRmsScalingIsRefused() {
        KerasLayers k = new KerasLayers(3, "m.keras");
        for (boolean rms : new boolean[] {false, true}) {
            Map<String, Object> s = spec("LayerNormalization", "channels_last", false);
            @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) s.get("config");
            c.remove("data_format");
            c.remove("keepdims");
            c.put("axis", -1L);
            c.put("epsilon", 0.001);
            c.put("center", !rms);
            c.put("scale", true);
            c.put("rms_scaling", rms);
            if (!rms) {
                assertInstanceOf(dev.jrnn.layers.LayerNormalization.class, k.build(new KerasConfig(s, "layers[0]")));
                continue;
            }
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(s, "layers[0]")));
            assertEquals("layer 'pool' (LayerNormalization): option rms_scaling=true is not supported by jrnn (false only)", e.getMessage());
        }
    }

    /**
     * A recurrent layer's refused option names the layer by the file's name, not by an auto-name drawn before the file's
     * was applied (was: "layer 'enc' (LSTM): lstm_3: ...").
     */
    @Test
    void aRecurrentLayersRefusalNamesItByTheFilesName() {
        KerasLayers k = new KerasLayers(3, "m.keras");
        for (String cls : new String[] {"SimpleRNN", "LSTM", "GRU"}) {
            Map<String, Object> s = spec(cls, "channels_last", false);
            @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) s.get("config");
            c.remove("data_format");
            c.remove("keepdims");
            c.put("name", "enc");
            c.put("units", 4L);
            c.put("activation", "softmax");
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(s, "layers[0]")));
            assertEquals("layer 'enc' (" + cls + "): enc: activation must be elementwise (tanh, sigmoid, relu, linear, hard_sigmoid, ...:"
                    + " any but softmax and log_softmax), got softmax", e.getMessage());
            c.put("activation", "tanh");
            c.put("dropout", 1.5);
            e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(s, "layers[0]")));
            assertTrue(e.getMessage().startsWith("layer 'enc' (" + cls + "): enc: dropout"), e.getMessage());
        }
    }
    /**
     * Keras 3's {@code lora_rank} (Dense, Embedding, Conv1D) freezes the kernel and trains two low-rank factors; Keras saves
     * the kernel with them merged in (a legacy .h5 keeps them apart: LoraFilesTest), so predictions are the file's but a
     * fit trains otherwise: jrnn warns (was: read without a word; then "predictions are unchanged", untrue of an .h5 refused).
     */
    @Test
    void loraRankIsReadWithAWarning() throws Exception {
        KerasLayers k = new KerasLayers(3, "m.keras");
        java.util.List<String> warnings = dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), () -> {
            String[][] layers = {{"Dense", "units", "3"}, {"Embedding", "input_dim", "5"}, {"Conv1D", "filters", "2"}};
            for (String[] l : layers) {
                for (Object rank : new Object[] {null, 4L}) {
                    Map<String, Object> s = spec(l[0], "channels_last", false);
                    @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) s.get("config");
                    c.remove("keepdims");
                    if (!l[0].equals("Conv1D")) c.remove("data_format");
                    c.put(l[1], Long.parseLong(l[2]));
                    if (l[0].equals("Embedding")) c.put("output_dim", 2L);
                    if (l[0].equals("Conv1D")) c.put("kernel_size", java.util.List.of(2L));
                    c.put("lora_rank", rank);
                    c.put("lora_alpha", rank);
                    assertEquals(l[0], k.build(new KerasConfig(s, "layers[0]")).kerasClass());
                }
            }
        });
        assertEquals(3, warnings.size(), warnings.toString());   // one per layer with a rank, none with lora_rank None
        for (String[] l : new String[][] {{"Dense"}, {"Embedding"}, {"Conv1D"}}) {
            assertTrue(warnings.stream().anyMatch(w -> w.equals("m.keras: layer 'pool' (" + l[0] + ") sets lora_rank 4: jrnn has no"
                    + " LoRA and reads the layer with its low-rank update merged into the kernel, as Keras predicts; a fit then trains"
                    + " that whole kernel, where Keras trains only the low-rank pair")), warnings.toString());
        }
    }

    /**
     * What a layer's constructor refuses names the file's layer, as the options refused here do (was: the constructor's
     * IllegalArgumentException alone: "Embedding: inputDim must be ...", "Dense: units must be positive, got 0").
     */
    @Test
    void aConstructorsRefusalNamesTheLayer() {
        KerasLayers k = new KerasLayers(3, "m.keras");
        Map<String, Object> s = spec("Embedding", "channels_last", false);
        @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) s.get("config");
        c.remove("data_format");
        c.remove("keepdims");
        c.put("input_dim", 20_000_000L);
        c.put("output_dim", 2L);
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(s, "layers[0]")));
        assertEquals("layer 'pool' (Embedding): Embedding: inputDim must be at most 16777216 (ids travel as float32, exact integers"
                + " up to 2^24), got 20000000", e.getMessage());
        Map<String, Object> d = spec("Dense", "channels_last", false);
        @SuppressWarnings("unchecked") Map<String, Object> dc = (Map<String, Object>) d.get("config");
        dc.remove("data_format");
        dc.remove("keepdims");
        dc.put("units", 0L);
        e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(d, "layers[0]")));
        assertEquals("layer 'pool' (Dense): Dense: units must be positive, got 0", e.getMessage());
        Map<String, Object> t = spec("TimeDistributed", "channels_last", false);
        @SuppressWarnings("unchecked") Map<String, Object> tc = (Map<String, Object>) t.get("config");
        tc.remove("data_format");
        tc.remove("keepdims");
        tc.put("name", "td");
        tc.put("layer", d);
        e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(t, "layers[0]")));
        assertEquals("layer 'pool' (Dense): Dense: units must be positive, got 0", e.getMessage());   // the inner layer, once
        dc.remove("name");   // a config without a name: the class alone, not layer 'null'
        e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(d, "layers[0]")));
        assertEquals("layer (Dense): Dense: units must be positive, got 0", e.getMessage());
    }

    /** An Activation layer's or an LSTM's config as a Keras of major version {@code major} writes it, built by jrnn. */
    private static Layer built(int major, String cls, String key, String activation) {
        Map<String, Object> s = spec(cls, "channels_last", false);
        @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) s.get("config");
        c.remove("data_format");
        c.remove("keepdims");
        if (cls.equals("LSTM")) c.put("units", 2L);
        c.put(key, activation);
        return new KerasLayers(major, major >= 3 ? "m.keras" : "m.h5").build(new KerasConfig(s, "layers[0]"));
    }

    /** The config jrnn writes for {@code l}, inside Keras 3's serialised-object wrapper. */
    private static Map<?, ?> written(Layer l) {
        return (Map<?, ?>) KerasLayers.config(l).get("config");
    }

    /**
     * A Keras file's "hard_sigmoid" is what the saving Keras meant: 0.2x + 1/2 from Keras 1/2 (keras 2.x activations.py),
     * x/6 + 1/2 from Keras 3 (relu6(x + 3) / 6); "hard_sigmoid_keras2" (jrnn's own files) is Keras 2's. Each is written
     * back under jrnn's name for it: Keras 3's as "hard_sigmoid", Keras 2's as "hard_sigmoid_keras2". Values by hand.
     */
    @Test
    void hardSigmoidIsTheSavingKerassOwn() {
        Tensor x = Tensor.of(new float[] {1.5f, -2f, 2.6f}, 1, 3);
        float[] k3 = {0.75f, 1f / 6, 2.6f / 6 + 0.5f}, k2 = {0.8f, 0.1f, 1f};
        Object[][] cases = {{1, "hard_sigmoid", k2, "hard_sigmoid_keras2"}, {2, "hard_sigmoid", k2, "hard_sigmoid_keras2"},
            {3, "hard_sigmoid", k3, "hard_sigmoid"}, {3, "hard_sigmoid_keras2", k2, "hard_sigmoid_keras2"},
            {2, "hard_sigmoid_keras2", k2, "hard_sigmoid_keras2"}};
        for (Object[] c : cases) {
            String what = "Keras " + c[0] + " '" + c[1] + "'";
            Activation a = (Activation) built((int) c[0], "Activation", "activation", (String) c[1]);
            assertArrayEquals((float[]) c[2], a.call(x).data(), 1e-7f, what);
            assertEquals(c[3], a.activation(), what);
            assertEquals(c[3], written(a).get("activation"), what);
            LSTM l = (LSTM) built((int) c[0], "LSTM", "recurrent_activation", (String) c[1]);
            assertEquals(c[3], l.recurrentActivation(), what);
            assertEquals(c[3], written(l).get("recurrent_activation"), what);
        }
    }

    /**
     * A file jrnn saved before "hard_sigmoid" meant Keras 3's in code (at 7f03041, keras_version 3.0.0) loads with the
     * numbers it was saved with: inputs seq (1 step, 1 feature) and flat (1); outputs LSTM(1) "gates_keras2" with
     * Keras 2's recurrent activation (its config: "hard_sigmoid_keras2"), kernel 1 for every gate, no recurrence, no
     * bias; Dense(1) "dense_keras2" with Keras 2's activation, kernel 1, bias 0; Activation "act_keras3" with Keras 3's
     * (its config: "hard_sigmoid"). Values by hand, hs2 = clip(0.2x + 1/2),
     * hs3 = clip(x/6 + 1/2): h = hs2(x) tanh(hs2(x) tanh x), hs2(x), hs3(x).
     */
    @Test
    void aFileJrnnSavedBeforeTheRenameLoadsWithItsNumbers() throws Exception {
        try (Model m = Models.load(GeneratedKerasFilesTest.resource("jrnn_hard_sigmoids_7f03041.keras"))) {
            assertEquals("hard_sigmoid_keras2", ((LSTM) m.getLayer("gates_keras2")).recurrentActivation());
            assertEquals("hard_sigmoid_keras2", ((Dense) m.getLayer("dense_keras2")).activation());
            assertEquals("hard_sigmoid", ((Activation) m.getLayer("act_keras3")).activation());
            float[] x = {1.5f, -2f};
            List<Tensor> y = m.predictAll(List.of(Tensor.of(x, 2, 1, 1), Tensor.of(x, 2, 1)));
            for (int i = 0; i < 2; i++) {
                double hs2 = Math.clamp(0.2 * x[i] + 0.5, 0, 1), hs3 = Math.clamp(x[i] / 6.0 + 0.5, 0, 1);
                assertEquals(hs2 * Math.tanh(hs2 * Math.tanh(x[i])), y.get(0).data()[i], 1e-6, "gates_keras2 at " + x[i]);
                assertEquals(hs2, y.get(1).data()[i], 1e-7, "dense_keras2 at " + x[i]);
                assertEquals(hs3, y.get(2).data()[i], 1e-7, "act_keras3 at " + x[i]);
            }
        }
    }
}
