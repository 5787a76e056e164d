package dev.jrnn.initializers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Keras' Identity(gain): gain on the diagonal of a 2-D weight (rectangular too, as Keras' eye), 0 elsewhere. */
public record Identity(double gain) implements Initializer {
    /** Checks the gain is finite. */
    public Identity {
        Draws.finite("Identity", "gain", gain);
    }

    @Override
    public float[] values(int[] shape, SplittableRandom rng) {
        checkRank(shape.length);
        int rows = shape[0], cols = shape[1];
        float[] r = new float[Draws.size(shape)];
        for (int i = 0; i < Math.min(rows, cols); i++) r[i * cols + i] = (float) gain;
        return r;
    }

    @Override
    public void checkRank(int rank) {
        if (rank != 2) throw new IllegalArgumentException("Identity fills 2-D weights only (as Keras), got rank " + rank);
    }

    @Override
    public String kerasClass() { return "Identity"; }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("gain", gain);
        return c;
    }
}
