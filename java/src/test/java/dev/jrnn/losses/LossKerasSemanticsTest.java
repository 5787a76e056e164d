package dev.jrnn.losses;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Activation;
import dev.jrnn.model.Sequential;
import dev.jrnn.model.WeightedMetrics;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every loss by its Keras name through {@code evaluate} as a Keras 3 user meets it: 10 samples in batches of 4, 4 and 2,
 * unweighted and with sample weights (Keras' sum_over_batch_size: the weighted losses' sum over the samples, the epoch's
 * loss the batches' mean weighed by their sizes). Expected values: a float64 numpy transcription of Keras 3's
 * losses.py (src/test/resources/dev/jrnn/losses/keras_semantics_losses.py and _metrics.py print the data and values), the data float32 as given here.
 */
class LossKerasSemanticsTest {
    private static final int N = 10, C = 3;
    private static final float[] P = LossKerasSemanticsTestData.P, Z = LossKerasSemanticsTestData.Z, YB = LossKerasSemanticsTestData.YB,
            YS = LossKerasSemanticsTestData.YS, YO = LossKerasSemanticsTestData.YO, YR = LossKerasSemanticsTestData.YR,
            YD = LossKerasSemanticsTestData.YD, YR2 = LossKerasSemanticsTestData.YR2, W = LossKerasSemanticsTestData.W;

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
    }

    static Stream<Arguments> losses() {
        return Stream.of(
                Arguments.of("mse", Z, YR, 6.508115940285822, 6.030529321481003),
                Arguments.of("mae", Z, YR, 2.0328297637403008, 1.825530962296265),
                Arguments.of("huber", Z, YR, 1.5679328144664022, 1.4265507310657923),
                Arguments.of("log_cosh", Z, YR, 1.4509870069934347, 1.3239459709076435),
                Arguments.of("binary_crossentropy", P, YB, 0.9929861346744916, 0.8351545764835361),
                Arguments.of("binary_crossentropy_from_logits", Z, YB, 1.072951173676542, 0.9745212883093123),
                Arguments.of("categorical_crossentropy", P, YO, 0.9564944502165, 0.7140818113679234),
                Arguments.of("categorical_crossentropy_from_logits", Z, YO, 1.5343629474008444, 1.0210949928663282),
                Arguments.of("sparse_categorical_crossentropy", P, YS, 0.9564944502165, 0.7140818113679234),
                Arguments.of("sparse_categorical_crossentropy_from_logits", Z, YS, 1.5343629474008444, 1.0210949928663282),
                Arguments.of("kl_divergence", P, YD, -0.2420939595745078, -0.34611058159723845),
                Arguments.of("poisson", P, YR2, 2.1894231427598063, 1.7135622398962027),
                Arguments.of("hinge", Z, YB, 1.361726232121388, 1.2048019376078376),
                Arguments.of("squared_hinge", Z, YB, 4.208716253143211, 4.238093242571095),
                Arguments.of("categorical_hinge", Z, YO, 1.8380866751074791, 1.1866765051446366),
                Arguments.of("binary_focal_crossentropy", P, YB, 0.5521576842794521, 0.48549827392520833),
                Arguments.of("binary_focal_crossentropy_from_logits", Z, YB, 0.725696291283808, 0.7156849705417121),
                Arguments.of("categorical_focal_crossentropy", P, YO, 0.09962437262828264, 0.06520304890697008),
                Arguments.of("categorical_focal_crossentropy_from_logits", Z, YO, 0.3213076485755121, 0.21198784863675776)
        );
    }

    /** A model whose output is its input: the predictions are the test's. */
    static Sequential identity(int cols) {
        return new Sequential(new Activation("linear").inputShape(cols));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void theEpochLossIsKerasSumOverBatchSizeWithAndWithoutSampleWeights(String loss, float[] pred, float[] target, double unweighted,
                                                                        double weighted) {
        Sequential m = identity(C);
        m.compile("sgd", loss);
        Tensor x = Tensor.of(pred, N, C), y = target.length == N ? Tensor.of(target, N) : Tensor.of(target, N, C);
        Map<String, Double> plain = m.evaluateAll(List.of(x), List.of(y), 4, null, (Tensor) null);
        assertEquals(unweighted, plain.get("loss"), 2e-6 * Math.max(1, Math.abs(unweighted)), loss);
        Map<String, Double> w = m.evaluateAll(List.of(x), List.of(y), 4, null, Tensor.of(W, N));
        assertEquals(weighted, w.get("loss"), 2e-6 * Math.max(1, Math.abs(weighted)), loss + " weighted");
    }

    /** The metrics of one compile, unweighted and as weighted_metrics, over batches of 4, 4 and 2. */
    private static Map<String, Double> metrics(String loss, float[] pred, float[] target, List<Object> ms) {
        Sequential m = identity(C);
        List<Object> all = new java.util.ArrayList<>(ms);
        all.add(WeightedMetrics.of(ms.toArray()));
        m.compile("sgd", loss, all.toArray());
        return m.evaluateAll(List.of(Tensor.of(pred, N, C)), List.of(Tensor.of(target, N, C)), 4, null, Tensor.of(W, N));
    }

    /**
     * Metrics' states over an epoch of uneven batches, with sample weights as Keras 3's weighted_metrics (the same metrics
     * unweighted beside them): Mean metrics a weighted sum over a weighted count, RMSE the root of the epoch's mean,
     * confusion-count metrics (precision, recall, AUC ROC and PR at 200 thresholds, F-scores, counts) and R2 from sums
     * over every batch. Expected: the numpy transcription of Keras' metrics (update_state / result).
     */
    @Test
    void metricsAccumulateOverTheEpochAsKerasWithAndWithoutSampleWeights() {
        Map<String, Double> expect = new java.util.LinkedHashMap<>();
        expect.put("binary_accuracy", 0.4666666666666667);
        expect.put("precision", 0.47058823529411764);
        expect.put("recall", 0.5333333333333333);
        expect.put("true_positives", 8.0);
        expect.put("false_negatives", 7.0);
        expect.put("auc", 0.4111111111111111);
        expect.put("pr_auc", 0.4873532923087325);
        expect.put("f1_macro", 0.44523804299490255);
        expect.put("f1_micro", 0.4999999470703174);
        expect.put("f2_weighted", 0.5029462950466104);
        expect.put("binary_crossentropy", 0.9929861346744916);
        expect.put("hinge", 1.0394333553810915);
        expect.put("mae", 2.0328297637403008);
        expect.put("root_mean_squared_error", 2.5511009271069267);
        expect.put("mape", 551.0575624551528);
        expect.put("msle", 0.47077575944065997);
        expect.put("log_cosh_error", 1.4509870069934347);
        expect.put("cosine_similarity", -0.23738751168624272);
        expect.put("r2_score", -3.07113544047537);
        expect.put("categorical_accuracy", 0.6);
        expect.put("weighted_binary_accuracy", 0.5060637213858197);
        expect.put("weighted_precision", 0.5155402054969694);
        expect.put("weighted_recall", 0.6908415214660452);
        expect.put("weighted_true_positives", 8.862710118293762);
        expect.put("weighted_false_negatives", 3.9661512672901154);
        expect.put("weighted_auc", 0.4414560368505502);
        expect.put("weighted_pr_auc", 0.5533783657691805);
        expect.put("weighted_f1_macro", 0.3346150744718968);
        expect.put("weighted_f1_micro", 0.5904541491084074);
        expect.put("weighted_f2_weighted", 0.6393905499021505);
        expect.put("weighted_binary_crossentropy", 1.0065752517095006);
        expect.put("weighted_hinge", 1.0148694455353298);
        expect.put("weighted_mae", 2.200232555288014);
        expect.put("weighted_root_mean_squared_error", 2.695984607081873);
        expect.put("weighted_mape", 820.44443319806);
        expect.put("weighted_msle", 0.543366207535398);
        expect.put("weighted_log_cosh_error", 1.5956941223112746);
        expect.put("weighted_cosine_similarity", -0.2632193637014266);
        expect.put("weighted_r2_score", -3.807710001725311);
        expect.put("weighted_categorical_accuracy", 0.7649779938326977);
        Map<String, Double> got = new java.util.LinkedHashMap<>();
        got.putAll(metrics("binary_crossentropy", P, YB, List.of("binary_accuracy", "precision", "recall", "true_positives",
                "false_negatives", "auc", new Auc().curve("PR").name("pr_auc"), FBetaScore.f1().average("macro").name("f1_macro"),
                FBetaScore.f1().average("micro").threshold(0.5).name("f1_micro"),
                new FBetaScore().beta(2).average("weighted").threshold(0.5).name("f2_weighted"), "binary_crossentropy", "hinge")));
        got.putAll(metrics("mse", Z, YR, List.of("mae", "root_mean_squared_error", "mape", "msle", "log_cosh_error",
                "cosine_similarity", "r2_score")));
        got.putAll(metrics("categorical_crossentropy", P, YO, List.of("categorical_accuracy")));
        for (Map.Entry<String, Double> e : expect.entrySet()) {
            assertTrue(got.containsKey(e.getKey()), e.getKey() + " in " + got.keySet());
            assertEquals(e.getValue(), got.get(e.getKey()), 2e-6 * Math.max(1, Math.abs(e.getValue())), e.getKey());
        }
    }

    /**
     * Targets of shape (B,) against an output (B, 1): Keras squeezes or expands them to the same rank (losses'
     * squeeze_or_expand_to_same_rank), so loss and metrics equal those of (B, 1) targets; numpy on column 0 of the data.
     */
    @Test
    void targetsOfOneRankLessMeetAnOutputOfOneColumnAsKeras() {
        float[] p = new float[N], y = new float[N];
        for (int i = 0; i < N; i++) {
            p[i] = P[i * C];
            y[i] = YB[i * C];
        }
        Sequential m = identity(1);
        m.compile("sgd", "binary_crossentropy", "accuracy", "mae", "auc");
        Tensor x = Tensor.of(p, N, 1);
        Map<String, Double> flat = m.evaluateAll(List.of(x), List.of(Tensor.of(y, N)), 4, null, Tensor.of(W, N));
        Map<String, Double> column = m.evaluateAll(List.of(x), List.of(Tensor.of(y, N, 1)), 4, null, Tensor.of(W, N));
        assertEquals(column, flat);
        assertEquals(0.9266392578667123, flat.get("loss"), 2e-6, "weighted binary cross-entropy");
        assertEquals(0.4, flat.get("accuracy"), 1e-7, "binary accuracy: one column");
        assertEquals(0.5605276867747306, flat.get("mae"), 1e-6);
    }
}
