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

    /** "adam" or "sgd" (case-insensitive). */
    public static Optimizer of(String name) {
        if (name == null) throw new IllegalArgumentException("optimizer name is null: expected adam or sgd");
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam();
            case "sgd" -> new SGD();
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "': expected adam or sgd");
        };
    }
}
