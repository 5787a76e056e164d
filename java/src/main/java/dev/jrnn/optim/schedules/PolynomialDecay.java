package dev.jrnn.optim.schedules;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code PolynomialDecay}: {@code (initial - end) * (1 - step / decaySteps)^power + end}, the step held at
 * {@code decaySteps} after it; with {@link #cycle} the decay restarts from {@code decaySteps} times the first
 * multiple of it at or above the step (Keras' {@code cycle=True}).
 *
 * <pre>{@code
 * new SGD(new PolynomialDecay(0.1, 10_000).endLearningRate(0.01).power(0.5));
 * }</pre>
 */
public final class PolynomialDecay implements LearningRateSchedule {
    private final double initial;
    private final double decaySteps;
    private double end = 1e-4, power = 1;
    private boolean cycle;

    /**
     * Keras' {@code PolynomialDecay(initial_learning_rate, decay_steps)}: a rate >= 0, a positive step count; end rate
     * 1e-4, power 1, no cycle.
     */
    public PolynomialDecay(double initialLearningRate, double decaySteps) {
        this.initial = Schedules.nonNegative("PolynomialDecay", "initialLearningRate", initialLearningRate);
        this.decaySteps = Schedules.positive("PolynomialDecay", "decaySteps", decaySteps);
    }

    /** The rate reached at {@code decaySteps} (Keras {@code end_learning_rate}, default 1e-4). */
    public PolynomialDecay endLearningRate(double e) {
        this.end = Schedules.nonNegative("PolynomialDecay", "endLearningRate", e);
        return this;
    }

    /** The polynomial's power (Keras {@code power}, default 1: linear). */
    public PolynomialDecay power(double p) {
        this.power = Schedules.nonNegative("PolynomialDecay", "power", p);
        return this;
    }

    /** Restarts the decay past {@code decaySteps} (Keras {@code cycle=True}). */
    public PolynomialDecay cycle(boolean c) {
        this.cycle = c;
        return this;
    }

    @Override
    public double at(long step) {
        double s = step, d = decaySteps;
        if (cycle) d *= step == 0 ? 1 : Math.ceil(s / decaySteps);
        else s = Math.min(s, d);
        return (initial - end) * Math.pow(1 - s / d, power) + end;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initial);
        c.put("decay_steps", decaySteps);
        c.put("end_learning_rate", end);
        c.put("power", power);
        c.put("cycle", cycle);
        return Schedules.serialized("PolynomialDecay", c);
    }
}
