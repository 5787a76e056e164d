package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Keras' {@code R2Score}, the coefficient of determination per output column, {@code 1 - sum((y - p)^2) / sum((y -
 * mean(y))^2)}, from the epoch's weighted sums of y, y^2, the squared residuals and the weights (so it sums over batches
 * and ranks); a column whose ratio is infinite scores 0, as Keras'. {@link #classAggregation}: "uniform_average" (the
 * default, the columns' mean), "variance_weighted_average" (weighted by each column's sum of squares) or null (one value
 * per column, logged as {@code r2_score_0}, ... where Keras logs an array). {@link #numRegressors} p &gt; 0 gives the
 * adjusted score {@code 1 - (1 - R2) (n - 1) / (n - p - 1)}, the plain one when p &gt;= n - 1 (where Keras warns); n
 * counts every target value seen, as Keras' {@code num_samples} (rows x columns, zero-weight rows too, where the
 * textbook n is the weighted rows). 2-D outputs only, as Keras'. Logged as "r2_score", maximised by monitor mode "auto".
 * Keras' docstring: targets [1, 4, 3], predictions [2, 4, 4] give 0.57142854.
 *
 * <pre>{@code
 * model.compile("adam", "mse", "r2_score", new R2Score().classAggregation("variance_weighted_average").name("r2_vw"));
 * }</pre>
 */
public final class R2Score extends CountingMetric {
    private String classAggregation = "uniform_average";
    private int numRegressors;

    /** Keras' defaults: uniform average, no regressors, named "r2_score". */
    public R2Score() { super("r2_score"); }

    /** "uniform_average", "variance_weighted_average" or null (Keras' {@code class_aggregation}). */
    public R2Score classAggregation(String a) {
        String s = a == null ? null : a.trim().toLowerCase(Locale.ROOT);
        if (s != null && !s.equals("uniform_average") && !s.equals("variance_weighted_average")) {
            throw new IllegalArgumentException("R2Score.classAggregation must be null, uniform_average or variance_weighted_average, got " + a);
        }
        this.classAggregation = s;
        return this;
    }

    /** The number of independent regressors of the adjusted R2, at least 0 (Keras' {@code num_regressors}; 0: plain R2). */
    public R2Score numRegressors(int p) {
        if (p < 0) throw new IllegalArgumentException("R2Score.numRegressors must be an integer >= 0, got " + p);
        this.numRegressors = p;
        return this;
    }

    /** The name it is logged under (default "r2_score"). */
    public R2Score name(String n) {
        rename("R2Score.name", n);
        return this;
    }

    /** Keras' R2Score takes 2-D outputs (batch, output_dim) only. */
    @Override
    public void checkOutput(String output, int[] shape) { requireTwoD("R2Score", "output_dim", output, shape); }

    /** Per column the weighted sums of y, y^2, (y - p)^2 and the weights, then the count of target values (Keras' num_samples). */
    @Override public int stateSize(int cols) { return 4 * cols + 1; }

    @Override
    public void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        for (int r = 0; r < rows; r++) {
            double w = weights == null ? 1 : weights[r];
            for (int c = 0; c < cols; c++) {
                double y = target[r * cols + c], d = y - pred[r * cols + c];
                state[c] += w * y;
                state[cols + c] += w * y * y;
                state[2 * cols + c] += w * d * d;
                state[3 * cols + c] += w;
            }
            state[4 * cols] += cols;   // Keras' num_samples: ops.size(y_true), every element, weighted or not
        }
    }

    @Override
    public double[] result(double[] state, int cols) {
        double[] raw = new double[cols], total = new double[cols];
        for (int c = 0; c < cols; c++) {
            double mean = state[c] / state[3 * cols + c];
            total[c] = state[cols + c] - state[c] * mean;
            raw[c] = 1 - state[2 * cols + c] / total[c];
            if (Double.isInfinite(raw[c])) raw[c] = 0;
        }
        double[] r;
        if (classAggregation == null) {
            r = raw;
        } else if (classAggregation.equals("uniform_average")) {
            double s = 0;
            for (double v : raw) s += v;
            r = new double[] {s / cols};
        } else {
            double s = 0, t = 0;
            for (int c = 0; c < cols; c++) {
                s += total[c] * raw[c];
                t += total[c];
            }
            r = new double[] {s / t};
        }
        double n = state[4 * cols];
        if (numRegressors != 0 && numRegressors < n - 1) {   // Keras falls back to the plain score otherwise
            for (int i = 0; i < r.length; i++) r[i] = 1 - (1 - r[i]) * (n - 1) / (n - numRegressors - 1);
        }
        return r;
    }

    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("class_aggregation", classAggregation);
        c.put("num_regressors", numRegressors);
        return Metric.kerasObject("R2Score", c);
    }

    /** From a Keras R2Score config. */
    static R2Score fromConfig(Map<?, ?> c) {
        R2Score m = new R2Score();
        if (c.get("name") instanceof String s) m.name(s);
        if (c.containsKey("class_aggregation")) m.classAggregation(c.get("class_aggregation") == null ? null : String.valueOf(c.get("class_aggregation")));
        if (c.get("num_regressors") instanceof Number p) m.numRegressors(p.intValue());
        return m;
    }
}
