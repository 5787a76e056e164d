package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LossMetric} against Keras' docstrings, hand sums of Keras' formulas with masks and per-step weights, and its configs. */
class LossMetricTest {
    private static final float[] Y = {0, 1, 0, 0}, P = {0.6f, 0.4f, 0.4f, 0.6f};

    private static double value(EpochMetric m, int rows, int cols, float[] p, float[] y, float[] w) {
        return EpochValues.first(m, rows, cols, p, y, w);
    }

    /** The examples of Keras' metric docstrings ({@code m.update_state(y, p)} and with sample_weight), by name as compile gets them. */
    @Test
    void kerasDocstrings() {
        float[] w = {1, 0};
        Object[][] cases = {
            {"binary_crossentropy", 0.81492424, 0.9162905},
            {"kl_divergence", 0.45814306, 0.9162892},
            {"hinge", 1.3, 1.1},
            {"squared_hinge", 1.86, 1.46},
            {"categorical_hinge", 1.4000001, 1.2},
        };
        for (Object[] c : cases) {
            EpochMetric m = EpochMetric.of(c[0]);
            assertEquals((double) c[1], value(m, 2, 2, P, Y, null), 1e-6, (String) c[0]);
            assertEquals((double) c[2], value(m, 2, 2, P, Y, w), 1e-6, c[0] + " weighted");
        }
        EpochMetric poisson = EpochMetric.of("poisson");
        float[] pp = {1, 1, 0, 0};
        assertEquals(0.49999997, value(poisson, 2, 2, pp, Y, null), 1e-6);
        assertEquals(0.99999994, value(poisson, 2, 2, pp, Y, w), 1e-6);
        float[] yc = {0, 1, 0, 0, 0, 1}, pc = {0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f}, wc = {0.3f, 0.7f};
        assertEquals(1.1769392, value(EpochMetric.of("categorical_crossentropy"), 2, 3, pc, yc, null), 1e-6);
        assertEquals(1.6271976, value(EpochMetric.of("categorical_crossentropy"), 2, 3, pc, yc, wc), 1e-6);
        EpochMetric sparse = EpochMetric.of("sparse_categorical_crossentropy");
        assertTrue(sparse.sparse());
        assertEquals(1.1769392, value(sparse, 2, 3, pc, new float[] {1, 2}, null), 1e-6);
        assertEquals(1.6271976, value(sparse, 2, 3, pc, new float[] {1, 2}, wc), 1e-6);
    }

    /** Keras' names: its registry's snake-case class names and "bce"; "kld" is a loss alias only, which Keras 3's metrics.get refuses. */
    @Test
    void kerasNames() {
        Map<String, Loss> names = Map.of("bce", Loss.BINARY_CROSSENTROPY, "BinaryCrossentropy", Loss.BINARY_CROSSENTROPY,
                "KLDivergence", Loss.KL_DIVERGENCE, "Poisson", Loss.POISSON, "SquaredHinge", Loss.SQUARED_HINGE,
                "categoricalhinge", Loss.CATEGORICAL_HINGE, "SparseCategoricalCrossentropy", Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        names.forEach((n, l) -> assertEquals(l, assertInstanceOf(LossMetric.class, EpochMetric.of(n)).loss(), n));
        assertEquals("kl_divergence", EpochMetric.of("KLDivergence").key());
        assertEquals("binary_crossentropy", new LossMetric(Loss.BINARY_CROSSENTROPY_LOGITS).key(), "Keras' class default name");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EpochMetric.of("kld"));
        assertTrue(e.getMessage().startsWith("unknown metric 'kld': expected one of accuracy,"), e.getMessage());
        assertTrue(e.getMessage().contains("r2_score, true_positives, false_positives, true_negatives, false_negatives, binary_crossentropy,"),
                e.getMessage());
        LossMetric m = new LossMetric(Loss.HINGE);
        assertFalse(m.higherIsBetter());
        assertTrue(m.usesMask(), "a MeanMetricWrapper: Keras weighs it by the mask");
        assertFalse(m.suits(Loss.SPARSE_CATEGORICAL_CROSSENTROPY));
        assertTrue(EpochMetric.of("sparse_categorical_crossentropy").suits(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS));
    }

    /**
     * A masked sequence (rows are steps, weight 0 masked) with per-step weights: Keras' Mean of the row losses, sum(w l) / sum(w),
     * with each row's loss by Keras' formula in double; the batch is one call, so the hinge's 0/1 targets become -1/1 together.
     */
    @Test
    void masksAndPerStepWeightsByHand() {
        float[] p = {0.2f, 0.9f, 1.5f, 0.3f, 0.7f, 0.1f}, y = {0, 1, 1, 0, 1, 1};   // 3 steps of 2 columns
        float[] w = {0.5f, 0, 2};   // step 2 masked, the others weighted
        double[] rowsPoisson = new double[3], rowsHinge = new double[3], rowsKl = new double[3];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 2; c++) {
                double pv = p[2 * r + c], yv = y[2 * r + c];
                rowsPoisson[r] += (pv - yv * Math.log(pv + 1e-7)) / 2;
                rowsHinge[r] += Math.max(1 - (2 * yv - 1) * pv, 0) / 2;
                double yc = Math.min(Math.max(yv, 1e-7), 1), pcl = Math.min(Math.max(pv, 1e-7), 1);
                rowsKl[r] += yc * Math.log(yc / pcl);
            }
        }
        double ws = 2.5;
        assertEquals((0.5 * rowsPoisson[0] + 2 * rowsPoisson[2]) / ws, value(EpochMetric.of("poisson"), 3, 2, p, y, w), 1e-7);
        assertEquals((0.5 * rowsHinge[0] + 2 * rowsHinge[2]) / ws, value(EpochMetric.of("hinge"), 3, 2, p, y, w), 1e-7);
        assertEquals((0.5 * rowsKl[0] + 2 * rowsKl[2]) / ws, value(EpochMetric.of("kl_divergence"), 3, 2, p, y, w), 1e-7);
        assertEquals(0, value(EpochMetric.of("poisson"), 3, 2, p, y, new float[3]), "nothing counted: Keras' divide_no_nan");
    }

    /** Over an epoch the state sums over batches: two calls give the one call's mean (the hinge targets are not 0/1 here). */
    @Test
    void batchesSumToTheWhole() {
        float[] p = {0.3f, -0.2f, 0.8f, 0.1f}, y = {-1, 1, 1, -1};
        LossMetric m = new LossMetric(Loss.SQUARED_HINGE);
        double[] s = new double[2];
        m.update(Loss.MSE, 1, 2, new float[] {p[0], p[1]}, new float[] {y[0], y[1]}, null, s);
        m.update(Loss.MSE, 1, 2, new float[] {p[2], p[3]}, new float[] {y[2], y[3]}, null, s);
        assertEquals(value(m, 2, 2, p, y, null), m.result(s, 2)[0], 1e-12);
    }

    /** Keras 3's metric config both ways: from_logits kept, the class's other options at their defaults; options jrnn lacks refused. */
    @Test
    void kerasConfigs() {
        LossMetric m = new LossMetric(Loss.CATEGORICAL_CROSSENTROPY_LOGITS).name("cce");
        Map<?, ?> s = (Map<?, ?>) m.serialize();
        assertEquals("CategoricalCrossentropy", s.get("class_name"));
        assertEquals(Map.of("name", "cce", "dtype", "float32", "from_logits", true, "label_smoothing", 0, "axis", -1), s.get("config"));
        LossMetric back = assertInstanceOf(LossMetric.class, EpochMetric.deserialize(s));
        assertEquals(Loss.CATEGORICAL_CROSSENTROPY_LOGITS, back.loss());
        assertEquals("cce", back.key());
        assertEquals(s, m.copy().serialize());
        for (String cls : List.of("KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge")) {
            Map<?, ?> k = (Map<?, ?>) EpochMetric.deserialize(Map.of("class_name", cls, "config", Map.of("name", "x", "dtype", "float32"))).serialize();
            assertEquals(cls, k.get("class_name"));
            assertEquals(Map.of("name", "x", "dtype", "float32"), k.get("config"));
        }
        Map<String, Object> sparse = new LinkedHashMap<>(Map.of("name", "scce", "dtype", "float32", "from_logits", false, "ignore_class", 3,
                "axis", -1));
        LossMetric scce = assertInstanceOf(LossMetric.class, EpochMetric.deserialize(Map.of("class_name", "SparseCategoricalCrossentropy",
                "config", sparse)));
        assertEquals(Loss.SPARSE_CATEGORICAL_CROSSENTROPY.ignoreClass(3), scce.loss());
        assertEquals(sparse, ((Map<?, ?>) scce.serialize()).get("config"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EpochMetric.deserialize(Map.of("class_name",
                "SparseCategoricalCrossentropy", "config", Map.of("axis", 1))));
        assertEquals("metric SparseCategoricalCrossentropy: loss SparseCategoricalCrossentropy with axis 1 is not supported", e.getMessage());
    }

    /**
     * Keras 3's SparseCategoricalCrossentropy metric with ignore_class: the ignored rows add 0; its Mean divides by every row
     * without weights (reduce_to_samplewise_values applies the values' mask only with a sample weight) and by the valid
     * rows' weights with them. Rows of logits [0, 0] (loss log 2 each) with targets 1, -1, 0.
     */
    @Test
    void ignoreClassCountsAsKerasMeanDoes() {
        LossMetric m = new LossMetric(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(-1));
        float[] pred = new float[6], target = {1, -1, 0};
        double[] state = new double[m.stateSize(2)];
        m.update(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, 3, 2, pred, target, null, state);
        assertEquals(2 * Math.log(2) / 3, m.result(state, 2)[0], 1e-12, "no weights: over every row");
        state = new double[m.stateSize(2)];
        m.update(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, 3, 2, pred, target, new float[] {1, 5, 3}, state);
        assertEquals((1 + 3) * Math.log(2) / 4, m.result(state, 2)[0], 1e-12, "weights: over the valid rows' weights");
        assertEquals("LossMetric: loss must be a built-in one (a function of your own is a MeanMetric), got CUSTOM f",
                assertThrows(IllegalArgumentException.class, () -> new LossMetric(Loss.custom("f", (y, p, g) -> 0))).getMessage());
    }
}
