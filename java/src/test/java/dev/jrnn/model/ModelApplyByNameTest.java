package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jrnn.model.KerasRunOrderTest.det;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Model#applyAll(Map)}: a nested model called on a dict, as Keras' {@code enc({"seq": a, "h": b})}, against
 * Keras 3.15.1's predictions (apply_by_name/make_apply_by_name.py): by a dict-input model's keys, and by the Input names
 * of a model of listed Inputs (an extra key left out, as Keras leaves it).
 */
class ModelApplyByNameTest {
    private static final Map<String, float[]> GOLDEN = new LinkedHashMap<>();

    @BeforeAll
    static void goldens() throws Exception {
        Jrnn.setBackend("cpu");
        Path f = Path.of(ModelApplyByNameTest.class.getResource("apply_by_name/apply_by_name.txt").toURI());
        for (String line : Files.readAllLines(f)) {
            String[] p = line.split(" ");
            float[] v = new float[p.length - 1];
            for (int i = 1; i < p.length; i++) v[i - 1] = (float) Double.parseDouble(p[i]);
            GOLDEN.put(p[0], v);
        }
    }

    @Test
    void aNestedModelCalledOnADictPredictsAsKeras() {
        for (boolean dictInputs : new boolean[] {true, false}) {
            Input x = Input.shape(3).name("seq"), h = Input.shape(2).name("h");
            Node body = new Dense(2).name("ed").apply(new Concatenate().name("cat").apply(x, h));
            Model enc = dictInputs ? new Model(Map.of("seq", x, "h", h), body) : new Model(List.of(x, h), body);
            Input a = Input.shape(3).name("a"), b = Input.shape(2).name("b");
            Map<String, Node> given = new LinkedHashMap<>();
            given.put("h", b);   // not in input order: taken by name
            given.put("seq", a);
            if (!dictInputs) given.put("zz", a);   // names no input: left out, as Keras leaves it
            try (Model m = new Model(List.of(a, b), new Dense(1).name("head").apply(enc.applyAll(given).get(0)))) {
                KerasRunOrderTest.weights(enc, "ed");
                KerasRunOrderTest.weights(m, "head");
                float[] got = m.predictAll(List.of(det(new int[] {4, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {4, 2}, 0.5, 0.1, 1.0, 0))).get(0).data();
                float[] want = GOLDEN.get(dictInputs ? "dict_predict" : "listed_predict");
                assertEquals(want.length, got.length);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, (dictInputs ? "dict" : "listed") + "[" + i + "]");
            }
        }
    }
}
