package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Add;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.LayerNormalization;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Node;
import dev.jrnn.optim.SGD;
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
import java.util.ArrayList;
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

    /**
     * One SGD step (learning rate 1, mse) of a Transformer block for time series against torch float64 written from Keras
     * 3's sources ({@code make_transformer_step_golden.py}): Masking -> Dense -> causal self-attention -> Add ->
     * LayerNormalization -> Dense(relu) -> Add -> LayerNormalization(1e-5) -> masked GlobalAveragePooling1D -> Dense, on
     * sequences padded at the end and at the start; the prediction, the loss and every weight after the step (so every
     * gradient, the key bias' zero one too) through the masks, the residuals and both normalizations.
     */
    @Test
    void aTransformerBlockTrainStepMatchesTorch() {
        Input x = Input.shape(5, 3);
        Node h = new Dense(4).apply(new Masking(0).apply(x));
        Node a = new MultiHeadAttention(2, 3).useCausalMask(true).apply(h, h);
        Node r1 = new LayerNormalization().apply(new Add().apply(h, a));
        Node r2 = new LayerNormalization().epsilon(1e-5).apply(new Add().apply(r1, new Dense(4).activation("relu").apply(r1)));
        try (Model m = new Model(x, new Dense(1).apply(new GlobalAveragePooling1D().apply(r2)))) {
            List<Tensor> w = new ArrayList<>();
            int i = 0;
            for (Tensor t : m.getWeights()) {
                w.add(pattern(t.shape(), 7 + 2 * i, 11 + i, 5, 9));
                i++;
            }
            assertEquals(AFTER.length, w.size());
            m.setWeights(w);
            float[] xs = pattern(new int[] {3, 5, 3}, 37, 19, 9, 10).data();
            java.util.Arrays.fill(xs, 9, 15, 0f);    // sample 0's last two steps are padding
            java.util.Arrays.fill(xs, 27, 30, 0f);   // sample 1's last
            java.util.Arrays.fill(xs, 30, 33, 0f);   // sample 2's first
            Tensor in = Tensor.wrap(xs, 3, 5, 3), y = pattern(new int[] {3, 1}, 23, 17, 8, 8);
            float[] pred = m.predict(in).data();
            for (int k = 0; k < PRED.length; k++) assertEquals(PRED[k], pred[k], 1e-5 * Math.abs(PRED[k]), "prediction " + k);
            m.compile(new SGD(1.0), "mse");
            assertEquals(LOSS, m.trainOnBatch(in, y), 1e-5 * LOSS, "loss");
            List<Tensor> after = m.getWeights();
            for (int k = 0; k < AFTER.length; k++) {
                float[] got = after.get(k).data();
                assertEquals(AFTER[k].length, got.length, m.weightNames().get(k));
                for (int e = 0; e < got.length; e++) {
                    assertEquals(AFTER[k][e], got[e], 1e-4 * Math.max(1, Math.abs(AFTER[k][e])), m.weightNames().get(k) + "[" + e + "]");
                }
            }
        }
    }

    /** The golden script's pattern: float32 of {@code ((i * mul) % mod - off) / div}. */
    private static Tensor pattern(int[] shape, int mul, int mod, int off, double div) {
        float[] f = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < f.length; i++) f[i] = (float) (((i * mul) % mod - off) / div);
        return Tensor.wrap(f, shape);
    }

    // ---- pasted from make_transformer_step_golden.py's output
    private static final double[] PRED = {8.85958929, 9.11591229, 9.35310123};
    private static final double LOSS = 87.7697384901;
    private static final double[][] AFTER = {
            {-2.17705739, -1.40084921, -4.78066328, 4.45593002, 2.10769479, 1.30272635, 2.55386299, -1.37479515, 0.319686313, 4.10497105, -0.597025174, -3.54723949},
            {0.71361481, 4.84483567, -0.43492603, -3.86316572},
            {-0.631162367, 0.591059901, 0.368837662, -0.0155154167, -0.237737641, -0.459959864, -0.394190006, 0.828032232, 0.605810023, 0.524123889, 0.301901658, 0.0796794338, -0.327998964, -0.550221203, 0.672001066, 0.443731673, 0.221509449, -0.000712775199, -0.252244703, -0.474466927, 0.747755312, 0.39690624, 0.174684002, -0.0475382296},
            {-0.477311184, 0.967133293, 0.856022189, 0.941303814, 0.830192709, 0.719081575},
            {-0.521475875, -0.655764469, -0.635029926, -0.610389321, -0.622197577, -0.634005828, -0.571047279, -0.500598312, -0.526530904, -0.444735456, -0.433983048, -0.423230647, -0.553320933, -0.568207202, -0.555313381, -0.648555757, -0.651787699, -0.655019636, -0.542345441, -0.621155055, -0.569029072, -0.708266052, -0.731574526, -0.754882988},
            {-0.555555582, -0.444444448, -0.333333343, -0.222222224, -0.111111112, 3.07913417e-17},
            {0.272540831, -2.42315555, -1.07156429, 1.74454999, 1.96677237, 1.35788686, 0.0218849108, 2.82054508, 1.95628384, -1.69799707, -1.47577497, -0.742595023, -1.47066448, 2.65129379, 1.35719298, 0.955904026, 1.17812623, -2.24782906, 3.42885939, -5.067623, -2.19514054, 1.06103453, 1.28325697, 4.51437918},
            {-3.5186787, 5.32962931, 1.54076492, -1.3515956, -1.0182625, -1.85201187},
            {0.707885001, -0.301883083, -0.75332752, 0.791770042, 3.28692731, -1.16221368, -1.28487234, 0.382380925, 3.75485849, 0.0885668921, -1.81641716, -0.0270081931, 1.91954166, 0.211391134, 1.53174499, -0.884900002, 2.38912931, -0.64391214, 1.00389889, -1.30467157, -0.628177001, -0.143489481, 1.03312037, 1.96076835},
            {3.47785343, -1.95261998, -0.972404754, 0.558282469},
            {16.7268151, 3.33510301, 4.38658595, 6.446183},
            {-14.6454569, 3.78786003, 3.89354093, 0.861692851},
            {-2.16312172, 0.572868978, 0.964893315, 1.25157916, -0.21090876, 0.939358428, -2.20908691, 3.68013414, -0.569277013, -3.6672739, -8.7388172, 16.6751311, -8.86739243, 1.78940771, -6.50578205, 17.4571419},
            {-2.66843623, -0.952447513, -4.74957462, 10.0367647},
            {-10.759364, 9.750774, -58.0666589, -0.842020126},
            {9.84392744, -13.8926091, -37.6291457, -8.09736386},
            {-0.359880959, -5.13358825, -80.4050147, -3.71534859},
            {-19.2746241},
    };
}
