package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Node;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MultiHeadAttention in models: between recurrent layers with Embedding masks, trained, summarized as Keras prints it,
 * saved and loaded bit for bit in Keras 3's layout (its EinsumDense groups, its call arguments), and a Keras 3 config
 * that passes query and value by name.
 */
class MultiHeadAttentionModelTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static final int T = 5, VOCAB = 8;

    /** Embedding(maskZero) -> LSTM -> self-attention (causal, dropout, scores) and cross-attention with a key -> LSTM -> Dense. */
    private static Model model() {
        Input ids = Input.shape(T).name("ids"), other = Input.shape(4, 3).name("other");
        Node seq = new LSTM(6).returnSequences(true).apply(new Embedding(VOCAB, 4).maskZero(true).apply(ids));
        Node self = new MultiHeadAttention(2, 3).name("mha").useCausalMask(true).dropout(0.25).returnAttentionScores(true)
                .kernelRegularizer(Regularizers.l2(1e-3)).apply(seq, seq);
        Node cross = new MultiHeadAttention(3, 2).name("cross").valueDim(4).outputShape(5).apply(self, other, other);
        Node out = new Dense(2).apply(new LSTM(4).apply(cross));
        Model m = new Model(List.of(ids, other), List.of(out, self.get(1)));
        m.compile(new dev.jrnn.optim.Adam(0.01), "mse");
        return m;
    }

    private static List<Tensor> inputs(int n) {
        SplittableRandom r = new SplittableRandom(3);
        float[] ids = new float[n * T], o = new float[n * 12];
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(T);
            for (int s = 0; s < len; s++) ids[i * T + s] = 1 + r.nextInt(VOCAB - 1);   // 0 = padding
        }
        for (int i = 0; i < o.length; i++) o[i] = (float) (r.nextDouble() * 2 - 1);
        return List.of(Tensor.wrap(ids, n, T), Tensor.wrap(o, n, 4, 3));
    }

    @Test
    void trainsSummarizesAndRoundTripsBitForBit(@TempDir Path dir) throws Exception {
        try (Model m = model()) {
            String summary = m.summaryString();   // Keras' rows: output shapes, 4 * (6 * 6 + 6) and the cross layer's count
            assertTrue(summary.contains(" mha (MultiHeadAttention)") && summary.contains("(None, 5, 6)") && summary.contains("(None, 2, 5, 5)")
                    && summary.contains(" 168 "), summary);
            int cross = 6 * 6 + 6 + 3 * 6 + 6 + 3 * 12 + 12 + 12 * 5 + 5;
            assertTrue(summary.contains(" cross (MultiHeadAttention)") && summary.contains("(None, 5, 5)") && summary.contains(" " + cross + " "),
                    summary);
            List<Tensor> xs = inputs(6);
            SplittableRandom r = new SplittableRandom(4);
            float[] y = new float[12];
            for (int i = 0; i < y.length; i++) y[i] = (float) r.nextDouble();
            float[] s = new float[6 * 2 * 5 * 5];
            m.fit(xs, List.of(Tensor.wrap(y, 6, 2), Tensor.wrap(s, 6, 2, 5, 5)), new FitOptions().epochs(2).batchSize(3).verbose(0));
            List<Tensor> want = m.predictAll(xs, 32, null);
            float[] w = want.get(1).data();   // causal: step 0 attends to step 0 alone, wherever it is not padding
            for (int b = 0; b < 6; b++) if (xs.get(0).data()[b * T] != 0) assertEquals(1f, w[b * 50], 1e-6f);
            Path file = dir.resolve("mha.keras");
            m.save(file);
            try (Model back = Models.load(file)) {
                List<Tensor> got = back.predictAll(xs, 32, null);
                for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), "output " + i);
                MultiHeadAttention l = (MultiHeadAttention) back.getLayer("mha");
                assertTrue(l.useCausalMask() && l.returnAttentionScores() && l.dropout() == 0.25);
                assertArrayEquals(((MultiHeadAttention) m.getLayer("mha")).maskStream(), l.maskStream(), "the dropout stream goes on");
                assertEquals(5, ((MultiHeadAttention) back.getLayer("cross")).outputShape());
                assertEquals(Regularizers.l2(1e-3).toString(), l.weightRules().regularizers().get("kernel").toString(), "kernel_regularizer");
                for (int i = 0; i < m.getWeights().size(); i++) assertEquals(m.getWeights().get(i), back.getWeights().get(i));
            }
            try (ZipFile z = new ZipFile(file.toFile())) {
                String cfg = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(cfg.contains("\"class_name\": \"MultiHeadAttention\"") && cfg.contains("\"num_heads\": 2")
                        && cfg.contains("\"output_shape\": [5]") && cfg.contains("\"use_causal_mask\": true")
                        && cfg.contains("\"kernel_initializer\": {\"module\": \"keras.initializers\", \"class_name\": \"GlorotUniform\""), cfg);
            }
            Path weights = dir.resolve("mha.weights.h5");
            m.saveWeights(weights);
            try (HdfFile h = new HdfFile(weights)) {   // Keras 3's paths: the EinsumDense properties of the layer
                assertArrayEquals(new int[] {6, 2, 3}, ((Dataset) h.getByPath("layers/multi_head_attention/query_dense/vars/0")).getDimensions());
                assertArrayEquals(new int[] {2, 3}, ((Dataset) h.getByPath("layers/multi_head_attention/key_dense/vars/1")).getDimensions());
                assertArrayEquals(new int[] {2, 3, 6}, ((Dataset) h.getByPath("layers/multi_head_attention/output_dense/vars/0")).getDimensions());
                assertArrayEquals(new int[] {3, 3, 4}, ((Dataset) h.getByPath("layers/multi_head_attention_1/value_dense/vars/0")).getDimensions());
            }
        }
    }

    /**
     * A captured-and-replayed train step (RecordingBackend's capture, as a CUDA graph freezes arguments) gives bit for bit
     * the eager fit's losses and weights: the masks, the causal triangle and the dropout draws are all device-side.
     */
    @Test
    void trainStepsReplayExactly() {
        List<Tensor> xs = inputs(9);
        SplittableRandom r = new SplittableRandom(5);
        float[] y = new float[18], s = new float[9 * 50];
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextDouble();
        List<Tensor> ys = List.of(Tensor.wrap(y, 9, 2), Tensor.wrap(s, 9, 2, 5, 5));
        java.util.function.Supplier<FitOptions> o = () -> new FitOptions().epochs(3).batchSize(4).verbose(0).seed(2);
        GraphReplayTest.Run eager = GraphReplayTest.fit(dev.jrnn.backend.Backends.cpu(), MultiHeadAttentionModelTest::model, xs, ys, o.get());
        dev.jrnn.backend.RecordingBackend rec = new dev.jrnn.backend.RecordingBackend(dev.jrnn.backend.Backends.cpu());
        GraphReplayTest.Run graphed = GraphReplayTest.fit(rec, MultiHeadAttentionModelTest::model, xs, ys, o.get());
        GraphReplayTest.assertSame(eager, graphed);
        assertEquals(0, rec.failedCaptures);
        assertTrue(rec.captures > 0, "captured");
        Jrnn.setBackend("cpu");
    }

    /**
     * Keras 3 writes a call {@code mha(query=x, value=x, key=k)} with its tensors by name, and its config as get_config:
     * the same model loads from either form (the file's config rewritten to the keyword form here).
     */
    @Test
    @SuppressWarnings("unchecked")
    void loadsACallWithQueryValueAndKeyByName(@TempDir Path dir) throws Exception {
        try (Model m = model()) {
            Path file = dir.resolve("positional.keras"), named = dir.resolve("named.keras");
            m.save(file);
            List<Tensor> want = m.predictAll(inputs(4), 32, null);
            try (ZipFile z = new ZipFile(file.toFile()); OutputStream os = Files.newOutputStream(named); ZipOutputStream out = new ZipOutputStream(os)) {
                for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                    ZipEntry entry = e.nextElement();
                    byte[] b = z.getInputStream(entry).readAllBytes();
                    if (entry.getName().equals("config.json")) {
                        Map<String, Object> cfg = (Map<String, Object>) Json.parse(new String(b, StandardCharsets.UTF_8));
                        int done = 0;
                        for (Object layer : (List<Object>) ((Map<String, Object>) cfg.get("config")).get("layers")) {
                            Map<String, Object> l = (Map<String, Object>) layer;
                            if (!"MultiHeadAttention".equals(l.get("class_name"))) continue;
                            for (Object n : (List<Object>) l.get("inbound_nodes")) {
                                Map<String, Object> node = (Map<String, Object>) n;
                                List<Object> args = (List<Object>) node.get("args");
                                Map<String, Object> kw = (Map<String, Object>) node.get("kwargs");
                                String[] names = {"query", "value", "key"};
                                for (int i = 0; i < args.size(); i++) kw.put(names[i], args.get(i));
                                node.put("args", List.of());
                                done++;
                            }
                        }
                        assertEquals(2, done);
                        b = Json.write(cfg).getBytes(StandardCharsets.UTF_8);
                    }
                    out.putNextEntry(new ZipEntry(entry.getName()));
                    out.write(b);
                    out.closeEntry();
                }
            }
            try (Model back = Models.load(named)) {
                List<Tensor> got = back.predictAll(inputs(4), 32, null);
                for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), "output " + i);
                assertNull(((MultiHeadAttention) back.getLayer("cross")).weightRules().activity());
            }
        }
    }
}
