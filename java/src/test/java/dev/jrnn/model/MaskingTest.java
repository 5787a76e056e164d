package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Variable-length sequences: per-sample lengths and a Masking layer, through predict, fit and the loss. */
class MaskingTest {
    static final int N = 5, T = 6, I = 3;
    static final int[] LENGTHS = {6, 1, 3, 4, 2};

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(9);
    }

    /** Post-padded sequences: valid steps random, padded steps {@code pad} (NaN-free). */
    static Tensor padded(long seed, float pad) {
        SplittableRandom r = new SplittableRandom(seed);
        SplittableRandom g = new SplittableRandom(seed + 100);
        float[] d = new float[N * T * I];
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++)
                for (int i = 0; i < I; i++) {
                    float v = (float) r.nextDouble(-1, 1);
                    float garbage = (float) g.nextDouble(-5, 5);
                    d[(n * T + t) * I + i] = t < LENGTHS[n] ? v : (Float.isNaN(pad) ? garbage : pad);
                }
        return Tensor.of(d, N, T, I);
    }

    static Tensor truncated(Tensor x, int n) {
        int len = LENGTHS[n];
        float[] d = new float[len * I];
        System.arraycopy(x.data(), n * T * I, d, 0, len * I);
        return Tensor.of(d, 1, len, I);
    }

    @Test
    void lengthsGiveTheSameOutputAsTruncatedSequencesForEveryCell() {
        for (int kind = 0; kind < 3; kind++) {
            Jrnn.clearSession();
            Sequential m = new Sequential(
                    kind == 0 ? new SimpleRNN(4).inputShape(-1, I) : kind == 1 ? new LSTM(4).inputShape(-1, I) : new GRU(4).inputShape(-1, I),
                    new Dense(2));
            Tensor x = padded(1, Float.NaN);
            Tensor p = m.predict(x, LENGTHS);
            for (int n = 0; n < N; n++) {
                Tensor q = m.predict(truncated(x, n));
                for (int j = 0; j < 2; j++) assertEquals(q.get(0, j), p.get(n, j), 1e-5, "cell " + kind + " sample " + n);
            }
        }
    }

    @Test
    void maskingLayerMatchesLengths() {
        Sequential withMask = new Sequential(new Masking(0).inputShape(T, I), new LSTM(4), new Dense(1));
        Tensor x = padded(2, 0f);
        Tensor viaLayer = withMask.predict(x);
        Tensor viaLengths = withMask.predict(x, LENGTHS);
        for (int n = 0; n < N; n++) assertEquals(viaLengths.get(n, 0), viaLayer.get(n, 0), 1e-6);
    }

    @Test
    void paddingContentDoesNotChangeTraining() {
        Tensor y = Tensor.of(new float[] {0.5f, -0.5f, 0.2f, 0.9f, -0.1f}, N, 1);
        double[] last = new double[2];
        for (int run = 0; run < 2; run++) {
            Jrnn.clearSession();
            Jrnn.setSeed(21);
            Sequential m = new Sequential(new LSTM(4).inputShape(T, I), new Dense(1));
            m.compile(new Adam(0.01), "mse");
            Tensor x = padded(3, run == 0 ? 0f : Float.NaN);   // zeros vs random garbage after each length
            History h = m.fit(x, y, new FitOptions().epochs(5).batchSize(2).verbose(0).seed(1).lengths(LENGTHS));
            last[run] = h.last("loss");
        }
        assertEquals(last[0], last[1], 1e-6);
    }

    @Test
    void sequenceLossCountsOnlyValidSteps() {
        Sequential m = new Sequential(new SimpleRNN(3).returnSequences(true).inputShape(T, I), new Dense(2));
        m.compile("adam", "mse");
        Tensor x = padded(4, 0f);
        SplittableRandom r = new SplittableRandom(5);
        float[] yd = new float[N * T * 2];
        for (int i = 0; i < yd.length; i++) yd[i] = (float) r.nextDouble(-1, 1);
        Tensor y = Tensor.of(yd, N, T, 2);
        Tensor p = m.predict(x, LENGTHS);
        double sum = 0;
        int valid = 0;
        for (int n = 0; n < N; n++)
            for (int t = 0; t < LENGTHS[n]; t++) {
                double row = 0;
                for (int j = 0; j < 2; j++) {
                    double d = p.get(n, t, j) - y.get(n, t, j);
                    row += d * d / 2;
                }
                sum += row;
                valid++;
            }
        double loss = m.evaluateAll(java.util.List.of(x), java.util.List.of(y), N, LENGTHS).get("loss");
        assertEquals(sum / valid, loss, 1e-5);
    }

    @Test
    void badLengthsAreRejected() {
        Sequential m = new Sequential(new LSTM(2).inputShape(T, I));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.predict(padded(1, 0f), new int[] {1, 2, 3, 4, 7}));
        assertEquals("sequential.predict: lengths[4] = 7 is outside [0, 6]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.predict(padded(1, 0f), new int[] {1, 2}));
    }
}
