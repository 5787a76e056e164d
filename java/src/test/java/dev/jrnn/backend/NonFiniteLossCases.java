package dev.jrnn.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every built-in loss on a 2 x 3 batch with one NaN, +Inf or -Inf in row 1 (column 0 or 1) of the predictions or of
 * the targets (class indices excepted: one that is not an integer is refused): the cases on which the CUDA loss kernel
 * must give the CPU backend's loss and gradient ({@code CudaKernelsSimTest} on the host simulator, {@code
 * CudaNonFiniteLossGpuTest} on a device), and, for NaN, Keras' NaN ({@link NonFiniteLossTest}). The base rows are those of
 * src/test/resources/lossref/keras_nonfinite_losses.py: row 1 col 0 is a target class of the one-hot rows, col 1 not.
 */
public final class NonFiniteLossCases {
    private NonFiniteLossCases() {}

    public static final int ROWS = 2, COLS = 3;

    private static final float[] PROBS = {0.2f, 0.5f, 0.3f, 0.6f, 0.1f, 0.3f};
    private static final float[] LOGITS = {0.5f, -1.2f, 2.0f, -0.3f, 0.8f, 0.1f};
    private static final float[] REAL = {0.4f, -0.7f, 1.5f, 1.0f, 0.2f, -0.4f};
    private static final float[] BINARY = {1, 0, 1, 0, 1, 0};
    private static final float[] ONE_HOT = {0, 1, 0, 1, 0, 0};
    private static final float[] CLASSES = {1, 0};
    private static final float[] DISTRIBUTIONS = {0.1f, 0.6f, 0.3f, 0.5f, 0.25f, 0.25f};
    private static final float[] COUNTS = {1, 0, 2, 3, 1, 0};

    /** One case: the loss, which input holds the special value, the value, its column in row 1, and the inputs. */
    public record Case(Loss loss, String where, float special, int col, float[] pred, float[] target) {
        public String name() {
            return loss + " " + where + "[1, " + col + "] = " + special;
        }
    }

    /** The base predictions and targets of a loss (each a fresh copy). */
    static float[][] base(Loss.Kind k) {
        return switch (k) {
            case MSE, MAE, HUBER, LOG_COSH -> pair(LOGITS, REAL);
            case BINARY_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY -> pair(PROBS, BINARY);
            case BINARY_CROSSENTROPY_LOGITS, BINARY_FOCAL_CROSSENTROPY_LOGITS, HINGE, SQUARED_HINGE -> pair(LOGITS, BINARY);
            case CATEGORICAL_CROSSENTROPY, CATEGORICAL_FOCAL_CROSSENTROPY -> pair(PROBS, ONE_HOT);
            case CATEGORICAL_CROSSENTROPY_LOGITS, CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS, CATEGORICAL_HINGE -> pair(LOGITS, ONE_HOT);
            case SPARSE_CATEGORICAL_CROSSENTROPY -> pair(PROBS, CLASSES);
            case SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> pair(LOGITS, CLASSES);
            case KL_DIVERGENCE -> pair(PROBS, DISTRIBUTIONS);
            case POISSON -> pair(PROBS, COUNTS);
            case CUSTOM -> throw new IllegalArgumentException("a custom loss runs on the host");
        };
    }

    private static float[][] pair(float[] p, float[] t) {
        return new float[][] {p.clone(), t.clone()};
    }

    /** The case of {@code loss} with {@code special} at (1, col) of the predictions or ("target") the targets. */
    public static Case of(Loss loss, String where, float special, int col) {
        float[][] pt = base(loss.kind());
        (where.equals("pred") ? pt[0] : pt[1])[COLS + col] = special;
        return new Case(loss, where, special, col, pt[0], pt[1]);
    }

    /**
     * Every loss at its defaults, and with each Keras option away from its default (label smoothing, Huber's delta,
     * the focal gamma / alpha / class balancing), under NaN, +Inf and -Inf in each place.
     */
    public static List<Case> all() {
        List<Loss> losses = new ArrayList<>();
        for (Loss l : Loss.values()) if (l.kind() != Loss.Kind.CUSTOM) losses.add(l);
        losses.addAll(List.of(Loss.HUBER.delta(0.4), Loss.BINARY_CROSSENTROPY.labelSmoothing(0.2),
                Loss.BINARY_CROSSENTROPY_LOGITS.labelSmoothing(0.3), Loss.CATEGORICAL_CROSSENTROPY.labelSmoothing(0.1),
                Loss.CATEGORICAL_CROSSENTROPY_LOGITS.labelSmoothing(0.25), Loss.BINARY_FOCAL_CROSSENTROPY.gamma(0.5),
                Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS.classBalancing(true).alpha(0.3),
                Loss.CATEGORICAL_FOCAL_CROSSENTROPY.gamma(1.5).labelSmoothing(0.1)));
        List<Case> cases = new ArrayList<>();
        for (Loss l : losses) {
            for (String where : new String[] {"pred", "target"}) {
                if (where.equals("target") && l.sparse()) continue;
                for (float s : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    for (int col = 0; col < 2; col++) cases.add(of(l, where, s, col));
                }
            }
        }
        return cases;
    }

    /** The case's mean loss and gradient on {@code be} ({@code Backend.lossAsync}, then read back). */
    public static float[][] run(Backend be, Case c) {
        int n = ROWS * COLS;
        try (Buf p = be.alloc(n); Buf t = be.alloc(c.target().length); Buf g = be.alloc(n); Buf o = be.alloc(1)) {
            be.upload(c.pred(), 0, p, 0, n);
            be.upload(c.target(), 0, t, 0, c.target().length);
            be.lossAsync(new LossArgs(c.loss(), ROWS, COLS, new Span(p, 0), new Span(t, 0), null, new Span(g, 0), new Span(o, 0)));
            float[] value = new float[1], grad = new float[n];
            be.download(o, 0, value, 0, 1);
            be.download(g, 0, grad, 0, n);
            return new float[][] {value, grad};
        }
    }

    /** The special value as the golden file and Python print it. */
    public static String pythonName(float s) {
        return Float.isNaN(s) ? "nan" : s > 0 ? "inf" : "-inf";
    }

    /** The header line the simulator harness (kernel_sim_main.cpp's "loss") reads before the case's numbers. */
    public static String simHeader(Case c) {
        Loss l = c.loss();
        return String.format(Locale.ROOT, "loss %d %d %d %s %s %s %d %s %d 0", l.code(), ROWS, COLS, Float.toString((float) l.delta()),
                Float.toString((float) l.gamma()), Float.toString((float) l.alpha()), l.classBalancing() ? 1 : 0,
                Float.toString((float) l.labelSmoothing()), c.target().length);
    }
}
