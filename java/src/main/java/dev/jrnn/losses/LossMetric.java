package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import dev.jrnn.backend.LossMath;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loss as a metric, Keras' loss-named metrics ({@code BinaryCrossentropy}, {@code CategoricalCrossentropy},
 * {@code SparseCategoricalCrossentropy}, {@code KLDivergence}, {@code Poisson}, {@code Hinge}, {@code SquaredHinge},
 * {@code CategoricalHinge}, each a MeanMetricWrapper): the mean of the per-row loss over the epoch's rows, each weighted
 * by its row weight (a masked sequence step weighs 0), with the loss' own formulas ({@link LossMath}, as the CPU backend
 * trains with them). By name compile takes Keras' defaults ({@code "binary_crossentropy"}, {@code "bce"},
 * {@code "kl_divergence"}, {@code "poisson"}, ...: probabilities, not logits); an object takes a logits form too, and the
 * options Keras' metric classes have: label smoothing ({@code Loss.labelSmoothing}), sparse categorical cross-entropy's
 * ignored class (its rows left out of the mean). Logged
 * under Keras' metric name ("binary_crossentropy" also from logits); a loss that is a metric too logs twice, as
 * {@code loss} and under its name, as Keras. Minimised by monitor mode "auto".
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", "binary_crossentropy", new LossMetric(Loss.BINARY_CROSSENTROPY_LOGITS).name("bce_logits"));
 * }</pre>
 */
public final class LossMetric extends NamedMetric {
    private final Loss loss;

    /** The metric of {@code loss}, one of the losses Keras has a metric for (not mse, mae, huber, log_cosh: see {@link Metric}). */
    public LossMetric(Loss loss) {
        super(loss == null ? null : kerasName(loss));
        if (loss != null && loss.customFunction() != null) {
            throw new IllegalArgumentException("LossMetric: loss must be a built-in one (a function of your own is a MeanMetric), got " + loss);
        }
        if (loss != null && !loss.reduction().equals("sum_over_batch_size")) {
            throw new IllegalArgumentException("LossMetric: loss must have the default reduction (a metric averages over the epoch), got "
                    + loss.reduction());
        }
        if (kerasName(loss) == null) {
            throw new IllegalArgumentException("LossMetric: loss must be one Keras has a metric class for (binary, categorical or sparse categorical"
                    + " cross-entropy, kl_divergence, poisson, hinge, squared_hinge, categorical_hinge), got " + loss
                    + (loss == null ? "" : " (as a metric: " + asMetric(loss) + ")"));
        }
        this.loss = loss;
    }

    /** What compile takes for a loss LossMetric does not: the Metric constant's name, or none (Keras has none either). */
    private static String asMetric(Loss l) {
        return switch (l.kind()) {
            case MSE, MAE -> "\"" + Losses.kerasName(l) + "\" is a Metric";
            case LOG_COSH -> "\"log_cosh_error\" is a Metric";
            default -> "none in Keras";
        };
    }

    /** The name it is logged under (default Keras' name of the metric, e.g. "kl_divergence"). */
    public LossMetric name(String n) {
        rename("LossMetric.name", n);
        return this;
    }

    /** The loss it measures. */
    public Loss loss() { return loss; }

    /** Keras' default name of the metric of {@code l}; null for a loss Keras has no such metric class for. */
    private static String kerasName(Loss l) {
        if (l == null) return null;
        return switch (l.kind()) {
            case MSE, MAE, HUBER, LOG_COSH, BINARY_FOCAL_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY_LOGITS, CATEGORICAL_FOCAL_CROSSENTROPY,
                 CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS -> null;
            default -> Losses.kerasName(l).replace("_from_logits", "");
        };
    }

    /** The metric Keras' name {@code n} (lower case) gives, or null: the names of its loss-named metric classes. */
    static LossMetric byName(String n) {
        Loss l = switch (n) {
            case "binary_crossentropy", "binarycrossentropy", "bce" -> Loss.BINARY_CROSSENTROPY;
            case "categorical_crossentropy", "categoricalcrossentropy" -> Loss.CATEGORICAL_CROSSENTROPY;
            case "sparse_categorical_crossentropy", "sparsecategoricalcrossentropy" -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY;
            case "kl_divergence", "kldivergence" -> Loss.KL_DIVERGENCE;
            case "poisson" -> Loss.POISSON;
            case "hinge" -> Loss.HINGE;
            case "squared_hinge", "squaredhinge" -> Loss.SQUARED_HINGE;
            case "categorical_hinge", "categoricalhinge" -> Loss.CATEGORICAL_HINGE;
            default -> null;
        };
        return l == null ? null : new LossMetric(l);
    }

    @Override public boolean higherIsBetter() { return false; }
    @Override public boolean usesMask() { return true; }
    @Override public boolean sparse() { return loss.sparse(); }
    @Override public boolean suits(Loss trained) { return sparse() == trained.sparse(); }

    /** The weighted sum of the row losses and the sum of the weights. */
    @Override public int stateSize(int cols) { return 2; }

    @Override
    public void update(Loss trained, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        if (loss.ignoreClass() != null) {
            // Keras: the ignored class's rows add 0 (target 0, weight 0). Its Mean drops them from the count only with
            // weights (sample weights or a mask: reduce_to_samplewise_values applies the values' mask then), else it divides
            // by every row
            float ic = loss.ignoreClass();
            float[] w = new float[rows], t = new float[rows];
            for (int r = 0; r < rows; r++) {
                boolean valid = target[r] != ic;
                w[r] = valid ? (weights == null ? 1 : weights[r]) : 0;
                t[r] = valid ? target[r] : 0;
            }
            state[0] += LossMath.weightedSum(loss, rows, cols, pred, 0, t, 0, w, 0, null, 0);
            float[] counted = weights == null ? null : w;
            if (counted == null) state[1] += rows;
            else for (int r = 0; r < rows; r++) state[1] += counted[r];
            return;
        }
        state[0] += LossMath.weightedSum(loss, rows, cols, pred, 0, target, 0, weights, 0, null, 0);
        if (weights == null) {
            state[1] += rows;
        } else {
            for (int r = 0; r < rows; r++) state[1] += weights[r];
        }
    }

    /** The weighted mean, 0 when no weight was counted (Keras' Mean divides no-NaN). */
    @Override public double[] result(double[] state, int cols) { return new double[] {state[1] == 0 ? 0 : state[0] / state[1]}; }

    /** As Keras 3 writes the metric class: name, dtype and the options its class has (from_logits, label_smoothing, ignore_class). */
    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        boolean logits = loss.fromLogits();
        switch (loss.kind()) {
            case BINARY_CROSSENTROPY, BINARY_CROSSENTROPY_LOGITS -> {
                c.put("from_logits", logits);
                c.put("label_smoothing", loss.labelSmoothing() == 0 ? (Object) 0 : loss.labelSmoothing());   // Keras' metric default is the int 0
            }
            case CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY_LOGITS -> {
                c.put("from_logits", logits);
                c.put("label_smoothing", loss.labelSmoothing() == 0 ? (Object) 0 : loss.labelSmoothing());   // Keras' metric default is the int 0
                c.put("axis", -1);
            }
            case SPARSE_CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> {
                c.put("from_logits", logits);
                c.put("ignore_class", loss.ignoreClass());
                c.put("axis", -1);
            }
            default -> { }
        }
        return Metric.kerasObject(Losses.className(loss), c);
    }

    /**
     * From a Keras metric config of class {@code cls} (one of the loss-named ones), through the loss' own reading of it: from_logits,
     * label_smoothing and ignore_class kept, another axis refused.
     */
    static LossMetric fromConfig(String cls, Map<?, ?> c) {
        Map<String, Object> options = new LinkedHashMap<>();
        c.forEach((k, v) -> {
            if (!"name".equals(k) && !"dtype".equals(k)) options.put(String.valueOf(k), v);
        });
        Loss l;
        try {
            l = Losses.deserialize(Map.of("class_name", cls, "config", options));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metric " + cls + ": " + e.getMessage());
        }
        LossMetric m = new LossMetric(l);
        if (c.get("name") instanceof String s) m.name(s);
        return m;
    }
}
