package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras loss names mapped to the fused losses of the backend ({@link Loss}), at Keras' defaults; {@link Loss}'s options
 * (label smoothing, Huber's delta, the focal losses' gamma and alpha, ignore_class, reduction) give the others. Keras'
 * default reduction: per-row losses averaged over the batch (and over features for MSE/MAE/binary cross-entropy).
 *
 * <pre>{@code
 * model.compile(new Adam(0.01), Losses.sparseCategoricalCrossentropy(true));   // from logits
 * model.compile("adam", "mse");                                               // by name
 * model.compile("adam", Losses.categoricalCrossentropy(true).labelSmoothing(0.1));
 * }</pre>
 */
public final class Losses {
    private Losses() {}

    /** Mean squared error, Keras' "mse" / {@code MeanSquaredError}. */
    public static Loss mse() { return Loss.MSE; }

    /** Mean absolute error, Keras' "mae" / {@code MeanAbsoluteError}. */
    public static Loss mae() { return Loss.MAE; }

    /** Binary cross-entropy; {@code fromLogits} = the model outputs raw scores (no sigmoid). */
    public static Loss binaryCrossentropy(boolean fromLogits) {
        return fromLogits ? Loss.BINARY_CROSSENTROPY_LOGITS : Loss.BINARY_CROSSENTROPY;
    }

    /** Categorical cross-entropy on one-hot targets; {@code fromLogits} = no softmax in the model. */
    public static Loss categoricalCrossentropy(boolean fromLogits) {
        return fromLogits ? Loss.CATEGORICAL_CROSSENTROPY_LOGITS : Loss.CATEGORICAL_CROSSENTROPY;
    }

    /** Categorical cross-entropy on integer class targets; {@code fromLogits} = no softmax in the model. */
    public static Loss sparseCategoricalCrossentropy(boolean fromLogits) {
        return fromLogits ? Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS : Loss.SPARSE_CATEGORICAL_CROSSENTROPY;
    }

    /**
     * Binary focal cross-entropy (Lin et al.) with Keras' defaults, gamma 2 and no class balancing: easy examples weigh
     * (1 - p_t)^2 of their cross-entropy; {@code fromLogits} = the model outputs raw scores.
     */
    public static Loss binaryFocalCrossentropy(boolean fromLogits) {
        return fromLogits ? Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS : Loss.BINARY_FOCAL_CROSSENTROPY;
    }

    /**
     * Categorical focal cross-entropy with Keras' defaults, alpha 0.25 and gamma 2, on one-hot targets; {@code fromLogits}
     * = no softmax in the model.
     */
    public static Loss categoricalFocalCrossentropy(boolean fromLogits) {
        return fromLogits ? Loss.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS : Loss.CATEGORICAL_FOCAL_CROSSENTROPY;
    }

    /** Huber with Keras' default delta 1 (quadratic for |error| &lt;= 1, linear beyond). */
    public static Loss huber() { return Loss.HUBER; }

    /** log(cosh(prediction - target)), averaged over features. */
    public static Loss logCosh() { return Loss.LOG_COSH; }

    /** Kullback-Leibler divergence between target and predicted distributions (both clipped to [1e-7, 1]). */
    public static Loss klDivergence() { return Loss.KL_DIVERGENCE; }

    /** Poisson: mean(prediction - target * log(prediction + 1e-7)). */
    public static Loss poisson() { return Loss.POISSON; }

    /** Hinge: mean(max(1 - target * prediction, 0)); a batch whose targets are all 0 or 1 has them taken as -1 / 1. */
    public static Loss hinge() { return Loss.HINGE; }

    /** Squared hinge: mean(max(1 - target * prediction, 0)^2), targets as {@link #hinge()}'s. */
    public static Loss squaredHinge() { return Loss.SQUARED_HINGE; }

    /** Categorical hinge on one-hot targets: max(max((1 - target) * prediction) - sum(target * prediction) + 1, 0). */
    public static Loss categoricalHinge() { return Loss.CATEGORICAL_HINGE; }

    /**
     * A loss by Keras name: "mse" / "mean_squared_error", "mae" / "mean_absolute_error",
     * "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
     * "sparse_categorical_crossentropy"
     * (probabilities), "huber" / "huber_loss", "log_cosh" / "logcosh", "kl_divergence" / "kld" /
     * "kullback_leibler_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge", and Keras' class names ("MeanSquaredError", "BinaryCrossentropy",
     * "KLDivergence", ...), which Keras' losses.get takes too (case is ignored). Append "_from_logits" for the logits
     * forms, e.g. "sparse_categorical_crossentropy_from_logits".
     */
    public static Loss of(String name) {
        if (name == null) throw new IllegalArgumentException("loss name is null: expected one of " + NAMES);
        String n = name.trim().toLowerCase(Locale.ROOT);
        boolean logits = n.endsWith("_from_logits");
        if (logits) n = n.substring(0, n.length() - "_from_logits".length());
        Loss l = switch (n) {
            case "mse", "mean_squared_error", "meansquarederror" -> logits ? null : Loss.MSE;
            case "mae", "mean_absolute_error", "meanabsoluteerror" -> logits ? null : Loss.MAE;
            case "binary_crossentropy", "bce", "binarycrossentropy" -> binaryCrossentropy(logits);
            case "binary_focal_crossentropy", "binaryfocalcrossentropy" -> binaryFocalCrossentropy(logits);
            case "categorical_focal_crossentropy", "categoricalfocalcrossentropy" -> categoricalFocalCrossentropy(logits);
            case "categorical_crossentropy", "categoricalcrossentropy" -> categoricalCrossentropy(logits);
            case "sparse_categorical_crossentropy", "sparsecategoricalcrossentropy" -> sparseCategoricalCrossentropy(logits);
            case "huber", "huber_loss" -> logits ? null : Loss.HUBER;
            case "log_cosh", "logcosh" -> logits ? null : Loss.LOG_COSH;
            case "kl_divergence", "kld", "kullback_leibler_divergence", "kldivergence" -> logits ? null : Loss.KL_DIVERGENCE;
            case "poisson" -> logits ? null : Loss.POISSON;
            case "hinge" -> logits ? null : Loss.HINGE;
            case "squared_hinge", "squaredhinge" -> logits ? null : Loss.SQUARED_HINGE;
            case "categorical_hinge", "categoricalhinge" -> logits ? null : Loss.CATEGORICAL_HINGE;
            default -> null;
        };
        if (l == null && (n.equals("crossentropy") || n.equals("ce"))) {
            // Keras' compile picks one from the shapes of the first batch (compile_utils.get_loss); jrnn's loss is fixed at compile
            throw new IllegalArgumentException("loss '" + name + "': Keras picks the cross-entropy from the targets' shape; name it: "
                    + "binary_crossentropy (one output column), sparse_categorical_crossentropy (class-index targets) or "
                    + "categorical_crossentropy (one-hot targets)");
        }
        if (l == null) throw new IllegalArgumentException("unknown loss '" + name + "': expected one of " + NAMES);
        return l;
    }

    /** Keras' name of a loss, as History and progress bars print it. */
    public static String kerasName(Loss l) {
        return switch (l.kind()) {
            case MSE -> "mean_squared_error";
            case MAE -> "mean_absolute_error";
            case BINARY_CROSSENTROPY -> "binary_crossentropy";
            case BINARY_CROSSENTROPY_LOGITS -> "binary_crossentropy_from_logits";
            case CATEGORICAL_CROSSENTROPY -> "categorical_crossentropy";
            case CATEGORICAL_CROSSENTROPY_LOGITS -> "categorical_crossentropy_from_logits";
            case SPARSE_CATEGORICAL_CROSSENTROPY -> "sparse_categorical_crossentropy";
            case SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> "sparse_categorical_crossentropy_from_logits";
            case HUBER -> "huber";
            case LOG_COSH -> "log_cosh";
            case KL_DIVERGENCE -> "kl_divergence";
            case POISSON -> "poisson";
            case HINGE -> "hinge";
            case SQUARED_HINGE -> "squared_hinge";
            case CATEGORICAL_HINGE -> "categorical_hinge";
            case BINARY_FOCAL_CROSSENTROPY -> "binary_focal_crossentropy";
            case BINARY_FOCAL_CROSSENTROPY_LOGITS -> "binary_focal_crossentropy_from_logits";
            case CATEGORICAL_FOCAL_CROSSENTROPY -> "categorical_focal_crossentropy";
            case CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS -> "categorical_focal_crossentropy_from_logits";
            case CUSTOM -> l.customName();
        };
    }

    /**
     * The loss as Keras 3 writes it in a compile config: its name for the probability forms at Keras' defaults (as compile
     * got a string), else the loss class with its get_config (from_logits, label_smoothing, ignore_class, delta, gamma,
     * alpha, apply_class_balancing, reduction as that class writes them).
     */
    public static Object serialize(Loss l) {
        if (!l.fromLogits() && l.isDefault()) return kerasName(l);
        if (l.customFunction() != null) return userFunction(l.customName());
        Map<String, Object> config = new LinkedHashMap<>();
        String base = kerasName(l).replace("_from_logits", "");
        config.put("name", l.kind() == Loss.Kind.HUBER ? "huber_loss" : base);
        config.put("reduction", l.reduction());
        switch (l.kind()) {
            case HUBER -> config.put("delta", l.delta());
            case SPARSE_CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> {
                config.put("from_logits", l.fromLogits());
                config.put("ignore_class", l.ignoreClass());
                config.put("axis", -1);
            }
            case BINARY_CROSSENTROPY, BINARY_CROSSENTROPY_LOGITS, CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY_LOGITS,
                 BINARY_FOCAL_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY_LOGITS, CATEGORICAL_FOCAL_CROSSENTROPY,
                 CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS -> {
                config.put("from_logits", l.fromLogits());
                config.put("label_smoothing", l.labelSmoothing());
                config.put("axis", -1);
                if (l.focal()) {
                    if (l.name().startsWith("BINARY")) config.put("apply_class_balancing", l.classBalancing());
                    config.put("alpha", l.alpha());
                    config.put("gamma", l.gamma());
                }
            }
            default -> { }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("module", "keras.losses");
        r.put("class_name", className(l));
        r.put("config", config);
        r.put("registered_name", null);
        return r;
    }

    /** A function of the user's as Keras writes it in a compile config (a loss or a metric): its name only, module __main__. */
    static Map<String, Object> userFunction(String name) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("module", "__main__");
        r.put("class_name", "function");
        r.put("config", name);
        r.put("registered_name", null);
        return r;
    }

    /**
     * The loss a Keras compile config holds: a name as {@link #of} takes it, a serialized loss object
     * ({@code {"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": true, "ignore_class": 0}}}) or a
     * serialized loss function ({@code {"class_name": "function", "config": "mean_squared_error"}}), with the options
     * {@link Loss} has (from_logits, label_smoothing, ignore_class, Huber's delta, the focal losses' gamma, alpha and
     * apply_class_balancing, reduction). Settings jrnn lacks (a reduction of None / "none", an axis other than -1, an option
     * the class does not take) throw IllegalArgumentException naming them, rather than training with another loss.
     *
     * <pre>{@code
     * Loss l = Losses.deserialize(Map.of("class_name", "BinaryCrossentropy", "config", Map.of("from_logits", true)));
     * }</pre>
     */
    public static Loss deserialize(Object serialized) {
        if (serialized instanceof String name) return of(name);
        if (!(serialized instanceof Map<?, ?> m) || !(m.get("class_name") instanceof String cls)) {
            throw new IllegalArgumentException("loss " + serialized + ": expected a loss name or a serialized Keras loss with a class_name");
        }
        if (cls.equals("function")) {
            // Keras' own functions are of its modules; another module's (a Loss.custom saved as "__main__") is the user's,
            // even when it shares a Keras name, and needs the user's code, as Keras' custom_objects
            if (m.get("module") instanceof String mod && !mod.startsWith("keras")) {
                throw new IllegalArgumentException("loss " + m.get("config") + " is a function of module " + mod
                        + " (a loss of the user's own): compile the model with it again");
            }
            return deserialize(m.get("config"));
        }
        Map<?, ?> c = m.get("config") instanceof Map<?, ?> cm ? cm : Map.of();
        Loss l = of(cls);
        if (Boolean.TRUE.equals(c.get("from_logits"))) l = of(kerasName(l) + "_from_logits");
        try {
            Object reduction = c.get("reduction");
            // Keras 2's "auto" is "sum_over_batch_size"; None / "none" gives per-sample losses, which fit cannot train on
            if (reduction == null && c.containsKey("reduction") || "none".equals(reduction)) {
                throw new IllegalArgumentException("reduction " + reduction + " (per-sample losses; fit needs one number)");
            }
            if (reduction != null && !"auto".equals(reduction)) l = l.reduction(String.valueOf(reduction));
            if (c.get("axis") instanceof Number a && a.intValue() != -1) throw new IllegalArgumentException("axis " + a);
            if (c.get("label_smoothing") instanceof Number n && n.doubleValue() != 0) l = l.labelSmoothing(n.doubleValue());
            if (c.get("ignore_class") instanceof Number n) l = l.ignoreClass(n.intValue());
            if (c.get("delta") instanceof Number d && l.kind() == Loss.Kind.HUBER) l = l.delta(d.doubleValue());
            if (c.get("gamma") instanceof Number g && l.focal()) l = l.gamma(g.doubleValue());
            if (c.get("alpha") instanceof Number a && l.focal()) l = l.alpha(a.doubleValue());
            if (c.get("alpha") != null && !(c.get("alpha") instanceof Number)) {
                throw new IllegalArgumentException("alpha " + c.get("alpha") + " (jrnn takes one number for every class)");
            }
            if (Boolean.TRUE.equals(c.get("apply_class_balancing"))) l = l.classBalancing(true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("loss " + cls + " with " + e.getMessage() + " is not supported", e);
        }
        return l;
    }

    /** Keras' loss class of a loss (its metric class too, for the losses Keras has one). */
    static String className(Loss l) {
        return switch (l.kind()) {
            case MSE -> "MeanSquaredError";
            case MAE -> "MeanAbsoluteError";
            case BINARY_CROSSENTROPY, BINARY_CROSSENTROPY_LOGITS -> "BinaryCrossentropy";
            case CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY_LOGITS -> "CategoricalCrossentropy";
            case SPARSE_CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS -> "SparseCategoricalCrossentropy";
            case HUBER -> "Huber";
            case LOG_COSH -> "LogCosh";
            case KL_DIVERGENCE -> "KLDivergence";
            case POISSON -> "Poisson";
            case HINGE -> "Hinge";
            case SQUARED_HINGE -> "SquaredHinge";
            case CATEGORICAL_HINGE -> "CategoricalHinge";
            case BINARY_FOCAL_CROSSENTROPY, BINARY_FOCAL_CROSSENTROPY_LOGITS -> "BinaryFocalCrossentropy";
            case CATEGORICAL_FOCAL_CROSSENTROPY, CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS -> "CategoricalFocalCrossentropy";
            case CUSTOM -> "function";
        };
    }

    private static final String NAMES = "mse, mae, binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy, "
            + "categorical_focal_crossentropy, sparse_categorical_crossentropy (each cross-entropy also with the suffix _from_logits), huber, log_cosh, "
            + "kl_divergence, poisson, hinge, squared_hinge, categorical_hinge";
}
