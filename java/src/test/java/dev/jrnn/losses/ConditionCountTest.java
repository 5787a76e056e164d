package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TruePositives}, {@link FalsePositives}, {@link TrueNegatives}, {@link FalseNegatives} against Keras' docstrings and direct counts. */
class ConditionCountTest {
    private static double[] counts(EpochMetric m, float[] y, float[] p, float[] w) {
        return EpochValues.of(m, y.length, 1, p, y, w);
    }

    /** Keras' docstrings: each example gives 2, and 1 with sample_weight [0, 0, 1, 0]; by the names compile takes. */
    @Test
    void kerasDocstrings() {
        Object[][] cases = {
            {"true_positives", new float[] {0, 1, 1, 1}, new float[] {1, 0, 1, 1}},
            {"false_positives", new float[] {0, 1, 0, 0}, new float[] {0, 0, 1, 1}},
            {"true_negatives", new float[] {0, 1, 0, 0}, new float[] {1, 1, 0, 0}},
            {"false_negatives", new float[] {0, 1, 1, 1}, new float[] {0, 1, 0, 0}},
        };
        for (Object[] c : cases) {
            EpochMetric m = EpochMetric.of(c[0]);
            assertEquals(c[0], m.key());
            assertArrayEquals(new double[] {2}, counts(m, (float[]) c[1], (float[]) c[2], null), (String) c[0]);
            assertArrayEquals(new double[] {1}, counts(m, (float[]) c[1], (float[]) c[2], new float[] {0, 0, 1, 0}), c[0] + " weighted");
        }
        assertInstanceOf(TruePositives.class, EpochMetric.of("TruePositives"));
        assertTrue(new TruePositives().higherIsBetter());
        assertFalse(new FalseNegatives().higherIsBetter());
    }

    /**
     * Several thresholds, given unsorted, log in their order; evenly spaced ones take Keras' bucket arithmetic, the others a
     * comparison each: both against a direct count of {@code p > t} with weights, on a sequence's rows of several columns.
     */
    @Test
    void thresholdsAgainstDirectCounts() {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 40, cols = 3;
        float[] p = new float[rows * cols], y = new float[rows * cols], w = new float[rows];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.round(r.nextDouble() * 998) / 1000f + 0.0001f;   // inside (0, 1), off the thresholds: both paths agree
            y[i] = r.nextDouble() < 0.4 ? 1 : 0;
        }
        for (int i = 0; i < rows; i++) w[i] = i % 7 == 0 ? 0 : (float) (r.nextInt(4) * 0.5);
        for (double[] t : List.of(new double[] {0.7, 0.1, 0.45}, new double[] {0, 0.25, 0.5, 0.75, 1})) {
            List<ConditionCount<?>> ms = List.of(new TruePositives().thresholds(t), new FalsePositives().thresholds(t),
                    new TrueNegatives().thresholds(t), new FalseNegatives().thresholds(t));
            for (int k = 0; k < 4; k++) {
                double[] want = new double[t.length];
                for (int j = 0; j < t.length; j++) {
                    for (int i = 0; i < p.length; i++) {
                        boolean pos = y[i] != 0, above = p[i] > (float) t[j];
                        boolean hit = switch (k) {
                            case 0 -> pos && above;
                            case 1 -> !pos && above;
                            case 2 -> !pos && !above;
                            default -> pos && !above;
                        };
                        if (hit) want[j] += w[i / cols];
                    }
                }
                double[] s = new double[ms.get(k).stateSize(cols)];
                ms.get(k).update(Loss.BINARY_CROSSENTROPY, rows, cols, p, y, w, s);
                assertArrayEquals(want, ms.get(k).result(s, cols), 1e-9, ms.get(k).key() + " at " + java.util.Arrays.toString(t));
            }
        }
    }

    /** Keras' optimized path for evenly spaced thresholds clips the prediction to [0, 1]: 1.5 is not above threshold 1. */
    @Test
    void evenThresholdsClipAsKeras() {
        double[] got = counts(new TruePositives().thresholds(0, 0.5, 1), new float[] {1, 1, 1}, new float[] {1.5f, 0.5f, -1f}, null);
        assertArrayEquals(new double[] {2, 1, 0}, got);
    }

    @Test
    void kerasConfigs() {
        Map<?, ?> one = (Map<?, ?>) new FalsePositives().thresholds(0.3).name("fp").serialize();
        assertEquals(Map.of("name", "fp", "dtype", "float32", "thresholds", 0.3), one.get("config"));
        Map<?, ?> several = (Map<?, ?>) new TrueNegatives().thresholds(0.2, 0.8).serialize();
        assertEquals("TrueNegatives", several.get("class_name"));
        assertEquals(List.of(0.2, 0.8), ((Map<?, ?>) several.get("config")).get("thresholds"));
        assertEquals(several, EpochMetric.deserialize(several).serialize());
        assertEquals(one, EpochMetric.deserialize(one).serialize());
        TruePositives tp = new TruePositives();
        Map<?, ?> dflt = (Map<?, ?>) tp.serialize();
        assertTrue(((Map<?, ?>) dflt.get("config")).containsKey("thresholds"));
        assertEquals(dflt, tp.copy().serialize());
    }
}
