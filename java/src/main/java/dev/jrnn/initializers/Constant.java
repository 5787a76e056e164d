package dev.jrnn.initializers;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Keras' Zeros, Ones and Constant(value): every value the same; {@code kerasClass} says which Keras wrote. */
public record Constant(double value, String kerasClass) implements Initializer {
    /** Checks the value is finite and fits the class: Zeros 0, Ones 1, or any for Constant. */
    public Constant {
        Draws.finite("Constant", "value", value);
        if (!("Zeros".equals(kerasClass) && value == 0 || "Ones".equals(kerasClass) && value == 1 || "Constant".equals(kerasClass))) {
            throw new IllegalArgumentException("Constant: kerasClass must be Zeros (value 0), Ones (value 1) or Constant, got "
                    + kerasClass + " with value " + value);
        }
    }

    @Override
    public float[] values(int[] shape, SplittableRandom rng) {
        float[] r = new float[Draws.size(shape)];
        if (value != 0) Arrays.fill(r, (float) value);
        return r;
    }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        if (kerasClass.equals("Constant")) c.put("value", value);
        return c;
    }
}
