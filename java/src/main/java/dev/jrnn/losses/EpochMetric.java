package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.Locale;
import java.util.Map;

/**
 * A metric fit and evaluate accumulate over an epoch, as Keras' stateful metrics: each batch adds to a state of doubles
 * ({@link #update}), which sums over batches and over ranks, and {@link #result} reads the epoch's value from it. The
 * {@link Metric} constants keep a sum and a count; {@link Auc} keeps confusion counts per threshold bucket, {@link FBetaScore}
 * per class. {@link #of} resolves what compile takes: a Keras metric name or a metric object with options.
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
     * zeros at the epoch's start); {@code weights} (nullable, one per row) weighs or masks rows.
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
     * name for the {@link Metric} constants. (A metric compile got by name is written as that name.)
     */
    default Object serialize() { return key(); }

    /**
     * What compile takes as a metric: an {@code EpochMetric}, or a Keras name ("auc", "f1_score", "f_beta_score" with
     * Keras' defaults, "fbeta_score" as an alias of the last, and every {@link Metric} name), case ignored. A List or Map
     * is refused (compile itself spreads a List of metrics out and takes metrics by output name).
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
                    + ": expected a metric name (String) or an EpochMetric (Metric, Auc, FBetaScore)");
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "auc" -> new Auc();
            case "f1_score", "f1score" -> FBetaScore.f1();
            case "f_beta_score", "fbetascore", "fbeta_score" -> new FBetaScore();   // Keras' snake case of FBetaScore; "fbeta_score" its default name
            default -> {
                Metric m = Metric.find(name);
                if (m == null) throw new IllegalArgumentException("unknown metric '" + name + "': expected one of " + Metric.names() + ", auc, f1_score, f_beta_score");
                yield m;
            }
        };
    }

    /**
     * A metric of a Keras compile config: a name, or a serialized metric object ({@code {"class_name": "AUC", "config":
     * {"num_thresholds": 100, ...}}}; AUC, F1Score and FBetaScore keep their options, another class goes by its name).
     */
    static EpochMetric deserialize(Object serialized) {
        if (serialized instanceof Map<?, ?> m && m.get("class_name") instanceof String cls) {
            Map<?, ?> c = m.get("config") instanceof Map<?, ?> cm ? cm : Map.of();
            return switch (cls) {
                case "AUC" -> Auc.fromConfig(c);
                case "F1Score" -> FBetaScore.fromConfig(c, true);
                case "FBetaScore" -> FBetaScore.fromConfig(c, false);
                default -> of(cls);
            };
        }
        return of(serialized);
    }
}
