package dev.jrnn.optim.schedules;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code InverseTimeDecay}: {@code initial / (1 + decayRate * step / decaySteps)}, the quotient floored when
 * {@link #staircase}.
 *
 * <pre>{@code
 * new Adam(new InverseTimeDecay(0.01, 1000, 0.5));
 * }</pre>
 */
public final class InverseTimeDecay implements LearningRateSchedule {
    private final double initial;
    private final double decaySteps;
    private final double decayRate;
    private boolean staircase;

    /**
     * Keras' {@code InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate)}: positive, positive, >= 0; not
     * staircase.
     */
    public InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate) {
        this.initial = Schedules.positive("InverseTimeDecay", "initialLearningRate", initialLearningRate);
        this.decaySteps = Schedules.positive("InverseTimeDecay", "decaySteps", decaySteps);
        this.decayRate = Schedules.nonNegative("InverseTimeDecay", "decayRate", decayRate);
    }

    /** Decays in whole steps of {@code decaySteps} (Keras {@code staircase=True}). */
    public InverseTimeDecay staircase(boolean s) {
        this.staircase = s;
        return this;
    }

    @Override
    public double at(long step) {
        double p = step / decaySteps;
        if (staircase) p = Math.floor(p);
        return initial / (1 + decayRate * p);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initial);
        c.put("decay_steps", decaySteps);
        c.put("decay_rate", decayRate);
        c.put("staircase", staircase);
        return Schedules.serialized("InverseTimeDecay", c);
    }
}
