package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.ELU;
import dev.jrnn.layers.Identity;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.LeakyReLU;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.PReLU;
import dev.jrnn.layers.ReLU;
import dev.jrnn.layers.Softmax;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.regularizers.Constraints;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.jrnn.io.keras.KerasWeightlessLayersTest.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasActivationLayers}: configs as Keras 3's get_config writes them, tf.keras 2's names, the files
 * make_keras_files.py's activation_layers writes (generated with h5py in Keras' layouts, not by Keras) against numpy,
 * and jrnn's own save read back.
 */
class KerasActivationLayersTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Layer roundTrip(Map<String, Object> spec) {
        Layer l = new KerasLayers(3, "m.keras").build(new KerasConfig(spec, "layers[0]"));
        assertEquals(spec, KerasLayers.config(l));
        return l;
    }

    private static Layer read(Map<String, Object> spec) {
        return new KerasLayers(2, "m.h5").build(new KerasConfig(spec, "layers[0]"));
    }

    private static Map<String, Object> init(String cls) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("module", "keras.initializers");
        m.put("class_name", cls);
        m.put("config", Map.of());
        m.put("registered_name", null);
        return m;
    }

    @Test
    void keras3ConfigsReadAndWriteBack() {
        ReLU r = assertInstanceOf(ReLU.class, roundTrip(spec("ReLU", "max_value", 6.0, "negative_slope", 0.1, "threshold", 0.5)));
        assertEquals(6.0, r.maxValue());
        assertEquals(0.1, r.negativeSlope());
        assertEquals(0.5, r.threshold());
        assertNull(assertInstanceOf(ReLU.class, roundTrip(spec("ReLU", "max_value", null, "negative_slope", 0.0, "threshold", 0.0))).maxValue());
        assertEquals(0.2, assertInstanceOf(LeakyReLU.class, roundTrip(spec("LeakyReLU", "negative_slope", 0.2))).negativeSlope());
        assertEquals(0.7, assertInstanceOf(ELU.class, roundTrip(spec("ELU", "alpha", 0.7))).alpha());
        assertEquals(-1, assertInstanceOf(Softmax.class, roundTrip(spec("Softmax", "axis", -1L))).axes()[0]);
        Softmax two = assertInstanceOf(Softmax.class, roundTrip(spec("Softmax", "axis", List.of(1L, 2L))));
        assertArrayEquals(new int[] {1, 2}, two.axes());
        assertInstanceOf(Identity.class, roundTrip(spec("Identity")));
        PReLU p = assertInstanceOf(PReLU.class, roundTrip(spec("PReLU", "shared_axes", List.of(1L), "alpha_initializer", init("Ones"),
                "alpha_regularizer", KerasExport.serialized("keras.regularizers", "L2", Map.of("l2", 0.01)),
                "alpha_constraint", KerasExport.serialized("keras.constraints", "NonNeg", Map.of()))));
        assertArrayEquals(new int[] {1}, p.sharedAxes());
        assertEquals("Ones", p.alphaInitializer().kerasClass());
        assertEquals("L2", p.weightRules().regularizers().get("alpha").kerasClass());
        assertEquals("NonNeg", p.weightRules().constraints().get("alpha").kerasClass());
        assertArrayEquals(new int[0], assertInstanceOf(PReLU.class, roundTrip(spec("PReLU", "shared_axes", null, "alpha_initializer",
                init("Zeros"), "alpha_regularizer", null, "alpha_constraint", null))).sharedAxes());
    }

    /** tf.keras 2 names LeakyReLU's slope alpha; Keras 3's ELU saves no alpha (Keras' default 1); a bare shared_axes int. */
    @Test
    void kerasTwoNamesAndKeras3Gaps() {
        assertEquals(0.25, assertInstanceOf(LeakyReLU.class, read(spec("LeakyReLU", "alpha", 0.25))).negativeSlope());
        assertEquals(0.3, assertInstanceOf(LeakyReLU.class, read(spec("LeakyReLU"))).negativeSlope());
        assertEquals(1.0, assertInstanceOf(ELU.class, read(spec("ELU"))).alpha());
        assertArrayEquals(new int[] {2}, assertInstanceOf(PReLU.class, read(spec("PReLU", "shared_axes", 2L))).sharedAxes());
        assertEquals(-1, assertInstanceOf(Softmax.class, read(spec("Softmax"))).axes()[0]);
        // Keras 2's ThresholdedReLU(theta) is x > theta ? x : 0: Keras 3's ReLU(threshold=theta), and written as one
        ReLU t = assertInstanceOf(ReLU.class, read(spec("ThresholdedReLU", "theta", 0.5)));
        assertEquals(0.5, t.threshold());
        assertNull(t.maxValue());
        assertEquals(0.0, t.negativeSlope());
        // x * (x > theta), as Keras: -1 gives -0
        assertArrayEquals(new float[] {0, 0, 0.75f, 2}, t.call(Tensor.of(new float[] {-1, 0.5f, 0.75f, 2}, 1, 4)).data(), 0f);
        assertEquals(1.0, assertInstanceOf(ReLU.class, read(spec("ThresholdedReLU"))).threshold());
        assertEquals("ReLU", KerasLayers.config(t).get("class_name"));
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> read(spec("ThresholdedReLU", "theta", -1.0)));
        assertTrue(e.getMessage().contains("layer 'l' (ThresholdedReLU): theta of a ThresholdedReLU layer must be a finite number >= 0, got -1.0"),
                e.getMessage());
    }

    /** Keras' refusals, naming the file's layer. */
    @Test
    void badOptionsNameTheLayer() {
        KerasLayers k = new KerasLayers(3, "m.keras");
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(spec("ReLU", "max_value", -1.0), "l")));
        assertTrue(e.getMessage().startsWith("layer 'l' (ReLU): "), e.getMessage());
        assertTrue(e.getMessage().contains("max_value of a ReLU layer must be null or a number >= 0, got -1.0"), e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(spec("LeakyReLU", "negative_slope", -0.1), "l")));
        assertTrue(e.getMessage().contains("negative_slope of a LeakyReLU layer must be a finite number >= 0, got -0.1"), e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(spec("PReLU", "shared_axes", List.of(0L)), "l")));
        assertTrue(e.getMessage().contains("shared_axes of a PReLU layer must be input axes >= 1 (0 is the batch), got [0]"), e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(spec("Softmax", "axis", "x"), "l")));
        assertTrue(e.getMessage().contains("'axis' should be an integer, got \"x\""), e.getMessage());
    }

    /** The generated Keras 3 files (.keras, legacy .h5, weights alone) predict numpy's outputs; PReLU's alpha from layers/p_re_lu/vars/0. */
    @Test
    void keras3FilesPredictNumpysOutputs() throws Exception {
        Tensor x = Npy.read(GeneratedKerasFilesTest.resource("activation_layers_x.npy"));
        float[] want = Npy.read(GeneratedKerasFilesTest.resource("keras3_activation_layers_y.npy")).data();
        for (String f : List.of("keras3_activation_layers.keras", "keras3_activation_layers.h5")) {
            try (Model m = Models.load(GeneratedKerasFilesTest.resource(f))) {
                close(want, m.predict(x).data(), f);
                assertArrayEquals(new int[] {1, 5}, m.getLayer("p_re_lu").params().get(0).shape(), f);
                assertEquals(1.0, ((ELU) m.getLayer("elu")).alpha(), f);
                assertEquals(0.5, ((ReLU) m.getLayer("re_lu")).threshold(), f);
                assertTrue(m.summaryString().contains(" p_re_lu (PReLU)             (None, 4, 5)              5"), m.summaryString());
            }
        }
        try (Model m = Models.load(GeneratedKerasFilesTest.resource("keras3_activation_layers.keras"))) {
            List<Tensor> keep = m.getWeights();
            m.setWeights(keep.stream().map(t -> Tensor.wrap(new float[t.data().length], t.shape())).toList());
            m.loadWeights(GeneratedKerasFilesTest.resource("keras3_activation_layers.weights.h5"));
            close(want, m.predict(x).data(), "weights.h5");
        }
    }

    /** The tf.keras 2 file: LeakyReLU's alpha, ELU's alpha, ReLU's max_value, PReLU's p_re_lu/alpha:0 of shape (4, 5). */
    @Test
    void tfKerasFilePredictsNumpysOutputs() throws Exception {
        Tensor x = Npy.read(GeneratedKerasFilesTest.resource("activation_layers_x.npy"));
        float[] want = Npy.read(GeneratedKerasFilesTest.resource("tfkeras_activation_layers_y.npy")).data();
        try (Model m = Models.load(GeneratedKerasFilesTest.resource("tfkeras_activation_layers.h5"))) {
            close(want, m.predict(x).data(), "tfkeras");
            assertEquals(0.25, ((LeakyReLU) m.getLayer("leaky_re_lu")).negativeSlope());
            assertEquals(0.5, ((ELU) m.getLayer("elu")).alpha());
            assertArrayEquals(new int[] {4, 5}, m.getLayer("p_re_lu").params().get(0).shape());
        }
    }

    private static void close(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, what + ": element " + i);
    }

    /** model.save, Models.load and Models.fromJson keep every option, PReLU's alpha, its rules and the predictions. */
    @Test
    void savedModelReloads(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(Input.shape(4, 3), new Masking(0), new Dense(5),
                new ReLU().maxValue(3.0).negativeSlope(0.05).threshold(0.2).name("relu"), new LeakyReLU(0.15).name("leaky"),
                new ELU(0.6).name("elu"),
                new PReLU().sharedAxes(1).alphaInitializer(Initializer.constant(0.25)).alphaRegularizer(Regularizers.l2(0.01))
                        .alphaConstraint(Constraints.nonNeg()).name("prelu"),
                new Softmax(new int[] {1, 2}).name("sm"), new Identity().name("id"));
        Tensor x = Tensor.wrap(KerasWeightlessLayersTest.randoms(2 * 4 * 3), 2, 4, 3);
        Tensor want = m.predict(x);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f}, m.getLayer("prelu").getWeights().get(0).data());
        m.save(dir.resolve("m.keras"));
        try (Model back = Models.load(dir.resolve("m.keras")); Model fresh = Models.fromJson(m.toJson())) {
            assertArrayEquals(want.data(), back.predict(x).data(), 0f);
            for (Model b : List.of(back, fresh)) {
                ReLU r = (ReLU) b.getLayer("relu");
                assertEquals(3.0, r.maxValue());
                assertEquals(0.2, r.threshold());
                assertEquals(0.15, ((LeakyReLU) b.getLayer("leaky")).negativeSlope());
                assertEquals(0.6, ((ELU) b.getLayer("elu")).alpha());
                PReLU p = (PReLU) b.getLayer("prelu");
                assertArrayEquals(new int[] {1}, p.sharedAxes());
                assertEquals("L2", p.weightRules().regularizers().get("alpha").kerasClass());
                assertEquals("NonNeg", p.weightRules().constraints().get("alpha").kerasClass());
                assertArrayEquals(new int[] {1, 2}, ((Softmax) b.getLayer("sm")).axes());
            }
            // a model from JSON starts from the initializer: alpha 0.25, as the saved one before training
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f}, fresh.getLayer("prelu").getWeights().get(0).data());
        }
        Path weights = dir.resolve("m.weights.h5");
        m.saveWeights(weights);
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(weights)) {   // Keras 3's path: the class in snake case, whatever the name
            io.jhdf.api.Dataset alpha = (io.jhdf.api.Dataset) h.getByPath("layers/p_re_lu/vars/0");
            assertArrayEquals(new int[] {1, 5}, alpha.getDimensions());
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f}, ((float[][]) alpha.getData())[0]);
        }
        m.close();
    }
}
