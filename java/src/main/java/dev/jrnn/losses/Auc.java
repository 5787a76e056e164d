package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras' {@code AUC}: the area under the ROC (default) or precision-recall curve, approximated over {@code numThresholds}
 * thresholds (default 200) as Keras does: predictions (clipped to [0, 1]) fall into buckets between evenly spaced
 * thresholds, every element of the output is one data point (Keras' {@code multi_label=False}; with {@link #multiLabel}
 * each column has its own counts and curve, and the value is the mean of the columns' areas), a nonzero target is a
 * positive, and the epoch's confusion counts give the curve, summed by {@code summationMethod} (default "interpolation":
 * the trapezoid rule for ROC, Davis and Goadrich's interpolation for PR). Explicit {@link #thresholds} replace the evenly
 * spaced ones. Logged as "auc", the next object made "auc_1", ... (numbered as Keras 3 numbers them,
 * until {@code Jrnn.clearSession()}; the name "auc" given to compile logs "auc"); maximised by monitor mode "auto". Keras' label_weights are not supported.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new Auc().curve("PR").numThresholds(500));
 * }</pre>
 */
public final class Auc extends CountingMetric {
    private static final float EPSILON = 1e-7f;   // Keras' backend.epsilon(), the end thresholds' margin

    private int numThresholds = 200;
    private String curve = "ROC";
    private String summation = "interpolation";
    private double[] explicit;   // the thresholds given, sorted; null: evenly spaced
    private boolean fromLogits, multiLabel;

    /** Keras' defaults: 200 thresholds, ROC, interpolation, probabilities. */
    public Auc() { super("auc", true); }

    /** How many thresholds discretise the curve, at least 2 (Keras' {@code num_thresholds}); ignored with {@link #thresholds}. */
    public Auc numThresholds(int n) {
        if (n < 2) throw new IllegalArgumentException("Auc.numThresholds must be an integer > 1, got " + n);
        this.numThresholds = n;
        return this;
    }

    /** "ROC" or "PR" (case ignored; Keras' "PRC" means PR). */
    public Auc curve(String c) {
        String s = c == null ? "null" : c.trim().toUpperCase(Locale.ROOT);
        if (s.equals("PRC")) s = "PR";
        if (!s.equals("ROC") && !s.equals("PR")) throw new IllegalArgumentException("Auc.curve must be ROC or PR, got " + c);
        this.curve = s;
        return this;
    }

    /** "interpolation" (default), "minoring" (a lower bound) or "majoring" (an upper bound), Keras' summation_method. */
    public Auc summationMethod(String m) {
        String s = m == null ? "null" : m.trim().toLowerCase(Locale.ROOT);
        if (!s.equals("interpolation") && !s.equals("minoring") && !s.equals("majoring")) {
            throw new IllegalArgumentException("Auc.summationMethod must be interpolation, minoring or majoring, got " + m);
        }
        this.summation = s;
        return this;
    }

    /** Thresholds in [0, 1] to use instead of evenly spaced ones (Keras adds -1e-7 and 1 + 1e-7 at the ends). */
    public Auc thresholds(double... t) {
        if (t == null || t.length == 0) throw new IllegalArgumentException("Auc.thresholds must be at least one number in [0, 1], got "
                + (t == null ? "null" : "none"));
        for (double x : t) {
            if (!(x >= 0 && x <= 1)) throw new IllegalArgumentException("Auc.thresholds must be in [0, 1], got " + Arrays.toString(t));
        }
        this.explicit = t.clone();
        Arrays.sort(explicit);
        return this;
    }

    /** Whether the model outputs logits: a sigmoid turns them into probabilities first (Keras' from_logits). */
    public Auc fromLogits(boolean f) {
        this.fromLogits = f;
        return this;
    }

    /**
     * Keras' {@code multi_label}: each column of a 2-D output (batch, labels) is a label with its own confusion counts and
     * curve; the value is the unweighted mean of the labels' areas. False (default): every element is one data point.
     */
    public Auc multiLabel(boolean m) {
        this.multiLabel = m;
        return this;
    }

    @Override
    public void checkOutput(String output, int[] shape) { if (multiLabel) requireTwoD("AUC", "labels", output, shape); }

    /** The name it is logged under (default "auc"). */
    public Auc name(String n) {
        rename("Auc.name", n);
        return this;
    }

    /** The number of thresholds, the end ones included. */
    private int n() { return explicit == null ? numThresholds : explicit.length + 2; }

    /** The thresholds in float32, as Keras holds them: -1e-7, the inner ones, 1 + 1e-7. */
    float[] thresholdValues() {
        int n = n();
        float[] t = new float[n];
        t[0] = -EPSILON;
        t[n - 1] = 1 + EPSILON;
        for (int i = 1; i < n - 1; i++) t[i] = (float) (explicit == null ? (double) i / (numThresholds - 1) : explicit[i - 1]);
        return t;
    }

    /** The confusion counts: Keras checks [0, thresholds..., 1] for even spacing, then buckets by arithmetic, with clipping. */
    private ConfusionCounts counts() {
        boolean even = explicit == null;
        if (!even) {
            double[] ends = new double[explicit.length + 2];
            System.arraycopy(explicit, 0, ends, 1, explicit.length);
            ends[ends.length - 1] = 1;
            even = ConfusionCounts.evenlySpaced(ends);
        }
        return new ConfusionCounts(thresholdValues(), even);
    }

    /** Per bucket the weighted positives and negatives (bucket b: above thresholds 0..b), then the totals. */
    @Override public int stateSize(int cols) { return (multiLabel ? cols : 1) * (2 * n() + 2); }

    @Override
    public void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        ConfusionCounts counts = counts();
        if (!multiLabel) {
            counts.add(rows, cols, -1, pred, target, weights, fromLogits, state);
            return;
        }
        int per = 2 * n() + 2;
        double[] one = new double[per];
        for (int c = 0; c < cols; c++) {   // label c's counts at [c * per, (c + 1) * per)
            Arrays.fill(one, 0);
            counts.add(rows, cols, c, pred, target, weights, fromLogits, one);
            for (int i = 0; i < per; i++) state[c * per + i] += one[i];
        }
    }

    @Override
    public double[] result(double[] state, int cols) {
        if (!multiLabel) return new double[] {area(state)};
        int per = 2 * n() + 2;
        double sum = 0;
        for (int c = 0; c < cols; c++) sum += area(Arrays.copyOfRange(state, c * per, (c + 1) * per));
        return new double[] {sum / cols};
    }

    /** The area from one set of counts. */
    private double area(double[] state) {
        int n = n();
        ConfusionCounts.Counts k = counts().counts(state);
        double[] tp = k.tp(), fp = k.fp(), fn = k.fn(), tn = k.tn();
        if (curve.equals("PR") && summation.equals("interpolation")) return interpolatedPr(tp, fp, fn);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            double recall = ConfusionCounts.divideNoNan(tp[i], tp[i] + fn[i]);
            if (curve.equals("ROC")) {
                x[i] = ConfusionCounts.divideNoNan(fp[i], fp[i] + tn[i]);
                y[i] = recall;
            } else {
                x[i] = recall;
                y[i] = ConfusionCounts.divideNoNan(tp[i], tp[i] + fp[i]);
            }
        }
        double auc = 0;
        for (int i = 0; i < n - 1; i++) {
            double h = switch (summation) {
                case "interpolation" -> (y[i] + y[i + 1]) / 2;
                case "minoring" -> Math.min(y[i], y[i + 1]);
                default -> Math.max(y[i], y[i + 1]);
            };
            auc += (x[i] - x[i + 1]) * h;
        }
        return auc;
    }

    /** Keras' interpolate_pr_auc: precision interpolated between thresholds as TP / (TP + FP) with both linear. */
    private static double interpolatedPr(double[] tp, double[] fp, double[] fn) {
        double auc = 0;
        for (int i = 0; i < tp.length - 1; i++) {
            double dtp = tp[i] - tp[i + 1];
            double pA = tp[i] + fp[i], pB = tp[i + 1] + fp[i + 1];
            double slope = ConfusionCounts.divideNoNan(dtp, Math.max(pA - pB, 0));
            double intercept = tp[i + 1] - slope * pB;
            double ratio = pA > 0 && pB > 0 ? ConfusionCounts.divideNoNan(pA, pB) : 1;
            auc += ConfusionCounts.divideNoNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[i + 1] + fn[i + 1], 0));
        }
        return auc;
    }

    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", key());
        c.put("dtype", "float32");
        c.put("num_thresholds", n());
        c.put("curve", curve);
        c.put("summation_method", summation);
        c.put("multi_label", multiLabel);
        c.put("num_labels", null);
        c.put("label_weights", null);
        c.put("from_logits", fromLogits);
        if (explicit != null) {
            List<Double> t = new ArrayList<>();
            for (double x : explicit) t.add(x);
            c.put("thresholds", t);
        }
        return Metric.kerasObject("AUC", c);
    }

    /** From a Keras AUC config; options jrnn lacks (label_weights, the PRGAIN curve) throw naming them. */
    static Auc fromConfig(Map<?, ?> c) {
        if (c.get("label_weights") != null) throw new IllegalArgumentException("AUC label_weights " + c.get("label_weights") + " is not supported");
        Auc a = new Auc();
        if (Boolean.TRUE.equals(c.get("multi_label"))) a.multiLabel(true);
        if (c.get("name") instanceof String s) a.name(s);
        if (c.get("curve") instanceof String s) a.curve(s);
        if (c.get("summation_method") instanceof String s) a.summationMethod(s);
        if (Boolean.TRUE.equals(c.get("from_logits"))) a.fromLogits(true);
        if (c.get("thresholds") instanceof List<?> l) {
            double[] t = new double[l.size()];
            for (int i = 0; i < t.length; i++) t[i] = ((Number) l.get(i)).doubleValue();
            a.thresholds(t);
        } else if (c.get("num_thresholds") instanceof Number k) {
            a.numThresholds(k.intValue());
        }
        return a;
    }
}
