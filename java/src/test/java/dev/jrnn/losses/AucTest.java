package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Auc} against Keras' docstring, hand computations of Keras' buckets and sums, and an exact AUC from sorted scores. */
class AucTest {
    private static final float[] Y = {0, 0, 1, 1}, P = {0, 0.5f, 0.3f, 0.9f};

    private static double auc(Auc a, float[] y, float[] p, float[] w) {
        double[] state = new double[a.stateSize(1)];
        a.update(Loss.BINARY_CROSSENTROPY, y.length, 1, p, y, w, state);
        double[] r = a.result(state, 1);
        assertEquals(1, r.length);
        return r[0];
    }

    /** Keras' docstring: AUC(num_thresholds=3) gives 0.75, and 1.0 with sample_weight [1, 0, 0, 1]. */
    @Test
    void kerasDocstring() {
        assertEquals(0.75, auc(new Auc().numThresholds(3), Y, P, null), 1e-12);
        assertEquals(1.0, auc(new Auc().numThresholds(3), Y, P, new float[] {1, 0, 0, 1}), 1e-12);
        dev.jrnn.Jrnn.clearSession();   // default names are numbered per session, as Keras 3's
        assertEquals("auc", new Auc().key());
        assertTrue(new Auc().higherIsBetter());
        assertEquals(0.75, auc(new Auc().thresholds(0.5), Y, P, null), 1e-12, "one explicit threshold is num_thresholds 3");
    }

    /**
     * The docstring's counts (thresholds -1e-7, 0.5, 1 + 1e-7: tp [2, 1, 0], fp [2, 0, 0], fn [0, 1, 2]) summed by hand
     * for the other curves and summation methods.
     */
    @Test
    void otherCurvesAndSummationsByHand() {
        // ROC: fpr [1, 0, 0], recall [1, 0.5, 0]
        assertEquals(0.5, auc(new Auc().numThresholds(3).summationMethod("minoring"), Y, P, null), 1e-12);
        assertEquals(1.0, auc(new Auc().numThresholds(3).summationMethod("majoring"), Y, P, null), 1e-12);
        // PR: recall [1, 0.5, 0], precision [0.5, 1, 0 (0/0)]
        assertEquals(0.25, auc(new Auc().numThresholds(3).curve("PR").summationMethod("minoring"), Y, P, null), 1e-12);
        assertEquals(1.0, auc(new Auc().numThresholds(3).curve("pr").summationMethod("Majoring"), Y, P, null), 1e-12);
        // PR interpolation (Davis & Goadrich as Keras): interval 0: slope 1/3, intercept 2/3, P ratio 4, over tp+fn = 2;
        // interval 1: slope 1, intercept 0, P_B = 0 so ratio 1
        double want = (1.0 / 3) * (1 + (2.0 / 3) * Math.log(4)) / 2 + 1.0 / 2;
        assertEquals(want, auc(new Auc().numThresholds(3).curve("PR"), Y, P, null), 1e-12);
    }

    /** Thresholds not evenly spaced are compared one by one (no clipping): -1e-7, 0.2, 0.6, 1 + 1e-7. */
    @Test
    void explicitThresholdsByHand() {
        // tp [2, 2, 1, 0], fp [2, 1, 0, 0]: recall [1, 1, 0.5, 0], fpr [1, 0.5, 0, 0]
        assertEquals(0.5 * 1 + 0.5 * 0.75, auc(new Auc().thresholds(0.6, 0.2), Y, P, null), 1e-12);
        Map<?, ?> c = (Map<?, ?>) ((Map<?, ?>) new Auc().thresholds(0.6, 0.2).serialize()).get("config");
        assertEquals(List.of(0.2, 0.6), c.get("thresholds"));
        assertEquals(4, c.get("num_thresholds"));
    }

    /** Keras' bucket arithmetic: ceil(p * (n - 1)) - 1 in float32, clipped, so a score on a threshold is not above it. */
    @Test
    void scoresOnThresholdsAndOutsideZeroOne() {
        float[] y = {1, 0, 1, 0};
        // with 5 thresholds (0.25 apart), 0.25 and 0.5 sit on thresholds; -3 and 7 clip to 0 and 1
        float[] p = {0.5f, 0.25f, 7f, -3f};
        Auc a = new Auc().numThresholds(5);
        double[] s = new double[a.stateSize(1)];
        a.update(Loss.BINARY_CROSSENTROPY, 4, 1, p, y, null, s);
        // positives: 0.5 -> bucket 1, 1.0 -> bucket 3; negatives: 0.25 -> bucket 0, 0 -> bucket 0 (relu of -1)
        assertEquals(List.of(0.0, 1.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 2.0, 2.0), Arrays.stream(s).boxed().toList());
        assertEquals(1.0, a.result(s, 1)[0], 1e-12);
    }

    @Test
    void fromLogitsAppliesTheSigmoid() {
        float[] logits = new float[P.length];
        for (int i = 0; i < P.length; i++) logits[i] = (float) Math.log(P[i] / (1 - P[i] + 1e-30));   // sigmoid^-1; 0 -> -inf
        assertEquals(0.75, auc(new Auc().numThresholds(3).fromLogits(true), Y, logits, null), 1e-12);
    }

    /**
     * On 4000 random scores the 200-threshold AUC is within its discretisation error of the exact ROC AUC (the
     * Mann-Whitney statistic from sorted scores): pairs that share a bucket count as ties, so the error is at most half of
     * those pairs' share.
     */
    @Test
    void closeToTheExactAucFromSortedScores() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 4000;
        float[] y = new float[n], p = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble() < 0.3 ? 1 : 0;
            double z = r.nextGaussian() + (y[i] == 1 ? 1.2 : 0);
            p[i] = (float) (1 / (1 + Math.exp(-z)));
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(p[a], p[b]));
        double negBelow = 0, wins = 0, pos = 0, neg = 0;
        for (int i = 0; i < n; ) {   // ties (equal scores) count half
            int j = i;
            double tiePos = 0, tieNeg = 0;
            while (j < n && p[order[j]] == p[order[i]]) {
                if (y[order[j]] == 1) tiePos++; else tieNeg++;
                j++;
            }
            wins += tiePos * negBelow + 0.5 * tiePos * tieNeg;
            negBelow += tieNeg;
            pos += tiePos;
            neg += tieNeg;
            i = j;
        }
        double exact = wins / (pos * neg);
        double[] posIn = new double[200], negIn = new double[200];
        for (int i = 0; i < n; i++) {
            int b = Math.max(0, (int) Math.ceil(p[i] * 199f) - 1);
            if (y[i] == 1) posIn[b]++; else negIn[b]++;
        }
        double bound = 0;
        for (int b = 0; b < 200; b++) bound += 0.5 * posIn[b] * negIn[b] / (pos * neg);
        double got = auc(new Auc(), y, p, null);
        assertTrue(exact > 0.7 && exact < 0.9, "a separable-enough set: " + exact);
        assertTrue(Math.abs(got - exact) <= bound + 1e-9 && bound < 0.01, "auc " + got + " exact " + exact + " bound " + bound);
        // a PR curve of a better-than-chance scorer lies above the positives' share
        double pr = auc(new Auc().curve("PR"), y, p, null);
        assertTrue(pr > pos / n && pr < 1, "pr auc " + pr);
    }

    /** Keras' compile-config form and back; by name the Keras defaults. */
    @Test
    void serializesAsKerasAndBack() {
        Auc a = new Auc().numThresholds(50).curve("PR").summationMethod("minoring").fromLogits(true).name("pr_auc");
        Map<?, ?> m = (Map<?, ?>) a.serialize();
        assertEquals("keras.metrics", m.get("module"));
        assertEquals("AUC", m.get("class_name"));
        Map<?, ?> c = (Map<?, ?>) m.get("config");
        assertEquals(50, c.get("num_thresholds"));
        assertEquals("PR", c.get("curve"));
        assertEquals("minoring", c.get("summation_method"));
        assertEquals(true, c.get("from_logits"));
        assertEquals(false, c.get("multi_label"));
        EpochMetric back = EpochMetric.deserialize(m);
        assertEquals("pr_auc", back.key());
        assertEquals(m, back.serialize());
        assertInstanceOf(Auc.class, EpochMetric.of("AUC"));
        // the name "auc" gives AUC at its defaults logged as "auc", drawing no number (compile's first fit draws one)
        dev.jrnn.Jrnn.clearSession();
        assertEquals(new Auc().serialize(), EpochMetric.of(" auc ").serialize());
        assertEquals("auc_1", new Auc().key());
    }

    /**
     * A NaN prediction is above no threshold (Keras' {@code y_pred > thresholds} is false): a negative prediction that still
     * counts among the positives or negatives. Docstring data with the 0.3 positive a NaN: tp [1, 1, 0], fn [1, 1, 2],
     * fp [2, 0, 0], tn [0, 2, 2], so TPR [0.5, 0.5, 0], FPR [1, 0, 0] and the trapezoids give 0.5.
     */
    @Test
    void aNanPredictionIsNegativeAtEveryThreshold() {
        float[] p = {0, 0.5f, Float.NaN, 0.9f};
        assertEquals(0.5, auc(new Auc().numThresholds(3), Y, p, null), 1e-12);
        // thresholds not evenly spaced (no bucketing arithmetic): the NaN counts as a score below every threshold
        Auc uneven = new Auc().thresholds(0.3, 0.5);
        assertEquals(auc(uneven, Y, new float[] {0, 0.5f, -1, 0.9f}, null), auc(uneven, Y, p, null), 1e-12);
        assertEquals(0.5, auc(new Auc().numThresholds(3).fromLogits(true), Y, new float[] {-20, 0, Float.NaN, 20}, null), 1e-12);
    }

    /**
     * Keras' multi_label=True: one confusion count and curve per column, the mean of the columns' areas, over an epoch of
     * uneven batches, unweighted and sample-weighted; numpy: keras_semantics_metrics.py's auc called on each column of
     * {@link LossKerasSemanticsTest}'s data and averaged (the script has no multi-label entry of its own).
     */
    @Test
    void multiLabelAveragesTheLabelsAreasAsKeras() {
        dev.jrnn.Jrnn.setBackend("cpu");
        dev.jrnn.model.Sequential m = LossKerasSemanticsTest.identity(3);
        Object[] ms = {new Auc().multiLabel(true).name("roc"), new Auc().multiLabel(true).curve("PR").name("pr")};
        m.compile("sgd", "binary_crossentropy", ms[0], ms[1], dev.jrnn.model.WeightedMetrics.of(ms));
        java.util.Map<String, Double> r = m.evaluateAll(java.util.List.of(dev.jrnn.tensor.Tensor.of(LossKerasSemanticsTestData.P, 10, 3)),
                java.util.List.of(dev.jrnn.tensor.Tensor.of(LossKerasSemanticsTestData.YB, 10, 3)), 4, null,
                dev.jrnn.tensor.Tensor.of(LossKerasSemanticsTestData.W, 10));
        assertEquals(0.4630555555555555, r.get("roc"), 1e-6);
        assertEquals(0.4349459009042327, r.get("weighted_roc"), 1e-6);
        assertEquals(0.5201889475613785, r.get("pr"), 1e-6);
        assertEquals(0.5253045190931792, r.get("weighted_pr"), 1e-6);
        Object keras = new Auc().multiLabel(true).serialize();
        assertEquals(true, ((java.util.Map<?, ?>) ((java.util.Map<?, ?>) keras).get("config")).get("multi_label"));
        assertEquals(keras, EpochMetric.deserialize(keras).serialize(), "a Keras file's multi_label AUC keeps it");
    }
}
