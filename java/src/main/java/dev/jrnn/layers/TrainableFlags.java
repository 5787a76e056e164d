package dev.jrnn.layers;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the changes of any layer's trainable flag ({@link Layer#trainable(boolean)}): a captured train step holds the
 * modes the flags chose (a frozen BatchNormalization runs on its moving statistics), so it is captured again after one.
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
}
