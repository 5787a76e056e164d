package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.backend.DTensor;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link TimeDistributed}: a Dense and a recurrent layer over the time axis against float64 references, names, shapes, masks;
 * a wrapped recurrent layer over masked inner sequences against Keras 3's semantics in torch float64
 * ({@code make_rnn_corners_golden.py} beside this test's resources).
 */
class TimeDistributedTest {

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(13);
    }

    @Test
    void timeDistributedDenseMatchesReference() {
        TimeDistributed td = new TimeDistributed(new Dense(3).activation("tanh"));
        td.build(List.of(new int[] {4, 2}));
        assertEquals(2 * 3 + 3, td.countParams());
        SplittableRandom rng = new SplittableRandom(1);
        LayerCheck.randomWeights(td, rng);
        Tensor x = LayerCheck.rand(rng, 1, 2, 4, 2);
        LayerCheck.check(td, List.of(x), null, new boolean[] {true},
                v -> new double[][] {Ref.dense(Activation.TANH, 8, 2, 3, v[0], v[1], v[2])}, 2);
    }

    @Test
    void timeDistributedRecurrentMatchesReference() {
        // (B=2, T=3, T2=4, I=2): SimpleRNN over the inner axis for each of the 3 outer steps
        TimeDistributed td = new TimeDistributed(new SimpleRNN(2));
        assertArrayEquals(new int[] {3, 2}, td.computeOutputShapes(List.of(new int[] {3, 4, 2})).get(0));
        td.build(List.of(new int[] {3, 4, 2}));
        SplittableRandom rng = new SplittableRandom(2);
        LayerCheck.randomWeights(td, rng);
        Tensor x = LayerCheck.rand(rng, 1, 2, 3, 4, 2);
        LayerCheck.check(td, List.of(x), null, new boolean[] {true},
                v -> new double[][] {Ref.recurrent("rnn", Activation.TANH, Activation.SIGMOID, 6, 4, 2, 2, v[0], v[1], v[2], v[3],
                        null, null, null, false, 0, null).h}, 3);
    }

    @Test
    void timeDistributedNamesShapesAndMask() {
        Jrnn.clearSession();
        Dense inner = new Dense(5);
        TimeDistributed td = new TimeDistributed(inner);
        assertEquals("time_distributed", td.name());
        assertEquals("TimeDistributed", td.kerasClass());
        assertArrayEquals(new int[] {2, 7, 5}, td.call(Tensor.zeros(2, 7, 3)).shape());
        assertEquals(inner.params(), td.params());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> td.call(Tensor.zeros(2, 3)));
        assertEquals("time_distributed: expected input (batch, timesteps, ...) of rank >= 3, got (2, 3)", e.getMessage());
        try (DTensor x = DTensor.from(td.backend(), Tensor.zeros(1, 2, 3));
             DTensor m = DTensor.from(td.backend(), Tensor.of(new float[][] {{1, 0}}));
             Trace t = td.forward(List.of(x), m, false)) {
            assertSame(m, t.outputMask());
        }
    }

    @Test
    void theWrappedLayerIsNamedWhenWrappedAsKerasNamesItAtConstruction() {
        // Keras: Sequential([..., TimeDistributed(Dense(2)), Flatten(), Dense(1)]) names the inner Dense "dense", the last "dense_1"
        Jrnn.clearSession();
        dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new LSTM(2).returnSequences(true).inputShape(3, 1),
                new TimeDistributed(new Dense(2)), new Flatten(), new Dense(1));
        assertEquals(List.of("lstm", "time_distributed", "flatten", "dense_1"), m.layers().stream().map(Layer::name).toList());
        assertEquals("dense", ((TimeDistributed) m.layers().get(1)).layer().name());
        // a name given before wrapping is kept and takes no number
        assertEquals("mine", new TimeDistributed(new Dense(1).name("mine")).layer().name());
        assertEquals("dense_2", new Dense(1).name());
    }

    @Test
    void aWrappedRecurrentLayerSkipsThePaddingOfEachInnerSequence() {
        // Keras' TimeDistributed calls the wrapped layer with mask[:, i]: Masking on (batch, sentences, words, features)
        // masks padded words, and TimeDistributed(LSTM) skips them (it ran over them: sample 0's all-padding sentence 3
        // gave an LSTM output instead of 0)
        Jrnn.clearSession();
        Input in = Input.shape(4, 3, 2);
        LSTM lstm = new LSTM(2);
        Model m = new Model(in, new TimeDistributed(lstm).apply(new Masking(0.0).apply(in)));
        RecurrentKerasSemanticsTest.setDet(lstm, 410);
        float[] x = RecurrentKerasSemanticsTest.det(48, 400);
        for (int[] z : new int[][] {{0, 1, 2}, {0, 3, 0}, {0, 3, 1}, {0, 3, 2}, {1, 0, 0}, {1, 0, 1}}) {
            int at = ((z[0] * 4 + z[1]) * 3 + z[2]) * 2;
            x[at] = x[at + 1] = 0;
        }
        RecurrentKerasSemanticsTest.assertClose(TD_LSTM_MASKED, m.predict(Tensor.of(x, 2, 4, 3, 2)).data(), 1e-6, "y");

        // Embedding(mask_zero) on word ids -> TimeDistributed(GRU) -> Flatten -> Dense(1): one SGD(1) step moves each weight
        // by minus its float64 gradient (the embedding of the padding id 0 gets none)
        Input ids = Input.shape(4, 3);
        Embedding emb = new Embedding(6, 2).maskZero(true);
        GRU gru = new GRU(2);
        Dense dense = new Dense(1);
        Model hm = new Model(ids, dense.apply(new Flatten().apply(new TimeDistributed(gru).apply(emb.apply(ids)))));
        RecurrentKerasSemanticsTest.setDet(emb, 420);
        RecurrentKerasSemanticsTest.setDet(gru, 430);
        RecurrentKerasSemanticsTest.setDet(dense, 440);
        float[] words = {1, 2, 0, 3, 0, 0, 0, 0, 0, 4, 5, 1, 0, 2, 3, 1, 1, 1, 5, 0, 4, 0, 0, 2};
        RecurrentKerasSemanticsTest.assertSgdStep(hm, List.of(Tensor.of(words, 2, 4, 3)),
                List.of(Tensor.of(RecurrentKerasSemanticsTest.det(2, 441), 2, 1)), TD_GRU_LOSS[0],
                TD_GRU_GRAD_0, TD_GRU_GRAD_1, TD_GRU_GRAD_2, TD_GRU_GRAD_3, TD_GRU_GRAD_4, TD_GRU_GRAD_5);
    }

    @Test
    void aRecurrentLayerOverTheSentencesSkipsAllPaddingSentences() {
        // Embedding(maskZero) on (batch, sentences, words) -> TimeDistributed(GRU) -> GRU: the sentence GRU was handed the
        // (2, 4, 3) word mask and refused it ("expected mask (2, 4), got (2, 4, 3)"); a sentence is now kept where any of
        // its words is (tf.keras 2's TimeDistributed.compute_mask), so sample 0's padded sentence 1 and sample 1's leading
        // one are skipped
        Jrnn.clearSession();
        Input ids = Input.shape(4, 3);
        Embedding emb = new Embedding(6, 2).maskZero(true);
        GRU words = new GRU(2), sentences = new GRU(2);
        Model m = new Model(ids, sentences.apply(new TimeDistributed(words).apply(emb.apply(ids))));
        RecurrentKerasSemanticsTest.setDet(emb, 420);
        RecurrentKerasSemanticsTest.setDet(words, 430);
        RecurrentKerasSemanticsTest.setDet(sentences, 450);
        float[] x = {1, 2, 0, 3, 0, 0, 0, 0, 0, 4, 5, 1, 0, 0, 0, 2, 3, 1, 1, 1, 5, 0, 4, 0};
        RecurrentKerasSemanticsTest.assertSgdStep(m, List.of(Tensor.of(x, 2, 4, 3)),
                List.of(Tensor.of(RecurrentKerasSemanticsTest.det(4, 460), 2, 2)), HAN_LOSS[0],
                HAN_GRAD_0, HAN_GRAD_1, HAN_GRAD_2, HAN_GRAD_3, HAN_GRAD_4, HAN_GRAD_5, HAN_GRAD_6);
        // a wrapped layer that keeps the inner steps passes the (batch, sentences, words) mask on
        try (DTensor in = DTensor.from(words.backend(), Tensor.zeros(1, 2, 3, 2));
             DTensor mask = DTensor.from(words.backend(), Tensor.of(new float[] {1, 1, 0, 0, 0, 0}, 1, 2, 3));
             Trace t = new TimeDistributed(new Dense(2)).forward(List.of(in), mask, false)) {
            assertArrayEquals(new int[] {1, 2, 3}, t.outputMask().shape());
            assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0}, t.outputMask().toTensor().data());
        }
    }

    // ---- pasted from make_rnn_corners_golden.py's output
    static final float[] TD_LSTM_MASKED = {0.100825748f, -0.093454801f, 0.0855025729f, -0.0667007299f, 0.0764964201f, -0.142076716f, 0f, 0f, 0.0827149213f, -0.0266855483f, 0.0872307183f, -0.132745626f, 0.076653382f, -0.149063638f, 0.0976623258f, -0.0852016236f};
    static final float[] TD_GRU_LOSS = {0.0413655656f};
    static final float[] TD_GRU_GRAD_0 = {0f, 0f, -0.0406998514f, 0.0217019954f, -0.00956717591f, 0.0232325583f, -0.0191721774f, -0.0193191249f, -0.00717281549f, -0.00100681277f, -0.01704263f, 0.00264699143f};
    static final float[] TD_GRU_GRAD_1 = {0.0055126036f, 0.000424719611f, 0.00379525271f, 0.000559286093f, -0.0340213299f, 0.00904259691f, -0.000540392173f, 0.00732937586f, 0.0023530171f, 0.00107471149f, -0.0228213929f, 0.0266165378f};
    static final float[] TD_GRU_GRAD_2 = {-0.0019254831f, 0.000347343332f, -0.00495410803f, 0.000757299753f, 0.0285109198f, 0.0047704231f, -0.000980883339f, 0.000407133388f, -0.00235220585f, 0.000633827826f, 0.0134671691f, 0.00432123676f};
    static final float[] TD_GRU_GRAD_3 = {-0.009324505f, 0.00656128363f, 0.0164058404f, -0.00282502189f, -0.157770838f, -0.0397138206f, -0.009324505f, 0.00656128363f, 0.0164058404f, -0.00282502189f, -0.100879377f, -0.014820692f};
    static final float[] TD_GRU_GRAD_4 = {0.126282315f, 0.0631895275f, 0.0784080187f, 0.0789089026f, 0.00243090594f, 0.00106999827f, 0.108322943f, 0.0785504615f};
    static final float[] TD_GRU_GRAD_5 = {-0.293114448f};
    static final float[] HAN_LOSS = {0.247296866f};
    static final float[] HAN_GRAD_0 = {0f, 0f, -0.00771267128f, -0.00840103965f, -0.000483854097f, -0.00257833698f, -0.00488350899f, -0.00587625373f, -0.00889163856f, 0.00392172986f, -0.00639958445f, -0.00115671528f};
    static final float[] HAN_GRAD_1 = {0.000991713938f, 0.00136600173f, 0.000767805563f, 0.00060891073f, -0.00691331712f, 0.00823442504f, 0.00117531324f, 0.00340687745f, 6.25691069e-05f, 0.000194463343f, -0.000995878275f, 0.00740734502f};
    static final float[] HAN_GRAD_2 = {1.52037318e-05f, -0.000934726649f, -0.000984649012f, -0.000884826943f, 0.00605496368f, -0.00477796935f, 0.000168118638f, -0.00011595931f, -0.000600808979f, -0.000335684189f, 0.00385975465f, -0.001605397f};
    static final float[] HAN_GRAD_3 = {-0.00649300055f, 0.0085872723f, 0.00509907642f, 0.00212602992f, -0.0508068006f, 0.0359399078f, -0.00649300055f, 0.0085872723f, 0.00509907642f, 0.00212602992f, -0.0326279111f, 0.0179735297f};
    static final float[] HAN_GRAD_4 = {0.0132826604f, 0.00890706686f, 0.000683053832f, -0.0068500917f, 0.0773795303f, -0.0596207884f, 0.00940014837f, 0.00690809924f, 0.000532273756f, -0.00416243869f, 0.0586972271f, -0.0374268166f};
    static final float[] HAN_GRAD_5 = {0.00479954062f, 0.00232588136f, 0.00037473582f, -0.00303968861f, 0.0178836407f, -0.00703546351f, -0.00266237224f, -0.00147526535f, -0.000211366243f, 0.00208957704f, -0.0100318378f, 0.00481950623f};
    static final float[] HAN_GRAD_6 = {-0.0367270814f, -0.0240412697f, -0.00198970491f, 0.0205713202f, -0.221401164f, 0.177481755f, -0.0367270814f, -0.0240412697f, -0.00198970491f, 0.0205713202f, -0.104949732f, 0.0508027505f};

    /** make_td_stateful.py's det: scale * sin(a * i + b) over the flat index, as float32. */
    private static float[] det(int n, double a, double b, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (Math.sin(i * a + b) * scale);
        return v;
    }

    /**
     * TimeDistributed(LSTM(3, stateful)) as Keras 3.15.1 runs it (td_stateful/make_td_stateful.py, its .keras files):
     * one inner call per outer step, each from the states the one before left, and on across predict calls; plain and
     * with return_sequences, predict twice, then after resetStates two train batches and predict; masked (Masking(0) in
     * front), predict twice, and with return_sequences the two train batches too, their mse a mean over the valid inner
     * steps. Before session 34 every value from the first sample's second step on differed (the steps ran folded into the
     * batch, from the same states); before session 35 masked_seq's loss took the padded inner steps too (0.55931, Keras
     * 0.46771).
     */
    @Test
    void aStatefulRecurrentLayerRunsStepByStepAsKeras() throws Exception {
        Path dir = Path.of(TimeDistributedTest.class.getResource("td_stateful/td_stateful.txt").toURI()).getParent();
        Map<String, float[]> golden = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("td_stateful.txt"))) {
            String[] f = line.split(" ");
            float[] v = new float[f.length - 2];
            for (int i = 2; i < f.length; i++) v[i - 2] = (float) Double.parseDouble(f[i]);
            golden.put(f[0] + " " + f[1], v);
        }
        int b = 2, t = 3, in = 4, feat = 5;
        float[] x = det(b * t * in * feat, 0.7, 0.3, 1.0), xm = x.clone();
        for (int i = 2; i < in; i++) for (int f = 0; f < feat; f++) xm[(in + i) * feat + f] = 0;   // [0, 1, 2:]
        for (int i = 0; i < in; i++) for (int f = 0; f < feat; f++) xm[((t + 2) * in + i) * feat + f] = 0;   // [1, 2, :]
        for (int f = 0; f < feat; f++) xm[(t * in) * feat + f] = 0;   // [1, 0, 0]
        for (String c : List.of("plain", "seq", "masked", "masked_seq")) {
            boolean masked = c.startsWith("masked"), seq = c.endsWith("seq");
            Tensor xx = Tensor.of(masked ? xm : x, b, t, in, feat);
            try (Model m = Models.load(dir.resolve("td_" + c + ".keras"))) {
                m.compile(new SGD(0.1), "mse");
                assertClose(golden.get(c + " p1"), m.predict(xx, b).data(), 2e-5, c + " p1");
                assertClose(golden.get(c + " p2"), m.predict(xx, b).data(), 2e-5, c + " p2");
                if (c.equals("masked")) continue;   // Keras refuses its fit
                m.resetStates();
                Tensor y = seq ? Tensor.of(det(b * t * in * 2, 0.3, 0.6, 1.0), b, t, in, 2) : Tensor.of(det(b * t * 2, 0.3, 0.6, 1.0), b, t, 2);
                assertEquals(golden.get(c + " loss")[0], m.trainOnBatch(xx, y), 2e-5, c + " loss");
                assertEquals(golden.get(c + " loss2")[0], m.trainOnBatch(xx, y), 2e-5, c + " loss2");
                assertClose(golden.get(c + " p3"), m.predict(xx, b).data(), 2e-5, c + " p3");
            }
        }
    }

    /**
     * computeMask of a stateful TimeDistributed RNN mirrors its forward without running it: a (batch, steps, inner) mask
     * over an RNN returning its last output comes out as (batch, steps), a step kept where any inner step is, as the
     * non-stateful layer's; returning sequences, the mask as it is (before, the stateful one passed (2, 3, 4) on in both).
     */
    @Test
    void computeMaskOfAStatefulRecurrentLayerMatchesItsForward() {
        float[] m = new float[24];
        java.util.Arrays.fill(m, 1f);
        for (int i = 0; i < 4; i++) m[4 + i] = 0;   // sample 0, step 1: every inner step padded
        Tensor mask = Tensor.of(m, 2, 3, 4), x = Tensor.zeros(2, 3, 4, 5);
        for (boolean seq : new boolean[] {false, true}) {
            Tensor plain = new TimeDistributed(new LSTM(3).returnSequences(seq)).batchInputShape(2, 3, 4, 5).computeMask(x, mask);
            LSTM inner = new LSTM(3).returnSequences(seq);
            inner.stateful(true);
            Tensor stateful = new TimeDistributed(inner).batchInputShape(2, 3, 4, 5).computeMask(x, mask);
            assertArrayEquals(plain.shape(), stateful.shape(), "returnSequences " + seq);
            assertArrayEquals(plain.data(), stateful.data(), "returnSequences " + seq);
            assertArrayEquals(seq ? new int[] {2, 3, 4} : new int[] {2, 3}, stateful.shape());
        }
    }

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol, what + "[" + i + "]");
    }
}
