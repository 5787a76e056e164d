package dev.jrnn.backend;

import java.util.Arrays;

/**
 * Keras' losses on host arrays, each row's loss and its gradient in double: the CPU backend's fused loss pass, and the
 * loss-named metrics ({@code losses.LossMetric}), which average the same per-row losses over an epoch. Arguments are
 * checked by the caller.
 *
 * <pre>{@code
 * double sum = LossMath.weightedSum(Loss.HINGE, rows, cols, pred, 0, target, 0, null, 0, null, 0);   // sum of the row losses
 * }</pre>
 */
public final class LossMath {
    private LossMath() {}

    /** Keras' backend epsilon for clipping probabilities. */
    private static final float EPS = 1e-7f;
    private static final float ONE_MINUS_EPS = 1f - EPS;
    private static final double LN2 = Math.log(2);

    /**
     * One row of Keras' categorical_focal_crossentropy (alpha {@code a}, gamma {@code gm}) on the (smoothed) targets
     * {@code y}: the loss, and its gradient by the row's predictions into {@code row}. From logits the probabilities are
     * softmax(z) ({@code prob}: scratch).
     */
    private static double categoricalFocal(boolean logits, double a, double gm, int cols, float[] p, int pb, double[] y,
                                           double[] prob, double[] row) {
        double max = Double.NEGATIVE_INFINITY, se = 0, sum = 0;
        if (logits) {
            for (int j = 0; j < cols; j++) max = Math.max(max, p[pb + j]);
            for (int j = 0; j < cols; j++) se += Math.exp(p[pb + j] - max);
        }
        for (int j = 0; j < cols; j++) sum += prob[j] = logits ? Math.exp(p[pb + j] - max) / se : p[pb + j];
        double s = 0, dot = 0;
        for (int j = 0; j < cols; j++) {
            double q = prob[j] / sum;
            double qc = Math.min(Math.max(q, EPS), ONE_MINUS_EPS), u = 1 - qc, log = Math.log(qc);
            s -= a * Math.pow(u, gm) * y[j] * log;
            double dq = q >= EPS && q <= ONE_MINUS_EPS ? a * (focalSlope(u, gm) * y[j] * log - Math.pow(u, gm) * y[j] / qc) : 0;
            row[j] = dq;   // d loss / d q_j
            dot += q * dq;
        }
        for (int j = 0; j < cols; j++) row[j] = (row[j] - dot) / sum;   // through q = prob / sum(prob)
        if (logits) {   // through softmax: d/dz_k = prob_k (row_k - sum_j row_j prob_j)
            double hp = 0;
            for (int j = 0; j < cols; j++) hp += row[j] * prob[j];
            for (int j = 0; j < cols; j++) row[j] = prob[j] * (row[j] - hp);
        }
        return s;
    }

    /**
     * d u^gamma / du. At u = 0 with gamma below 1 the slope is infinite; 0 there keeps a prediction that is exactly right
     * from turning the step into NaN (a subgradient's choice; Keras' autodiff gives inf).
     */
    static double focalSlope(double u, double gamma) {
        if (gamma == 0 || u == 0 && gamma < 1) return 0;
        return gamma * Math.pow(u, gamma - 1);
    }

    /**
     * The sum over {@code rows} rows of {@code cols} predictions ({@code p} from {@code po}, targets {@code t} from
     * {@code to}: one class index per row for a sparse loss) of each row's loss times its weight ({@code w} from
     * {@code wo}, null: 1). {@code g} (nullable) from {@code go} receives the gradient of that sum divided by {@code rows}
     * (the batch mean's). The hinge losses take the targets as -1 / 1 when all of them are 0 or 1, as Keras does per call.
     */
    public static double weightedSum(Loss loss, int rows, int cols, float[] p, int po, float[] t, int to,
                                     float[] w, int wo, float[] g, int go) {
        double total = 0;
        double[] row = new double[cols];     // per-row gradient of the row loss, before weighting
        Loss.Kind kind = loss.kind();
        boolean catFocal = kind == Loss.Kind.CATEGORICAL_FOCAL_CROSSENTROPY || kind == Loss.Kind.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS;
        double[] prob = catFocal ? new double[cols] : null, ys = catFocal ? new double[cols] : null;
        // Keras' convert_binary_labels_to_hinge: 0/1 targets become -1/1 when the whole batch's are 0 or 1
        boolean convert = loss.hingeLabels() && binary(t, to, (long) rows * cols);
        // Keras' label_smoothing: y (1 - s) + s / 2 for the binary forms, y (1 - s) + s / classes for the categorical ones
        double keep = 1 - loss.labelSmoothing(), add = loss.labelSmoothing() * (kind.name().startsWith("BINARY") ? 0.5 : 1.0 / cols);
        double delta = loss.delta(), gm = loss.gamma(), alpha = loss.alpha();
        float[] customGrad = kind == Loss.Kind.CUSTOM ? new float[cols] : null;
        for (int r = 0; r < rows; r++) {
            int pb = po + r * cols;
            double wr = w == null ? 1.0 : w[wo + r];
            double l = switch (kind) {
                case MSE -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        double d = (double) p[pb + j] - t[to + r * cols + j];
                        s += d * d;
                        row[j] = 2 * d / cols;
                    }
                    yield s / cols;
                }
                case MAE -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        double d = (double) p[pb + j] - t[to + r * cols + j];
                        s += Math.abs(d);
                        row[j] = Math.signum(d) / cols;
                    }
                    yield s / cols;
                }
                case BINARY_CROSSENTROPY -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        float pv = p[pb + j];
                        double y = t[to + r * cols + j] * keep + add;
                        boolean inside = pv >= EPS && pv <= ONE_MINUS_EPS;
                        double q = Math.min(Math.max(pv, EPS), ONE_MINUS_EPS);
                        s -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
                        row[j] = inside ? (-y / q + (1 - y) / (1 - q)) / cols : 0;
                    }
                    yield s / cols;
                }
                case BINARY_CROSSENTROPY_LOGITS -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        double x = p[pb + j], y = t[to + r * cols + j] * keep + add;
                        s += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
                        row[j] = (1 / (1 + Math.exp(-x)) - y) / cols;
                    }
                    yield s / cols;
                }
                case BINARY_FOCAL_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY_LOGITS -> {
                    // Keras: cw (1 - p_t)^gamma bce, p_t of the unclipped probability; bce of the clipped one, or from
                    // logits TensorFlow's sigmoid cross-entropy of z (d bce / dz = sigmoid(z) - y), p = sigmoid(z)
                    boolean logits = kind == Loss.Kind.BINARY_FOCAL_CROSSENTROPY_LOGITS;
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        double x = p[pb + j], y = t[to + r * cols + j] * keep + add;
                        double cw = loss.classBalancing() ? y * alpha + (1 - y) * (1 - alpha) : 1;
                        double pv = logits ? 1 / (1 + Math.exp(-x)) : x, bce, dBce;
                        if (logits) {
                            bce = Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
                            dBce = pv - y;
                        } else {
                            double q = Math.min(Math.max(pv, EPS), ONE_MINUS_EPS);
                            bce = -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
                            dBce = pv >= EPS && pv <= ONE_MINUS_EPS ? -y / q + (1 - y) / (1 - q) : 0;
                        }
                        double u = 1 - (y * pv + (1 - y) * (1 - pv)), f = Math.pow(u, gm);   // 1 - p_t, d/dp = 1 - 2y
                        s += cw * f * bce;
                        double dFocal = focalSlope(u, gm) * (1 - 2 * y) * bce;             // by p
                        row[j] = cw * (logits ? dFocal * pv * (1 - pv) + f * dBce : dFocal + f * dBce) / cols;
                    }
                    yield s / cols;
                }
                case CATEGORICAL_FOCAL_CROSSENTROPY, CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS -> {
                    for (int j = 0; j < cols; j++) ys[j] = t[to + r * cols + j] * keep + add;
                    yield categoricalFocal(kind == Loss.Kind.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS, alpha, gm, cols, p, pb, ys, prob, row);
                }
                case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> {
                    // Keras: q = p / sum(p), clipped to [eps, 1 - eps], loss = -sum y log q.
                    double sum = 0;
                    for (int j = 0; j < cols; j++) sum += p[pb + j];
                    double s = 0, dot = 0;
                    int cls = loss.sparse() ? classIndex(loss, t[to + r], r, cols) : -1;
                    for (int j = 0; j < cols; j++) {
                        double y = cls >= 0 ? (j == cls ? 1 : 0) : t[to + r * cols + j] * keep + add;
                        double q = p[pb + j] / sum;
                        boolean inside = q >= EPS && q <= ONE_MINUS_EPS;
                        double qc = Math.min(Math.max(q, EPS), ONE_MINUS_EPS);
                        // a zero target's 0 * log(qc) is NaN only at a NaN q (Keras); a class index takes its own term only.
                        // No log for the zero targets: a one-hot row of 10,000 classes would take 10,000 logs a row
                        if (y != 0) s -= y * Math.log(qc);
                        else if (cls < 0 && Double.isNaN(q)) s = Double.NaN;
                        double dq = inside ? -y / q : 0;     // d loss / d q_j
                        row[j] = dq;
                        dot += q * dq;
                    }
                    for (int j = 0; j < cols; j++) row[j] = (row[j] - dot) / sum;
                    yield s;
                }
                case HUBER -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        double d = (double) p[pb + j] - t[to + r * cols + j], a = Math.abs(d);
                        s += a <= delta ? 0.5 * d * d : delta * a - 0.5 * delta * delta;
                        row[j] = (a <= delta ? d : delta * Math.signum(d)) / cols;
                    }
                    yield s / cols;
                }
                case LOG_COSH -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        double d = (double) p[pb + j] - t[to + r * cols + j];
                        // Keras' form x + softplus(-2x) - log 2, stable for large |x|
                        s += d + Math.max(-2 * d, 0) + Math.log1p(Math.exp(-Math.abs(2 * d))) - LN2;
                        row[j] = Math.tanh(d) / cols;
                    }
                    yield s / cols;
                }
                case KL_DIVERGENCE -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        float pv = p[pb + j];
                        double y = Math.min(Math.max(t[to + r * cols + j], EPS), 1f);
                        double q = Math.min(Math.max(pv, EPS), 1f);
                        s += y * Math.log(y / q);
                        row[j] = pv >= EPS && pv <= 1f ? -y / q : 0;
                    }
                    yield s;
                }
                case POISSON -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        double q = (double) p[pb + j] + EPS, y = t[to + r * cols + j];
                        s += p[pb + j] - y * Math.log(q);
                        row[j] = (1 - y / q) / cols;
                    }
                    yield s / cols;
                }
                case HINGE, SQUARED_HINGE -> {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        double y = t[to + r * cols + j];
                        if (convert) y = 2 * y - 1;
                        double m = 1 - y * p[pb + j];   // max(m, 0) passes the gradient at m = 0, as TF and torch
                        if (kind == Loss.Kind.HINGE) {
                            s += Math.max(m, 0);
                            row[j] = m >= 0 ? -y / cols : 0;
                        } else {
                            double h = Math.max(m, 0);
                            s += h * h;
                            row[j] = -2 * h * y / cols;
                        }
                    }
                    yield s / cols;
                }
                case CATEGORICAL_HINGE -> {
                    // neg = max((1 - y) p), its gradient shared by the tied maxima (TF's reduce_max); pos = sum(y p).
                    // A NaN among them makes neg NaN (Keras' max), and the loss and the row's gradient NaN; a NaN pos alone
                    // (0 * Inf at a zero target) makes the loss NaN but the gradient 0, as Keras on JAX and TF
                    double pos = 0, neg = Double.NEGATIVE_INFINITY;
                    int ties = 0;
                    for (int j = 0; j < cols; j++) {
                        double y = t[to + r * cols + j], v = (1 - y) * p[pb + j];
                        pos += y * p[pb + j];
                        if (v > neg || Double.isNaN(v)) {
                            neg = v;
                            ties = 1;
                        } else if (v == neg) {
                            ties++;
                        }
                    }
                    double m = neg - pos + 1;
                    for (int j = 0; j < cols; j++) {
                        double y = t[to + r * cols + j];
                        row[j] = m >= 0 ? ((1 - y) * p[pb + j] == neg ? (1 - y) / ties : 0) - y : Double.isNaN(neg) ? Double.NaN : 0;
                    }
                    yield Math.max(m, 0);
                }
                case CUSTOM -> {
                    // the user's row function on copies of the row (its gradient buffer zeroed for it)
                    float[] tr = Arrays.copyOfRange(t, to + r * cols, to + (r + 1) * cols), pr = Arrays.copyOfRange(p, pb, pb + cols);
                    Arrays.fill(customGrad, 0f);
                    double v = loss.customFunction().apply(tr, pr, customGrad);
                    for (int j = 0; j < cols; j++) row[j] = customGrad[j];
                    yield v;
                }
                case CATEGORICAL_CROSSENTROPY_LOGITS, SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < cols; j++) max = Math.max(max, p[pb + j]);
                    double se = 0;
                    for (int j = 0; j < cols; j++) se += Math.exp(p[pb + j] - max);
                    double lse = max + Math.log(se);
                    int cls = loss.sparse() ? classIndex(loss, t[to + r], r, cols) : -1;
                    double s = 0, ysum = 0;
                    for (int j = 0; j < cols; j++) {
                        double y = cls >= 0 ? (j == cls ? 1 : 0) : t[to + r * cols + j] * keep + add;
                        if (cls < 0 || j == cls) s += y * (lse - p[pb + j]);   // a class index: its own term (TF, torch), 0 * inf elsewhere is not NaN
                        ysum += y;
                    }
                    for (int j = 0; j < cols; j++) {
                        double y = cls >= 0 ? (j == cls ? 1 : 0) : t[to + r * cols + j] * keep + add;
                        row[j] = Math.exp(p[pb + j] - lse) * ysum - y;
                    }
                    yield s;
                }
            };
            total += wr * l;
            if (g != null) {
                double sc = wr / rows;
                int gb = go + r * cols;
                for (int j = 0; j < cols; j++) g[gb + j] = (float) (row[j] * sc);
            }
        }
        return total;
    }

    /** A sparse target's class index, refused unless an integer in [0, cols) (a metric's targets reach here unchecked). */
    private static int classIndex(Loss loss, float v, int row, int cols) {
        if (!(v >= 0 && v < cols && v == (int) v)) {
            throw new IllegalArgumentException("loss " + loss + ": a class index in target is not an integer in [0, " + cols + "), got "
                    + v + " at row " + row);
        }
        return (int) v;
    }

    /** Whether every one of the n targets from {@code off} is 0 or 1. */
    private static boolean binary(float[] t, int off, long n) {
        for (long i = 0; i < n; i++) {
            float v = t[(int) (off + i)];
            if (v != 0f && v != 1f) return false;
        }
        return true;
    }
}
