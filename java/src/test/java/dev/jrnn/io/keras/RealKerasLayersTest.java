package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers against Keras 3.15.1 itself: keras3_layers/make_keras3_layers.py builds six functional models in Keras (jax
 * backend), one output per layer option (recurrent options and initial states; Masking into recurrent layers,
 * Bidirectional of every merge mode, masked merges, pooling and BatchNormalization, with post-padding and with leading
 * and inner masked steps; Embedding(mask_zero) into attention and MultiHeadAttention, whose query steps with every key
 * masked Keras spreads evenly; Conv1D, pooling, reshaping and merge layers; activations and LayerNormalization;
 * BatchNormalization, Normalization, dropouts, noise, MultiHeadAttention's dropout and returned scores at inference),
 * saves them and records Keras' predictions and, but for the inference case, the weights after one SGD(0.1) step on
 * mse against zeros. jrnn loads each file, predicts Keras' outputs and takes Keras' step (float32 tolerance).
 */
class RealKerasLayersTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static Path file(String name) { return KerasGoldens.file(name); }

    private static Map<String, Object> golden(String c) throws IOException { return KerasGoldens.golden(c); }

    private static Tensor tensor(Object o) { return KerasGoldens.tensor(o); }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> g, String key) {
        return (List<Map<String, Object>>) g.get(key);
    }

    private static void compare(String what, Tensor want, Tensor got, List<String> bad) {
        KerasGoldens.compare(what, want, got, bad);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "mask", "attn", "conv", "dense", "infer"})
    void predictsAsKeras(String c) throws IOException {
        Map<String, Object> g = golden(c);
        List<Tensor> xs = new ArrayList<>();
        for (Object x : (List<Object>) g.get("inputs")) xs.add(tensor(x));
        List<Map<String, Object>> outs = list(g, "outputs");
        List<String> bad = new ArrayList<>();
        try (Model m = Models.load(file(c + ".keras"))) {
            List<Tensor> ys = m.predictAll(xs);
            assertEquals(outs.size(), ys.size(), c + ": outputs");
            for (int i = 0; i < ys.size(); i++) compare(c + " output " + i + " (" + outs.get(i).get("name") + ")", tensor(outs.get(i).get("value")), ys.get(i), bad);
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "mask", "attn", "conv", "dense"})
    void takesKerasSgdStep(String c) throws IOException {
        Map<String, Object> g = golden(c);
        List<Tensor> xs = new ArrayList<>(), zeros = new ArrayList<>();
        for (Object x : (List<Object>) g.get("inputs")) xs.add(tensor(x));
        for (Map<String, Object> o : list(g, "outputs")) zeros.add(Tensor.zeros(tensor(o.get("value")).shape()));
        List<Map<String, Object>> after = list(g, "after");
        List<String> bad = new ArrayList<>();
        try (Model m = Models.load(file(c + ".keras"))) {
            m.trainOnBatch(xs, zeros);
            List<Tensor> w = m.getWeights();
            assertEquals(after.size(), w.size(), c + ": weights");
            for (int i = 0; i < w.size(); i++) compare(c + " weight " + i + " (" + after.get(i).get("path") + ")", tensor(after.get(i).get("value")), w.get(i), bad);
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }
}
