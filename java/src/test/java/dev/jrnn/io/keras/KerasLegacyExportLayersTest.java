package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.GaussianNoise;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.RepeatVector;
import dev.jrnn.layers.SpatialDropout1D;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasLegacyExport} for the layers past the recurrent set: Conv1D, the poolings, Layer- and BatchNormalization,
 * padding, cropping, upsampling, noise, the activation layers, Permute, Reshape, Attention and AdditiveAttention,
 * Subtract, Maximum, Minimum and Dot, MultiHeadAttention. jrnn_legacy_convs.h5, jrnn_legacy_atts.h5 and
 * jrnn_legacy_mha.h5 are what this writer wrote (ci/keras3/SaveModels.java); Keras 3.15.1 loaded them and predicted {@code *_keras_y.npy}
 * (keras3_real/predict_jrnn_h5.py). The configs hold only keys tf.keras 2's constructors take (its sources, 2.4-2.15).
 */
class KerasLegacyExportLayersTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** jrnn reads the files as Keras 3 did, and saving what it read writes the same config and arrays again. */
    @ParameterizedTest
    @CsvSource({"jrnn_legacy_convs, 1", "jrnn_legacy_atts, 2", "jrnn_legacy_mha, 2"})
    void filesKeras3LoadedPredictTheSameInJrnnAndAreWhatTheWriterWrites(String name, int inputs) throws Exception {
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; i < inputs; i++) xs.add(Npy.read(resource(name + "_x" + i + ".npy")));
        float[] keras = Npy.read(resource(name + "_keras_y.npy")).data();
        try (Model m = Models.load(resource(name + ".h5"))) {
            float[] got = (xs.size() == 1 ? m.predict(xs.get(0)) : m.predictAll(xs).get(0)).data();
            assertEquals(keras.length, got.length);
            for (int i = 0; i < got.length; i++) assertEquals(keras[i], got[i], 1e-6 + 1e-5 * Math.abs(keras[i]), name + " [" + i + "]");
            Path again = dir.resolve("again.h5");
            m.save(again);
            try (HdfFile a = new HdfFile(resource(name + ".h5")); HdfFile b = new HdfFile(again)) {
                assertEquals(Json.parse(attr(a, "model_config")), Json.parse(attr(b, "model_config")));
                assertEquals(arrays(a), arrays(b));
            }
        }
    }

    /**
     * A Sequential's InputLayer keeps its name on loading (it was renamed {@code <first layer>_input}), so inputs go by
     * the name Keras gave them; saving again writes it back.
     */
    @Test
    void aSequentialKeepsItsInputLayersName() throws Exception {
        try (Model m = Models.load(resource("jrnn_legacy_convs.h5"))) {
            assertEquals("input_11", ((dev.jrnn.model.Input) m.inputs().get(0)).name());
            Tensor x = Npy.read(resource("jrnn_legacy_convs_x0.npy"));
            assertArrayEquals(m.predict(x).data(), m.predictAll(Map.of("input_11", x)).get(0).data());
        }
    }

    /** Keras 3's keys tf.keras 2's constructors refuse are left out, LeakyReLU's slope has its tf.keras 2 name. */
    @Test
    void configsHoldOnlyWhatTfKeras2Takes() {
        Map<String, Map<?, ?>> c = configs(resource("jrnn_legacy_convs.h5"));
        assertFalse(c.get("zero_padding1d").containsKey("data_format"), "ZeroPadding1D has no data_format in tf.keras 2");
        assertFalse(c.get("batch_normalization").containsKey("synchronized"), "BatchNormalization's synchronized: 2.12+");
        assertFalse(c.get("global_max_pooling1d").containsKey("keepdims"), "keepdims false: left out (2.6+)");
        assertEquals(0.2, ((Number) c.get("leaky_re_lu").get("alpha")).doubleValue(), 1e-7);
        assertFalse(c.get("leaky_re_lu").containsKey("negative_slope"));
        for (String noise : List.of("gaussian_noise", "gaussian_dropout", "spatial_dropout1d")) {
            assertFalse(c.get(noise).containsKey("seed"), noise + ": an unset seed is left out (2.10+)");
        }
        assertEquals("causal", c.get("conv").get("padding"));
        Map<String, Map<?, ?>> a = configs(resource("jrnn_legacy_atts.h5"));
        assertFalse(a.get("att").containsKey("seed"), "tf.keras 2's Attention takes no seed");
        assertFalse(a.get("att").containsKey("score_mode"), "the default dot is left out (2.9+)");
        assertEquals("concat", a.get("attc").get("score_mode"));
        assertFalse(a.get("add_att").containsKey("seed"));
    }

    /**
     * A mask that ends before a layer tf.keras 2 cannot pass one to (at a recurrent layer's last output, at a global
     * average pooling) is no reason to refuse; a seeded GaussianNoise is written without its seed (tf.keras 2.4-2.6
     * refuse the key), SpatialDropout1D with it (Dropout's, every version).
     */
    @Test
    void masksThatEndBeforeAConv1DSaveAndNoiseSeedsAreLeftOut() throws Exception {
        Input x = Input.shape(6, 2).name("x");
        Node masked = new LSTM(3).returnSequences(true).name("enc").apply(new Masking().name("mask").apply(x));
        Node pooled = new RepeatVector(4).apply(new GlobalAveragePooling1D().apply(masked));
        Node last = new Conv1D(2, 2).name("conv").apply(new RepeatVector(3).apply(new LSTM(2).name("last").apply(masked)));
        Node noisy = new SpatialDropout1D(0.2).seed(9L).name("sdrop").apply(new GaussianNoise(0.1).seed(7L).name("noise").apply(pooled));
        try (Model m = new Model(List.of(x), List.of(new Conv1D(2, 2).name("conv2").apply(noisy), last))) {
            Path f = dir.resolve("m.h5");
            m.save(f);
            Map<String, Map<?, ?>> c = configs(f);
            assertFalse(c.get("noise").containsKey("seed"));
            assertEquals(9L, c.get("sdrop").get("seed"));
        }
    }

    /**
     * MultiHeadAttention's call is written in Keras 3's node form (query and value as two arguments, which tf.keras 2's
     * list form cannot pass Keras 3), and its arrays in the order and at the names Keras 3.15.1 itself wrote them in
     * keras3_real/mha_rms.h5 (query, key, value, attention_output; kernel, then bias).
     */
    @Test
    void multiHeadAttentionNodeAndWeightsAsKeras3WritesThem() {
        List<String> keras;
        try (HdfFile k = new HdfFile(resource("keras3_real/mha_rms.h5"))) {
            keras = Hdf5Arrays.stringList((Group) k.getByPath("model_weights/mha"), "weight_names");
        }
        try (HdfFile h = new HdfFile(resource("jrnn_legacy_mha.h5"))) {
            Map<?, ?> conf = (Map<?, ?>) Json.parse(attr(h, "model_config"));
            Map<?, ?> mha = null;
            for (Object o : (List<?>) ((Map<?, ?>) conf.get("config")).get("layers")) if (((Map<?, ?>) o).get("name").equals("mha")) mha = (Map<?, ?>) o;
            Map<?, ?> node = (Map<?, ?>) ((List<?>) mha.get("inbound_nodes")).get(0);
            List<Object> history = new ArrayList<>();
            for (Object a : (List<?>) node.get("args")) history.add(((Map<?, ?>) ((Map<?, ?>) a).get("config")).get("keras_history"));
            assertEquals(List.of(List.of("q", 0L, 0L), List.of("v", 0L, 0L)), history);
            List<String> names = Hdf5Arrays.stringList((Group) h.getByPath("model_weights/mha"), "weight_names");
            assertEquals(keras, names.stream().map(n -> n.substring(0, n.length() - 2)).toList(), "Keras 3's names and order, with tf.keras 2's :0");
        }
    }

    /** The attention layers' nodes list query and value, no false call flags; Attention's scale is a scalar dataset. */
    @Test
    void attentionNodesAndScalarWeights() {
        try (HdfFile h = new HdfFile(resource("jrnn_legacy_atts.h5"))) {
            Map<?, ?> conf = (Map<?, ?>) Json.parse(attr(h, "model_config"));
            for (Object o : (List<?>) ((Map<?, ?>) conf.get("config")).get("layers")) {
                Map<?, ?> l = (Map<?, ?>) o;
                if (l.get("name").equals("att")) {
                    assertEquals(List.of(List.of(List.of("q", 0L, 0L, Map.of()), List.of("v", 0L, 0L, Map.of()))), l.get("inbound_nodes"));
                }
            }
            Dataset scale = (Dataset) h.getByPath("model_weights/att/att/scale:0");
            assertTrue(scale.isScalar(), "Attention's scale: shape () as tf.keras 2 and Keras 3 hold it");
            Dataset wide = (Dataset) h.getByPath("model_weights/add_att/add_att/scale:0");
            assertArrayEquals(new int[] {6}, wide.getDimensions(), "AdditiveAttention's scale: (dim,)");
        }
    }

    private static String attr(HdfFile h, String name) {
        return (String) h.getAttribute(name).getData();
    }

    private static Map<String, Map<?, ?>> configs(Path f) {
        try (HdfFile h = new HdfFile(f)) {
            Map<?, ?> conf = (Map<?, ?>) Json.parse(attr(h, "model_config"));
            Map<String, Map<?, ?>> r = new TreeMap<>();
            for (Object o : (List<?>) ((Map<?, ?>) conf.get("config")).get("layers")) {
                Map<?, ?> c = (Map<?, ?>) ((Map<?, ?>) o).get("config");
                r.put((String) c.get("name"), c);
            }
            return r;
        }
    }

    /** Every dataset of model_weights by path, its shape and values as a list (for equality). */
    static Map<String, List<Object>> arrays(HdfFile h) {
        Map<String, List<Object>> r = new TreeMap<>();
        collect((Group) h.getChild("model_weights"), r);
        return r;
    }

    private static void collect(Group g, Map<String, List<Object>> r) {
        for (var n : g.getChildren().values()) {
            if (n instanceof Group c) collect(c, r);
            else if (n instanceof Dataset d) {
                List<Object> v = new ArrayList<>(List.of(java.util.Arrays.toString(d.getDimensions())));
                Object data = d.isScalar() ? new float[] {((Number) d.getData()).floatValue()} : d.getDataFlat();
                for (float f : (float[]) data) v.add(f);
                r.put(n.getPath(), v);
            }
        }
    }
}
