package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import dev.jrnn.layers.Identity;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.WeightedMetrics;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Metric}: Keras' names, accuracy resolved from the loss, MAE/MSE per row, masked rows. */
class MetricTest {
    /** A built-in metric updated by hand without the loss it reads names the parameter (was a bare NullPointerException). */
    @Test
    void nullLossIsRefusedByName() {
        double[] state = new double[Metric.ACCURACY.stateSize(1)];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metric.ACCURACY.update(null, 2, 1, new float[] {0.2f, 0.9f}, new float[] {0, 1}, null, state));
        assertEquals("metric accuracy: loss must be the model's loss (Loss.MSE, ...), got null", e.getMessage());
        assertEquals(0, state[0] + state[1], "state left as it was");
    }

    @Test
    void kerasNamesAndKeys() {
        assertEquals(Metric.ACCURACY, Metric.of("acc"));
        assertEquals(Metric.MAE, Metric.of(" Mean_Absolute_Error "));
        assertEquals(Metric.MSE, Metric.of("mean_squared_error"));
        for (Metric m : Metric.values()) assertEquals(m, Metric.of(m.key()));
        assertEquals(Metric.MAE, Metric.of("MeanAbsoluteError"), "Keras' class names, as metrics.get takes them");
        assertEquals(Metric.MSE, Metric.of("MeanSquaredError"));
        assertEquals(Metric.ACCURACY, Metric.of("Accuracy"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metric.of("f1"));
        assertEquals("unknown metric 'f1': expected one of accuracy, mae, mse, root_mean_squared_error, mape, msle, log_cosh_error,"
                + " cosine_similarity, pearson_correlation, concordance_correlation, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,"
                + " sparse_top_k_categorical_accuracy, precision, recall", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Metric.of(null));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
    }

    @Test
    void accuracyResolvesFromTheLoss() {
        float[] pred = {0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f};   // rows argmax 1, 0
        assertEquals(2, Metric.ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {1, 0}, null));
        assertEquals(1, Metric.ACCURACY.sum(Loss.CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {0, 1, 0, 0, 0, 1}, null));
        // several columns: Keras 3 takes categorical accuracy even for binary cross-entropy (argmax 1 vs argmax 0)
        assertEquals(0, Metric.ACCURACY.sum(Loss.BINARY_CROSSENTROPY, 1, 2, new float[] {0.4f, 0.9f}, new float[] {0, 0}, null), 1e-9);
        assertEquals(1, Metric.ACCURACY.sum(Loss.BINARY_CROSSENTROPY_LOGITS, 1, 2, new float[] {-2f, 0.5f}, new float[] {0, 1}, null), 1e-9);
        assertEquals(0.5, Metric.MAE.sum(Loss.MSE, 1, 2, new float[] {1, 2}, new float[] {1.5f, 1.5f}, null), 1e-9);
        assertEquals(0.25, Metric.MSE.sum(Loss.MSE, 1, 2, new float[] {1, 2}, new float[] {1.5f, 1.5f}, null), 1e-9);
        // masked rows do not count
        assertEquals(1, Metric.ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {1, 2}, new float[] {1, 0}));
        assertEquals(1, Metric.ACCURACY.count(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {1, 2}, new float[] {1, 0}));
    }

    /** Keras 3's get_metric: one column is binary accuracy (threshold 0.5) for any dense loss, several are argmax matches. */
    @Test
    void accuracyResolvesFromTheShapesWhateverTheDenseLoss() {
        float[] p = {0.7f, 0.2f, 0.55f, 0.4f}, y = {1, 0, 0, 0};   // rows of one column: 1, 1, 0, 1 correct
        for (Loss l : new Loss[] {Loss.MSE, Loss.MAE, Loss.HUBER, Loss.BINARY_CROSSENTROPY}) {
            assertEquals(3, Metric.ACCURACY.sum(l, 4, 1, p, y, null), 1e-9, l.name());
        }
        assertEquals(0, Metric.ACCURACY.sum(Loss.MSE, 1, 1, new float[] {0.9f}, new float[] {0.9f}, null), 1e-9,
                "a target that is not 0 or 1 never matches the thresholded prediction");
        float[] p2 = {0.1f, 0.8f, 0.3f, 0.9f, 0.2f, 0.6f}, y2 = {0, 1, 0, 0, 1, 1};   // argmax 1 vs 1, 0 vs 1
        for (Loss l : new Loss[] {Loss.MSE, Loss.BINARY_CROSSENTROPY, Loss.POISSON}) {
            assertEquals(1, Metric.ACCURACY.sum(l, 2, 3, p2, y2, null), 1e-9, l.name());
        }
        // one column is binary before sparse, as Keras checks is_binary first: (0.7 > 0.5) == 1, (0.2 > 0.5) == 0 both match,
        // where an argmax over one column (always 0) would match the class-0 row only
        assertEquals(2, Metric.ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 1, new float[] {0.7f, 0.2f}, new float[] {1, 0}, null),
                1e-9);
    }

    @Test
    void errorMetricsNeedDenseTargetsAndAverageOverColumns() {
        // rows (1, 2) vs (0, 4) and (3, 3) vs (3, 0): MAE per row (1 + 2) / 2 and (0 + 3) / 2
        float[] p = {1, 2, 3, 3}, y = {0, 4, 3, 0};
        assertEquals(1.5 + 1.5, Metric.MAE.sum(Loss.MSE, 2, 2, p, y, null), 1e-9);
        assertEquals((1 + 4) / 2.0 + 9 / 2.0, Metric.MSE.sum(Loss.MAE, 2, 2, p, y, null), 1e-9);
        assertEquals(2.0, Metric.MSE.count(Loss.MSE, 2, 2, p, y, null));
        assertEquals(0.5 * 4.5, Metric.MSE.sum(Loss.MSE, 2, 2, p, y, new float[] {0, 0.5f}), 1e-9, "weighted rows");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metric.MAE.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 1, 2, p, new float[] {1}, null));
        assertTrue(e.getMessage().contains("dense targets"), e.getMessage());
    }

    /** sum / count over the rows, then Metric.value, as an epoch of one batch gives it. */
    private static double result(Metric m, Loss loss, int cols, float[] y, float[] p, float[] w) {
        int rows = p.length / cols;
        return m.value(m.sum(loss, rows, cols, p, y, w), m.count(loss, rows, cols, p, y, w));
    }

    /** The examples in Keras 3's own docstrings (keras/src/metrics/*.py), unweighted and with sample_weight. */
    @Test
    void kerasDocstringExamples() {
        float[] y = {0, 1, 0, 0}, p = {1, 1, 0, 0};   // [[0, 1], [0, 0]] vs [[1, 1], [0, 0]]
        float[] w10 = {1, 0};
        assertEquals(0.5, result(Metric.RMSE, Loss.MSE, 2, y, p, null), 1e-7);
        assertEquals(0.70710677, result(Metric.RMSE, Loss.MSE, 2, y, p, w10), 1e-7);
        assertEquals(250000000.0, result(Metric.MAPE, Loss.MSE, 2, y, p, null), 1e-3);
        assertEquals(500000000.0, result(Metric.MAPE, Loss.MSE, 2, y, p, w10), 1e-3);
        assertEquals(0.12011322, result(Metric.MSLE, Loss.MSE, 2, y, p, null), 1e-7);
        assertEquals(0.24022643, result(Metric.MSLE, Loss.MSE, 2, y, p, w10), 1e-7);
        assertEquals(0.10844523, result(Metric.LOG_COSH, Loss.MSE, 2, y, p, null), 1e-7);
        assertEquals(0.21689045, result(Metric.LOG_COSH, Loss.MSE, 2, y, p, w10), 1e-7);
        float[] cy = {0, 1, 1, 1}, cp = {1, 0, 1, 1};
        assertEquals(0.49999997, result(Metric.COSINE_SIMILARITY, Loss.MSE, 2, cy, cp, null), 1e-7);
        assertEquals(0.6999999, result(Metric.COSINE_SIMILARITY, Loss.MSE, 2, cy, cp, new float[] {0.3f, 0.7f}), 1e-6);

        float[] by = {1, 1, 0, 0}, bp = {0.98f, 1, 0, 0.6f};
        assertEquals(0.75, result(Metric.BINARY_ACCURACY, Loss.BINARY_CROSSENTROPY, 1, by, bp, null), 1e-9);
        assertEquals(0.5, result(Metric.BINARY_ACCURACY, Loss.BINARY_CROSSENTROPY, 1, by, bp, new float[] {1, 0, 0, 1}), 1e-9);
        float[] ky = {0, 0, 1, 0, 1, 0}, kp = {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0};
        assertEquals(0.5, result(Metric.CATEGORICAL_ACCURACY, Loss.CATEGORICAL_CROSSENTROPY, 3, ky, kp, null), 1e-9);
        assertEquals(0.3, result(Metric.CATEGORICAL_ACCURACY, Loss.CATEGORICAL_CROSSENTROPY, 3, ky, kp, new float[] {0.7f, 0.3f}), 1e-7);
        float[] sy = {2, 1}, sp = {0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0};
        assertEquals(0.5, result(Metric.SPARSE_CATEGORICAL_ACCURACY, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 3, sy, sp, null), 1e-9);
        assertEquals(0.3, result(Metric.SPARSE_CATEGORICAL_ACCURACY, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 3, sy, sp,
                new float[] {0.7f, 0.3f}), 1e-7);
        float[] py = {0, 1, 1, 1}, pp = {1, 0, 1, 1};
        assertEquals(0.6666667, result(Metric.PRECISION, Loss.BINARY_CROSSENTROPY, 1, py, pp, null), 1e-7);
        assertEquals(1.0, result(Metric.PRECISION, Loss.BINARY_CROSSENTROPY, 1, py, pp, new float[] {0, 0, 1, 0}), 1e-9);
        assertEquals(0.6666667, result(Metric.RECALL, Loss.BINARY_CROSSENTROPY, 1, py, pp, null), 1e-7);
        assertEquals(1.0, result(Metric.RECALL, Loss.BINARY_CROSSENTROPY, 1, py, pp, new float[] {0, 0, 1, 0}), 1e-9);
        // nothing predicted positive: 0, as Keras' divide_no_nan
        assertEquals(0.0, result(Metric.PRECISION, Loss.BINARY_CROSSENTROPY, 1, py, new float[] {0, 0.5f, 0.1f, 0}, null));
    }

    /**
     * Keras 3's docstrings (keras/src/metrics/correlation_metrics.py): per row [1, 0.99339927] (Pearson) and [0.97560976,
     * 0.98765432] (concordance, whose covariance centres y on the predictions' mean), the metric objects' means 0.9966996338993913 and 0.9816320385426076; weighted as Keras'
     * MeanMetricWrapper, (0.3 a + 0.7 b) / 1.
     */
    @Test
    void correlationsAsKerasDocstrings() {
        float[] y = {0, 1, 0.5f, 1, 1, 0.2f}, p = {0.1f, 0.9f, 0.5f, 1, 0.9f, 0.2f};
        assertEquals(0.9966996338993913, result(Metric.PEARSON_CORRELATION, Loss.MSE, 3, y, p, null), 1e-7);
        // the docstring's 40/41 and 80/81 leave out the 1e-7 that Keras' code adds to the denominator (0.27333 and 0.27)
        double c1 = (0.8 / 3) / (0.82 / 3 + 1e-7), c2 = (0.8 / 3) / (0.81 / 3 + 1e-7);
        assertEquals(0.9816320385426076, result(Metric.CONCORDANCE_CORRELATION, Loss.MSE, 3, y, p, null), 1e-6);
        assertEquals((c1 + c2) / 2, result(Metric.CONCORDANCE_CORRELATION, Loss.MSE, 3, y, p, null), 1e-8);
        float[] w = {0.3f, 0.7f};
        assertEquals(0.3 * 1 + 0.7 * 0.99339927, result(Metric.PEARSON_CORRELATION, Loss.MSE, 3, y, p, w), 1e-7);
        assertEquals(0.3 * c1 + 0.7 * c2, result(Metric.CONCORDANCE_CORRELATION, Loss.MSE, 3, y, p, w), 1e-8);
        // a row of equal predictions: Pearson divides by a zero deviation (NaN, as Keras'); concordance has its epsilon
        float[] flat = {1, 1, 1};
        assertTrue(Double.isNaN(result(Metric.PEARSON_CORRELATION, Loss.MSE, 3, new float[] {0, 1, 2}, flat, null)));
        assertEquals(0.0, result(Metric.CONCORDANCE_CORRELATION, Loss.MSE, 3, new float[] {0, 1, 2}, flat, null), 1e-12);
        assertEquals(Metric.PEARSON_CORRELATION, Metric.of("PearsonCorrelation"));
        assertEquals(Metric.CONCORDANCE_CORRELATION, Metric.of("ConcordanceCorrelation"));
        assertTrue(Metric.PEARSON_CORRELATION.higherIsBetter() && Metric.CONCORDANCE_CORRELATION.higherIsBetter(), "Keras' direction up");
    }

    @Test
    void topKCountsTiesIn() {
        // 7 classes; the target's prediction is the 5th highest, then the 6th, then tied with the 5th
        float[] p = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f,
                0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f,
                0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.5f, 0.3f};
        float[] sparse = {4, 5, 5};
        assertEquals(2.0, Metric.SPARSE_TOP_K_CATEGORICAL_ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 3, 7, p, sparse, null));
        float[] oneHot = new float[21];
        for (int r = 0; r < 3; r++) oneHot[r * 7 + (int) sparse[r]] = 1;
        assertEquals(2.0, Metric.TOP_K_CATEGORICAL_ACCURACY.sum(Loss.CATEGORICAL_CROSSENTROPY, 3, 7, p, oneHot, null));
    }

    @Test
    void theNamesKerasMetricsGetTakes() {
        assertEquals(Metric.RMSE, Metric.of("RootMeanSquaredError"));
        assertEquals(Metric.RMSE, Metric.of("root_mean_squared_error"));
        assertEquals(Metric.MAPE, Metric.of("MAPE"));
        assertEquals(Metric.MSLE, Metric.of("MeanSquaredLogarithmicError"));
        assertEquals(Metric.LOG_COSH, Metric.of("LogCoshError"));
        assertEquals(Metric.SPARSE_TOP_K_CATEGORICAL_ACCURACY, Metric.of("SparseTopKCategoricalAccuracy"));
        assertEquals(Metric.PRECISION, Metric.of("Precision"));
        // not Keras names: refused as Keras' metrics.get refuses them
        assertThrows(IllegalArgumentException.class, () -> Metric.of("rmse"));
        assertThrows(IllegalArgumentException.class, () -> Metric.of("auc"));
    }

    /**
     * A row weighing 0 (sample weight 0, or a masked step) whose value is NaN makes the mean-of-a-value metrics NaN, as
     * Keras' Mean adds 0 * NaN (zero_weight_nan/make_zero_weight_nan.py, Keras 3.15.1): mse, mae, rmse, pearson and the
     * other Metric constants, a MeanMetric, and for a NaN target the F-scores; those that compare (accuracies,
     * BinaryAccuracy(0.7), precision, AUC) stay finite. Before, jrnn skipped such rows and gave finite values.
     */
    @Test
    void aRowWeighingZeroAddsItsNaNAsKeras() throws Exception {
        Map<?, ?> g;
        try (java.io.InputStream s = MetricTest.class.getResourceAsStream("zero_weight_nan/zero_weight_nan.json")) {
            g = (Map<?, ?>) dev.jrnn.io.Json.parse(new String(s.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertKeras("weighted", (Map<?, ?>) g.get("weighted"), identity(false, golden(g.get("p")), golden(g.get("y")), golden(g.get("w"))));
        assertKeras("masked", (Map<?, ?>) g.get("masked"), identity(true, golden(g.get("p_seq")), golden(g.get("y_seq")), null));
        Model m = model(false, golden(g.get("p_t")));   // the NaN in the target instead: the F-scores take it too, AUC does not
        m.compile("sgd", "mse", WeightedMetrics.of("mse", FBetaScore.f1().average("macro").threshold(0.5).name("f1_macro"),
                FBetaScore.f1().average("micro").name("f1_micro"), "auc", "precision"));
        assertKeras("nan_target", (Map<?, ?>) g.get("nan_target"),
                m.evaluateAll(List.of(golden(g.get("p_t"))), List.of(golden(g.get("y_t"))), 2, null, golden(g.get("w"))));
    }

    /** Keras' evaluate of the generator's metrics (as weighted_metrics) through an identity model, Masking first if {@code mask}. */
    private static Map<String, Double> identity(boolean mask, Tensor p, Tensor y, Tensor w) {
        Model m = model(mask, p);
        MeanMetric maxAbs = MeanMetric.of("max_abs_error", (t, q) -> {
            double r = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < t.length; i++) r = Math.max(r, Math.abs((double) t[i] - q[i]));   // NaN in, NaN out
            return r;
        });
        m.compile("sgd", "mse", WeightedMetrics.of("mse", "mae", "root_mean_squared_error", "pearson_correlation",
                "concordance_correlation", "mape", "msle", "log_cosh_error", "cosine_similarity", "binary_accuracy", "categorical_accuracy",
                "top_k_categorical_accuracy", "precision", "recall", new BinaryAccuracy().threshold(0.7).name("binary_accuracy_07"), maxAbs));
        return w == null ? m.evaluateAll(List.of(p), List.of(y), 2, null) : m.evaluateAll(List.of(p), List.of(y), 2, null, w);
    }

    /** An identity model for predictions {@code p}, Masking first if {@code mask}. */
    private static Model model(boolean mask, Tensor p) {
        dev.jrnn.Jrnn.setBackend("cpu");
        dev.jrnn.Jrnn.clearSession();
        Input in = Input.shape(java.util.Arrays.copyOfRange(p.shape(), 1, p.rank()));
        Node h = mask ? new Masking(0.0).apply(in) : in;
        return new Model(in, new Identity().apply(h));
    }

    private static void assertKeras(String what, Map<?, ?> keras, Map<String, Double> got) {
        assertEquals(new java.util.TreeSet<>(keras.keySet()), new java.util.TreeSet<>(got.keySet()), what);
        for (Map.Entry<?, ?> e : keras.entrySet()) {
            double g = got.get(e.getKey());
            if (e.getValue().equals("NaN")) assertTrue(Double.isNaN(g), what + " " + e.getKey() + ": Keras NaN, got " + g);
            else assertEquals(((Number) e.getValue()).doubleValue(), g, 2e-6 * Math.max(1, Math.abs(g)), what + " " + e.getKey());
        }
    }

    /** A {shape, data} array of the generator (null: NaN). */
    private static Tensor golden(Object o) {
        Map<?, ?> a = (Map<?, ?>) o;
        List<?> shape = (List<?>) a.get("shape"), data = (List<?>) a.get("data");
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = data.get(i) == null ? Float.NaN : ((Number) data.get(i)).floatValue();
        return Tensor.of(v, shape.stream().mapToInt(d -> ((Number) d).intValue()).toArray());
    }
}
