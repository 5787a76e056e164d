package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Metrics reported by fit/evaluate next to the loss, with Keras' names and formulas (each over the last axis, then
 * averaged over the epoch's samples or, for a sequence output, its valid steps): accuracy and its explicit
 * forms, top-k accuracy (k = 5), mae, mse, root_mean_squared_error, mape, msle, log_cosh_error,
 * cosine_similarity, pearson_correlation, concordance_correlation, and precision / recall (threshold 0.5, counted over the epoch's elements). As in Keras 3,
 * root_mean_squared_error, precision and recall take every step of a masked sequence ({@link #usesMask}). {@code "accuracy"}
 * resolves as in Keras 3, from the shapes whatever the loss: against the class index (argmax match) for
 * a sparse loss, binary accuracy ({@code target == (prediction > 0.5)}) when the output has one column,
 * argmax match with the target otherwise (so binary cross-entropy over several columns gets categorical
 * accuracy, as in Keras). One deliberate difference: binary cross-entropy from logits thresholds at 0,
 * where Keras keeps 0.5 on the logits.
 *
 * <pre>{@code
 * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * }</pre>
 */
public enum Metric implements EpochMetric {
    /** Fraction of correct predictions (see the class comment for how it resolves). */
    ACCURACY("accuracy"),
    /** Mean absolute error. */
    MAE("mae"),
    /** Mean squared error. */
    MSE("mse"),
    /** The square root of the epoch's mean squared error (Keras {@code RootMeanSquaredError}). */
    RMSE("root_mean_squared_error"),
    /** {@code 100 * mean(|y - p| / max(|y|, 1e-7))}. */
    MAPE("mape"),
    /** {@code mean((log(max(p, 1e-7) + 1) - log(max(y, 1e-7) + 1))^2)}. */
    MSLE("msle"),
    /** {@code mean(log(cosh(p - y)))}, as {@code x + softplus(-2x) - log 2}. */
    LOG_COSH("log_cosh_error"),
    /** {@code sum(y / |y| * p / |p|)} over the last axis (norms clamped at 1e-7). */
    COSINE_SIMILARITY("cosine_similarity"),
    /**
     * Keras' {@code PearsonCorrelation}: per row, {@code mean(zy * zp)} with zy, zp the row's values less their mean over
     * their (population) standard deviation; a constant row gives NaN, as Keras'.
     */
    PEARSON_CORRELATION("pearson_correlation"),
    /**
     * Keras' {@code ConcordanceCorrelation}: per row {@code 2 cov(y, p) / (var(y) + var(p) + (mean(y) - mean(p))^2 + 1e-7)}
     * (population moments).
     */
    CONCORDANCE_CORRELATION("concordance_correlation"),
    /** {@code y == (p > 0.5)}, averaged over the last axis. */
    BINARY_ACCURACY("binary_accuracy"),
    /** {@code argmax(p) == argmax(y)} (one-hot targets). */
    CATEGORICAL_ACCURACY("categorical_accuracy"),
    /** {@code argmax(p) == y} (class-index targets). */
    SPARSE_CATEGORICAL_ACCURACY("sparse_categorical_accuracy"),
    /** Whether the target class (argmax of y) is among the 5 highest predictions (ties count in). */
    TOP_K_CATEGORICAL_ACCURACY("top_k_categorical_accuracy"),
    /** Whether the target class index is among the 5 highest predictions (ties count in). */
    SPARSE_TOP_K_CATEGORICAL_ACCURACY("sparse_top_k_categorical_accuracy"),
    /** True positives over predicted positives ({@code p > 0.5}, a nonzero target is positive), over the epoch; 0 with none. */
    PRECISION("precision"),
    /** True positives over actual positives, over the epoch; 0 with none. */
    RECALL("recall");

    /** Keras' top-k default. */
    static final int TOP_K = 5;
    private static final double EPSILON = 1e-7;   // Keras' backend.epsilon()

    private final String key;

    Metric(String key) { this.key = key; }

    /** Its Keras name, as Keras writes a metric compile got by name. */
    @Override
    public Object serialize() { return key(); }

    /** Its canonical name; History logs a metric under the name compile was given, as Keras. */
    public String key() { return key; }

    /**
     * The same metric logged as {@code name}, as Keras' {@code RootMeanSquaredError(name="rmse")}: {@code
     * compile("adam", "mse", Metric.RMSE.named("rmse"))} logs "rmse" and "val_rmse"; a saved model keeps the name. Not for
     * {@link #ACCURACY}, which resolves from the shapes (Keras' {@code Accuracy} class is another metric): name one of its
     * explicit forms.
     */
    public EpochMetric named(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Metric.named: name must be a non-blank name, got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (this == ACCURACY) {
            throw new IllegalArgumentException("Metric.named: accuracy resolves from the shapes; name one of binary_accuracy, "
                    + "categorical_accuracy or sparse_categorical_accuracy, got " + this);
        }
        return new RenamedMetric(this, name.trim());
    }

    /** Keras' metric class of this metric (its {@code class_name} in a compile config). */
    String kerasClass() {
        return switch (this) {
            case ACCURACY -> "Accuracy";
            case MAE -> "MeanAbsoluteError";
            case MSE -> "MeanSquaredError";
            case RMSE -> "RootMeanSquaredError";
            case MAPE -> "MeanAbsolutePercentageError";
            case MSLE -> "MeanSquaredLogarithmicError";
            case LOG_COSH -> "LogCoshError";
            case COSINE_SIMILARITY -> "CosineSimilarity";
            case PEARSON_CORRELATION -> "PearsonCorrelation";
            case CONCORDANCE_CORRELATION -> "ConcordanceCorrelation";
            case BINARY_ACCURACY -> "BinaryAccuracy";
            case CATEGORICAL_ACCURACY -> "CategoricalAccuracy";
            case SPARSE_CATEGORICAL_ACCURACY -> "SparseCategoricalAccuracy";
            case TOP_K_CATEGORICAL_ACCURACY -> "TopKCategoricalAccuracy";
            case SPARSE_TOP_K_CATEGORICAL_ACCURACY -> "SparseTopKCategoricalAccuracy";
            case PRECISION -> "Precision";
            case RECALL -> "Recall";
        };
    }

    /** Whether the metric takes class indices as targets (one per row), as a sparse loss does. */
    public boolean sparse() { return this == SPARSE_CATEGORICAL_ACCURACY || this == SPARSE_TOP_K_CATEGORICAL_ACCURACY; }

    /**
     * Whether a sequence output's mask weighs the metric's rows (fit and evaluate pass it as {@code weights} only
     * then). Keras 3 reads the mask only in its MeanMetricWrapper metrics; RootMeanSquaredError (a Mean of the squared
     * errors it computes) and Precision / Recall (confusion counts) never see it, so they count the masked steps too.
     */
    public boolean usesMask() { return this != RMSE && this != PRECISION && this != RECALL; }

    /** Whether a larger value is better (Keras' metric {@code _direction == "up"}): the accuracies, precision, recall, the similarities and correlations. */
    public boolean higherIsBetter() {
        return switch (this) {
            case ACCURACY, BINARY_ACCURACY, CATEGORICAL_ACCURACY, SPARSE_CATEGORICAL_ACCURACY, TOP_K_CATEGORICAL_ACCURACY,
                 SPARSE_TOP_K_CATEGORICAL_ACCURACY, PRECISION, RECALL, COSINE_SIMILARITY, PEARSON_CORRELATION,
                 CONCORDANCE_CORRELATION -> true;
            default -> false;
        };
    }

    /** Whether it works with either kind of target ("accuracy" resolves from the shapes). */
    public boolean anyTargets() { return this == ACCURACY; }

    /** Whether it reads the targets {@code loss} takes: class indices for a sparse loss, dense targets otherwise. */
    public boolean suits(Loss loss) { return anyTargets() || sparse() == loss.sparse(); }

    /**
     * By Keras name, case ignored: the names {@code keras.metrics.get} takes (class names such as
     * "MeanAbsoluteError", their snake_case forms, and the aliases "acc", "mae", "mse", "mape", "msle").
     */
    public static Metric of(String name) {
        if (name == null) throw new IllegalArgumentException("metric name is null: expected one of " + names());
        Metric m = find(name);
        if (m == null) throw new IllegalArgumentException("unknown metric '" + name + "': expected one of " + names());
        return m;
    }

    /** As {@link #of}, null for a name none of these has. */
    static Metric find(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "accuracy", "acc" -> ACCURACY;
            case "mae", "mean_absolute_error", "meanabsoluteerror" -> MAE;
            case "mse", "mean_squared_error", "meansquarederror" -> MSE;
            case "root_mean_squared_error", "rootmeansquarederror" -> RMSE;
            case "mape", "mean_absolute_percentage_error", "meanabsolutepercentageerror" -> MAPE;
            case "msle", "mean_squared_logarithmic_error", "meansquaredlogarithmicerror" -> MSLE;
            case "log_cosh_error", "logcosherror" -> LOG_COSH;
            case "cosine_similarity", "cosinesimilarity" -> COSINE_SIMILARITY;
            case "pearson_correlation", "pearsoncorrelation" -> PEARSON_CORRELATION;
            case "concordance_correlation", "concordancecorrelation" -> CONCORDANCE_CORRELATION;
            case "binary_accuracy", "binaryaccuracy" -> BINARY_ACCURACY;
            case "categorical_accuracy", "categoricalaccuracy" -> CATEGORICAL_ACCURACY;
            case "sparse_categorical_accuracy", "sparsecategoricalaccuracy" -> SPARSE_CATEGORICAL_ACCURACY;
            case "top_k_categorical_accuracy", "topkcategoricalaccuracy" -> TOP_K_CATEGORICAL_ACCURACY;
            case "sparse_top_k_categorical_accuracy", "sparsetopkcategoricalaccuracy" -> SPARSE_TOP_K_CATEGORICAL_ACCURACY;
            case "precision" -> PRECISION;
            case "recall" -> RECALL;
            default -> null;
        };
    }

    static String names() {
        StringBuilder b = new StringBuilder();
        for (Metric m : values()) b.append(b.isEmpty() ? "" : ", ").append(m.key);
        return b.toString();
    }

    /**
     * Sum of the metric over {@code rows} rows of {@code cols} predictions, to be divided by what {@link #count}
     * gives for the same rows (see {@link #value}). {@code weights} (nullable, one per row) weighs and masks rows; as in
     * Keras, every row's value is multiplied by its weight, so a NaN value of a row weighing 0 makes the sum NaN.
     */
    public double sum(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights) {
        if (loss == null) {   // the loss tells sparse from dense targets and the accuracy's threshold (logits or not)
            throw new IllegalArgumentException("metric " + key + ": loss must be the model's loss (Loss.MSE, ...), got null");
        }
        double s = 0;
        for (int r = 0; r < rows; r++) {
            double w = weights == null ? 1 : weights[r];
            s += w * rowValue(loss, r, cols, pred, target);   // as Keras' Mean: a row weighing 0 adds 0 * NaN = NaN too
        }
        return s;
    }

    /**
     * What {@link #sum} is divided by: the rows, weighted (each row's value is its mean over the columns); for precision
     * the predicted positives, for recall the actual positives.
     */
    public double count(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights) {
        double n = 0;
        for (int r = 0; r < rows; r++) {
            double w = weights == null ? 1 : weights[r];
            if (w == 0) continue;
            if (this == PRECISION || this == RECALL) {
                int o = r * cols, c = 0;
                for (int i = 0; i < cols; i++) c += (this == PRECISION ? pred[o + i] > 0.5f : target[o + i] != 0) ? 1 : 0;
                n += w * c;
            } else {
                n += w;
            }
        }
        return n;
    }

    /** The metric from its sums over an epoch: sum / count (0 when nothing counted, as Keras' divide_no_nan), RMSE its root. */
    public double value(double sum, double count) {
        double mean = count > 0 ? sum / count : 0.0;
        return this == RMSE ? Math.sqrt(mean) : mean;
    }

    /** A sum and a count ({@link #sum}, {@link #count}). */
    @Override
    public int stateSize(int cols) { return 2; }

    @Override
    public void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        state[0] += sum(loss, rows, cols, pred, target, weights);
        state[1] += count(loss, rows, cols, pred, target, weights);
    }

    @Override
    public double[] result(double[] state, int cols) { return new double[] {value(state[0], state[1])}; }

    /** A Keras metric object as Keras 3 serializes it: module keras.metrics, its class and config. */
    static Map<String, Object> kerasObject(String cls, Map<String, Object> config) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("module", "keras.metrics");
        r.put("class_name", cls);
        r.put("config", config);
        r.put("registered_name", null);
        return r;
    }

    private double rowValue(Loss loss, int r, int cols, float[] p, float[] y) {
        int o = r * cols;
        if (!suits(loss)) {
            throw new IllegalArgumentException("metric " + key + " needs " + (sparse() ? "class-index" : "dense") + " targets, the loss "
                    + (loss.sparse() ? "is sparse" : "takes dense targets"));
        }
        switch (this) {
            case MAE, MSE, RMSE, MAPE, MSLE, LOG_COSH, BINARY_ACCURACY -> {
                double s = 0;
                for (int c = 0; c < cols; c++) s += elementValue(p[o + c], y[o + c]);
                return s / cols;
            }
            case COSINE_SIMILARITY -> {
                double py = 0, pp = 0, yy = 0;
                for (int c = 0; c < cols; c++) {
                    py += (double) p[o + c] * y[o + c];
                    pp += (double) p[o + c] * p[o + c];
                    yy += (double) y[o + c] * y[o + c];
                }
                return py / Math.sqrt(Math.max(pp, EPSILON * EPSILON)) / Math.sqrt(Math.max(yy, EPSILON * EPSILON));
            }
            case PEARSON_CORRELATION, CONCORDANCE_CORRELATION -> {
                return correlation(p, y, o, cols);
            }
            case PRECISION, RECALL -> {
                double tp = 0;
                for (int c = 0; c < cols; c++) if (p[o + c] > 0.5f && y[o + c] != 0) tp++;
                return tp;
            }
            case CATEGORICAL_ACCURACY -> {
                return argmax(p, o, cols) == argmax(y, o, cols) ? 1 : 0;
            }
            case SPARSE_CATEGORICAL_ACCURACY -> {
                return argmax(p, o, cols) == Math.round(y[r]) ? 1 : 0;
            }
            case TOP_K_CATEGORICAL_ACCURACY -> {
                return inTopK(p, o, cols, argmax(y, o, cols)) ? 1 : 0;
            }
            case SPARSE_TOP_K_CATEGORICAL_ACCURACY -> {
                return inTopK(p, o, cols, (int) Math.round(y[r])) ? 1 : 0;
            }
            default -> {
                // Keras 3 (compile_utils.get_metric) picks the accuracy from the shapes, not the loss: class indices as
                // targets -> sparse categorical, one prediction per row -> binary (checked first, as Keras), else categorical
                // (argmax match); with one column a sparse target's row is its index too (o == r)
                if (cols == 1) {
                    double th = loss.kind() == Loss.Kind.BINARY_CROSSENTROPY_LOGITS || loss.kind() == Loss.Kind.BINARY_FOCAL_CROSSENTROPY_LOGITS ? 0 : 0.5;
                    return y[o] == (p[o] > th ? 1f : 0f) ? 1 : 0;
                }
                if (loss.sparse()) return argmax(p, o, cols) == Math.round(y[r]) ? 1 : 0;
                return argmax(p, o, cols) == argmax(y, o, cols) ? 1 : 0;
            }
        }
    }

    /** One element's value of the element-wise metrics, in double from the float32 values. */
    private double elementValue(float pf, float yf) {
        double p = pf, y = yf, d = p - y;
        return switch (this) {
            case MAE -> Math.abs(d);
            case MSE, RMSE -> d * d;
            case MAPE -> 100 * Math.abs(d) / Math.max(Math.abs(y), EPSILON);
            case MSLE -> {
                double a = Math.log(Math.max(p, EPSILON) + 1) - Math.log(Math.max(y, EPSILON) + 1);
                yield a * a;
            }
            case LOG_COSH -> d + softplus(-2 * d) - Math.log(2);
            case BINARY_ACCURACY -> yf == (pf > 0.5f ? 1f : 0f) ? 1 : 0;
            default -> throw new IllegalStateException(key + " is not element-wise");
        };
    }

    /** {@link #PEARSON_CORRELATION} or {@link #CONCORDANCE_CORRELATION} of one row, in double. */
    private double correlation(float[] p, float[] y, int o, int cols) {
        double my = 0, mp = 0;
        for (int c = 0; c < cols; c++) {
            my += y[o + c];
            mp += p[o + c];
        }
        my /= cols;
        mp /= cols;
        double vy = 0, vp = 0, cov = 0;
        for (int c = 0; c < cols; c++) {
            double dy = y[o + c] - my, dp = p[o + c] - mp;
            vy += dy * dy;
            vp += dp * dp;
            cov += dy * dp;
        }
        vy /= cols;
        vp /= cols;
        if (this == PEARSON_CORRELATION) return cov / cols / (Math.sqrt(vy) * Math.sqrt(vp));
        double d = my - mp;
        return 2 * cov / cols / (vy + vp + d * d + EPSILON);
    }

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** Keras' in_top_k: the target's prediction is at least the k-th highest (fewer than k are strictly higher). */
    private static boolean inTopK(float[] p, int off, int n, int target) {
        return RowMeanMetric.inTopK(p, off, n, target, TOP_K);
    }

    private static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
        return best;
    }
}
