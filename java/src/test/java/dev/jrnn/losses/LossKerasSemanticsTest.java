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
    private static final float[] P = {0.6125859022140503f, 0.8574924468994141f, 0.7481171488761902f, 0.252686470746994f, 0.32014966011047363f, 0.836198091506958f, 0.05473877489566803f, 0.7891055941581726f, 0.7673624753952026f, 0.4711414575576782f, 0.3227291703224182f, 0.3005830645561218f, 0.2793826162815094f, 0.45056867599487305f, 0.5040934085845947f, 0.5481476187705994f, 0.9459502696990967f, 0.7633957266807556f, 0.6099613308906555f, 0.9400641322135925f, 0.2437778264284134f, 0.1941908299922943f, 0.6012856364250183f, 0.08954780548810959f, 0.08211225271224976f, 0.5133999586105347f, 0.4695854187011719f, 0.8754509687423706f, 0.6163036227226257f, 0.5127058625221252f};
    private static final float[] Z = {-3.0602715015411377f, -0.9555065631866455f, -1.957038164138794f, -1.617674469947815f, 2.1217973232269287f, -1.6150693893432617f, -0.06504341214895248f, 1.7687797546386719f, -1.1672009229660034f, -0.2234039008617401f, 0.22092828154563904f, 0.12756355106830597f, -2.4501116275787354f, 0.15228046476840973f, 2.717646837234497f, -3.0942893028259277f, 1.718765377998352f, 0.23870804905891418f, -1.2829407453536987f, 4.000833034515381f, 1.524519443511963f, -2.3985776901245117f, 0.14903245866298676f, 1.153379201889038f, -0.3775642514228821f, 1.3658205270767212f, -0.13303464651107788f, 1.3344950675964355f, 2.877045154571533f, -1.3513245582580566f};
    private static final float[] YB = {1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 1.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    private static final float[] YS = {2.0f, 2.0f, 1.0f, 1.0f, 2.0f, 1.0f, 1.0f, 0.0f, 1.0f, 2.0f};
    private static final float[] YO = {0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 1.0f};
    private static final float[] YR = {0.8750735521316528f, -1.9363398551940918f, 0.520020067691803f, -2.53230619430542f, -3.0529935359954834f, -0.45671531558036804f, -1.3498914241790771f, 0.2460791915655136f, 3.3671350479125977f, -1.2475848197937012f, -0.9359153509140015f, 0.3081059157848358f, 0.7395199537277222f, -0.26460909843444824f, -0.3088954985141754f, 1.053694486618042f, 0.7798614501953125f, -1.550513744354248f, -0.1187719777226448f, 0.05293027311563492f, -1.5817269086837769f, 0.3897586464881897f, -1.286934733390808f, 1.4581000804901123f, 0.28911885619163513f, 0.13395972549915314f, -0.886542558670044f, -0.17791473865509033f, -2.996619462966919f, -1.6971112489700317f};
    private static final float[] YD = {0.26789021492004395f, 0.49001404643058777f, 0.2420957088470459f, 0.18530552089214325f, 0.5076919794082642f, 0.3070024847984314f, 0.21748597919940948f, 0.17364992201328278f, 0.6088641285896301f, 0.22906577587127686f, 0.5052551031112671f, 0.26567915081977844f, 0.24122768640518188f, 0.4149739742279053f, 0.34379833936691284f, 0.30795857310295105f, 0.22628042101860046f, 0.4657610356807709f, 0.29337891936302185f, 0.6576478481292725f, 0.048973213881254196f, 0.22626055777072906f, 0.2733641266822815f, 0.5003753304481506f, 0.14479254186153412f, 0.4649753272533417f, 0.3902321755886078f, 0.30931955575942993f, 0.27159151434898376f, 0.4190889000892639f};
    private static final float[] YR2 = {0.7657537460327148f, 3.7494120597839355f, 0.2704208791255951f, 6.412574768066406f, 9.320769309997559f, 0.2085888832807541f, 1.8222068548202515f, 0.06055497005581856f, 11.33759880065918f, 1.556467890739441f, 0.8759375214576721f, 0.09492925554513931f, 0.5468897819519043f, 0.0700179785490036f, 0.09541642665863037f, 1.1102720499038696f, 0.6081838607788086f, 2.404092788696289f, 0.014106783084571362f, 0.0028016138821840286f, 2.5018599033355713f, 0.15191179513931274f, 1.6562010049819946f, 2.126055955886841f, 0.08358971029520035f, 0.01794520765542984f, 0.7859576940536499f, 0.03165365383028984f, 8.979727745056152f, 2.8801865577697754f};
    private static final float[] W = {0.6653628945350647f, 0.7965511083602905f, 0.4058234989643097f, 0.10140810906887054f, 0.4258163869380951f, 1.8309288024902344f, 1.68033766746521f, 0.22481147944927216f, 1.207558035850525f, 0.9583929777145386f};

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
}
