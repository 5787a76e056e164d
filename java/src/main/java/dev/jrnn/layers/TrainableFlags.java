package dev.jrnn.layers;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the changes of any layer's trainable flag ({@link Layer#trainable(boolean)}): a captured train step holds the
 * modes the flags chose (a frozen BatchNormalization runs on its moving statistics), so after a change anywhere a model
 * reads its own flags ({@link #of}) and captures again when they differ.
 *
 * <pre>{@code
 * long seen = TrainableFlags.changes();
 * layer.trainable(false);                      // TrainableFlags.changes() == seen + 1 (when it was trainable)
 * }</pre>
 */
public final class TrainableFlags {
    private static final AtomicLong CHANGES = new AtomicLong();

    private TrainableFlags() {}

    static void changed() { CHANGES.incrementAndGet(); }

    /** How many times a layer's trainable flag changed in this JVM; a train-step cache compares it. */
    public static long changes() { return CHANGES.get(); }

    /**
     * The trainable flags of {@code layers} and of the layers they wrap, depth first, as '1' and '0': what one model's
     * captured step depends on (another model's freeze leaves it as it is).
     */
    public static String of(List<Layer> layers) {
        StringBuilder b = new StringBuilder();
        for (Layer l : layers) append(l, b);
        return b.toString();
    }

    /**
     * Sets the flags of {@code layers} and of the layers they wrap back to {@code flags}, a string {@link #of} gave for
     * them (outer layers first, so a wrapper's flag does not override the one it wraps).
     */
    public static void restore(List<Layer> layers, String flags) {
        if (layers == null) throw new IllegalArgumentException("TrainableFlags.restore: layers is null");
        int n = of(layers).length();
        if (flags == null || flags.length() != n || !flags.matches("[01]*")) {
            throw new IllegalArgumentException("TrainableFlags.restore: expected " + n + " flags of '0' and '1' (one per layer and wrapped"
                    + " layer, as of() gives them), got " + (flags == null ? "null" : "'" + flags + "'"));
        }
        int[] at = {0};
        for (Layer l : layers) restore(l, flags, at);
    }

    private static void restore(Layer l, String flags, int[] at) {
        l.trainable(flags.charAt(at[0]++) == '1');
        for (Layer w : l.wrapped()) restore(w, flags, at);
    }

    private static void append(Layer l, StringBuilder b) {
        b.append(l.trainable() ? '1' : '0');
        for (Layer w : l.wrapped()) append(w, b);
    }
}
