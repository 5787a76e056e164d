package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A metric fit and evaluate accumulate over an epoch, as Keras' stateful metrics: each batch adds to a state of doubles
 * ({@link #update}), which sums over batches and over ranks, and {@link #result} reads the epoch's value from it. The
 * {@link Metric} constants and {@link LossMetric} keep a sum and a count; {@link Auc}, the confusion counts
 * ({@link TruePositives}, ...) and the metrics at a fixed rate ({@link PrecisionAtRecall}, ...) keep confusion counts per
 * threshold bucket, {@link FBetaScore} and {@link R2Score} sums per class. {@link #of} resolves what compile takes: a Keras
 * metric name or a metric object with options.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", "accuracy", new Auc().curve("PR"), new FBetaScore().average("macro"));
 * }</pre>
 */
public interface EpochMetric {
    /** The name it is logged under when given as an object (a name given to compile is logged as given). */
    String key();

    /** Whether a larger value is better (Keras' {@code _direction == "up"}), which monitor mode "auto" follows. */
    boolean higherIsBetter();

    /**
     * Whether it has a direction at all (Keras' {@code _direction}): monitor mode "auto" refuses a value logged by a metric
     * without one, as Keras 3 does, and {@link #higherIsBetter} is then false.
     */
    default boolean hasDirection() { return true; }

    /** Whether a sequence output's mask weighs its rows (Keras 3 passes the mask to its MeanMetricWrapper metrics only). */
    boolean usesMask();

    /** Whether it reads the targets {@code loss} takes: class indices for a sparse loss, dense targets otherwise. */
    boolean suits(Loss loss);

    /** Whether it takes class indices as targets (one per row). */
    boolean sparse();

    /** How many doubles its state holds for an output of {@code cols} columns. */
    int stateSize(int cols);

    /**
     * Adds {@code rows} rows of {@code cols} predictions and their targets to {@code state} ({@link #stateSize} long,
     * zeros at the epoch's start); {@code weights} (nullable, one per row) weighs or masks rows. {@code loss} is the
     * model's loss: the {@link Metric} constants need it (sparse or dense targets, the accuracy's threshold) and refuse
     * null; the metric classes that do not read it take null.
     */
    void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state);

    /** The value from an epoch's state: one number, or one per class (F-scores without averaging). */
    double[] result(double[] state, int cols);

    /**
     * Refuses an output it cannot measure, naming itself and {@code output}: {@code shape} is the output's per-sample shape
     * (batch excluded). Fit and evaluate call it before the first batch; every output is measured by default.
     */
    default void checkOutput(String output, int[] shape) {}

    /**
     * The object compile keeps: one with the same options, so a setter called on the caller's object afterwards changes no
     * compiled model (the state is sized for them at the epoch's start). An immutable metric returns itself.
     */
    default EpochMetric copy() { return this; }

    /**
     * The metric object as Keras 3 writes it in a compile config ({@code {"class_name": "AUC", "config": {...}}}); its
     * name for the {@link Metric} constants. (A metric compile got by name is written as that name.) A class of the
     * user's own is written as Keras writes a function of {@code __main__}, never as a bare name: a file would hand back
     * the built-in of that name in its place (a user metric keyed "mae" came back as Keras' mae).
     */
    default Object serialize() { return Losses.userFunction(key()); }

    /**
     * What compile takes as a metric: an {@code EpochMetric}, or a Keras name, case ignored: every {@link Metric} name,
     * "auc", "f1_score", "f_beta_score" ("fbeta_score" too), "r2_score", "true_positives", "false_positives",
     * "true_negatives", "false_negatives" with Keras' defaults, and the loss-named metrics ({@link LossMetric}:
     * "binary_crossentropy" or "bce", "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence",
     * "poisson", "hinge", "squared_hinge", "categorical_hinge"), each also by its Keras class name ("R2Score"). The metrics
     * at a fixed rate ("precision_at_recall", ...) need their value, so only their objects are taken, as Keras. A List or
     * Map is refused (compile itself spreads a List of metrics out and takes metrics by output name).
     */
    static EpochMetric of(Object metric) {
        if (metric instanceof EpochMetric m) return m;
        if (metric == null) throw new IllegalArgumentException("metric is null: expected a metric name or an EpochMetric");
        if (metric instanceof java.util.Collection<?> || metric instanceof Map<?, ?>) {
            throw new IllegalArgumentException("metric " + metric + " is a " + (metric instanceof Map<?, ?> ? "Map: expected one metric; give"
                    + " compile metrics by output name as its only metrics argument" : "List: expected one metric; give"
                    + " compile the metrics as separate arguments or as one List of names and metric objects"));
        }
        if (!(metric instanceof String name)) {
            throw new IllegalArgumentException("metric " + metric + " is a " + metric.getClass().getSimpleName()
                    + ": expected a metric name (String) or an EpochMetric (Metric, Auc, FBetaScore, R2Score, LossMetric, TruePositives, ...)");
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        EpochMetric m = switch (n) {
            case "auc" -> new Auc();
            case "f1_score", "f1score" -> FBetaScore.f1();
            case "f_beta_score", "fbetascore", "fbeta_score" -> new FBetaScore();   // Keras' snake case of FBetaScore; "fbeta_score" its default name
            case "r2_score", "r2score" -> new R2Score();
            case "true_positives", "truepositives" -> new TruePositives();
            case "false_positives", "falsepositives" -> new FalsePositives();
            case "true_negatives", "truenegatives" -> new TrueNegatives();
            case "false_negatives", "falsenegatives" -> new FalseNegatives();
            case "precision_at_recall", "precisionatrecall", "recall_at_precision", "recallatprecision", "sensitivity_at_specificity",
                 "sensitivityatspecificity", "specificity_at_sensitivity", "specificityatsensitivity" -> throw new IllegalArgumentException(
                    "metric '" + name + "' needs the rate it is taken at, which a name cannot give (Keras' class has no default): give an object,"
                    + " e.g. new PrecisionAtRecall(0.8)");
            default -> {
                Metric k = Metric.find(name);
                yield k != null ? k : LossMetric.byName(n);
            }
        };
        if (m == null) throw new IllegalArgumentException("unknown metric '" + name + "': expected one of " + names());
        return m instanceof NamedMetric nm ? nm.forName() : m;   // a name draws no number here (compile's first fit does)
    }

    /**
     * The base of the default name Keras 3 draws for the metric name {@code name} given to compile, or null: Keras makes
     * the class without a name and renames it to {@code name}, so "auc", "precision", "recall" and the confusion counts
     * take a number from the counter the objects' default names come from ({@code [AUC().name for _ in range(3)]} is
     * ['auc', 'auc_1', 'auc_2']) when the compiled metrics are built at the first fit or evaluate; the names of classes
     * with a default name of their own ("mae", "f1_score", ...) take none.
     * {@code EpochMetric.drawnAtBuild("AUC")} is "auc".
     */
    static String drawnAtBuild(String name) {
        return name == null ? null : NamedMetric.drawnFor(name);
    }

    /** Every metric name {@link #of} takes, canonical forms. */
    private static String names() {
        return Metric.names() + ", auc, f1_score, f_beta_score, r2_score, true_positives, false_positives, true_negatives, false_negatives, "
                + "binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence, poisson, hinge, squared_hinge, "
                + "categorical_hinge";
    }

    /**
     * A metric of a Keras compile config: a name, or a serialized metric object ({@code {"class_name": "AUC", "config":
     * {"num_thresholds": 100, ...}}}; the classes with options keep them and their name, another class goes by its name).
     */
    static EpochMetric deserialize(Object serialized) {
        if (serialized instanceof Map<?, ?> m && m.get("class_name") instanceof String cls) {
            Map<?, ?> c = m.get("config") instanceof Map<?, ?> cm ? cm : Map.of();
            return switch (cls) {
                case "function" -> {   // a function metric: Keras' own by its name, a user's is none jrnn has
                    String module = m.get("module") instanceof String s ? s : "";
                    if (!module.startsWith("keras")) {
                        throw new IllegalArgumentException("unknown metric function '" + m.get("config") + "' of module " + module
                                + ": a metric of the user's own (a MeanMetric or an EpochMetric class), which a file does not hold");
                    }
                    yield of(m.get("config"));
                }
                case "AUC" -> Auc.fromConfig(c);
                case "Accuracy" -> Accuracy.fromConfig(c);   // exact equality: the class is not the name "accuracy"
                case "F1Score" -> FBetaScore.fromConfig(c, true);
                case "FBetaScore" -> FBetaScore.fromConfig(c, false);
                case "R2Score" -> R2Score.fromConfig(c);
                case "Precision", "Recall" -> {   // at Keras' defaults the Metric constants, which the name "precision" gives
                    if (!PrecisionRecall.hasOptions(c)) yield metricOf(cls, c);
                    yield cls.equals("Precision") ? PrecisionRecall.fromConfig(new Precision(), c) : PrecisionRecall.fromConfig(new Recall(), c);
                }
                // with a threshold or k other than the Metric constants' (0.5, 5): the objects that have them
                case "BinaryAccuracy" -> c.get("threshold") == null || isHalf(c.get("threshold")) ? metricOf(cls, c) : BinaryAccuracy.fromConfig(c);
                case "TopKCategoricalAccuracy" -> isFive(c.get("k")) ? metricOf(cls, c) : TopKCategoricalAccuracy.fromConfig(c);
                case "SparseTopKCategoricalAccuracy" -> isFive(c.get("k")) || Boolean.TRUE.equals(c.get("from_sorted_ids"))
                        ? metricOf(cls, c) : SparseTopKCategoricalAccuracy.fromConfig(c);
                case "TruePositives" -> ConditionCount.fromConfig(new TruePositives(), c);
                case "FalsePositives" -> ConditionCount.fromConfig(new FalsePositives(), c);
                case "TrueNegatives" -> ConditionCount.fromConfig(new TrueNegatives(), c);
                case "FalseNegatives" -> ConditionCount.fromConfig(new FalseNegatives(), c);
                case "PrecisionAtRecall" -> SensitivitySpecificityBase.fromConfig(new PrecisionAtRecall(SensitivitySpecificityBase.value(cls, c, "recall")), c);
                case "RecallAtPrecision" -> SensitivitySpecificityBase.fromConfig(new RecallAtPrecision(SensitivitySpecificityBase.value(cls, c, "precision")), c);
                case "SensitivityAtSpecificity" ->
                        SensitivitySpecificityBase.fromConfig(new SensitivityAtSpecificity(SensitivitySpecificityBase.value(cls, c, "specificity")), c);
                case "SpecificityAtSensitivity" ->
                        SensitivitySpecificityBase.fromConfig(new SpecificityAtSensitivity(SensitivitySpecificityBase.value(cls, c, "sensitivity")), c);
                case "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Poisson", "Hinge",
                     "SquaredHinge", "CategoricalHinge" -> LossMetric.fromConfig(cls, c);
                default -> metricOf(cls, c);
            };
        }
        return of(serialized);
    }

    /** A Keras class by its name, its settings checked against a {@link Metric} constant's fixed ones and its name kept. */
    private static EpochMetric metricOf(String cls, Map<?, ?> c) {
        EpochMetric e = of(cls);
        if (e instanceof Metric k) {
            requireFixedSettings(k, cls, c);
            // Keras logs an object under its own name ("rmse", LogCoshError's "logcosh", MeanAbsoluteError's
            // "mean_absolute_error", where the key of the name "mae" is "mae"): kept unless it is the key anyway
            if (c.get("name") instanceof String n && !n.isBlank() && !n.trim().equals(k.key()) && k != Metric.ACCURACY) {
                return k.named(n);
            }
        }
        return e;
    }

    /**
     * A Keras class that jrnn has as a {@link Metric} constant, whose settings are fixed (top-k at k 5, a 0.5 threshold, over
     * every class, cosine similarity over the last axis): a config with other settings would log other numbers under the
     * same name, so it is refused naming the setting.
     */
    private static void requireFixedSettings(Metric k, String cls, Map<?, ?> c) {
        String why = null;
        if (c.get("k") != null && !(c.get("k") instanceof Number n && n.doubleValue() == Metric.TOP_K)) why = "k " + c.get("k");
        else if (Boolean.TRUE.equals(c.get("from_sorted_ids"))) why = "from_sorted_ids true";
        else if (c.get("threshold") != null && !isHalf(c.get("threshold"))) why = "threshold " + c.get("threshold");
        else if (c.get("thresholds") != null && !isHalf(c.get("thresholds"))
                && !(c.get("thresholds") instanceof List<?> l && l.size() == 1 && isHalf(l.get(0)))) why = "thresholds " + c.get("thresholds");
        else if (c.get("top_k") != null) why = "top_k " + c.get("top_k");
        else if (c.get("class_id") != null) why = "class_id " + c.get("class_id");
        else if (c.get("axis") != null && !(c.get("axis") instanceof Number a && a.doubleValue() == -1)) why = "axis " + c.get("axis");
        if (why != null) {
            throw new IllegalArgumentException("metric " + cls + " with " + why + " is not supported (jrnn's " + k.key()
                    + " has Keras' defaults: k 5, threshold 0.5, every class, the last axis)");
        }
    }

    private static boolean isHalf(Object v) { return v instanceof Number n && n.doubleValue() == 0.5; }

    private static boolean isFive(Object v) { return v == null || (v instanceof Number n && n.doubleValue() == Metric.TOP_K); }
}
