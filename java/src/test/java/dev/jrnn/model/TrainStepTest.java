package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One full training step (forward, MSE, BPTT, SGD update over the flat store) against a plain
 * double-precision implementation written here.
 */
class TrainStepTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(5);
    }

    @Test
    void sgdStepMatchesDoubleReference() {
        int B = 3, T = 4, I = 2, H = 3;
        SplittableRandom r = new SplittableRandom(11);
        float[][][] x = new float[B][T][I];
        float[][] y = new float[B][1];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) for (int i = 0; i < I; i++) x[b][t][i] = (float) r.nextDouble(-1, 1);
            y[b][0] = (float) r.nextDouble(-1, 1);
        }
        Sequential m = new Sequential(new SimpleRNN(H).inputShape(T, I), new Dense(1));
        float lr = 0.1f;
        m.compile(new SGD(lr), "mse");
        List<Tensor> w0 = m.getWeights();   // kernel [I,H], recurrent [H,H], bias [H], dense kernel [H,1], dense bias [1]
        double[][] W = d2(w0.get(0)), U = d2(w0.get(1)), V = d2(w0.get(3));
        double[] bb = d1(w0.get(2));
        double c = w0.get(4).get(0);

        double[][] gW = new double[I][H], gU = new double[H][H], gV = new double[H][1];
        double[] gb = new double[H];
        double gc = 0, loss = 0;
        for (int s = 0; s < B; s++) {
            double[][] h = new double[T + 1][H];
            for (int t = 1; t <= T; t++) {
                for (int j = 0; j < H; j++) {
                    double a = bb[j];
                    for (int i = 0; i < I; i++) a += x[s][t - 1][i] * W[i][j];
                    for (int k = 0; k < H; k++) a += h[t - 1][k] * U[k][j];
                    h[t][j] = Math.tanh(a);
                }
            }
            double yhat = c;
            for (int j = 0; j < H; j++) yhat += h[T][j] * V[j][0];
            loss += (yhat - y[s][0]) * (yhat - y[s][0]) / B;
            double dy = 2 * (yhat - y[s][0]) / B;
            gc += dy;
            double[] dh = new double[H];
            for (int j = 0; j < H; j++) {
                gV[j][0] += h[T][j] * dy;
                dh[j] = dy * V[j][0];
            }
            for (int t = T; t >= 1; t--) {
                double[] da = new double[H];
                for (int j = 0; j < H; j++) da[j] = dh[j] * (1 - h[t][j] * h[t][j]);
                double[] prev = new double[H];
                for (int j = 0; j < H; j++) {
                    gb[j] += da[j];
                    for (int i = 0; i < I; i++) gW[i][j] += x[s][t - 1][i] * da[j];
                    for (int k = 0; k < H; k++) {
                        gU[k][j] += h[t - 1][k] * da[j];
                        prev[k] += da[j] * U[k][j];
                    }
                }
                dh = prev;
            }
        }
        double reported = m.trainOnBatch(Tensor.of(x), Tensor.of(y));
        assertEquals(loss, reported, 1e-5 * Math.max(1, loss));
        List<Tensor> w1 = m.getWeights();
        for (int i = 0; i < I; i++) for (int j = 0; j < H; j++) assertEquals(W[i][j] - lr * gW[i][j], w1.get(0).get(i, j), 1e-5);
        for (int k = 0; k < H; k++) for (int j = 0; j < H; j++) assertEquals(U[k][j] - lr * gU[k][j], w1.get(1).get(k, j), 1e-5);
        for (int j = 0; j < H; j++) assertEquals(bb[j] - lr * gb[j], w1.get(2).get(j), 1e-5);
        for (int j = 0; j < H; j++) assertEquals(V[j][0] - lr * gV[j][0], w1.get(3).get(j, 0), 1e-5);
        assertEquals(c - lr * gc, w1.get(4).get(0), 1e-5);
    }

    /**
     * Keras' metrics over masked sequences count the valid timesteps of the whole epoch (a Mean of the mask-weighted
     * values), while the loss averages each batch over its valid steps and the batches by their size.
     */
    @Test
    void maskedSequenceMetricsAverageOverTheValidStepsOfTheEpoch() {
        int N = 4, T = 3, I = 2;
        int[] lengths = {3, 3, 1, 1};   // batch 1: 6 of 6 steps valid, batch 2: 2 of 6
        SplittableRandom r = new SplittableRandom(3);
        float[] xd = new float[N * T * I], yd = new float[N * T * 2];
        for (int i = 0; i < xd.length; i++) xd[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < yd.length; i++) yd[i] = (float) r.nextDouble(-1, 1);
        Tensor x = Tensor.of(xd, N, T, I), y = Tensor.of(yd, N, T, 2);
        Sequential m = new Sequential(new SimpleRNN(3).returnSequences(true).inputShape(T, I), new Dense(2));
        m.compile("adam", "mse", "mae");
        Tensor p = m.predict(x, lengths);
        double maeSum = 0, lossSum = 0;
        double[] batchSq = new double[2];
        int[] batchValid = new int[2];
        int valid = 0;
        for (int n = 0; n < N; n++) {
            for (int t = 0; t < lengths[n]; t++) {
                double ae = 0, se = 0;
                for (int j = 0; j < 2; j++) {
                    double d = p.get(n, t, j) - y.get(n, t, j);
                    ae += Math.abs(d) / 2;
                    se += d * d / 2;
                }
                maeSum += ae;
                batchSq[n / 2] += se;
                batchValid[n / 2]++;
                valid++;
            }
        }
        for (int b = 0; b < 2; b++) lossSum += 2 * batchSq[b] / batchValid[b];
        java.util.Map<String, Double> logs = m.evaluateAll(List.of(x), List.of(y), 2, lengths);
        assertEquals(maeSum / valid, logs.get("mae"), 1e-5, "mae over the 8 valid steps");
        assertEquals(lossSum / N, logs.get("loss"), 1e-5, "loss: batch means weighted by batch size");
    }

    /**
     * A loss under a (batch, sentences, words) mask, as Keras 3.15.1 applies it (td_mask/make_td_mask.py, its .keras
     * files): Masking(0) -> TimeDistributed(RNN) -> Dense(2) gives a (2, 3, 4, 2) output carrying the (2, 3, 4) word
     * mask, and mse and mae are means over the valid words only, per-sample weights multiplied in; two SGD steps then
     * give Keras' weights, so the gradient goes through the masked loss as Keras'. Also over a Bidirectional inside the
     * TimeDistributed and a TimeDistributed(Dense) head. Without returnSequences the (2, 3) sentence mask jrnn attaches
     * (Keras 3 refuses that loss) weighs the loss and mae, against the float64 mean over Keras' predictions. Before
     * session 35 the word mask was dropped: lstm_seq's loss was the unmasked mean, 0.5564 where Keras gives 0.4716.
     */
    @Test
    void aLossUnderAWordMaskOfATimeDistributedRnnAveragesTheValidWordsAsKeras() throws Exception {
        Path dir = Path.of(TrainStepTest.class.getResource("td_mask/td_mask.txt").toURI()).getParent();
        Map<String, float[]> golden = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("td_mask.txt"))) {
            String[] f = line.split(" ");
            float[] v = new float[f.length - 2];
            for (int i = 2; i < f.length; i++) v[i - 2] = (float) Double.parseDouble(f[i]);
            golden.put(f[0] + " " + f[1], v);
        }
        int b = 2, t = 3, in = 4, feat = 5;
        float[] xd = det(b * t * in * feat, 0.7, 0.3);
        for (int i = 2; i < in; i++) for (int f = 0; f < feat; f++) xd[(in + i) * feat + f] = 0;   // [0, 1, 2:]
        for (int i = 0; i < in; i++) for (int f = 0; f < feat; f++) xd[((t + 2) * in + i) * feat + f] = 0;   // [1, 2, :]
        for (int f = 0; f < feat; f++) xd[(t * in) * feat + f] = 0;   // [1, 0, 0]
        Tensor x = Tensor.of(xd, b, t, in, feat), y = Tensor.of(det(b * t * in * 2, 0.3, 0.6), b, t, in, 2);
        // lstm_seq_sw3: the same weights as the (2, 3, 4) tensor the generator gave Keras, one per loss element (refused before)
        float[] sw3 = new float[b * t * in];
        Arrays.fill(sw3, 0, t * in, 1f);
        Arrays.fill(sw3, t * in, sw3.length, 0.5f);
        for (String run : List.of("lstm_seq", "gru_seq", "lstm_seq_sw", "lstm_seq_sw3", "bidi_seq", "td_dense")) {
            String c = run.replace("_sw3", "_sw");
            Tensor sw = run.endsWith("_sw3") ? Tensor.of(sw3, b, t, in) : c.endsWith("_sw") ? Tensor.of(new float[] {1f, 0.5f}, b) : null;
            try (Model m = Models.load(dir.resolve((c.endsWith("_sw") ? "lstm_seq" : c) + ".keras"))) {
                m.compile(new SGD(0.1f), "mse", "mae");
                Map<String, Double> before = m.evaluateAll(List.of(x), List.of(y), b, null, sw);
                assertEquals(golden.get(c + " evaluate")[0], before.get("loss"), 2e-6, c + " loss");
                assertEquals(golden.get(c + " evaluate")[1], before.get("mae"), 2e-6, c + " mae");
                if (run.equals("lstm_seq")) {   // batches of one: Keras averages the batches' masked means
                    Map<String, Double> b1 = m.evaluateAll(List.of(x), List.of(y), 1, null);
                    assertEquals(golden.get("lstm_seq evaluate_b1")[0], b1.get("loss"), 2e-6, "batch 1 loss");
                    assertEquals(golden.get("lstm_seq evaluate_b1")[1], b1.get("mae"), 2e-6, "batch 1 mae");
                }
                for (String step : List.of("train1", "train2")) {
                    double loss = sw == null ? m.trainOnBatch(x, y) : m.trainOnBatch(x, y, sw);
                    assertEquals(golden.get(c + " " + step)[0], loss, 2e-6, c + " " + step);
                }
                List<Tensor> w = m.getWeights();
                for (int k = 0; k < w.size(); k++) assertClose(golden.get(c + " w" + k), w.get(k).data(), 2e-6, c + " w" + k);
                Map<String, Double> after = m.evaluateAll(List.of(x), List.of(y), b, null, sw);
                assertEquals(golden.get(c + " evaluate2")[0], after.get("loss"), 2e-6, c + " loss after");
                assertEquals(golden.get(c + " evaluate2")[1], after.get("mae"), 2e-6, c + " mae after");
            }
        }
        try (Model m = Models.load(dir.resolve("lstm_seq.keras"))) {
            // fit's logged mae is over the step's own forward, the valid words only: Keras 3.15.1 on TensorFlow logs
            // train_on_batch's mae equal to evaluate's before it, 0.606578 (on JAX 0.669420, the padded words counted)
            m.compile(new SGD(0.1f), "mse", "mae");
            Map<String, List<Double>> h = m.fit(List.of(x), List.of(y), new FitOptions().epochs(1).batchSize(b).verbose(0)).history();
            assertEquals(golden.get("lstm_seq train1")[0], h.get("loss").get(0), 2e-6, "fit's loss");
            assertEquals(golden.get("lstm_seq evaluate")[1], h.get("mae").get(0), 2e-6, "fit's mae");
        }
        try (Model m = Models.load(dir.resolve("lstm_last.keras"))) {
            m.compile(new SGD(0.1f), "mse", "mae");
            assertClose(golden.get("lstm_last predict"), m.predict(x, b).data(), 2e-6, "lstm_last predict");
            Tensor y3 = Tensor.of(det(b * t * 2, 0.3, 0.6), b, t, 2);
            Map<String, Double> logs = m.evaluateAll(List.of(x), List.of(y3), b, null);
            assertEquals(golden.get("lstm_last evaluate_ref")[0], logs.get("loss"), 2e-6, "lstm_last loss over the 5 kept sentences");
            assertEquals(golden.get("lstm_last evaluate_ref")[1], logs.get("mae"), 2e-6, "lstm_last mae over the 5 kept sentences");
        }
    }

    /** make_td_mask.py's det: sin(a * i + b) over the flat index, as float32. */
    private static float[] det(int n, double a, double b) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) Math.sin(i * a + b);
        return v;
    }

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol, what + "[" + i + "]");
    }

    private static double[][] d2(Tensor t) {
        double[][] r = new double[t.dim(0)][t.dim(1)];
        for (int i = 0; i < r.length; i++) for (int j = 0; j < r[0].length; j++) r[i][j] = t.get(i, j);
        return r;
    }

    private static double[] d1(Tensor t) {
        double[] r = new double[t.dim(0)];
        for (int i = 0; i < r.length; i++) r[i] = t.get(i);
        return r;
    }
}
