package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.AdditiveAttention;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attention layers in models: a seq2seq model that learns, and save / load round trips in Keras 3's layout. */
class AttentionModelTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Encoder LSTM over the source, decoder LSTM from its states, Attention over the encoder, Concatenate, Dense. */
    static Model seq2seq(int vocab, int steps) {
        Input src = Input.shape(steps).name("source"), tgt = Input.shape(steps).name("target_in");
        Node enc = new LSTM(16).returnSequences(true).returnState(true).apply(new Embedding(vocab, 8).apply(src));
        Node dec = new LSTM(16).returnSequences(true).apply(List.of(new Embedding(vocab, 8).apply(tgt), enc.get(1), enc.get(2)));
        Node context = new Attention().apply(dec, enc);
        Node out = new Dense(vocab).activation("softmax").apply(new Concatenate().apply(dec, context));
        return new Model(List.of(src, tgt), List.of(out));
    }

    /** Reversing a token sequence (teacher forcing): the loss falls to well under half its start. */
    @Test
    void aSeq2SeqModelWithAttentionLearnsToReverse() {
        Jrnn.setSeed(3);
        int n = 64, steps = 4, vocab = 7;
        SplittableRandom r = new SplittableRandom(1);
        float[] src = new float[n * steps], tin = new float[n * steps], y = new float[n * steps];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) src[i * steps + t] = 1 + r.nextInt(5);
            for (int t = 0; t < steps; t++) y[i * steps + t] = src[i * steps + steps - 1 - t];
            tin[i * steps] = 6;   // start token
            for (int t = 1; t < steps; t++) tin[i * steps + t] = y[i * steps + t - 1];
        }
        try (Model m = seq2seq(vocab, steps)) {
            m.compile(new dev.jrnn.optim.Adam(0.02), "sparse_categorical_crossentropy");
            History h = m.fit(List.of(Tensor.wrap(src, n, steps), Tensor.wrap(tin, n, steps)), List.of(Tensor.wrap(y, n, steps)),
                    new FitOptions().epochs(20).batchSize(16).verbose(0).seed(2));
            assertTrue(h.last("loss") < h.get("loss").get(0) / 2, h.toString());
        }
    }

    /** The guide's (docs/GUIDE.md) seq2seq example as written there: any lengths, source and target of different lengths. */
    @Test
    void theReadmeSeq2SeqExampleRunsOnSequencesOfAnyLength() {
        int V = 10;
        Input src = Input.shape(-1), tgt = Input.shape(-1);
        Node enc = new LSTM(64).returnSequences(true)
            .returnState(true).apply(new Embedding(V, 32).apply(src));
        Node dec = new LSTM(64).returnSequences(true).apply(List.of(
            new Embedding(V, 32).apply(tgt), enc.get(1), enc.get(2)));
        Node ctx = new Attention().apply(dec, enc);
        Node out = new Dense(V).activation("softmax").apply(
            new Concatenate().apply(dec, ctx));
        try (Model model = new Model(List.of(src, tgt), List.of(out))) {
            Tensor y = model.predictAll(List.of(Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4),
                    Tensor.wrap(new float[] {9, 1, 2, 3, 4, 9, 5, 6, 7, 8}, 2, 5)), 32, null).get(0);
            assertArrayEquals(new int[] {2, 5, V}, y.shape());
            double sum = 0;
            for (int j = 0; j < V; j++) sum += y.get(1, 4, j);
            assertEquals(1.0, sum, 1e-5);
        }
    }

    /**
     * A captured-and-replayed train step (RecordingBackend's capture, as a CUDA graph freezes arguments) gives bit for bit
     * the eager fit's losses and weights: masks, the causal triangle and dropout draws are all device-side.
     */
    @Test
    void attentionTrainStepsReplayExactly() {
        SplittableRandom r = new SplittableRandom(6);
        int n = 9, t = 5, vocab = 8;
        float[] ids = new float[n * t], y = new float[n * t];
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(t);
            for (int s = 0; s < len; s++) ids[i * t + s] = 1 + r.nextInt(vocab - 1);   // 0 = padding
        }
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt(3);
        java.util.function.Supplier<Model> make = () -> {
            Input in = Input.shape(t);
            Node seq = new LSTM(6).returnSequences(true).apply(new Embedding(vocab, 4).maskZero(true).apply(in));
            Node self = new Attention().useScale(true).useCausalMask(true).dropout(0.3).apply(seq, seq);
            Node add = new AdditiveAttention().dropout(0.2).apply(self, seq);
            Model m = new Model(in, new Dense(3).apply(new Concatenate().apply(seq, add)));
            m.compile(new dev.jrnn.optim.Adam(0.01), "sparse_categorical_crossentropy_from_logits");
            return m;
        };
        List<Tensor> xs = List.of(Tensor.wrap(ids, n, t)), ys = List.of(Tensor.wrap(y, n, t, 1));
        GraphReplayTest.Run eager = GraphReplayTest.fit(dev.jrnn.backend.Backends.cpu(), make, xs, ys,
                new FitOptions().epochs(3).batchSize(4).verbose(0).seed(2));
        dev.jrnn.backend.RecordingBackend rec = new dev.jrnn.backend.RecordingBackend(dev.jrnn.backend.Backends.cpu());
        GraphReplayTest.Run graphed = GraphReplayTest.fit(rec, make, xs, ys, new FitOptions().epochs(3).batchSize(4).verbose(0).seed(2));
        GraphReplayTest.assertSame(eager, graphed);
        assertEquals(2, rec.captures, "one graph per batch size");
        assertEquals(0, rec.failedCaptures);
        Jrnn.setBackend("cpu");
    }

    /** A model with both layers and every setting that reaches a file. */
    private static Model both() {
        Input q = Input.shape(3, 4).name("query"), v = Input.shape(5, 2).name("value"), k = Input.shape(5, 4).name("key");
        Node a = new Attention().name("att").useScale(true).scoreMode("concat").useCausalMask(true).returnAttentionScores(true)
                .dropout(0.25).apply(q, v, k);
        Node b = new AdditiveAttention().name("add").apply(q, k);
        return new Model(List.of(q, v, k), List.of(a, a.get(1), new Dense(2).apply(b)));
    }

    private static List<Tensor> inputs() {
        SplittableRandom r = new SplittableRandom(7);
        return List.of(rand(r, 2, 3, 4), rand(r, 2, 5, 2), rand(r, 2, 5, 4));
    }

    private static Tensor rand(SplittableRandom r, int... shape) {
        float[] f = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < f.length; i++) f[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.wrap(f, shape);
    }

    @Test
    void savesAndLoadsBothLayersInKeras3sLayout(@TempDir Path dir) throws Exception {
        try (Model m = both()) {
            String summary = m.summaryString();   // Keras' table: the scores output's shape, the weights counted
            assertTrue(summary.contains(" att (Attention)") && summary.contains("(None, 3, 2)") && summary.contains("(None, 3, 5)")
                    && summary.contains("Total params: 16"), summary);
            m.getLayer("att").setWeights(List.of(Tensor.wrap(new float[] {0.7f}, 1), Tensor.wrap(new float[] {-1.2f}, 1)));
            m.compile("adam", "mse");
            List<Tensor> want = m.predictAll(inputs(), 32, null);
            Path file = dir.resolve("att.keras");
            m.save(file);
            try (Model back = Models.load(file)) {
                List<Tensor> got = back.predictAll(inputs(), 32, null);
                for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), "output " + i);
                Attention a = (Attention) back.getLayer("att");
                assertTrue(a.useScale() && a.useCausalMask() && a.returnAttentionScores() && a.scoreMode().equals("concat"));
                assertEquals(0.25, a.dropout());
            }
            try (ZipFile z = new ZipFile(file.toFile())) {
                String cfg = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(cfg.contains("\"class_name\": \"Attention\"") && cfg.contains("\"score_mode\": \"concat\"")
                        && cfg.contains("\"use_causal_mask\": true") && cfg.contains("\"return_attention_scores\": true"), cfg);
                assertTrue(cfg.contains("\"class_name\": \"AdditiveAttention\", \"config\": {\"name\": \"add\", \"trainable\": true, "
                        + "\"dtype\": \"float32\", \"use_scale\": true, \"dropout\": 0.0, \"seed\": null}"), cfg);
            }
            Path weights = dir.resolve("att.weights.h5");
            m.saveWeights(weights);
            try (HdfFile h = new HdfFile(weights)) {   // Keras 3's variables: the Attention scalars have shape ()
                Dataset s = (Dataset) h.getByPath("layers/attention/vars/0");
                assertTrue(s.isScalar(), "scale is a scalar");
                assertEquals(0.7f, ((Number) s.getData()).floatValue());
                assertTrue(((Dataset) h.getByPath("layers/attention/vars/1")).isScalar());
                assertArrayEquals(new int[] {4}, ((Dataset) h.getByPath("layers/additive_attention/vars/0")).getDimensions());
            }
            try (Model fresh = both()) {
                fresh.loadWeights(weights);
                List<Tensor> got = fresh.predictAll(inputs(), 32, null);
                for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), "output " + i + " after loadWeights");
            }
        }
    }
}
