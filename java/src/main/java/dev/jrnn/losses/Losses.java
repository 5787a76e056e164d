package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras loss names mapped to the fused losses of the backend ({@link Loss}). Keras reduction:
 * per-row losses averaged over the batch (and over features for MSE/MAE/binary cross-entropy).
 *
 * <pre>{@code
 * model.compile(new Adam(0.01), Losses.sparseCategoricalCrossentropy(true));   // from logits
 * model.compile("adam", "mse");                                               // by name
 * }</pre>
 */
public final class Losses {
    private Losses() {}

    public static Loss mse() { return Loss.MSE; }

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
        return switch (l) {
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
        };
    }

    /**
     * The loss as Keras 3 writes it in a compile config: its name for the probability forms (as compile got a string),
     * the loss class with {@code from_logits: true} for the logits forms, which no Keras name expresses.
     */
    public static Object serialize(Loss l) {
        if (!l.fromLogits()) return kerasName(l);
        Map<String, Object> config = new LinkedHashMap<>();
        String base = kerasName(l).substring(0, kerasName(l).length() - "_from_logits".length());
        config.put("name", base);
        config.put("reduction", "sum_over_batch_size");
        config.put("from_logits", true);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("module", "keras.losses");
        r.put("class_name", className(l));
        r.put("config", config);
        r.put("registered_name", null);
        return r;
    }

    /**
     * The loss a Keras compile config holds: a name as {@link #of} takes it, a serialized loss object
     * ({@code {"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": true, ...}}}) or a serialized
     * loss function ({@code {"class_name": "function", "config": "mean_squared_error"}}). Settings jrnn lacks (a Huber
     * delta other than 1, a focal gamma other than 2, alpha other than 0.25 or class balancing, label_smoothing,
     * ignore_class, a reduction other than "sum_over_batch_size" or its equal "mean", another axis) throw
     * IllegalArgumentException naming them, rather than training with another loss.
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
        if (cls.equals("function")) return deserialize(m.get("config"));
        Map<?, ?> c = m.get("config") instanceof Map<?, ?> cm ? cm : Map.of();
        Loss l = of(cls);
        String why = null;
        // Keras 3's "mean" divides by the number of values as "sum_over_batch_size" does; Keras 2's "auto" is that too
        if (c.get("reduction") != null && !List.of("sum_over_batch_size", "mean", "auto").contains(c.get("reduction"))) {
            why = "reduction " + c.get("reduction");
        } else if (c.get("label_smoothing") instanceof Number n && n.doubleValue() != 0) {
            why = "label_smoothing " + n;
        } else if (c.get("ignore_class") != null) {
            why = "ignore_class " + c.get("ignore_class");
        } else if (c.get("axis") instanceof Number a && a.intValue() != -1) {
            why = "axis " + a;
        } else if (l == Loss.HUBER && c.get("delta") instanceof Number d && d.doubleValue() != Loss.HUBER_DELTA) {
            why = "delta " + d;
        } else if ((l == Loss.BINARY_FOCAL_CROSSENTROPY || l == Loss.CATEGORICAL_FOCAL_CROSSENTROPY) && c.get("gamma") instanceof Number g
                && g.doubleValue() != Loss.FOCAL_GAMMA) {
            why = "gamma " + g;
        } else if (l == Loss.CATEGORICAL_FOCAL_CROSSENTROPY && c.get("alpha") != null
                && !(c.get("alpha") instanceof Number a && a.doubleValue() == Loss.FOCAL_ALPHA)) {
            why = "alpha " + c.get("alpha");
        } else if (l == Loss.BINARY_FOCAL_CROSSENTROPY && Boolean.TRUE.equals(c.get("apply_class_balancing"))) {
            why = "apply_class_balancing true";
        }
        if (why != null) throw new IllegalArgumentException("loss " + cls + " with " + why + " is not supported (jrnn has the Keras defaults)");
        return Boolean.TRUE.equals(c.get("from_logits")) ? of(kerasName(l) + "_from_logits") : l;
    }

    /** Keras' loss class of a loss (its metric class too, for the losses Keras has one). */
    static String className(Loss l) {
        return switch (l) {
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
        };
    }

    private static final String NAMES = "mse, mae, binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy, "
            + "categorical_focal_crossentropy, sparse_categorical_crossentropy (each cross-entropy also with the suffix _from_logits), huber, log_cosh, "
            + "kl_divergence, poisson, hinge, squared_hinge, categorical_hinge";
}
