package dev.jrnn.backend;

import java.util.SplittableRandom;

/**
 * jrnn's global random stream, which {@code Jrnn.setSeed} seeds and {@code Jrnn.nextRandom} splits (Keras' global seed
 * state): kept here beside {@link NameUids} so that the packages below the root (an unseeded {@code TextDirectory}'s
 * shuffle in {@code data}) draw from it without naming {@code dev.jrnn}.
 */
public final class GlobalRandom {
    private static SplittableRandom random = new SplittableRandom(System.nanoTime());

    private GlobalRandom() {}

    /** Seeds every random choice jrnn makes from now on. */
    public static synchronized void setSeed(long seed) {
        random = new SplittableRandom(seed);
    }

    /** A new independent random stream drawn from the global seed. */
    public static synchronized SplittableRandom split() {
        return random.split();
    }
}
