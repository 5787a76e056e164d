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

    private static void append(Layer l, StringBuilder b) {
        b.append(l.trainable() ? '1' : '0');
        for (Layer w : l.wrapped()) append(w, b);
    }
}
