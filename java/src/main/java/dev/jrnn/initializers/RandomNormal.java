package dev.jrnn.initializers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras' RandomNormal(mean, stddev, seed), and TruncatedNormal when {@code truncated}: draws further than 2 stddev
 * from the mean are drawn again ({@link Draws#truncatedNormal}). Seed null draws from the layer's stream.
 */
public record RandomNormal(double mean, double stddev, boolean truncated, Long seed) implements Initializer {
    /** Checks the mean (finite) and the standard deviation (>= 0, finite). */
    public RandomNormal {
        String cls = truncated ? "TruncatedNormal" : "RandomNormal";
        Draws.finite(cls, "mean", mean);
        dev.jrnn.tensor.Float32.check(cls + ": stddev", stddev, x -> x >= 0 && Double.isFinite(x), ">= 0 and finite (in float32)");
    }

    @Override
    public float[] values(int[] shape, SplittableRandom rng) {
        SplittableRandom r = Draws.stream(seed, rng);
        int n = Draws.size(shape);
        return truncated ? Draws.truncatedNormal(r, mean, stddev, n) : Draws.normal(r, mean, stddev, n);
    }

    @Override
    public String kerasClass() { return truncated ? "TruncatedNormal" : "RandomNormal"; }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", seed);
        c.put("mean", mean);
        c.put("stddev", stddev);
        return c;
    }
}
