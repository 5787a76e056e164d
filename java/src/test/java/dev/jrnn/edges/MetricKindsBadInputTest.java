package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Loss;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.losses.FalsePositives;
import dev.jrnn.losses.LossMetric;
import dev.jrnn.losses.PrecisionAtRecall;
import dev.jrnn.losses.R2Score;
import dev.jrnn.losses.RecallAtPrecision;
import dev.jrnn.losses.SensitivityAtSpecificity;
import dev.jrnn.losses.SpecificityAtSensitivity;
import dev.jrnn.losses.TrueNegatives;
import dev.jrnn.losses.TruePositives;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at the entry points of the loss-named metrics, R2Score, the confusion counts and the metrics at a fixed rate:
 * each throws IllegalArgumentException naming the parameter, what it expects and what came (the listed words); a model
 * whose output a metric cannot take is refused before it trains.
 */
class MetricKindsBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Arguments bad(String name, Executable call, String... words) { return Arguments.of(name, call, List.of(words)); }

    static Stream<Arguments> cases() {
        return Stream.of(
            bad("renamed metric blank name", () -> dev.jrnn.losses.Metric.RMSE.named(""), "Metric.named", "name", "non-blank", "''"),
            bad("renamed accuracy", () -> dev.jrnn.losses.Metric.ACCURACY.named("acc2"), "Metric.named", "resolves from the shapes",
                    "binary_accuracy", "got ACCURACY"),
            bad("mean metric null name", () -> dev.jrnn.losses.MeanMetric.of(null, (y, p) -> 0), "MeanMetric.of", "name", "non-blank", "null"),
            bad("mean metric blank name", () -> dev.jrnn.losses.MeanMetric.of(" ", (y, p) -> 0), "MeanMetric.of", "name", "non-blank", "' '"),
            bad("mean metric null function", () -> dev.jrnn.losses.MeanMetric.of("m", null), "MeanMetric.of", "fn", "(target, prediction)", "null"),
            bad("mean metric of dense targets on a sparse loss", () -> new Sequential(new Dense(3).inputShape(2)).compile("adam",
                    "sparse_categorical_crossentropy", dev.jrnn.losses.MeanMetric.of("m", (y, p) -> 0)), "metric m", "dense targets"),
            bad("r2 class_aggregation", () -> new R2Score().classAggregation("macro"), "classAggregation",
                    "null, uniform_average or variance_weighted_average", "got macro"),
            bad("r2 negative num_regressors", () -> new R2Score().numRegressors(-1), "numRegressors", ">= 0", "got -1"),
            bad("r2 blank name", () -> new R2Score().name(""), "R2Score.name", "non-blank", "''"),
            bad("r2 from a Keras file, class_aggregation", () -> EpochMetric.deserialize(Map.of("class_name", "R2Score", "config",
                    Map.of("class_aggregation", "raw_values"))), "classAggregation", "uniform_average", "got raw_values"),
            bad("r2 of a sequence output", () -> new R2Score().checkOutput("seq", new int[] {5, 3}), "R2Score 'r2_score'", "expects 2-D outputs",
                    "output seq has shape (None, 5, 3)"),
            bad("r2 on a sparse loss", () -> new Sequential(new Dense(3).inputShape(2)).compile("adam", "sparse_categorical_crossentropy", "r2_score"),
                    "metric r2_score needs dense targets", "class indices"),
            bad("true positives threshold above 1", () -> new TruePositives().thresholds(0.5, 1.5), "TruePositives.thresholds", "[0, 1]", "1.5"),
            bad("false positives threshold negative", () -> new FalsePositives().thresholds(-0.1), "FalsePositives.thresholds", "[0, 1]", "-0.1"),
            bad("true negatives threshold NaN", () -> new TrueNegatives().thresholds(Double.NaN), "TrueNegatives.thresholds", "[0, 1]", "NaN"),
            bad("true positives no thresholds", () -> new TruePositives().thresholds(), "TruePositives.thresholds", "at least one", "got none"),
            bad("false negatives threshold from a Keras file", () -> EpochMetric.deserialize(Map.of("class_name", "FalseNegatives", "config",
                    Map.of("thresholds", List.of(0.2, 2)))), "FalseNegatives.thresholds", "[0, 1]", "2.0"),
            bad("true positives thresholds a string", () -> EpochMetric.deserialize(Map.of("class_name", "TruePositives", "config",
                    Map.of("thresholds", "0.5"))), "TruePositives thresholds", "a number, a list", "got 0.5"),
            bad("precision at recall above 1", () -> new PrecisionAtRecall(1.2), "PrecisionAtRecall", "recall must be in [0, 1]", "got 1.2"),
            bad("recall at precision negative", () -> new RecallAtPrecision(-0.5), "RecallAtPrecision", "precision must be in [0, 1]", "got -0.5"),
            bad("sensitivity at specificity NaN", () -> new SensitivityAtSpecificity(Double.NaN), "specificity must be in [0, 1]", "got NaN"),
            bad("specificity at sensitivity num_thresholds 0", () -> new SpecificityAtSensitivity(0.5).numThresholds(0),
                    "SpecificityAtSensitivity.numThresholds", "> 0", "got 0"),
            bad("precision at recall negative class id", () -> new PrecisionAtRecall(0.5).classId(-1), "PrecisionAtRecall.classId", ">= 0", "got -1"),
            bad("class id beyond the output", () -> new RecallAtPrecision(0.5).name("recall_at_precision").classId(3).checkOutput("probs", new int[] {3}),
                    "RecallAtPrecision 'recall_at_precision'", "classId must be below the output's 3 columns", "got 3", "output probs"),
            bad("precision at recall by name", () -> EpochMetric.of("precision_at_recall"), "metric 'precision_at_recall' needs the rate",
                    "new PrecisionAtRecall(0.8)"),
            bad("precision at recall from a Keras file without its recall", () -> EpochMetric.deserialize(Map.of("class_name", "PrecisionAtRecall",
                    "config", Map.of("num_thresholds", 10))), "PrecisionAtRecall needs recall", "a number in [0, 1]", "got null"),
            bad("precision threshold above 1", () -> new dev.jrnn.losses.Precision().thresholds(0.5, 1.5), "Precision.thresholds", "[0, 1]", "1.5"),
            bad("recall no thresholds", () -> new dev.jrnn.losses.Recall().thresholds(), "Recall.thresholds", "at least one", "got none"),
            bad("precision top_k 0", () -> new dev.jrnn.losses.Precision().topK(0), "Precision.topK", ">= 1", "got 0"),
            bad("recall negative class id", () -> new dev.jrnn.losses.Recall().classId(-2), "Recall.classId", ">= 0", "got -2"),
            bad("precision blank name", () -> new dev.jrnn.losses.Precision().name(""), "Precision.name", "non-blank", "''"),
            bad("precision class id beyond the output", () -> new dev.jrnn.losses.Precision().classId(3).checkOutput("probs", new int[] {3}),
                    "Precision 'precision", "classId must be below the output's 3 columns", "got 3", "output probs"),
            bad("recall top_k beyond the output", () -> new dev.jrnn.losses.Recall().topK(4).checkOutput("probs", new int[] {5, 3}),
                    "Recall 'recall", "topK must be at most the output's 3 columns", "got 4", "output probs"),
            bad("precision top_k from a Keras file not whole", () -> EpochMetric.deserialize(Map.of("class_name", "Precision", "config",
                    Map.of("top_k", 1.5))), "Precision top_k", "a whole number", "got 1.5"),
            bad("recall thresholds from a Keras file a string", () -> EpochMetric.deserialize(Map.of("class_name", "Recall", "config",
                    Map.of("thresholds", "0.3"))), "Recall thresholds", "a number, a list", "got 0.3"),
            bad("top-k accuracy k 0", () -> new dev.jrnn.losses.TopKCategoricalAccuracy().k(0), "TopKCategoricalAccuracy.k", ">= 1", "got 0"),
            bad("sparse top-k accuracy k negative", () -> new dev.jrnn.losses.SparseTopKCategoricalAccuracy().k(-1),
                    "SparseTopKCategoricalAccuracy.k", ">= 1", "got -1"),
            bad("binary accuracy threshold NaN", () -> new dev.jrnn.losses.BinaryAccuracy().threshold(Double.NaN), "BinaryAccuracy.threshold",
                    "finite number", "got NaN"),
            bad("binary accuracy blank name", () -> new dev.jrnn.losses.BinaryAccuracy().name(" "), "BinaryAccuracy.name", "non-blank", "' '"),
            bad("accuracy class blank name", () -> new dev.jrnn.losses.Accuracy().name(" "), "Accuracy.name", "non-blank", "' '"),
            bad("top-k accuracy k from a Keras file not whole", () -> EpochMetric.deserialize(Map.of("class_name", "TopKCategoricalAccuracy",
                    "config", Map.of("k", 2.5))), "TopKCategoricalAccuracy k", "whole number", "got 2.5"),
            bad("binary accuracy threshold from a Keras file a string", () -> EpochMetric.deserialize(Map.of("class_name", "BinaryAccuracy",
                    "config", Map.of("threshold", "0.7"))), "BinaryAccuracy threshold", "a number", "got 0.7"),
            bad("sparse top-k accuracy on a dense loss", () -> new Sequential(new Dense(3).inputShape(2)).compile("adam", "categorical_crossentropy",
                    new dev.jrnn.losses.SparseTopKCategoricalAccuracy().k(2)), "sparse_top_k_categorical_accuracy", "class-index targets"),
            bad("loss metric of mse", () -> new LossMetric(Loss.MSE), "LossMetric: loss must be one Keras has a metric class for", "got MSE",
                    "\"mean_squared_error\" is a Metric"),
            bad("loss metric of huber", () -> new LossMetric(Loss.HUBER), "LossMetric: loss", "got HUBER", "none in Keras"),
            bad("loss metric of log_cosh", () -> new LossMetric(Loss.LOG_COSH), "LossMetric: loss", "got LOG_COSH", "\"log_cosh_error\" is a Metric"),
            bad("loss metric of a focal loss", () -> new LossMetric(Loss.BINARY_FOCAL_CROSSENTROPY), "LossMetric: loss",
                    "got BINARY_FOCAL_CROSSENTROPY", "none in Keras"),
            bad("mean metric named loss", () -> dev.jrnn.losses.MeanMetric.of("loss", (y, p) -> 0), "MeanMetric.of", "name",
                    "a key fit logs itself", "got 'loss'"),
            bad("mean metric named val_", () -> dev.jrnn.losses.MeanMetric.of("val_x", (y, p) -> 0), "MeanMetric.of", "name", "got 'val_x'"),
            bad("loss metric of null", () -> new LossMetric(null), "LossMetric: loss", "got null"),
            bad("loss metric blank name", () -> new LossMetric(Loss.POISSON).name(" "), "LossMetric.name", "non-blank", "' '"),
            bad("kld is no Keras 3 metric name", () -> EpochMetric.of("kld"), "unknown metric 'kld'", "kl_divergence"),
            bad("sparse cross-entropy metric on a dense loss", () -> new Sequential(new Dense(3).inputShape(2)).compile("adam", "categorical_crossentropy",
                    "sparse_categorical_crossentropy"), "metric sparse_categorical_crossentropy needs class-index targets", "takes dense targets"),
            bad("binary cross-entropy metric on a sparse loss", () -> new Sequential(new Dense(3).inputShape(2)).compile("adam",
                    "sparse_categorical_crossentropy", "bce"), "metric bce needs dense targets", "class indices"),
            bad("categorical cross-entropy metric with label smoothing out of [0, 1] from a Keras file", () -> EpochMetric.deserialize(
                    Map.of("class_name", "CategoricalCrossentropy", "config", Map.of("label_smoothing", 1.5))), "metric CategoricalCrossentropy",
                    "Loss.labelSmoothing: expected a number in [0, 1], got 1.5", "not supported"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(String name, Executable call, List<String> words) {
        RefusalCases.assertRefused(name, call, words);
    }

    /** Every case is distinct (a copied line would test nothing new). */
    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    /** R2Score on a sequence output and a class id beyond the columns (precision's too) are refused at fit's start: the weights stay as they were. */
    @Test
    void anOutputAMetricCannotTakeIsRefusedBeforeTraining() {
        Tensor x = Tensor.zeros(4, 4, 2);
        for (EpochMetric metric : List.of(new R2Score(), new SensitivityAtSpecificity(0.5).classId(2), new dev.jrnn.losses.Precision().classId(2))) {
            Sequential m = new Sequential(new SimpleRNN(3).returnSequences(true).inputShape(4, 2), new Dense(2).activation("sigmoid").name("probs"));
            m.compile("adam", "binary_crossentropy", metric);
            float before = m.getWeights().get(0).data()[0];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(x, Tensor.zeros(4, 4, 2), new FitOptions().epochs(1).batchSize(2).verbose(0)));
            assertTrue(e.getMessage().contains("output probs"), e.getMessage());
            assertEquals(before, m.getWeights().get(0).data()[0], "the model did not train");
            m.close();
        }
    }
}
