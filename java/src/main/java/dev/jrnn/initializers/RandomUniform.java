package dev.jrnn.initializers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Keras' RandomUniform(minval, maxval, seed): U(minval, maxval); seed null draws from the layer's stream. */
public record RandomUniform(double minval, double maxval, Long seed) implements Initializer {
    /** Checks the bounds: finite, {@code minval <= maxval}. */
    public RandomUniform {
        Draws.finite("RandomUniform", "minval", minval);
        Draws.finite("RandomUniform", "maxval", maxval);
        if (minval > maxval) throw new IllegalArgumentException("RandomUniform: minval must be <= maxval, got " + minval + " > " + maxval);
    }

    @Override
    public float[] values(int[] shape, SplittableRandom rng) {
        return Draws.uniform(Draws.stream(seed, rng), minval, maxval, Draws.size(shape));
    }

    @Override
    public String kerasClass() { return "RandomUniform"; }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", seed);
        c.put("minval", minval);
        c.put("maxval", maxval);
        return c;
    }
}
