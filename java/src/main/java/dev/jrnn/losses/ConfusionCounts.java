package dev.jrnn.losses;

import java.util.Arrays;

/**
 * Keras' confusion counts at several thresholds ({@code metrics_utils.update_confusion_matrix_variables}, not multi-label),
 * which {@link Auc}, the confusion-count metrics ({@link TruePositives}, ...), {@link Precision} and {@link Recall}, and the
 * metrics at a fixed sensitivity, specificity, precision or recall ({@link PrecisionAtRecall}, ...) share. Every element of the output (or of one class
 * column) is one data point, weighted by its row's weight; a nonzero target is a positive, a prediction above a threshold
 * a predicted positive. The state holds, per bucket b of the sorted thresholds, the weighted positives and then the
 * negatives whose prediction is above thresholds 0..b exactly, then the total positives and negatives, so it sums over
 * batches and ranks; the counts at a threshold are its buckets' reverse cumulative sums. Evenly spaced thresholds are
 * bucketed by Keras' arithmetic ({@code ceil(clip(p, 0, 1) * (n - 1)) - 1} in float32, a bucket of -1 made 0 when the
 * end thresholds lie outside [0, 1]), others compared one by one.
 */
final class ConfusionCounts {
    /** The counts at each threshold, in the order the thresholds were given. */
    record Counts(double[] tp, double[] fp, double[] tn, double[] fn) {}

    private final float[] sorted;
    /** {@code order[i]}: where the i-th threshold given sits in {@link #sorted}. */
    private final int[] order;
    private final boolean even, epsilonEnds;

    /** Thresholds as Keras holds them (float32); {@code even}: Keras buckets them by arithmetic. */
    ConfusionCounts(float[] thresholds, boolean even) {
        int n = thresholds.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Float.compare(thresholds[a], thresholds[b]));
        this.sorted = new float[n];
        this.order = new int[n];
        for (int s = 0; s < n; s++) {
            sorted[s] = thresholds[idx[s]];
            order[idx[s]] = s;
        }
        this.even = even;
        this.epsilonEnds = thresholds[0] < 0 || thresholds[n - 1] > 1;
    }

    /** Keras' is_evenly_distributed_thresholds: at least 3, each within 1e-7 (+ 1e-5 relative) of i / (n - 1). */
    static boolean evenlySpaced(double[] t) {
        int m = t.length;
        if (m < 3) return false;
        for (int i = 0; i < m; i++) {
            float even = (float) i / (m - 1);
            if (!(Math.abs(t[i] - even) <= 1e-7 + 1e-5 * Math.abs(even))) return false;   // np.allclose(atol=epsilon)
        }
        return true;
    }

    int thresholds() { return sorted.length; }

    /** Doubles of state: positives and negatives per bucket, then the two totals. */
    int stateSize() { return 2 * sorted.length + 2; }

    /**
     * Adds {@code rows} rows of {@code cols} predictions and targets: every column, or only {@code column} (Keras'
     * class_id) when it is not negative. {@code sigmoid}: the predictions are logits.
     */
    void add(int rows, int cols, int column, float[] pred, float[] target, float[] weights, boolean sigmoid, double[] state) {
        int n = sorted.length;
        int from = column < 0 ? 0 : column, to = column < 0 ? cols : column + 1;
        for (int r = 0; r < rows; r++) {
            double w = weights == null ? 1 : weights[r];
            if (w == 0) continue;   // adds 0 whatever the values (Keras weighs 0/1 indicators, never NaN)
            for (int c = from; c < to; c++) {
                float p = pred[r * cols + c];
                if (sigmoid) p = (float) (1 / (1 + Math.exp(-p)));
                int b = bucket(p);
                boolean pos = target[r * cols + c] != 0;
                if (b >= 0) state[(pos ? 0 : n) + b] += w;
                state[2 * n + (pos ? 0 : 1)] += w;
            }
        }
    }

    /** Above which thresholds {@code p} is: 0..b; -1 none (NaN is above none, as Keras' {@code p > t} is false). */
    private int bucket(float p) {
        int n = sorted.length;
        if (Float.isNaN(p)) return -1;
        if (even) {
            float q = Math.min(1f, Math.max(0f, p));
            int b = (int) Math.ceil(q * (float) (n - 1)) - 1;
            return epsilonEnds ? Math.max(0, b) : b;
        }
        int lo = 0, hi = n;   // the thresholds below p form a prefix of the sorted ones
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < p) lo = mid + 1;
            else hi = mid;
        }
        return lo - 1;
    }

    /** The epoch's counts at each threshold. */
    Counts counts(double[] state) {
        int n = sorted.length;
        double[] tp = new double[n], fp = new double[n], tn = new double[n], fn = new double[n];
        double sumTp = 0, sumFp = 0;
        double[] cumTp = new double[n], cumFp = new double[n];
        for (int s = n - 1; s >= 0; s--) {
            sumTp += state[s];
            sumFp += state[n + s];
            cumTp[s] = sumTp;
            cumFp[s] = sumFp;
        }
        for (int i = 0; i < n; i++) {
            int s = order[i];
            tp[i] = cumTp[s];
            fp[i] = cumFp[s];
            fn[i] = state[2 * n] - tp[i];
            tn[i] = state[2 * n + 1] - fp[i];
        }
        return new Counts(tp, fp, tn, fn);
    }

    static double divideNoNan(double a, double b) { return b == 0 ? 0 : a / b; }

    /**
     * The columns of an output of {@code shape} (1 for a scalar), after checking that a class id names one of them (Keras
     * indexes the last axis with it); the refusal names the metric ({@code cls}, logged as {@code key}) and the output.
     */
    static int checkClassId(String cls, String key, Integer classId, String output, int[] shape) {
        int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        if (classId != null && classId >= cols) {
            throw new IllegalArgumentException(cls + " '" + key + "': classId must be below the output's " + cols + " columns, got "
                    + classId + " (output " + output + ")");
        }
        return cols;
    }
}
