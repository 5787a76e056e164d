package dev.jrnn.optim;

import java.util.Locale;

/**
 * Optimizers by Keras name, with Keras' default settings.
 *
 * <pre>{@code
 * Optimizer opt = Optimizers.of("adam");   // Adam(lr = 0.001)
 * }</pre>
 */
public final class Optimizers {
    private Optimizers() {}

    private static final String NAMES = "adam, sgd, rmsprop, adagrad, adamw, nadam, adamax, adadelta or lion";

    /** "adam", "sgd", "rmsprop", "adagrad", "adamw", "nadam", "adamax", "adadelta" or "lion" (case-insensitive). */
    public static Optimizer of(String name) {
        if (name == null) throw new IllegalArgumentException("optimizer name is null: expected " + NAMES);
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam();
            case "sgd" -> new SGD();
            case "rmsprop" -> new RMSprop();
            case "adagrad" -> new Adagrad();
            case "adamw" -> new AdamW();
            case "nadam" -> new Nadam();
            case "adamax" -> new Adamax();
            case "adadelta" -> new Adadelta();
            case "lion" -> new Lion();
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "': expected " + NAMES);
        };
    }
}
