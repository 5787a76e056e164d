package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.Locale;

/**
 * Metrics reported by fit/evaluate next to the loss, as Keras names them. {@code "accuracy"}
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
public enum Metric {
    /** Fraction of correct predictions (see the class comment for how it resolves). */
    ACCURACY("accuracy"),
    /** Mean absolute error. */
    MAE("mae"),
    /** Mean squared error. */
    MSE("mse");

    private final String key;

    Metric(String key) { this.key = key; }

    /** Its canonical name ("accuracy", "mae", "mse"); History logs a metric under the name compile was given, as Keras. */
    public String key() { return key; }

    /** By Keras name, case ignored: "accuracy" / "acc", "mae" / "mean_absolute_error" / "MeanAbsoluteError", "mse" likewise. */
    public static Metric of(String name) {
        if (name == null) throw new IllegalArgumentException("metric name is null: expected accuracy, mae or mse");
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "accuracy", "acc" -> ACCURACY;
            case "mae", "mean_absolute_error", "meanabsoluteerror" -> MAE;
            case "mse", "mean_squared_error", "meansquarederror" -> MSE;
            default -> throw new IllegalArgumentException("unknown metric '" + name + "': expected accuracy, mae or mse");
        };
    }

    /**
     * Sum of the metric over {@code rows} rows of {@code cols} predictions (divide by the count
     * {@link #count} returns to get the mean). {@code weights} (nullable, one per row) masks rows.
     */
    public double sum(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights) {
        double s = 0;
        for (int r = 0; r < rows; r++) {
            double w = weights == null ? 1 : weights[r];
            if (w == 0) continue;
            s += w * rowValue(loss, r, cols, pred, target);
        }
        return s;
    }

    /** The number of values {@link #sum} added: the rows, weighted (each row's value is already its mean over the columns). */
    public double count(Loss loss, int rows, int cols, float[] weights) {
        double n = 0;
        for (int r = 0; r < rows; r++) n += weights == null ? 1 : weights[r];
        return n;
    }

    private double rowValue(Loss loss, int r, int cols, float[] p, float[] y) {
        int o = r * cols;
        switch (this) {
            case MAE, MSE -> {
                if (loss.sparse()) throw new IllegalArgumentException("metric " + key + " needs dense targets, the loss is sparse");
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    double d = p[o + c] - y[o + c];
                    s += this == MAE ? Math.abs(d) : d * d;
                }
                return s / cols;
            }
            default -> {
                // Keras 3 (compile_utils.get_metric) picks the accuracy from the shapes, not the loss: class indices as
                // targets -> sparse categorical, one prediction per row -> binary (checked first, as Keras), else categorical
                // (argmax match); with one column a sparse target's row is its index too (o == r)
                if (cols == 1) {
                    double th = loss == Loss.BINARY_CROSSENTROPY_LOGITS ? 0 : 0.5;
                    return y[o] == (p[o] > th ? 1f : 0f) ? 1 : 0;
                }
                if (loss.sparse()) return argmax(p, o, cols) == Math.round(y[r]) ? 1 : 0;
                return argmax(p, o, cols) == argmax(y, o, cols) ? 1 : 0;
            }
        }
    }

    private static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
        return best;
    }
}
