package dev.jrnn.optim.schedules;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code ExponentialDecay}: {@code initial * decayRate^(step / decaySteps)}, the exponent floored when
 * {@code staircase}.
 *
 * <pre>{@code
 * new Adam(new ExponentialDecay(0.01, 100, 0.96).staircase(true));
 * }</pre>
 */
public final class ExponentialDecay implements LearningRateSchedule {
    private final double initial;
    private final double decaySteps;
    private final double decayRate;
    private boolean staircase;

    /** Keras' {@code ExponentialDecay(initial_learning_rate, decay_steps, decay_rate)}, each positive; not staircase. */
    public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate) {
        this.initial = Schedules.positive("ExponentialDecay", "initialLearningRate", initialLearningRate);
        this.decaySteps = Schedules.positive("ExponentialDecay", "decaySteps", decaySteps);
        this.decayRate = Schedules.positive("ExponentialDecay", "decayRate", decayRate);
    }

    /** Decays in whole steps of {@code decaySteps} (Keras {@code staircase=True}). */
    public ExponentialDecay staircase(boolean s) {
        this.staircase = s;
        return this;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initial);
        c.put("decay_steps", decaySteps);
        c.put("decay_rate", decayRate);
        c.put("staircase", staircase);
        return Schedules.serialized("ExponentialDecay", c);
    }

    @Override
    public double at(long step) {
        double p = step / decaySteps;
        if (staircase) p = Math.floor(p);
        return initial * Math.pow(decayRate, p);
    }
}
