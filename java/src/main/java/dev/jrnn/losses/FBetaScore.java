package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Keras' {@code FBetaScore} and {@code F1Score} ({@link #f1()}): {@code (1 + beta^2) * precision * recall / (beta^2 *
 * precision + recall)} per class (column) from the epoch's true positives, false positives and false negatives. A
 * prediction is positive above {@link #threshold}, or, without one (the default), where it is its row's maximum.
 * {@link #average}: none (default; one value per class, logged as {@code f1_score_0}, {@code f1_score_1}, ... where Keras
 * logs one array, and as {@code f1_score} alone for one column), "micro" (counts summed over classes), "macro" (the
 * classes' mean) or "weighted" (weighted by each class's positives). Maximised by monitor mode "auto".
 *
 * <pre>{@code
 * model.compile("adam", "categorical_crossentropy", FBetaScore.f1().average("macro"));
 * }</pre>
 */
public final class FBetaScore extends CountingMetric {
    private static final double EPSILON = 1e-7;   // Keras' backend.epsilon()

    private final boolean f1;
    private String average;
    private double beta = 1;
    private Double threshold;

    /** Keras' FBetaScore defaults: beta 1, no averaging, argmax as the positive; logged as "fbeta_score". */
    public FBetaScore() { this(false); }

    private FBetaScore(boolean f1) {
        super(f1 ? "f1_score" : "fbeta_score");
        this.f1 = f1;
    }

    /** Keras' F1Score: beta 1, logged as "f1_score". */
    public static FBetaScore f1() { return new FBetaScore(true); }

    /** null (one value per class), "micro", "macro" or "weighted". */
    public FBetaScore average(String a) {
        String s = a == null ? null : a.trim().toLowerCase(Locale.ROOT);
        if (s != null && !s.equals("micro") && !s.equals("macro") && !s.equals("weighted")) {
            throw new IllegalArgumentException("FBetaScore.average must be null, micro, macro or weighted, got " + a);
        }
        this.average = s;
        return this;
    }

    /** The weight of recall in the harmonic mean, &gt; 0 (default 1); F1Score has beta 1 only. */
    public FBetaScore beta(double b) {
        if (f1) throw new IllegalArgumentException("FBetaScore.beta: F1Score has beta 1, got beta " + b + " (use new FBetaScore().beta(...))");
        if (!(b > 0) || Double.isInfinite(b)) throw new IllegalArgumentException("FBetaScore.beta must be a finite number > 0, got " + b);
        this.beta = b;
        return this;
    }

    /** Predictions above it are positive, 0 &lt; threshold &lt;= 1; null (default): the row's maximum is. */
    public FBetaScore threshold(Double t) {
        if (t != null && !(t > 0 && t <= 1)) throw new IllegalArgumentException("FBetaScore.threshold must be null or in (0, 1], got " + t);
        this.threshold = t;
        return this;
    }

    /** The name it is logged under (default "f1_score" or "fbeta_score"). */
    public FBetaScore name(String n) {
        rename("FBetaScore.name", n);
        return this;
    }

    /** Keras' FBetaScore takes 2-D predictions (batch, classes) only: a sequence output is refused. */
    @Override
    public void checkOutput(String output, int[] shape) { requireTwoD(f1 ? "F1Score" : "FBetaScore", "classes", output, shape); }

    /** True positives, false positives, false negatives and positives, per class (or summed, for "micro"). */
    @Override public int stateSize(int cols) { return 4 * classes(cols); }

    private int classes(int cols) { return "micro".equals(average) ? 1 : cols; }

    @Override
    public void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        boolean micro = "micro".equals(average);
        for (int r = 0; r < rows; r++) {
            double w = weights == null ? 1 : weights[r];   // every row, as Keras: a NaN target weighing 0 still adds NaN
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            if (threshold == null) for (int c = 0; c < cols; c++) max = Math.max(max, pred[o + c]);
            for (int c = 0; c < cols; c++) {
                float p = pred[o + c];
                // Keras: p > threshold, or p >= the row's max and |p| > 1e-9 (so an all-zero row has no positive)
                double yp = (threshold == null ? p >= max && Math.abs(p) > 1e-9 : p > threshold) ? 1 : 0;
                double yt = target[o + c];
                int s = micro ? 0 : 4 * c;
                state[s] += w * yp * yt;
                state[s + 1] += w * yp * (1 - yt);
                state[s + 2] += w * (1 - yp) * yt;
                state[s + 3] += w * yt;
            }
        }
    }

    @Override
    public double[] result(double[] state, int cols) {
        int k = classes(cols);
        double b2 = beta * beta;
        double[] f = new double[k];
        double support = 0;
        for (int c = 0; c < k; c++) {
            double tp = state[4 * c], fp = state[4 * c + 1], fn = state[4 * c + 2];
            double precision = tp / (tp + fp + EPSILON), recall = tp / (tp + fn + EPSILON);
            f[c] = precision * recall / (b2 * precision + recall + EPSILON) * (1 + b2);
            support += state[4 * c + 3];
        }
        if (average == null) return f;
        double s = 0;
        for (int c = 0; c < k; c++) s += average.equals("weighted") ? f[c] * state[4 * c + 3] / (support + EPSILON) : f[c] / k;
        return new double[] {s};
    }

    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("average", average);
        if (!f1) c.put("beta", beta);
        c.put("threshold", threshold);
        return Metric.kerasObject(f1 ? "F1Score" : "FBetaScore", c);
    }

    /** From a Keras F1Score ({@code f1}) or FBetaScore config. */
    static FBetaScore fromConfig(Map<?, ?> c, boolean f1) {
        FBetaScore m = f1 ? f1() : new FBetaScore();
        if (c.get("name") instanceof String s) m.name(s);
        if (c.get("average") != null) m.average(String.valueOf(c.get("average")));
        if (!f1 && c.get("beta") instanceof Number b) m.beta(b.doubleValue());
        if (c.get("threshold") instanceof Number t) m.threshold(t.doubleValue());
        return m;
    }
}
