package dev.jrnn.optim.schedules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code PiecewiseConstantDecay}: {@code values[0]} while {@code step <= boundaries[0]},
 * {@code values[i]} while {@code boundaries[i-1] < step <= boundaries[i]}, the last value after the last boundary. The
 * values are rates >= 0 (0: the weights hold still in that phase).
 *
 * <pre>{@code
 * new SGD(new PiecewiseConstantDecay(new long[] {1000, 2000}, new double[] {0.1, 0.05, 0.01}));
 * }</pre>
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
    private final long[] boundaries;
    private final double[] values;

    /** Keras' {@code PiecewiseConstantDecay(boundaries, values)}: increasing boundaries, one value more than boundaries. */
    public PiecewiseConstantDecay(long[] boundaries, double[] values) {
        String c = "PiecewiseConstantDecay";
        if (boundaries == null || values == null) throw new IllegalArgumentException(c + ": boundaries and values must not be null");
        if (boundaries.length != values.length - 1) {
            throw new IllegalArgumentException(c + ": the length of boundaries should be 1 less than the length of values, got "
                    + boundaries.length + " boundaries and " + values.length + " values");
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (boundaries[i] <= boundaries[i - 1]) {
                throw new IllegalArgumentException(c + ": boundaries must increase, got " + Arrays.toString(boundaries));
            }
        }
        for (double v : values) Schedules.nonNegative(c, "values", v);   // a phase at 0 holds the weights, as Keras takes it
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        List<Object> b = new ArrayList<>(), v = new ArrayList<>();
        for (long x : boundaries) b.add(x);
        for (double x : values) v.add(x);
        c.put("boundaries", b);
        c.put("values", v);
        return Schedules.serialized("PiecewiseConstantDecay", "PiecewiseConstant", c);
    }

    @Override
    public double at(long step) {
        int i = 0;
        while (i < boundaries.length && step > boundaries[i]) i++;
        return values[i];
    }
}
