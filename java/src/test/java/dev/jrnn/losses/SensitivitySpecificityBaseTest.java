package dev.jrnn.losses;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PrecisionAtRecall}, {@link RecallAtPrecision}, {@link SensitivityAtSpecificity}, {@link SpecificityAtSensitivity}
 * against Keras' docstrings, a scan over Keras' thresholds by direct counting, and class_id.
 */
class SensitivitySpecificityBaseTest {
    private static final float[] Y5 = {0, 0, 0, 1, 1}, P5 = {0, 0.3f, 0.8f, 0.3f, 0.8f};

    private static double value(EpochMetric m, int rows, int cols, float[] y, float[] p, float[] w) {
        double[] r = EpochValues.of(m, rows, cols, p, y, w);
        assertEquals(1, r.length);
        return r[0];
    }

    @Test
    void kerasDocstrings() {
        assertEquals(0.5, value(new SensitivityAtSpecificity(0.5), 5, 1, Y5, P5, null), 1e-7);
        assertEquals(0.333333, value(new SensitivityAtSpecificity(0.5), 5, 1, Y5, P5, new float[] {1, 1, 2, 2, 1}), 1e-6);
        assertEquals(0.66666667, value(new SpecificityAtSensitivity(0.5), 5, 1, Y5, P5, null), 1e-7);
        assertEquals(0.5, value(new SpecificityAtSensitivity(0.5), 5, 1, Y5, P5, new float[] {1, 1, 2, 2, 2}), 1e-7);
        assertEquals(0.5, value(new PrecisionAtRecall(0.5), 5, 1, Y5, P5, null), 1e-7);
        assertEquals(0.33333333, value(new PrecisionAtRecall(0.5), 5, 1, Y5, P5, new float[] {2, 2, 2, 1, 1}), 1e-7);
        float[] y4 = {0, 0, 1, 1}, p4 = {0, 0.5f, 0.3f, 0.9f};
        assertEquals(0.5, value(new RecallAtPrecision(0.8), 4, 1, y4, p4, null), 1e-7);
        assertEquals(1.0, value(new RecallAtPrecision(0.8), 4, 1, y4, p4, new float[] {1, 0, 0, 1}), 1e-7);
        dev.jrnn.Jrnn.clearSession();   // default names are numbered per session, as Keras 3's
        assertEquals("precision_at_recall", new PrecisionAtRecall(0.2).key());
        assertTrue(new RecallAtPrecision(0.2).higherIsBetter());
    }

    /** Keras' definition scanned directly: at thresholds 0, 1/(n-1), ..., 1 count p > t, keep the best dependent rate where the constraint holds. */
    @Test
    void againstADirectScan() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 60;
        float[] p = new float[n], y = new float[n], w = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble() < 0.5 ? 1 : 0;
            p[i] = (float) Math.min(1, Math.max(0, 0.35 * y[i] + 0.65 * r.nextDouble()));
            w[i] = 1 + r.nextInt(3);
        }
        for (int k : new int[] {200, 7, 2, 1}) {
            double[] best = new double[4];
            for (int j = 0; j < k; j++) {
                double t = k == 1 ? 0.5 : (double) j / (k - 1);
                double tp = 0, fp = 0, tn = 0, fn = 0;
                for (int i = 0; i < n; i++) {
                    boolean above = p[i] > (float) t;
                    if (y[i] != 0) { if (above) tp += w[i]; else fn += w[i]; } else { if (above) fp += w[i]; else tn += w[i]; }
                }
                double sens = tp + fn == 0 ? 0 : tp / (tp + fn), spec = tn + fp == 0 ? 0 : tn / (tn + fp), prec = tp + fp == 0 ? 0 : tp / (tp + fp);
                if ((float) sens >= 0.6f) best[0] = Math.max(best[0], prec);
                if ((float) prec >= 0.6f) best[1] = Math.max(best[1], sens);
                if ((float) spec >= 0.6f) best[2] = Math.max(best[2], sens);
                if ((float) sens >= 0.6f) best[3] = Math.max(best[3], spec);
            }
            EpochMetric[] ms = {new PrecisionAtRecall(0.6).numThresholds(k), new RecallAtPrecision(0.6).numThresholds(k),
                    new SensitivityAtSpecificity(0.6).numThresholds(k), new SpecificityAtSensitivity(0.6).numThresholds(k)};
            for (int m = 0; m < 4; m++) assertEquals(best[m], value(ms[m], n, 1, y, p, w), 1e-12, ms[m].key() + " with " + k + " thresholds");
        }
    }

    /** class_id keeps one column: on two columns it equals the metric of that column alone. */
    @Test
    void classIdKeepsOneColumn() {
        float[] y2 = new float[10], p2 = new float[10];
        for (int i = 0; i < 5; i++) {
            y2[2 * i] = 1 - Y5[i];
            p2[2 * i] = 0.9f - P5[i];
            y2[2 * i + 1] = Y5[i];
            p2[2 * i + 1] = P5[i];
        }
        assertEquals(value(new SensitivityAtSpecificity(0.5), 5, 1, Y5, P5, null), value(new SensitivityAtSpecificity(0.5).classId(1), 5, 2, y2, p2, null));
        assertEquals(value(new PrecisionAtRecall(0.5), 5, 1, Y5, P5, new float[] {2, 2, 2, 1, 1}),
                value(new PrecisionAtRecall(0.5).classId(1), 5, 2, y2, p2, new float[] {2, 2, 2, 1, 1}));
    }

    @Test
    void kerasConfigs() {
        Map<?, ?> s = (Map<?, ?>) new SpecificityAtSensitivity(0.3).numThresholds(50).classId(2).name("spec").serialize();
        assertEquals("SpecificityAtSensitivity", s.get("class_name"));
        assertEquals(Map.of("name", "spec", "dtype", "float32", "class_id", 2, "num_thresholds", 50, "sensitivity", 0.3), s.get("config"));
        assertEquals(s, EpochMetric.deserialize(s).serialize());
        RecallAtPrecision rp = new RecallAtPrecision(0.9);
        Map<?, ?> d = (Map<?, ?>) rp.serialize();
        assertInstanceOf(RecallAtPrecision.class, EpochMetric.deserialize(d));
        assertEquals(d, rp.copy().serialize());
    }
}
