package dev.jrnn.edges;

import dev.jrnn.edges.RefusalCases.Action;
import dev.jrnn.edges.RefusalCases.Case;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.tensor.Tensor;
import dev.jrnn.losses.Auc;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.losses.FBetaScore;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;


/**
 * Bad input at the entry points of the AUC and F-score metrics, the hinge losses and the global pooling layers: each
 * throws IllegalArgumentException naming the parameter, what it expects and what came (the listed words).
 */
class MetricLossLayerBadInputTest {
    private static final List<Case> CASES = new ArrayList<>();

    private static void bad(String name, Action action, String... words) {
        CASES.add(new Case(name, action, List.of(words)));
    }

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    static List<Case> cases() {
        if (CASES.isEmpty()) {
            metrics();
            losses();
            layers();
        }
        return CASES;
    }

    private static void metrics() {
        bad("auc num_thresholds 1", () -> new Auc().numThresholds(1), "numThresholds", "> 1", "got 1");
        bad("auc num_thresholds negative", () -> new Auc().numThresholds(-5), "numThresholds", "got -5");
        bad("auc curve PRGAIN", () -> new Auc().curve("PRGAIN"), "curve", "ROC or PR", "got PRGAIN");
        bad("auc curve null", () -> new Auc().curve(null), "curve", "ROC or PR", "got null");
        bad("auc summation", () -> new Auc().summationMethod("trapezoid"), "summationMethod", "interpolation, minoring or majoring",
                "got trapezoid");
        bad("auc threshold above 1", () -> new Auc().thresholds(0.5, 1.5), "thresholds", "[0, 1]", "1.5");
        bad("auc threshold NaN", () -> new Auc().thresholds(Double.NaN), "thresholds", "[0, 1]", "NaN");
        bad("auc no thresholds", () -> new Auc().thresholds(), "thresholds", "at least one", "got none");
        bad("auc blank name", () -> new Auc().name(" "), "name", "non-blank", "' '");
        bad("auc label_weights from a Keras file", () -> EpochMetric.deserialize(Map.of("class_name", "AUC", "config",
                Map.of("multi_label", true, "label_weights", List.of(1, 2)))), "label_weights", "not supported");
        bad("auc multi_label on a sequence output", () -> new Auc().multiLabel(true).checkOutput("seq", new int[] {5, 3}), "AUC 'auc",
                "expects 2-D outputs (batch, labels)", "output seq has shape (None, 5, 3)");
        bad("fbeta beta 0", () -> new FBetaScore().beta(0), "beta", "> 0", "got 0.0");
        bad("fbeta beta negative", () -> new FBetaScore().beta(-1), "beta", "> 0", "got -1.0");
        bad("fbeta beta NaN", () -> new FBetaScore().beta(Double.NaN), "beta", "> 0", "got NaN");
        bad("f1 with a beta", () -> FBetaScore.f1().beta(2), "beta", "F1Score has beta 1", "got beta 2.0");
        bad("fbeta average", () -> new FBetaScore().average("samples"), "average", "null, micro, macro or weighted", "got samples");
        bad("fbeta threshold 0", () -> new FBetaScore().threshold(0.0), "threshold", "(0, 1]", "got 0.0");
        bad("fbeta threshold above 1", () -> FBetaScore.f1().threshold(1.5), "threshold", "(0, 1]", "got 1.5");
        bad("fbeta blank name", () -> FBetaScore.f1().name(""), "name", "non-blank", "''");
        bad("metric of another type", () -> new Sequential(new Dense(1)).compile("adam", "mse", 0.5), "metric 0.5", "Double",
                "expected a metric name");
        bad("unknown metric", () -> EpochMetric.of("mean_iou"), "unknown metric 'mean_iou'", "auc, f1_score, f_beta_score");
        bad("metrics by an output name the model lacks", () -> new Sequential(new Dense(1).inputShape(2)).compile("adam", "mse",
                Map.of("out", "mae")), "metrics names output 'out'", "expected output names");
        bad("loss weights among the metrics", () -> new Sequential(new Dense(1)).compile("adam", "mse", List.of(0.5)), "[0.5]",
                "look like loss weights", "right after the losses");
        bad("loss weights by position, optimizer by name, one too few", () -> new Sequential(new Dense(1).inputShape(2)).compile("adam",
                List.of("mse"), List.of()), "expected one loss weight per output", "got 0 []");
        bad("loss weights by name, optimizer by name, NaN", () -> new Sequential(new Dense(1).inputShape(2).name("d")).compile("adam",
                Map.of("d", "mse"), Map.of("d", Double.NaN)), "loss weight of output 0 (d)", "finite number", "NaN");
        bad("f-score of a sequence output", () -> FBetaScore.f1().checkOutput("seq", new int[] {5, 3}), "F1Score 'f1_score'",
                "expects 2-D outputs", "output seq has shape (None, 5, 3)");
        bad("f1 on a sparse loss", () -> new Sequential(new Dense(3).inputShape(2)).compile("adam", "sparse_categorical_crossentropy",
                FBetaScore.f1()), "metric f1_score needs dense targets", "class indices");
    }

    private static void losses() {
        bad("hinge from logits", () -> Losses.of("hinge_from_logits"), "unknown loss 'hinge_from_logits'", "hinge, squared_hinge, categorical_hinge");
        bad("squared hinge with reduction none", () -> Losses.deserialize(Map.of("class_name", "SquaredHinge", "config", Map.of("reduction", "none"))),
                "SquaredHinge", "reduction none", "fit needs one number", "not supported");
        bad("categorical hinge with sparse targets' metric", () -> new Sequential(new Dense(3).inputShape(2)).compile("adam",
                "categorical_hinge", "sparse_categorical_accuracy"), "sparse_categorical_accuracy needs class-index targets", "categorical_hinge");
    }

    private static void layers() {
        bad("average pooling of a rank-2 tensor", () -> new GlobalAveragePooling1D().name("gap").call(Tensor.zeros(2, 3)),
                "gap: expected input (batch, steps, features)", "got (None, 3)");
        bad("max pooling of a rank-4 tensor", () -> new GlobalMaxPooling1D().name("gmp").call(Tensor.zeros(2, 3, 4, 5)),
                "gmp: expected input (batch, steps, features)", "got (None, 3, 4, 5)");
        bad("average pooling after a Dense in a Sequential", () -> new Sequential(new Dense(4).inputShape(3),
                new GlobalAveragePooling1D().name("gap2")), "gap2: expected input (batch, steps, features)", "(None, 4)");
        bad("max pooling after a recurrent layer without returnSequences", () -> new Sequential(new SimpleRNN(4).inputShape(5, 2),
                new GlobalMaxPooling1D().name("gmp2")), "gmp2: expected input (batch, steps, features)", "got (None, 4)", "returnSequences(true)");
        bad("average pooling of zero steps", () -> new GlobalAveragePooling1D().name("gap3").forward(
                java.util.List.of(dev.jrnn.backend.DTensor.zeros(dev.jrnn.Jrnn.backend(), 2, 0, 3)), null, false),
                "gap3: expected at least one step", "got (2, 0, 3)");
        bad("channels_first", () -> new GlobalAveragePooling1D().name("gap4").dataFormat("channels_first"),
                "gap4: dataFormat must be channels_last", "got channels_first");
        bad("null data format", () -> new GlobalMaxPooling1D().name("gmp3").dataFormat(null), "gmp3: dataFormat", "got null");
        bad("backend max over no steps", () -> dev.jrnn.Jrnn.backend().maxOverSteps(1, 0, 1, dev.jrnn.Jrnn.backend().alloc(1), 0,
                dev.jrnn.Jrnn.backend().alloc(1), 0), "maxOverSteps", "steps >= 1", "got batch 1, steps 0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(Case c) {
        RefusalCases.assertRefused(c);
    }

    /** Every case is distinct (a copied line would test nothing new). */
    @org.junit.jupiter.api.Test
    void casesAreDistinct() {
        RefusalCases.assertDistinct(cases().stream().map(Case::name).toList());
    }
}
