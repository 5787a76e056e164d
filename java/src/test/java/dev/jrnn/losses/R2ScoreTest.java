package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link R2Score} against Keras' docstring and hand computations of its formula: weights, aggregations, adjusted R2. */
class R2ScoreTest {
    private static double[] state(R2Score m, int rows, int cols, float[] p, float[] y, float[] w) {
        double[] s = new double[m.stateSize(cols)];
        m.update(Loss.MSE, rows, cols, p, y, w, s);
        return s;
    }

    private static double[] r2(R2Score m, int rows, int cols, float[] p, float[] y, float[] w) {
        return EpochValues.of(m, rows, cols, p, y, w);
    }

    @Test
    void kerasDocstring() {
        assertEquals(0.57142854, r2(new R2Score(), 3, 1, new float[] {2, 4, 4}, new float[] {1, 4, 3}, null)[0], 1e-7);
        R2Score m = assertInstanceOf(R2Score.class, EpochMetric.of("r2_score"));
        assertEquals("r2_score", m.key());
        assertTrue(m.higherIsBetter());
        assertInstanceOf(R2Score.class, EpochMetric.of("R2Score"));
    }

    /** Columns' scores by hand (weighted mean, residuals, total sum of squares), then each aggregation, and the adjusted score. */
    @Test
    void weightedColumnsByHand() {
        float[] y = {1, 10, 2, 12, 4, 9, 7, 15}, p = {1.5f, 11, 2, 10, 3, 9.5f, 6, 14}, w = {1, 0.5f, 2, 0};
        double[] raw = new double[2], tot = new double[2];
        for (int c = 0; c < 2; c++) {
            double sw = 0, mean = 0, res = 0, ss = 0;
            for (int r = 0; r < 4; r++) {
                sw += w[r];
                mean += w[r] * y[2 * r + c];
            }
            mean /= sw;
            for (int r = 0; r < 4; r++) {
                res += w[r] * Math.pow(y[2 * r + c] - p[2 * r + c], 2);
                ss += w[r] * Math.pow(y[2 * r + c] - mean, 2);
            }
            raw[c] = 1 - res / ss;
            tot[c] = ss;
        }
        assertArrayEquals(raw, r2(new R2Score().classAggregation(null), 4, 2, p, y, w), 1e-12);
        double uniform = (raw[0] + raw[1]) / 2;
        assertEquals(uniform, r2(new R2Score(), 4, 2, p, y, w)[0], 1e-12);
        assertEquals((tot[0] * raw[0] + tot[1] * raw[1]) / (tot[0] + tot[1]),
                r2(new R2Score().classAggregation("variance_weighted_average"), 4, 2, p, y, w)[0], 1e-12);
        // adjusted: Keras 3.15.1 counts n = every target value (4 rows x 2 columns, the zero-weight row too), p regressors:
        // keras.metrics.R2Score(num_regressors=p).update_state(y, p, sample_weight=w) gives, for p = 0, 1, 5, 6, 7, 9 (float32):
        assertEquals(0.3538472056388855, r2(new R2Score(), 4, 2, p, y, w)[0], 2e-6);
        assertEquals(0.24615508317947388, r2(new R2Score().numRegressors(1), 4, 2, p, y, w)[0], 2e-6);
        assertEquals(-1.2615346908569336, r2(new R2Score().numRegressors(5), 4, 2, p, y, w)[0], 5e-6);
        assertEquals(-3.523069381713867, r2(new R2Score().numRegressors(6), 4, 2, p, y, w)[0], 1e-5);
        // p = 7 = n - 1 and p = 9 > n - 1: Keras falls back to the plain score
        assertEquals(uniform, r2(new R2Score().numRegressors(7), 4, 2, p, y, w)[0], 1e-12);
        assertEquals(uniform, r2(new R2Score().numRegressors(9), 4, 2, p, y, w)[0], 1e-12);
    }

    /** Keras counts every target value of every update: two updates of 4 and 6 rows of 2 columns give n = 20 (tester's case). */
    @Test
    void adjustedCountsEveryValueOverUpdates() {
        float[] y = new float[20], p = new float[20];
        for (int i = 0; i < 20; i++) {
            y[i] = (float) Math.sin(i * 0.7) * 3 + i % 3;
            p[i] = y[i] + (float) Math.cos(i * 1.3);
        }
        R2Score m = new R2Score().numRegressors(1);
        double[] s = state(m, 4, 2, java.util.Arrays.copyOf(p, 8), java.util.Arrays.copyOf(y, 8), null);
        double[] b = state(m, 6, 2, java.util.Arrays.copyOfRange(p, 8, 20), java.util.Arrays.copyOfRange(y, 8, 20), null);
        for (int i = 0; i < s.length; i++) s[i] += b[i];
        double plain = r2(new R2Score(), 10, 2, p, y, null)[0];
        assertEquals(1 - (1 - plain) * 19 / 18, m.result(s, 2)[0], 1e-12, "n = 20 values, not 10 rows");
    }

    /** The state sums over batches (and ranks): two halves give the whole; a constant column with residuals scores 0 (Keras' isinf). */
    @Test
    void statesSumAndDegenerateColumns() {
        float[] y = {3, 1, 3, 2, 3, 5, 3, 4}, p = {2.5f, 1, 3, 2.5f, 4, 4, 3, 4.5f};
        R2Score m = new R2Score().classAggregation(null);
        double[] a = state(m, 2, 2, java.util.Arrays.copyOf(p, 4), java.util.Arrays.copyOf(y, 4), null);
        double[] b = state(m, 2, 2, java.util.Arrays.copyOfRange(p, 4, 8), java.util.Arrays.copyOfRange(y, 4, 8), null);
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        double[] whole = r2(m, 4, 2, p, y, null);
        assertArrayEquals(whole, m.result(a, 2), 1e-12);
        assertEquals(0, whole[0], "column 0 is constant: residuals over a zero total sum of squares are -inf, made 0");
        assertTrue(Double.isNaN(r2(m, 1, 1, new float[] {2}, new float[] {2}, null)[0]), "0 / 0 stays NaN, as Keras'");
    }

    @Test
    void kerasConfig() {
        R2Score m = new R2Score().classAggregation("variance_weighted_average").numRegressors(3).name("r2_vw");
        Map<?, ?> s = (Map<?, ?>) m.serialize();
        assertEquals("R2Score", s.get("class_name"));
        assertEquals(Map.of("name", "r2_vw", "dtype", "float32", "class_aggregation", "variance_weighted_average", "num_regressors", 3),
                s.get("config"));
        assertEquals(s, m.copy().serialize());
        java.util.HashMap<String, Object> none = new java.util.HashMap<>(Map.of("name", "r2"));
        none.put("class_aggregation", null);
        R2Score back = assertInstanceOf(R2Score.class, EpochMetric.deserialize(Map.of("class_name", "R2Score", "config", none)));
        assertEquals("r2", back.key());
        assertEquals(2, r2(back, 2, 2, new float[] {1, 2, 3, 4}, new float[] {1, 2, 4, 3}, null).length, "class_aggregation None: one value per column");
    }
}
