package dev.jrnn.io.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.regularizers.Constraints;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KerasPenalties}: Keras' regularizer and constraint options read from configs, written as Keras 3 writes them, refused when jrnn lacks them. */
class KerasPenaltiesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(4);
    }

    private static Layer layer(String json) {
        return new KerasLayers(3, "f.keras").build(new KerasConfig(Json.parse(json), "layer"));
    }

    @Test
    void keras3SerializedOptionsAreRead() {
        Layer l = layer("{\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm\", \"units\": 3,"
                + " \"kernel_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.0001}, \"registered_name\": null},"
                + " \"recurrent_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"L1L2\", \"config\": {\"l1\": 0.001, \"l2\": 0.002}, \"registered_name\": null},"
                + " \"bias_regularizer\": null, \"activity_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"L1\", \"config\": {\"l1\": 0.5}, \"registered_name\": null},"
                + " \"kernel_constraint\": {\"module\": \"keras.constraints\", \"class_name\": \"MaxNorm\", \"config\": {\"max_value\": 2, \"axis\": 0}, \"registered_name\": null},"
                + " \"recurrent_constraint\": {\"module\": \"keras.constraints\", \"class_name\": \"MinMaxNorm\", \"config\": {\"min_value\": 0.5, \"max_value\": 1.5, \"rate\": 0.5, \"axis\": [0, 1]}, \"registered_name\": null},"
                + " \"bias_constraint\": {\"module\": \"keras.constraints\", \"class_name\": \"NonNeg\", \"config\": {}, \"registered_name\": null}}}");
        var rules = l.weightRules();
        assertEquals(Regularizers.l2(1e-4), rules.regularizers().get("kernel"));
        assertEquals(Regularizers.l1l2(0.001, 0.002), rules.regularizers().get("recurrent_kernel"));
        assertNull(rules.regularizers().get("bias"));
        assertEquals(Regularizers.l1(0.5), rules.activity());
        assertEquals(Constraints.maxNorm(2, 0), rules.constraints().get("kernel"));
        assertEquals(Constraints.minMaxNorm(0.5, 1.5, 0.5, 0, 1), rules.constraints().get("recurrent_kernel"));
        assertEquals(Constraints.nonNeg(), rules.constraints().get("bias"));
    }

    @Test
    void keras2ConfigsAndNamesAreRead() {
        Layer d = layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2,"
                + " \"kernel_regularizer\": {\"class_name\": \"L1L2\", \"config\": {\"l1\": 0.0, \"l2\": 0.009999999776482582}},"
                + " \"bias_regularizer\": \"l1\", \"kernel_constraint\": \"unit_norm\","
                + " \"bias_constraint\": {\"class_name\": \"MaxNorm\", \"config\": {\"max_value\": 3.0, \"axis\": -1}}}}");
        var rules = d.weightRules();
        assertEquals(Regularizers.l1l2(0, 0.009999999776482582), rules.regularizers().get("kernel"));
        assertEquals(Regularizers.l1(0.01), rules.regularizers().get("bias"));
        assertEquals(Constraints.unitNorm(0), rules.constraints().get("kernel"));
        assertEquals(Constraints.maxNorm(3, -1), rules.constraints().get("bias"));
        Layer conv = layer("{\"class_name\": \"Conv1D\", \"config\": {\"name\": \"c\", \"filters\": 2, \"kernel_size\": [3],"
                + " \"kernel_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.001}},"
                + " \"bias_constraint\": {\"class_name\": \"NonNeg\", \"config\": {}}}}");
        assertEquals(Regularizers.l2(0.001), conv.weightRules().regularizers().get("kernel"));
        assertEquals(Constraints.nonNeg(), conv.weightRules().constraints().get("bias"));
        Map<?, ?> back = (Map<?, ?>) KerasLayers.config(conv).get("config");
        assertEquals("L2", ((Map<?, ?>) back.get("kernel_regularizer")).get("class_name"));
        assertTrue(back.containsKey("activity_regularizer"), "Keras 3's Conv1D writes activity_regularizer always");
        Layer td = layer("{\"class_name\": \"TimeDistributed\", \"config\": {\"name\": \"td\", \"layer\": {\"class_name\": \"Embedding\","
                + " \"config\": {\"name\": \"e\", \"input_dim\": 5, \"output_dim\": 2, \"embeddings_regularizer\": \"l2\","
                + " \"embeddings_constraint\": \"non_neg\"}}}}");
        Layer e = ((TimeDistributed) td).layer();
        assertEquals(Regularizers.l2(0.01), e.weightRules().regularizers().get("embeddings"));
        assertEquals(Constraints.nonNeg(), e.weightRules().constraints().get("embeddings"));
    }

    @Test
    void whatJrnnLacksIsRefusedNamingTheLayerAndOption() {
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\","
                + " \"units\": 2, \"kernel_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"OrthogonalRegularizer\","
                + " \"config\": {\"factor\": 0.01, \"mode\": \"rows\"}, \"registered_name\": null}}}"));
        assertTrue(e.getMessage().contains("layer 'd' (Dense)") && e.getMessage().contains("kernel_regularizer")
                && e.getMessage().contains("OrthogonalRegularizer"), e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2,"
                + " \"recurrent_constraint\": \"non_neg\"}}"));
        // Keras 3 refuses it as any key Dense's constructor lacks ('Unrecognized keyword arguments passed to Dense'): so does jrnn
        assertTrue(e.getMessage().startsWith("layer 'd' (Dense): unrecognized option {\"recurrent_constraint\": \"non_neg\"}: not an argument"
                + " of Dense in any Keras jrnn reads"), e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"LayerNormalization\", \"config\": {\"name\": \"n\","
                + " \"gamma_regularizer\": \"l2\"}}"));
        assertTrue(e.getMessage().contains("layer 'n' (LayerNormalization): option gamma_regularizer is not one jrnn's LayerNormalization takes"),
                e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2,"
                + " \"bias_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": -1.0}}}}"));
        assertTrue(e.getMessage().contains("bias_regularizer") && e.getMessage().contains("-1.0"), e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"b\","
                + " \"layer\": {\"class_name\": \"LSTM\", \"config\": {\"name\": \"l\", \"units\": 2, \"activity_regularizer\": \"l2\"}}}}"));
        assertTrue(e.getMessage().contains("layer 'b' (Bidirectional)") && e.getMessage().contains("activityRegularizer"), e.getMessage());
    }

    @Test
    void anExplicitNullAxisIsOneNormOverTheWholeWeightAndAMissingOneIsAxis0() {
        Layer d = layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2,"
                + " \"kernel_constraint\": {\"module\": \"keras.constraints\", \"class_name\": \"MaxNorm\", \"config\": {\"max_value\": 2, \"axis\": null}, \"registered_name\": null},"
                + " \"bias_constraint\": {\"class_name\": \"UnitNorm\", \"config\": {}}}}");
        assertEquals(Constraints.maxNorm(2).allAxes(), d.weightRules().constraints().get("kernel"));
        assertEquals(Constraints.unitNorm(0), d.weightRules().constraints().get("bias"));
        Layer m = layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"m\", \"units\": 2, \"kernel_constraint\": {\"class_name\":"
                + " \"MinMaxNorm\", \"config\": {\"min_value\": 0.5, \"max_value\": 1, \"rate\": 1, \"axis\": null}}}}");
        assertEquals(Constraints.minMaxNorm(0.5, 1).allAxes(), m.weightRules().constraints().get("kernel"));
        Map<?, ?> back = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) KerasLayers.config(d).get("config")).get("kernel_constraint")).get("config");
        assertTrue(back.containsKey("axis") && back.get("axis") == null, "written back as Keras' axis None: " + back);
    }

    @Test
    void customClassesNamedLikeKerasOnesAreRefused() {
        // Keras 3 writes its own with module keras.regularizers / keras.constraints and registered_name null
        String[] custom = {
            "{\"module\": \"my_pkg.regs\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.1}, \"registered_name\": \"my_pkg>L2\"}",
            "{\"module\": \"keras.regularizers\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.1}, \"registered_name\": \"my_pkg>L2\"}",
            "{\"module\": \"__main__\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.1}, \"registered_name\": \"L2\"}",
            "{\"module\": null, \"class_name\": \"L2\", \"config\": {\"l2\": 0.1}, \"registered_name\": null}",
            "{\"module\": null, \"class_name\": \"L2\", \"config\": {\"l2\": 0.1}, \"registered_name\": \"my_pkg>L2\"}"};
        for (String r : custom) {
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\","
                    + " \"units\": 2, \"kernel_regularizer\": " + r + "}}"), r);
            // Keras 3 writes a registered class's module as null: the message names its registration, not "module null"
            String head = "layer 'd' (Dense): kernel_regularizer: L2 " + (!r.contains("\"module\": null") ? "of module"
                    : r.contains("my_pkg") ? "registered as \"my_pkg>L2\" is a" : "is a");
            assertTrue(e.getMessage().startsWith(head) && e.getMessage().contains("custom class") && !e.getMessage().contains("module null")
                    && e.getMessage().contains("expected Keras' own (module keras.regularizers)"), e.getMessage());
        }
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\","
                + " \"units\": 2, \"bias_constraint\": {\"module\": \"keras.regularizers\", \"class_name\": \"NonNeg\", \"config\": {}}}}"));
        assertTrue(e.getMessage().contains("expected Keras' own (module keras.constraints)"), e.getMessage());
        Layer ok = layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2, \"kernel_regularizer\": {\"module\":"
                + " \"keras.src.regularizers.regularizers\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.1}, \"registered_name\": \"L2\"}}}");
        assertEquals(Regularizers.l2(0.1), ok.weightRules().regularizers().get("kernel"), "Keras' own module path, registered under its class name");
        KerasFormatException k2 = assertThrows(KerasFormatException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\","
                + " \"units\": 2, \"kernel_regularizer\": \"l1_l2\"}}"));
        assertTrue(k2.getMessage().contains("kernel_regularizer") && k2.getMessage().contains("'l1_l2'"), "Keras 3's get refuses it: " + k2.getMessage());
    }

    @Test
    void layersWriteTheirOptionsAsKeras3SerializeDoes() {
        Dense d = new Dense(2).kernelRegularizer(Regularizers.l2(1e-4)).biasConstraint(Constraints.maxNorm(3));
        Map<?, ?> c = (Map<?, ?>) KerasLayers.config(d).get("config");
        assertEquals(Json.parse("{\"module\": \"keras.regularizers\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.0001},"
                + " \"registered_name\": null}"), Json.parse(Json.write(c.get("kernel_regularizer"))));
        assertEquals(Map.of("max_value", 3.0, "axis", 0), ((Map<?, ?>) c.get("bias_constraint")).get("config"));
        assertTrue(c.containsKey("bias_regularizer") && c.get("bias_regularizer") == null, "Keras 3's Dense writes null when unset");
        assertTrue(!c.containsKey("activity_regularizer"), "Keras 3's Dense writes activity_regularizer only when set");
        Map<?, ?> l = (Map<?, ?>) KerasLayers.config(new LSTM(2)).get("config");
        assertTrue(l.containsKey("activity_regularizer") && l.get("activity_regularizer") == null, "Keras 3's LSTM writes it always");
    }

    @Test
    void aSavedModelLoadsWithItsRulesAndTrainsTheSame() throws Exception {
        Tensor x = Tensor.wrap(new float[] {1, 2, 0, 3, 4, 1, 2, 2, 0, 1, 3, 4}, 4, 3);
        Tensor y = Tensor.wrap(new float[] {0.1f, -0.2f, 0.3f, 0.5f, -0.1f, 0.2f, 0.4f, 0.0f}, 4, 2);
        Path p = dir.resolve("m.keras");
        LSTM inner = new LSTM(3).kernelRegularizer(Regularizers.l1(1e-3)).recurrentConstraint(Constraints.unitNorm(1))
                .biasRegularizer(Regularizers.l1l2(0.01, 0.02));
        try (Sequential m = new Sequential(new Embedding(5, 2).embeddingsRegularizer(Regularizers.l2(0.1)),
                new Bidirectional(inner).activityRegularizer(Regularizers.l2(0.01)),
                new Dense(2).kernelConstraint(Constraints.minMaxNorm(0.1, 0.9, 0.7, 0)).activityRegularizer(Regularizers.l1(0.05)))) {
            m.build(3);
            m.save(p);
            try (Model back = Models.load(p)) {
                Bidirectional b = (Bidirectional) back.layers().get(1);
                RecurrentLayer bw = b.backwardLayer();
                assertEquals(Regularizers.l1(1e-3), bw.weightRules().regularizers().get("kernel"));
                assertEquals(Constraints.unitNorm(1), bw.weightRules().constraints().get("recurrent_kernel"));
                assertEquals(Regularizers.l2(0.01), b.weightRules().activity());
                assertEquals(m.layers().get(2).weightRules().constraints(), back.layers().get(2).weightRules().constraints());
                assertEquals(Regularizers.l2(0.1), back.layers().get(0).weightRules().regularizers().get("embeddings"));
                m.compile(new SGD(0.1), "mse");
                back.compile(new SGD(0.1), "mse");
                for (int step = 0; step < 3; step++) assertEquals(m.trainOnBatch(x, y), back.trainOnBatch(x, y), 1e-6, "step " + step);
                List<Tensor> a = m.getWeights(), z = back.getWeights();
                for (int k = 0; k < a.size(); k++) {
                    for (int i = 0; i < a.get(k).size(); i++) assertEquals(a.get(k).data()[i], z.get(k).data()[i], 1e-6);
                }
            }
        }
    }
}
