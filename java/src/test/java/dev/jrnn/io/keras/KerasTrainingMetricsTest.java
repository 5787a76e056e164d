package dev.jrnn.io.keras;

import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.losses.LossMetric;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KerasTraining}: the metric objects of a compile config as Keras 3 writes them (serialize_keras_object), with their options. */
class KerasTrainingMetricsTest {
    private static Map<?, ?> config(Sequential m, int i) { return (Map<?, ?>) ((Map<?, ?>) m.metricConfigs().get(i)).get("config"); }

    @Test
    void kerasMetricObjectsCompileWithTheirOptions() {
        dev.jrnn.Jrnn.setBackend("cpu");
        String obj = "{\"module\": \"keras.metrics\", \"class_name\": \"%s\", \"config\": %s, \"registered_name\": null}";
        String metrics = String.join(", ",
                String.format(obj, "R2Score", "{\"name\": \"r2\", \"dtype\": \"float32\", \"class_aggregation\": \"variance_weighted_average\", \"num_regressors\": 2}"),
                String.format(obj, "TruePositives", "{\"name\": \"tp\", \"dtype\": \"float32\", \"thresholds\": [0.25, 0.75]}"),
                String.format(obj, "FalseNegatives", "{\"name\": \"false_negatives\", \"dtype\": \"float32\", \"thresholds\": null}"),
                String.format(obj, "RecallAtPrecision", "{\"name\": \"rap\", \"dtype\": \"float32\", \"class_id\": 1, \"num_thresholds\": 50, \"precision\": 0.8}"),
                String.format(obj, "BinaryCrossentropy", "{\"name\": \"bce\", \"dtype\": \"float32\", \"from_logits\": true, \"label_smoothing\": 0.0}"),
                String.format(obj, "KLDivergence", "{\"name\": \"kl_divergence\", \"dtype\": \"float32\"}"),
                String.format(obj, "MeanSquaredError", "{\"name\": \"mean_squared_error\", \"dtype\": \"float32\"}"),
                "\"r2_score\"", "\"categorical_hinge\"");
        Sequential m = new Sequential(new dev.jrnn.layers.SimpleRNN(3).inputShape(4, 2), new Dense(2).activation("sigmoid"));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"binary_crossentropy\", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}},"
                + " \"metrics\": [" + metrics + "]}"), "f.keras");
        assertEquals(List.of("r2", "tp", "false_negatives", "rap", "bce", "kl_divergence", "mean_squared_error", "r2_score", "categorical_hinge"),
                m.metricNames());
        assertEquals("variance_weighted_average", config(m, 0).get("class_aggregation"));
        assertEquals(2, config(m, 0).get("num_regressors"));
        assertEquals(List.of(0.25, 0.75), config(m, 1).get("thresholds"));
        assertTrue(config(m, 2).containsKey("thresholds") && config(m, 2).get("thresholds") == null);
        assertEquals(Map.of("name", "rap", "dtype", "float32", "class_id", 1, "num_thresholds", 50, "precision", 0.8), config(m, 3));
        assertEquals(true, config(m, 4).get("from_logits"));
        assertEquals("MeanSquaredError", ((Map<?, ?>) m.metricConfigs().get(6)).get("class_name"), "saved back as the object Keras wrote");
        assertEquals("r2_score", m.metricConfigs().get(7));
        m.close();
    }

    /**
     * tf.keras 2 saves a model compiled with metric strings, once fitted, as MeanMetricWrapper objects of the functions
     * they resolved to (compile_utils, _get_compile_args(user_metrics=False)); with several outputs the name carries the
     * output's prefix. They compile as the metric named, else as the function (jrnn dropped every metric with a warning).
     */
    @Test
    void tfKeras2MeanMetricWrappersCompileAsTheirMetric() {
        dev.jrnn.Jrnn.setBackend("cpu");
        String w = "{\"class_name\": \"MeanMetricWrapper\", \"config\": {\"name\": \"%s\", \"dtype\": \"float32\", \"fn\": \"%s\"}}";
        Sequential m = new Sequential(new Dense(1).activation("sigmoid").inputShape(2));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"binary_crossentropy\", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}},"
                + " \"metrics\": [[" + String.format(w, "accuracy", "binary_accuracy") + ", " + String.format(w, "out_a_mae", "mean_absolute_error")
                + "]]}"), "f.h5", false);
        assertEquals(List.of("accuracy", "mae"), m.metricNames(), "out_a_mae: the output's prefix, then mae");
        m.close();
        // an .h5's training_config (it has optimizer_config): named as the same strings load there, as Keras 3's legacy
        // loader names "mae" (it loads such wrappers but fails at evaluate); jrnn logged mae before
        Sequential h = new Sequential(new Dense(1).activation("sigmoid").inputShape(2));
        KerasTraining.compile(h, Json.parse("{\"loss\": \"binary_crossentropy\", \"optimizer_config\": {\"class_name\": \"Adam\", \"config\": {}},"
                + " \"metrics\": [[" + String.format(w, "accuracy", "binary_accuracy") + ", " + String.format(w, "out_a_mae", "mean_absolute_error")
                + ", " + String.format(w, "auc_like", "binary_crossentropy") + "]]}"), "f.h5", false);
        assertEquals(List.of("accuracy", "mean_absolute_error", "binary_crossentropy"), h.metricNames());
        h.close();
        // one jrnn lacks (a custom function) leaves the model without metrics, with the warning that names it
        Sequential u = new Sequential(new Dense(1).activation("sigmoid").inputShape(2));
        List<String> warnings = assertDoesNotThrowWarnings(() -> KerasTraining.compile(u, Json.parse("{\"loss\": \"binary_crossentropy\","
                + " \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}}, \"metrics\": [[" + String.format(w, "r2", "my_r2") + "]]}"), "f.h5", false));
        assertEquals(List.of(), u.metricNames());
        assertTrue(warnings.size() == 1 && warnings.get(0).contains("MeanMetricWrapper") && warnings.get(0).contains("my_r2"), warnings.toString());
        u.close();
    }

    /**
     * Keras logs a metric object under its own name: RootMeanSquaredError(name="rmse") as "rmse", LogCoshError() as its
     * default "logcosh", Accuracy(name="acc") as "acc" (was the class's snake case, so a monitor="val_rmse" found nothing);
     * the name goes back into the file.
     */
    @Test
    void metricObjectsKeepTheNameKerasLogsThemUnder() {
        dev.jrnn.Jrnn.setBackend("cpu");
        String obj = "{\"module\": \"keras.metrics\", \"class_name\": \"%s\", \"config\": {\"name\": \"%s\", \"dtype\": \"float32\"}}";
        String metrics = String.join(", ", String.format(obj, "RootMeanSquaredError", "rmse"), String.format(obj, "LogCoshError", "logcosh"),
                String.format(obj, "Accuracy", "acc"), String.format(obj, "MeanAbsoluteError", "mean_absolute_error"));
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"mse\", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}},"
                + " \"metrics\": [" + metrics + "]}"), "f.keras");
        assertEquals(List.of("rmse", "logcosh", "acc", "mean_absolute_error"), m.metricNames());
        assertEquals("RootMeanSquaredError", ((Map<?, ?>) m.metricConfigs().get(0)).get("class_name"));
        assertEquals("rmse", config(m, 0).get("name"));
        dev.jrnn.tensor.Tensor x = dev.jrnn.tensor.Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), y = dev.jrnn.tensor.Tensor.of(new float[] {0, 1}, 2, 1);
        Map<String, Double> logs = m.evaluateAll(List.of(x), List.of(y), 2, null);
        Sequential same = new Sequential(new Dense(1).inputShape(2));
        same.setWeights(m.getWeights());
        same.compile("adam", "mse", "root_mean_squared_error", "log_cosh_error");
        Map<String, Double> want = same.evaluateAll(List.of(x), List.of(y), 2, null);
        assertEquals(want.get("root_mean_squared_error"), logs.get("rmse"));
        assertEquals(want.get("log_cosh_error"), logs.get("logcosh"));
        m.close();
        same.close();
    }

    /** An option jrnn lacks (a cross-entropy over another axis) drops the metrics with a warning but still compiles, as for any metric it cannot take. */
    @Test
    void anOptionJrnnLacksCompilesWithoutTheMetrics() {
        dev.jrnn.Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"mse\", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}}, \"metrics\": ["
                + "{\"class_name\": \"CategoricalCrossentropy\", \"config\": {\"name\": \"cce\", \"axis\": 1}}]}"), "f.keras");
        assertEquals(List.of(), m.metricNames());
        assertEquals("adam", m.optimizer().getClass().getSimpleName().toLowerCase());
        assertEquals(LossMetric.class, dev.jrnn.losses.EpochMetric.deserialize(Map.of("class_name", "Hinge", "config", Map.of())).getClass());
        m.close();
    }

    /**
     * Keras' metric classes that jrnn has at fixed settings (sparse top-k without from_sorted_ids, cosine similarity over
     * the last axis): a file's object with other settings
     * would log other numbers under the same name, so it drops the metrics with the warning; the defaults compile.
     */
    @Test
    void aMetricClassWithSettingsJrnnLacksDropsTheMetricsAndOneItHasCompiles() {
        dev.jrnn.Jrnn.setBackend("cpu");
        String[][] cases = {
                {"SparseTopKCategoricalAccuracy", "\"k\": 5, \"from_sorted_ids\": true", null},
                {"CosineSimilarity", "\"axis\": 0", null},
                // at jrnn's settings: compiled, logged under the object's name as Keras logs it
                {"SparseTopKCategoricalAccuracy", "\"k\": 5", "m"},
                {"BinaryAccuracy", "\"threshold\": 0.5", "m"},
                {"Precision", "\"thresholds\": null, \"top_k\": null, \"class_id\": null", "m"},
                {"Recall", "\"thresholds\": [0.5], \"top_k\": null, \"class_id\": null", "m"},
                {"CosineSimilarity", "\"axis\": -1", "m"},
                // with their options: the objects that have them
                {"SparseTopKCategoricalAccuracy", "\"k\": 3", "m"},
                {"TopKCategoricalAccuracy", "\"k\": 2", "m"},
                {"BinaryAccuracy", "\"threshold\": 0.7", "m"},
                {"Precision", "\"thresholds\": 0.7, \"top_k\": null, \"class_id\": null", "m"},
                {"Precision", "\"thresholds\": [0.5, 0.9], \"top_k\": null, \"class_id\": null", "m"},
                {"Recall", "\"thresholds\": null, \"top_k\": 2, \"class_id\": null", "m"},
                {"Recall", "\"thresholds\": null, \"top_k\": null, \"class_id\": 1", "m"}};
        List<String> wrong = new java.util.ArrayList<>();
        for (String[] c : cases) {
            Sequential m = new Sequential(new Dense(3).inputShape(2));
            String loss = c[0].startsWith("Sparse") ? "sparse_categorical_crossentropy" : "mse";
            KerasTraining.compile(m, Json.parse("{\"loss\": \"" + loss + "\", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}}, \"metrics\": ["
                    + "{\"module\": \"keras.metrics\", \"class_name\": \"" + c[0] + "\", \"config\": {\"name\": \"m\", \"dtype\": \"float32\", "
                    + c[1] + "}, \"registered_name\": null}]}"), "f.keras");
            if (!m.metricNames().equals(c[2] == null ? List.of() : List.of(c[2]))) wrong.add(c[0] + " {" + c[1] + "}: " + m.metricNames());
            assertEquals("Adam", m.optimizer().name(), "compiled either way");
            m.close();
        }
        assertEquals(List.of(), wrong);
    }

    private static List<String> assertDoesNotThrowWarnings(Runnable r) {
        try {
            return dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), r::run);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Keras' Accuracy class (a file's {"class_name": "Accuracy"}) counts predictions equal to their targets; it is not the
     * name "accuracy" that compile resolves from the loss (was binary accuracy: 0.6 where Keras 3.15.1 gave 0.0 in
     * KerasTrainingGoldensTest). Keras' docstring: targets [1, 2, 3, 4], predictions [0, 2, 3, 4] give 0.75; with sample
     * weights [1, 1, 0, 0] 0.5.
     */
    @Test
    void theAccuracyClassOfAFileCountsExactMatchesAsKeras() {
        dev.jrnn.Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new dev.jrnn.layers.Activation("linear").inputShape(1));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"binary_crossentropy\", \"optimizer\": {\"class_name\": \"SGD\", \"config\": {}},"
                + " \"metrics\": [{\"module\": \"keras.metrics\", \"class_name\": \"Accuracy\", \"config\": {\"name\": \"accuracy\","
                + " \"dtype\": \"float32\"}}]}"), "f.keras");
        dev.jrnn.tensor.Tensor p = dev.jrnn.tensor.Tensor.of(new float[] {0, 2, 3, 4}, 4, 1), y = dev.jrnn.tensor.Tensor.of(new float[] {1, 2, 3, 4}, 4, 1);
        assertEquals(0.75, m.evaluateAll(List.of(p), List.of(y), 4, null).get("accuracy"), 1e-7);
        assertEquals("Accuracy", ((Map<?, ?>) m.metricConfigs().get(0)).get("class_name"), "saved back as the class");
        Sequential w = new Sequential(new dev.jrnn.layers.Activation("linear").inputShape(1));
        w.compile("sgd", "mse", dev.jrnn.model.WeightedMetrics.of(new dev.jrnn.losses.Accuracy()));
        assertEquals(0.5, w.evaluateAll(List.of(p), List.of(y), 4, null, dev.jrnn.tensor.Tensor.of(new float[] {1, 1, 0, 0}, 4)).get("accuracy"), 1e-7);
        m.close();
        w.close();
    }
}
