package dev.jrnn.backend;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A loss the backends compute in one fused pass (value and gradient): its {@link Kind} and Keras' options for it. Keras
 * semantics: the per-element or per-row loss is averaged over everything but the class axis, then reduced over the rows
 * as {@link #reduction()} says. The constants are the kinds at Keras' defaults; the options give a new loss, as Keras'
 * loss objects take them:
 *
 * <pre>{@code
 * model.compile(new Adam(), Loss.CATEGORICAL_CROSSENTROPY_LOGITS.labelSmoothing(0.1));   // Keras' label_smoothing=0.1
 * model.compile(new Adam(), Loss.HUBER.delta(2.0));                                     // keras.losses.Huber(delta=2.0)
 * model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY.ignoreClass(0));        // padding class 0 left out
 * }</pre>
 */
public final class Loss {
    /** The losses' formulas; {@link #code()} is what the CUDA kernel receives. */
    public enum Kind {
        /** mean((p - y)^2). */
        MSE(0),
        /** mean(|p - y|). */
        MAE(1),
        /** Binary cross-entropy on probabilities (clipped to [eps, 1 - eps], eps = 1e-7). */
        BINARY_CROSSENTROPY(2),
        /** Binary cross-entropy on logits (numerically stable form). */
        BINARY_CROSSENTROPY_LOGITS(3),
        /** Categorical cross-entropy on probabilities (rows sum to 1; clipped to eps). */
        CATEGORICAL_CROSSENTROPY(4),
        /** Categorical cross-entropy on logits (log-softmax inside). */
        CATEGORICAL_CROSSENTROPY_LOGITS(5),
        /** Sparse categorical cross-entropy on probabilities: target holds class indices as floats, one per row. */
        SPARSE_CATEGORICAL_CROSSENTROPY(6),
        /** Sparse categorical cross-entropy on logits. */
        SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS(7),
        /** Huber: mean(|e| &lt;= delta ? e^2 / 2 : delta |e| - delta^2 / 2), e = p - y. */
        HUBER(8),
        /** mean(log(cosh(p - y))), as Keras: {@code x + softplus(-2x) - log 2}. */
        LOG_COSH(9),
        /** Kullback-Leibler divergence: sum(y log(y / p)) per row, y and p clipped to [1e-7, 1] (Keras). */
        KL_DIVERGENCE(10),
        /** Poisson: mean(p - y log(p + 1e-7)). */
        POISSON(11),
        /** Hinge: mean(max(1 - y p, 0)); targets all 0 or 1 in a batch become -1 / 1 first (Keras). */
        HINGE(12),
        /** Squared hinge: mean(max(1 - y p, 0)^2), targets converted as {@link #HINGE}'s. */
        SQUARED_HINGE(13),
        /** Categorical hinge per row: max(max((1 - y) p) - sum(y p) + 1, 0) on one-hot targets. */
        CATEGORICAL_HINGE(14),
        /**
         * Keras' binary focal cross-entropy: mean(w (1 - p_t)^gamma bce), p_t = y p + (1 - y)(1 - p), bce as
         * {@link #BINARY_CROSSENTROPY}'s (p clipped there, not in p_t), w = y alpha + (1 - y)(1 - alpha) with class
         * balancing, else 1.
         */
        BINARY_FOCAL_CROSSENTROPY(15),
        /**
         * {@link #BINARY_FOCAL_CROSSENTROPY} from logits as Keras' TensorFlow backend and tf.keras 2 compute it: p_t of
         * sigmoid(z), the cross-entropy from the logits themselves (unclipped, so a confidently wrong logit keeps its
         * gradient; Keras 3's JAX and PyTorch backends clip sigmoid(z) there, which differs where |z| is above ~16).
         */
        BINARY_FOCAL_CROSSENTROPY_LOGITS(16),
        /**
         * Keras' categorical focal cross-entropy on one-hot targets: per row sum(-alpha (1 - q)^gamma y log q), q = p /
         * sum(p) clipped to [eps, 1 - eps] (in both factors).
         */
        CATEGORICAL_FOCAL_CROSSENTROPY(17),
        /** {@link #CATEGORICAL_FOCAL_CROSSENTROPY} of softmax(z), as Keras computes its from_logits form. */
        CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS(18),
        /** A loss of the user's own ({@link Loss#custom}): computed on the host, no CUDA code. */
        CUSTOM(-1);

        private final int code;

        Kind(int code) { this.code = code; }

        /** What CUDA kernels receive. */
        public int code() { return code; }
    }

    /** Keras' reductions a training loss may have ("mean" is "sum_over_batch_size" in Keras 3). */
    public static final List<String> REDUCTIONS = List.of("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight");

    public static final Loss MSE = new Loss(Kind.MSE);
    public static final Loss MAE = new Loss(Kind.MAE);
    public static final Loss BINARY_CROSSENTROPY = new Loss(Kind.BINARY_CROSSENTROPY);
    public static final Loss BINARY_CROSSENTROPY_LOGITS = new Loss(Kind.BINARY_CROSSENTROPY_LOGITS);
    public static final Loss CATEGORICAL_CROSSENTROPY = new Loss(Kind.CATEGORICAL_CROSSENTROPY);
    public static final Loss CATEGORICAL_CROSSENTROPY_LOGITS = new Loss(Kind.CATEGORICAL_CROSSENTROPY_LOGITS);
    public static final Loss SPARSE_CATEGORICAL_CROSSENTROPY = new Loss(Kind.SPARSE_CATEGORICAL_CROSSENTROPY);
    public static final Loss SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS = new Loss(Kind.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS);
    public static final Loss HUBER = new Loss(Kind.HUBER);
    public static final Loss LOG_COSH = new Loss(Kind.LOG_COSH);
    public static final Loss KL_DIVERGENCE = new Loss(Kind.KL_DIVERGENCE);
    public static final Loss POISSON = new Loss(Kind.POISSON);
    public static final Loss HINGE = new Loss(Kind.HINGE);
    public static final Loss SQUARED_HINGE = new Loss(Kind.SQUARED_HINGE);
    public static final Loss CATEGORICAL_HINGE = new Loss(Kind.CATEGORICAL_HINGE);
    public static final Loss BINARY_FOCAL_CROSSENTROPY = new Loss(Kind.BINARY_FOCAL_CROSSENTROPY);
    public static final Loss BINARY_FOCAL_CROSSENTROPY_LOGITS = new Loss(Kind.BINARY_FOCAL_CROSSENTROPY_LOGITS);
    public static final Loss CATEGORICAL_FOCAL_CROSSENTROPY = new Loss(Kind.CATEGORICAL_FOCAL_CROSSENTROPY);
    public static final Loss CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS = new Loss(Kind.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS);

    /** Huber's delta at Keras' default. */
    public static final double HUBER_DELTA = 1.0;
    /** The focal cross-entropies' gamma at Keras' default. */
    public static final double FOCAL_GAMMA = 2.0;
    /** The focal cross-entropies' alpha at Keras' default. */
    public static final double FOCAL_ALPHA = 0.25;

    private static final List<Loss> DEFAULTS = List.of(MSE, MAE, BINARY_CROSSENTROPY, BINARY_CROSSENTROPY_LOGITS,
            CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY_LOGITS, SPARSE_CATEGORICAL_CROSSENTROPY,
            SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, HUBER, LOG_COSH, KL_DIVERGENCE, POISSON, HINGE, SQUARED_HINGE,
            CATEGORICAL_HINGE, BINARY_FOCAL_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY_LOGITS, CATEGORICAL_FOCAL_CROSSENTROPY,
            CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS);

    /**
     * One row's loss (the values along the last axis, Keras' per-sample loss function) and its gradient by the row's
     * predictions, written into {@code grad} (zeros on entry, one value per prediction).
     */
    @FunctionalInterface
    public interface RowFunction {
        double apply(float[] target, float[] prediction, float[] grad);
    }

    private final Kind kind;
    private final double delta, gamma, alpha, labelSmoothing;
    private final boolean classBalancing;
    private final Integer ignoreClass;
    private final String reduction;
    private final String customName;
    private final RowFunction custom;

    private Loss(Kind kind) {
        this(kind, HUBER_DELTA, FOCAL_GAMMA, FOCAL_ALPHA, 0, false, null, "sum_over_batch_size");
    }

    private Loss(Kind kind, double delta, double gamma, double alpha, double labelSmoothing, boolean classBalancing,
                 Integer ignoreClass, String reduction) {
        this(kind, delta, gamma, alpha, labelSmoothing, classBalancing, ignoreClass, reduction, null, null);
    }

    private Loss(Kind kind, double delta, double gamma, double alpha, double labelSmoothing, boolean classBalancing,
                 Integer ignoreClass, String reduction, String customName, RowFunction custom) {
        this.customName = customName;
        this.custom = custom;
        this.kind = kind;
        this.delta = delta;
        this.gamma = gamma;
        this.alpha = alpha;
        this.labelSmoothing = labelSmoothing;
        this.classBalancing = classBalancing;
        this.ignoreClass = ignoreClass;
        this.reduction = reduction;
    }

    /** The kind at Keras' defaults: {@code Loss.of(Kind.HUBER) == Loss.HUBER}. */
    public static Loss of(Kind kind) {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.CUSTOM) throw new IllegalArgumentException("Loss.of: a custom loss comes from Loss.custom(name, fn), got kind CUSTOM");
        return DEFAULTS.get(kind.ordinal());
    }

    /**
     * A loss of the user's own, as Keras' {@code compile(loss=my_fn)}: {@code fn} gives one row's loss (a sample's, or a
     * sequence step's, along the last axis) and its gradient by the predictions, since jrnn has no autodiff. Reduced as
     * the built-in losses (masks, sample weights, loss weights, {@link #reduction(String)}). It runs on the host: on CUDA
     * each step reads the predictions back and is not captured into a graph. A saved model keeps only its name, as Keras
     * keeps a function's, and loads uncompiled (Keras needs it in {@code custom_objects}).
     *
     * <pre>{@code
     * Loss squaredLog = Loss.custom("squared_log_error", (y, p, g) -> {   // mean((log1p(p) - log1p(y))^2) per row
     *     double s = 0;
     *     for (int i = 0; i < p.length; i++) {
     *         double d = Math.log1p(p[i]) - Math.log1p(y[i]);
     *         s += d * d / p.length;
     *         g[i] = (float) (2 * d / (1 + p[i]) / p.length);
     *     }
     *     return s;
     * });
     * model.compile("adam", squaredLog);
     * }</pre>
     *
     * @throws IllegalArgumentException for a blank name, a built-in loss's name, or a null function
     */
    public static Loss custom(String name, RowFunction fn) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Loss.custom: name must be a non-blank name, got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (fn == null) throw new IllegalArgumentException("Loss.custom: fn must be a function of (target, prediction, grad), got null");
        for (Kind k : Kind.values()) {
            if (k.name().equalsIgnoreCase(name.trim())) {
                throw new IllegalArgumentException("Loss.custom: name must not be a built-in loss's, got '" + name + "'");
            }
        }
        return new Loss(Kind.CUSTOM, HUBER_DELTA, FOCAL_GAMMA, FOCAL_ALPHA, 0, false, null, "sum_over_batch_size", name.trim(), fn);
    }

    /** A custom loss's function, null for the built-in kinds. */
    public RowFunction customFunction() { return custom; }

    /** A custom loss's name, null for the built-in kinds. */
    public String customName() { return customName; }

    /** The kind named {@code name} ({@code "HUBER"}) at Keras' defaults, as an enum's valueOf. */
    public static Loss valueOf(String name) { return of(Kind.valueOf(name)); }

    /** Every kind at Keras' defaults, in {@link Kind}'s order. */
    public static List<Loss> values() { return DEFAULTS; }

    public Kind kind() { return kind; }

    /** What CUDA kernels receive: the kind's code. */
    public int code() { return kind.code(); }

    /** The kind's name ({@code "HUBER"}), as an enum constant's. */
    public String name() { return kind.name(); }

    /** Huber's delta (1 unless set). */
    public double delta() { return delta; }

    /** The focal cross-entropies' gamma (2 unless set). */
    public double gamma() { return gamma; }

    /** The focal cross-entropies' alpha (0.25 unless set; the binary one uses it with class balancing only). */
    public double alpha() { return alpha; }

    /** The cross-entropies' label smoothing (0 unless set). */
    public double labelSmoothing() { return labelSmoothing; }

    /** Whether the binary focal cross-entropy weighs class 1 by alpha and class 0 by 1 - alpha. */
    public boolean classBalancing() { return classBalancing; }

    /** The class sparse categorical cross-entropy leaves out (rows with this target count as masked), or null. */
    public Integer ignoreClass() { return ignoreClass; }

    /** Keras' reduction: "sum_over_batch_size" (the default), "mean" (the same), "sum" or "mean_with_sample_weight". */
    public String reduction() { return reduction; }

    /** Whether every option is at Keras' default (as the constants are). */
    public boolean isDefault() { return custom == null && equals(of(kind)); }

    /**
     * Keras' {@code delta} of Huber: quadratic for |error| &lt;= delta, linear beyond.
     *
     * @throws IllegalArgumentException for another loss, or a delta that is not positive and finite
     */
    public Loss delta(double delta) {
        only("delta", kind == Kind.HUBER, "Huber");
        if (!(delta > 0) || !Double.isFinite(delta)) throw bad("delta", "a positive finite number", delta);
        return new Loss(kind, delta, gamma, alpha, labelSmoothing, classBalancing, ignoreClass, reduction);
    }

    /**
     * Keras' {@code gamma} of the focal cross-entropies: easy examples weigh (1 - p_t)^gamma; 0 is the plain cross-entropy
     * (times alpha for the categorical form).
     *
     * @throws IllegalArgumentException for another loss, or a gamma that is negative or not finite
     */
    public Loss gamma(double gamma) {
        only("gamma", focal(), "the focal cross-entropies");
        if (!(gamma >= 0) || !Double.isFinite(gamma)) throw bad("gamma", "a finite number >= 0", gamma);
        return new Loss(kind, delta, gamma, alpha, labelSmoothing, classBalancing, ignoreClass, reduction);
    }

    /**
     * Keras' {@code alpha} of the focal cross-entropies: the categorical form's weight of every class; the binary form's
     * weight of class 1 (class 0 gets 1 - alpha) when {@link #classBalancing(boolean)} is on.
     *
     * @throws IllegalArgumentException for another loss, or a value that is not finite
     */
    public Loss alpha(double alpha) {
        only("alpha", focal(), "the focal cross-entropies");
        if (!Double.isFinite(alpha)) throw bad("alpha", "a finite number", alpha);
        return new Loss(kind, delta, gamma, alpha, labelSmoothing, classBalancing, ignoreClass, reduction);
    }

    /**
     * Keras' {@code apply_class_balancing} of the binary focal cross-entropy.
     *
     * @throws IllegalArgumentException for another loss
     */
    public Loss classBalancing(boolean on) {
        only("classBalancing", kind == Kind.BINARY_FOCAL_CROSSENTROPY || kind == Kind.BINARY_FOCAL_CROSSENTROPY_LOGITS,
                "the binary focal cross-entropy");
        return new Loss(kind, delta, gamma, alpha, labelSmoothing, on, ignoreClass, reduction);
    }

    /**
     * Keras' {@code label_smoothing} of the binary, categorical and focal cross-entropies: targets y become
     * y (1 - s) + s / 2 (binary) or y (1 - s) + s / classes (categorical) before the loss.
     *
     * @throws IllegalArgumentException for another loss (the sparse form has none, as in Keras), or s outside [0, 1]
     */
    public Loss labelSmoothing(double s) {
        only("labelSmoothing", smoothable(), "the binary, categorical and focal cross-entropies");
        if (!(s >= 0 && s <= 1)) throw bad("labelSmoothing", "a number in [0, 1]", s);
        return new Loss(kind, delta, gamma, alpha, s, classBalancing, ignoreClass, reduction);
    }

    /**
     * Keras' {@code ignore_class} of sparse categorical cross-entropy: rows whose target is this class add no loss and no
     * gradient, and the mean runs over the others (as a mask; a batch of only ignored rows has loss 0).
     *
     * @throws IllegalArgumentException for another loss
     */
    public Loss ignoreClass(int cls) {
        only("ignoreClass", kind == Kind.SPARSE_CATEGORICAL_CROSSENTROPY || kind == Kind.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS,
                "sparse categorical cross-entropy");
        return new Loss(kind, delta, gamma, alpha, labelSmoothing, classBalancing, cls, reduction);
    }

    /**
     * Keras' {@code reduction} over the batch's (unmasked) rows: "sum_over_batch_size" or "mean" divides the weighted sum by
     * the number of rows (masked rows left out), "sum" does not divide, "mean_with_sample_weight" divides by the sum of the
     * weights (sample weights times the mask).
     *
     * @throws IllegalArgumentException for another name ("none" too: fit needs one number)
     */
    public Loss reduction(String reduction) {
        String r = reduction == null ? null : reduction.toLowerCase(Locale.ROOT);
        if (r == null || !REDUCTIONS.contains(r)) throw bad("reduction", "one of " + REDUCTIONS, reduction);
        if (r.equals("mean")) r = "sum_over_batch_size";   // Keras 3 reduces both alike
        return new Loss(kind, delta, gamma, alpha, labelSmoothing, classBalancing, ignoreClass, r, customName, custom);
    }

    /** Whether the loss takes the batch's targets as -1 / 1 when every one of them is 0 or 1 (Keras' hinge losses). */
    public boolean hingeLabels() { return kind == Kind.HINGE || kind == Kind.SQUARED_HINGE; }

    /** Whether the predictions are logits (a sigmoid or softmax inside the loss). */
    public boolean fromLogits() { return kind.name().endsWith("_LOGITS"); }

    /** Whether the target has one value per row (class index) instead of one per prediction element. */
    public boolean sparse() {
        return kind == Kind.SPARSE_CATEGORICAL_CROSSENTROPY || kind == Kind.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS;
    }

    /** Whether this is one of the focal cross-entropies. */
    public boolean focal() { return kind.name().contains("FOCAL"); }

    /** Whether label smoothing applies (the dense cross-entropies, focal ones included). */
    public boolean smoothable() { return kind.name().contains("CROSSENTROPY") && !sparse(); }

    private void only(String option, boolean ok, String which) {
        if (!ok) throw new IllegalArgumentException("Loss." + option + ": only " + which + " take" + (which.endsWith("ies") ? "" : "s")
                + " it, got " + kind);
    }

    private static IllegalArgumentException bad(String option, String expected, Object got) {
        return new IllegalArgumentException("Loss." + option + ": expected " + expected + ", got " + got);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Loss l && l.kind == kind && Double.compare(l.delta, delta) == 0 && Double.compare(l.gamma, gamma) == 0
                && Double.compare(l.alpha, alpha) == 0 && Double.compare(l.labelSmoothing, labelSmoothing) == 0
                && l.classBalancing == classBalancing && Objects.equals(l.ignoreClass, ignoreClass) && l.reduction.equals(reduction)
                && Objects.equals(l.customName, customName) && l.custom == custom;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, delta, gamma, alpha, labelSmoothing, classBalancing, ignoreClass, reduction, customName);
    }

    /** The kind's name, with the options that differ from Keras' defaults: {@code HUBER(delta=2.0)}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (delta != HUBER_DELTA) s.append(", delta=").append(delta);
        if (gamma != FOCAL_GAMMA) s.append(", gamma=").append(gamma);
        if (alpha != FOCAL_ALPHA) s.append(", alpha=").append(alpha);
        if (classBalancing) s.append(", classBalancing=true");
        if (labelSmoothing != 0) s.append(", labelSmoothing=").append(labelSmoothing);
        if (ignoreClass != null) s.append(", ignoreClass=").append(ignoreClass);
        if (!reduction.equals("sum_over_batch_size")) s.append(", reduction=").append(reduction);
        String head = custom != null ? "CUSTOM " + customName : kind.name();
        return s.isEmpty() ? head : head + "(" + s.substring(2) + ")";
    }
}
