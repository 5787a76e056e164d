package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FBetaScore} against Keras' docstrings and hand counts of its thresholding and averages. */
class FBetaScoreTest {
    // Keras' docstring data: three rows of three classes
    private static final float[] Y = {1, 1, 1, 1, 0, 0, 1, 1, 0};
    private static final float[] P = {0.2f, 0.6f, 0.7f, 0.2f, 0.6f, 0.6f, 0.6f, 0.8f, 0.0f};

    private static double[] score(FBetaScore f, float[] w) {
        double[] state = new double[f.stateSize(3)];
        f.update(Loss.BINARY_CROSSENTROPY, 3, 3, P, Y, w, state);
        return f.result(state, 3);
    }

    @Test
    void kerasDocstrings() {
        assertArrayEquals(new double[] {0.5, 0.8, 0.6666667}, score(FBetaScore.f1().threshold(0.5), null), 1e-6);
        assertArrayEquals(new double[] {0.3846154, 0.90909094, 0.8333334}, score(new FBetaScore().beta(2).threshold(0.5), null), 1e-6);
        assertEquals("f1_score", FBetaScore.f1().key());
        assertEquals("fbeta_score", new FBetaScore().key());
        assertTrue(FBetaScore.f1().higherIsBetter());
    }

    /**
     * Thresholded at 0.5 the classes count tp/fp/fn/support 1/0/2/3, 2/1/0/2, 1/1/0/1 (F1 0.5, 0.8, 2/3): macro is their
     * mean, weighted weighs them 3:2:1, micro pools the counts (tp 4, fp 2, fn 2).
     */
    @Test
    void averagesByHand() {
        double f0 = 0.5, f1 = 0.8, f2 = 2.0 / 3;
        assertEquals((f0 + f1 + f2) / 3, score(FBetaScore.f1().threshold(0.5).average("macro"), null)[0], 1e-6);
        assertEquals((3 * f0 + 2 * f1 + f2) / 6, score(FBetaScore.f1().threshold(0.5).average("weighted"), null)[0], 1e-6);
        assertEquals(2.0 / 3, score(FBetaScore.f1().threshold(0.5).average("micro"), null)[0], 1e-6);
        // beta 2 micro: precision = recall = 2/3, so F = 2/3 too
        assertEquals(2.0 / 3, score(new FBetaScore().beta(2).threshold(0.5).average("micro"), null)[0], 1e-6);
    }

    /** Without a threshold a row's maximum is positive, every tied one (row 1: both 0.6). */
    @Test
    void argmaxWithTiesByHand() {
        // predicted [[0,0,1],[0,1,1],[0,1,0]]: class 0 no tp; class 1 tp 1 fp 1 fn 1; class 2 tp 1 fp 1 fn 0
        assertArrayEquals(new double[] {0, 0.5, 2.0 / 3}, score(FBetaScore.f1(), null), 1e-6);
        // an all-zero row predicts nothing (Keras: |p| > 1e-9)
        FBetaScore f = FBetaScore.f1();
        double[] s = new double[f.stateSize(2)];
        f.update(Loss.BINARY_CROSSENTROPY, 1, 2, new float[] {0, 0}, new float[] {1, 0}, null, s);
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 0, 0}, s);
    }

    /** Row weights (a mask, Keras' sample_weight) weigh each count: row 1 dropped leaves class 1 tp 2 fp 0, class 2 tp 1 fp 0. */
    @Test
    void rowWeights() {
        double[] f = score(FBetaScore.f1().threshold(0.5), new float[] {1, 0, 1});
        // class 0: tp 1, fn 1 -> F1 2/3
        assertArrayEquals(new double[] {2.0 / 3, 1, 1}, f, 1e-6);
    }

    @Test
    void serializesAsKerasAndBack() {
        Map<?, ?> m = (Map<?, ?>) FBetaScore.f1().average("macro").threshold(0.4).serialize();
        assertEquals("F1Score", m.get("class_name"));
        Map<?, ?> c = (Map<?, ?>) m.get("config");
        assertEquals("macro", c.get("average"));
        assertEquals(0.4, c.get("threshold"));
        assertTrue(!c.containsKey("beta"), "Keras' F1Score config has no beta");
        assertEquals(m, EpochMetric.deserialize(m).serialize());
        Map<?, ?> fb = (Map<?, ?>) new FBetaScore().beta(0.5).serialize();
        assertEquals("FBetaScore", fb.get("class_name"));
        assertEquals(0.5, ((Map<?, ?>) fb.get("config")).get("beta"));
        assertEquals(fb, EpochMetric.deserialize(fb).serialize());
        assertEquals(FBetaScore.f1().serialize(), EpochMetric.of("F1Score").serialize());
        assertEquals(new FBetaScore().serialize(), EpochMetric.of("fbeta_score").serialize());
        assertEquals(new FBetaScore().serialize(), EpochMetric.of("f_beta_score").serialize(), "Keras 3's snake-case registry name");
    }
}
