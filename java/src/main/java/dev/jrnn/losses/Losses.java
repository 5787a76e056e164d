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

    /**
     * A loss by Keras name: "mse" / "mean_squared_error", "mae" / "mean_absolute_error",
     * "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"
     * (probabilities). Append "_from_logits" for the logits forms, e.g.
     * "sparse_categorical_crossentropy_from_logits".
     */
    public static Loss of(String name) {
        if (name == null) throw new IllegalArgumentException("loss name is null: expected one of " + NAMES);
        String n = name.trim().toLowerCase(Locale.ROOT);
        boolean logits = n.endsWith("_from_logits");
        if (logits) n = n.substring(0, n.length() - "_from_logits".length());
        Loss l = switch (n) {
            case "mse", "mean_squared_error" -> logits ? null : Loss.MSE;
            case "mae", "mean_absolute_error" -> logits ? null : Loss.MAE;
            case "binary_crossentropy", "bce" -> binaryCrossentropy(logits);
            case "categorical_crossentropy" -> categoricalCrossentropy(logits);
            case "sparse_categorical_crossentropy" -> sparseCategoricalCrossentropy(logits);
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
        };
    }

    private static final String NAMES = "mse, mae, binary_crossentropy, categorical_crossentropy, "
            + "sparse_categorical_crossentropy (each cross-entropy also with the suffix _from_logits)";
}
