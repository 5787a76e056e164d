package dev.jrnn.initializers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras' Orthogonal(gain, seed): the weight as a (prod(shape[:-1]), shape[-1]) matrix with orthonormal rows (fewer rows
 * than columns) or columns, times gain ({@link Draws#orthogonal}); rank 2 or more. Seed null draws from the layer's stream.
 */
public record Orthogonal(double gain, Long seed) implements Initializer {
    /** Checks the gain is finite. */
    public Orthogonal {
        Draws.finite("Orthogonal", "gain", gain);
    }

    @Override
    public float[] values(int[] shape, SplittableRandom rng) {
        checkRank(shape.length);
        int rows = Draws.size(java.util.Arrays.copyOf(shape, shape.length - 1));
        return Draws.orthogonal(Draws.stream(seed, rng), rows, shape[shape.length - 1], gain);
    }

    @Override
    public void checkRank(int rank) {
        if (rank < 2) throw new IllegalArgumentException("Orthogonal needs a weight of at least two dimensions (as Keras), got rank " + rank);
    }

    @Override
    public String kerasClass() { return "Orthogonal"; }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", seed);
        c.put("gain", gain);
        return c;
    }
}
