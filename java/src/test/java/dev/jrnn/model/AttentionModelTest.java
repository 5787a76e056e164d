package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.AdditiveAttention;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
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

    /**
     * One SGD step (learning rate 1, mse) of seq2seq with Luong ({@code Attention(use_scale)}) and Bahdanau
     * ({@code AdditiveAttention}) attention over an LSTM encoder's outputs, the encoder masked (padding at the end and at
     * the start), against torch float64 written from Keras 3's sources ({@code make_seq2seq_attention_step_golden.py}):
     * the prediction, the loss and every weight after the step, so every gradient through both attentions, the value mask
     * and both LSTMs.
     */
    @Test
    void aSeq2SeqAttentionTrainStepMatchesTorch() {
        Input enc = Input.shape(4, 3), dec = Input.shape(3, 2);
        Node e = new LSTM(4).name("enc_lstm").returnSequences(true).apply(new Masking(0).apply(enc));
        Node d = new LSTM(4).name("dec_lstm").returnSequences(true).apply(dec);
        Node luong = new Attention().name("luong").useScale(true).apply(d, e);
        Node bahdanau = new AdditiveAttention().name("bahdanau").apply(d, e);
        try (Model m = new Model(List.of(enc, dec), new Dense(1).name("out").apply(new Concatenate().apply(luong, bahdanau, d)))) {
            List<String> names = List.of("enc_lstm/kernel", "enc_lstm/recurrent_kernel", "enc_lstm/bias", "dec_lstm/kernel",
                    "dec_lstm/recurrent_kernel", "dec_lstm/bias", "luong/scale", "bahdanau/scale", "out/kernel", "out/bias");
            List<String> got = m.weightNames();
            List<Tensor> w = new java.util.ArrayList<>();
            for (int k = 0; k < got.size(); k++) {
                int i = names.indexOf(got.get(k));
                w.add(pattern(m.getWeights().get(k).shape(), 7 + 2 * i, 11 + i, 5, 9));
            }
            m.setWeights(w);
            float[] ex = pattern(new int[] {3, 4, 3}, 37, 19, 9, 10).data();
            java.util.Arrays.fill(ex, 9, 12, 0f);    // sample 0's last step is padding
            java.util.Arrays.fill(ex, 18, 24, 0f);   // sample 1's last two
            java.util.Arrays.fill(ex, 24, 27, 0f);   // sample 2's first
            List<Tensor> xs = List.of(Tensor.wrap(ex, 3, 4, 3), pattern(new int[] {3, 3, 2}, 29, 13, 6, 7));
            Tensor y = pattern(new int[] {3, 3, 1}, 23, 17, 8, 8);
            float[] pred = m.predictAll(xs).get(0).data();
            for (int k = 0; k < PRED.length; k++) assertEquals(PRED[k], pred[k], 1e-5, "prediction " + k);
            m.compile(new dev.jrnn.optim.SGD(1.0), "mse");
            assertEquals(LOSS, m.trainOnBatch(xs, List.of(y)), 1e-5 * LOSS, "loss");
            List<Tensor> after = m.getWeights();
            for (int k = 0; k < got.size(); k++) {
                double[] want = AFTER[names.indexOf(got.get(k))];
                float[] have = after.get(k).data();
                assertEquals(want.length, have.length, got.get(k));
                for (int i = 0; i < have.length; i++) assertEquals(want[i], have[i], 2e-5 * Math.max(1, Math.abs(want[i])), got.get(k) + "[" + i + "]");
            }
        }
    }

    /** The golden script's pattern: float32 of {@code ((i * mul) % mod - off) / div}. */
    private static Tensor pattern(int[] shape, int mul, int mod, int off, double div) {
        float[] f = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < f.length; i++) f[i] = (float) (((i * mul) % mod - off) / div);
        return Tensor.wrap(f, shape);
    }

    // ---- pasted from make_seq2seq_attention_step_golden.py's output
    private static final double[] PRED = {-0.623593524, -0.639799067, -0.615381205, -0.235698522, -0.291906656, -0.318830082, -0.418304644, -0.486792021, -0.498008937};
    private static final double LOSS = 0.529954933803;
    private static final double[][] AFTER = {
            {-0.562464681, 0.221603509, -0.221802149, 0.537844723, 0.111747715, -0.333036312, 0.44591293, -0.0010315898, -0.448688117, 0.353380428, -0.115813653, -0.581867179, 0.217657612, -0.224335263, 0.556028101, 0.0982264738, -0.332405487, 0.442316338, 0.00257260114, -0.460192231, 0.333429115, -0.110127857, -0.554403653, 0.221927393, -0.21637697, 0.544439434, 0.110529222, -0.307539648, 0.442775661, -0.00196937012, -0.441934568, 0.321740925, -0.112062356, -0.556132805, 0.22452039, -0.23600693, 0.555110524, 0.112780592, -0.332497969, 0.444886376, 0.00113906232, -0.444154896, 0.325757248, -0.112503228, -0.559215072, 0.223683258, -0.220048153, 0.545255384},
            {-0.554759438, 0.44377658, 0.111186469, -0.223175331, -0.55508761, 0.443910655, 0.111346281, -0.222685853, -0.553266547, 0.440050834, 0.115594139, -0.210657238, -0.554240841, 0.442451599, 0.111242544, -0.222653697, -0.554516312, 0.443610458, 0.111242729, -0.223264163, -0.555025463, 0.443626885, 0.111467065, -0.223330999, -0.552511984, 0.438844557, 0.116987089, -0.206737354, -0.553982121, 0.441691096, 0.111378243, -0.223882167, -0.555233149, 0.44367457, 0.111434332, -0.22540455, -0.555097032, 0.443952263, 0.111584566, -0.223123499, -0.553202406, 0.441178482, 0.115216084, -0.211465116, -0.554816857, 0.442161838, 0.111544204, -0.225220095, -0.55611657, 0.445040858, 0.110910832, -0.220895324, -0.555852915, 0.44508884, 0.110752216, -0.220931044, -0.557725443, 0.447942923, 0.107195927, -0.233121513, -0.556323124, 0.446563676, 0.110755864, -0.219385949},
            {-0.536764582, 0.65115782, 0.447188798, 0.202591457, 0.00540830499, -0.22908447, -0.441278909, 0.7704102, 0.602617496, 0.219276339, 0.181053156, 0.160747, -0.313426308, -0.58985962, 0.670024774, 0.431522245},
            {-0.548915518, 0.904823952, 0.774557552, 0.668573592, 0.557845692, 0.446945114, 0.333649463, 0.223716723, 0.143941865, 0.112188822, -0.135647328, -0.213310622, -0.328332865, -0.43165693, -0.56013211, 0.891252285, 0.778021679, 0.656318683, 0.567226657, 0.449476826, 0.333069055, 0.227718412, 0.109003678, 0.00188804411, -0.0628631123, -0.117599113, -0.351503316, -0.429842493, -0.554401337, 0.890075438, 0.779830325, 0.668863272},
            {-0.555079108, -0.553569414, -0.557152347, -0.556078175, -0.554969943, -0.553813636, -0.556858011, -0.555883633, -0.547280566, -0.538612076, -0.564068755, -0.557102574, -0.555238895, -0.554248977, -0.556904434, -0.556251693, -0.554842349, -0.552740763, -0.55769506, -0.556249229, -0.554783805, -0.552654549, -0.557532124, -0.555874691, -0.542647454, -0.524343722, -0.568369912, -0.556409857, -0.554971234, -0.553377225, -0.557514744, -0.556480537, -0.554413634, -0.551359079, -0.558613332, -0.556477033, -0.554365363, -0.551191608, -0.55844727, -0.555929303, -0.535127594, -0.505980525, -0.575200778, -0.556345218, -0.554593047, -0.552086023, -0.558414028, -0.556783946, -0.554032083, -0.549349882, -0.560122493, -0.5567326, -0.553812401, -0.548809431, -0.559954167, -0.556077024, -0.525616864, -0.487063172, -0.582670069, -0.556397758, -0.554132549, -0.550275999, -0.559742358, -0.557281501},
            {-0.554887724, -0.418982499, -0.36674974, -0.239549078, -0.101204451, 0.0345336804, 0.0885147693, 0.219569835, 0.456033262, 0.794910329, 0.392077695, 0.645547652, 0.779871308, 0.905814994, 0.981427752, 1.10031567},
            {-0.554771375},
            {-0.554512331, -0.223792274, 0.110214253, 0.449379604},
            {-0.493825, -0.0279907354, 0.374978704, 0.730281385, 1.28430323, -0.362726755, 0.0413314902, 0.399856176, 0.897263273, 1.37842719, -0.262410563, 0.234920485},
            {0.111847675},
    };
}
