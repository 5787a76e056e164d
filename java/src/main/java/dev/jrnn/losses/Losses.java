package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.Locale;

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

    /** Huber with Keras' default delta 1 (quadratic for |error| &lt;= 1, linear beyond). */
    public static Loss huber() { return Loss.HUBER; }

    /** log(cosh(prediction - target)), averaged over features. */
    public static Loss logCosh() { return Loss.LOG_COSH; }

    /** Kullback-Leibler divergence between target and predicted distributions (both clipped to [1e-7, 1]). */
    public static Loss klDivergence() { return Loss.KL_DIVERGENCE; }

    /** Poisson: mean(prediction - target * log(prediction + 1e-7)). */
    public static Loss poisson() { return Loss.POISSON; }

    /**
     * A loss by Keras name: "mse" / "mean_squared_error", "mae" / "mean_absolute_error",
     * "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"
     * (probabilities), "huber" / "huber_loss", "log_cosh" / "logcosh", "kl_divergence" / "kld" /
     * "kullback_leibler_divergence", "poisson", and Keras' class names ("MeanSquaredError", "BinaryCrossentropy",
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
            case "categorical_crossentropy", "categoricalcrossentropy" -> categoricalCrossentropy(logits);
            case "sparse_categorical_crossentropy", "sparsecategoricalcrossentropy" -> sparseCategoricalCrossentropy(logits);
            case "huber", "huber_loss" -> logits ? null : Loss.HUBER;
            case "log_cosh", "logcosh" -> logits ? null : Loss.LOG_COSH;
            case "kl_divergence", "kld", "kullback_leibler_divergence", "kldivergence" -> logits ? null : Loss.KL_DIVERGENCE;
            case "poisson" -> logits ? null : Loss.POISSON;
            default -> null;
        };
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
        };
    }

    private static final String NAMES = "mse, mae, binary_crossentropy, categorical_crossentropy, "
            + "sparse_categorical_crossentropy (each cross-entropy also with the suffix _from_logits), huber, log_cosh, "
            + "kl_divergence, poisson";
}
