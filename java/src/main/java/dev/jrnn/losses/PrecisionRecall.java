package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What Keras' {@code Precision} and {@code Recall} classes share with their options: thresholds (default 0.5; one value
 * logged per threshold when several, as {@code precision_0}, ...), {@code top_k} (only each row's k highest predictions
 * can be positive; Keras sets the others to -1e10, and without thresholds counts the k as predicted positives) and
 * {@code class_id} (one column only), from confusion counts over the epoch, every element one data point weighed by its
 * row's weight. The names "precision" and "recall" give {@link Metric#PRECISION} / {@link Metric#RECALL}, these at their
 * defaults.
 */
abstract class PrecisionRecall<T extends PrecisionRecall<T>> extends ThresholdedMetric<T> {
    /** Keras' metrics_utils.NEG_INF: what top_k gives the predictions outside the k, and the threshold then. */
    private static final float NEG_INF = -1e10f;
    private final Function<ConfusionCounts.Counts, double[]> rate;
    private Integer topK, classId;

    PrecisionRecall(String cls, String name, Function<ConfusionCounts.Counts, double[]> rate) {
        super(cls, name);
        this.rate = rate;
    }

    /** Keras' {@code top_k}: only each row's k highest predictions (ties: the lower index first) count as positive. */
    public T topK(int k) {
        if (k < 1) throw new IllegalArgumentException(cls + ".topK must be >= 1, got " + k);
        this.topK = k;
        return self();
    }

    /** Keras' {@code class_id}: the counts of this column of the output only. */
    public T classId(int id) {
        if (id < 0) throw new IllegalArgumentException(cls + ".classId must be a column index >= 0, got " + id);
        this.classId = id;
        return self();
    }

    @Override
    public void checkOutput(String output, int[] shape) {
        int cols = ConfusionCounts.checkClassId(cls, key(), classId, output, shape);
        if (topK != null && topK > cols) {   // Keras' top_k fails on it too
            throw new IllegalArgumentException(cls + " '" + key() + "': topK must be at most the output's " + cols + " columns, got "
                    + topK + " (output " + output + ")");
        }
    }

    private ConfusionCounts counts() { return counts(topK == null ? 0.5 : NEG_INF); }

    @Override public final int stateSize(int cols) { return counts().stateSize(); }

    @Override
    public final void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        float[] p = topK == null ? pred : topK(pred, rows, cols, topK);
        counts().add(rows, cols, classId == null ? -1 : classId, p, target, weights, false, state);
    }

    /**
     * Keras' _filter_top_k: each row's k highest kept, the rest NEG_INF; ties to the lower index, as top_k orders them, a
     * NaN lowest.
     * One pass per row over a sorted list of the best k so far: O(cols * k), not a comparison of every pair.
     */
    private static float[] topK(float[] pred, int rows, int cols, int k) {
        float[] p = new float[rows * cols];
        Arrays.fill(p, NEG_INF);
        int[] best = new int[Math.min(k, cols)];
        for (int r = 0; r < rows; r++) {
            int o = r * cols, n = 0;
            for (int c = 0; c < cols; c++) {
                float v = pred[o + c];
                int at = n;   // after the ones at least as high: an equal value at a lower index stays ahead
                while (at > 0 && above(v, pred[o + best[at - 1]])) at--;
                if (at >= best.length) continue;
                System.arraycopy(best, at, best, at + 1, Math.min(n, best.length - 1) - at);
                best[at] = c;
                n = Math.min(n + 1, best.length);
            }
            for (int i = 0; i < n; i++) p[o + best[i]] = pred[o + best[i]];
        }
        return p;
    }

    /** Whether {@code v} ranks above {@code w}: higher, or a number against a NaN (a NaN ranks lowest, as in inTopK). */
    private static boolean above(float v, float w) {
        return v > w || Float.isNaN(w) && !Float.isNaN(v);
    }

    @Override
    public final double[] result(double[] state, int cols) { return rate.apply(counts().counts(state)); }

    @Override
    public final Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("thresholds", Thresholds.serialized(given));
        c.put("top_k", topK);
        c.put("class_id", classId);
        return Metric.kerasObject(cls, c);
    }

    /** {@code m} with the options of a Keras config: thresholds a number, a list or null; top_k and class_id numbers or null. */
    static <T extends PrecisionRecall<T>> T fromConfig(T m, Map<?, ?> c) {
        if (c.get("name") instanceof String s) m.name(s);
        double[] t = Thresholds.read(m.cls, c.get("thresholds"));
        if (t != null) m.thresholds(t);
        if (c.get("top_k") != null) m.topK(whole(m.cls, "top_k", c.get("top_k")));
        if (c.get("class_id") != null) m.classId(whole(m.cls, "class_id", c.get("class_id")));
        return m;
    }

    private static int whole(String cls, String key, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.intValue();
        throw new IllegalArgumentException(cls + " " + key + " must be a whole number or null, got " + v);
    }

    /** Whether a Keras config asks for more than {@link Metric#PRECISION} / {@link Metric#RECALL} give: a threshold other than 0.5, top_k or class_id. */
    static boolean hasOptions(Map<?, ?> c) {
        Object t = c.get("thresholds");
        boolean half = t == null || (t instanceof Number n && n.doubleValue() == 0.5)
                || (t instanceof List<?> l && l.size() == 1 && l.get(0) instanceof Number n1 && n1.doubleValue() == 0.5);
        return !half || c.get("top_k") != null || c.get("class_id") != null;
    }
}
