package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' model.to_json / model_from_json / clone_model: real Keras JSON, jrnn's own round trips, fresh weights. */
class KerasJsonTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** A legacy .h5's model_config attribute is what Keras' model.to_json() returned: every real file's builds the same model. */
    @Test
    void everyRealKerasJsonBuildsTheModelItsFileLoads() throws Exception {
        for (Path f : KerasFixtures.models()) {
            String json;
            try (HdfFile h = new HdfFile(f)) {
                json = (String) h.getAttribute("model_config").getData();
            }
            try (Model fromFile = Models.load(f); Model fromJson = Models.fromJson(json)) {
                // a Keras 2.0 config without a model name: each build draws its own default name, as Keras does
                assertEquals(table(fromFile), table(fromJson), f.toString());
                assertNull(fromJson.optimizer(), f + ": model_from_json does not compile");
                List<Tensor> a = fromFile.getWeights(), b = fromJson.getWeights();
                assertEquals(a.size(), b.size(), f.toString());
                for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k).shape(), b.get(k).shape(), f + " weight " + k);
            }
        }
    }

    /** The summary below its title line (the model's name). */
    private static String table(Model m) {
        String s = m.summaryString();
        return s.substring(s.indexOf('\n'));
    }

    @Test
    void toJsonThenFromJsonKeepsAFunctionalModelWithASharedLayer() {
        Jrnn.clearSession();
        Jrnn.setSeed(3);
        Input a = Input.shape(5, 2), b = Input.shape(5, 2);
        LSTM shared = new LSTM(4).name("shared");
        Node joined = new Concatenate().apply(List.of(shared.apply(a), shared.apply(b)));
        Model m = new Model(List.of(a, b), new Dense(1).apply(joined)).name("twin");
        Model again = Models.fromJson(m.toJson());
        assertEquals(m.summaryString(), again.summaryString());
        assertEquals(m.toJson(), again.toJson(), "the JSON of the rebuilt model is the same");
        again.setWeights(m.getWeights());
        Tensor x = Tensor.full(0.5f, 3, 5, 2);
        assertArrayEquals(m.predictAll(List.of(x, x), 32, null).get(0).data(), again.predictAll(List.of(x, x), 32, null).get(0).data());
    }

    @Test
    void cloneModelHasFreshWeightsAndIsCompiledAsTheOriginal() throws Exception {
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        Sequential m = new Sequential(new GRU(3).returnSequences(true).inputShape(6, 2), new LSTM(2), new Dense(1));
        m.compile("adam", "mse");
        Model c = Models.cloneModel(m);
        assertEquals(m.summaryString(), c.summaryString());
        assertEquals("Adam", c.optimizer().name());   // Keras' clone_model compiles the clone (compile_from_config)
        assertTrue(c.optimizer() != m.optimizer());
        assertEquals(m.loss(), c.loss());
        assertNull(Models.cloneModel(new Sequential(new Dense(1).inputShape(2))).optimizer(), "an uncompiled model's clone");
        // a loss of the user's own: no config names it again (Keras needs it registered): uncompiled, one warning
        Sequential own = new Sequential(new Dense(1).inputShape(2));
        own.compile("sgd", dev.jrnn.backend.Loss.custom("my_mse", (yt, yp, g) -> 0.0));
        List<String> warnings = dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), () -> assertNull(Models.cloneModel(own).optimizer()));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("Models.cloneModel: the model is not compiled") && warnings.get(0).contains("my_mse"), warnings.get(0));
        assertFalse(java.util.Arrays.equals(m.getWeights().get(0).data(), c.getWeights().get(0).data()), "freshly initialised");
        assertTrue(c.layers().get(0) != m.layers().get(0), "new layers");
    }

    /**
     * An unbuilt Sequential (no input shape), as Keras 3.15.1 handles it (keras3_real/unbuilt.json, make_keras3_real.py):
     * Keras' to_json reads back unbuilt and builds on its first data to Keras' weight shapes; jrnn's toJson and cloneModel
     * of such a model work and write it as Keras does, its layers without an InputLayer. All three threw before ("This
     * model has not yet been built", and fromJson's "the first layer declares no input shape").
     */
    @Test
    void anUnbuiltSequentialGoesToJsonClonesAndComesBackAsInKeras() throws Exception {
        Map<?, ?> k = (Map<?, ?>) dev.jrnn.io.Json.parse(java.nio.file.Files.readString(GeneratedKerasFilesTest.resource("keras3_real/unbuilt.json")));
        Model fromKeras = Models.fromJson((String) k.get("to_json"));
        assertEquals(k.get("built"), fromKeras.isBuilt());
        assertEquals(List.of("l", "d"), fromKeras.layers().stream().map(dev.jrnn.layers.Layer::name).toList());
        Tensor p = fromKeras.predict(Tensor.zeros(2, 7, 4));
        assertEquals(k.get("predict_shape"), java.util.Arrays.stream(p.shape()).mapToObj(d -> (Object) (long) d).toList());
        assertEquals(k.get("weight_shapes"), fromKeras.getWeights().stream()
                .map(w -> java.util.Arrays.stream(w.shape()).mapToObj(d -> (Object) (long) d).toList()).toList());

        Sequential s = new Sequential(new LSTM(3).name("l"), new Dense(1).name("d")).name("unbuilt");
        Map<?, ?> mine = (Map<?, ?>) dev.jrnn.io.Json.parse(s.toJson()), theirs = (Map<?, ?>) dev.jrnn.io.Json.parse((String) k.get("to_json"));
        assertEquals(classes(theirs), classes(mine));   // [LSTM, Dense]: no InputLayer, as Keras writes an unbuilt model
        s.compile("adam", "mse");
        Model clone = Models.cloneModel(s);
        assertEquals(k.get("clone_built"), clone.isBuilt());
        assertEquals("Adam", clone.optimizer().name());
        assertFalse(s.isBuilt(), "toJson and cloneModel leave the model unbuilt");
        assertArrayEquals(new int[] {2, 1}, clone.predict(Tensor.zeros(2, 7, 4)).shape());
    }

    private static List<Object> classes(Map<?, ?> modelConfig) {
        return ((List<?>) ((Map<?, ?>) modelConfig.get("config")).get("layers")).stream().map(l -> (Object) ((Map<?, ?>) l).get("class_name")).toList();
    }

    @Test
    void badJsonIsRefusedNamingTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson("{\"class_name\": "));
        assertTrue(e.getMessage().startsWith("fromJson: not JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson("{\"class_name\": \"Graph\", \"config\": {}}"));
        assertTrue(e.getMessage().contains("model class 'Graph' is not supported"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Models.fromJson(null));
        assertThrows(IllegalArgumentException.class, () -> Models.cloneModel(null));
    }
}
