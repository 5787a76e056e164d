package dev.jrnn.optim.schedules;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras 3's {@code CosineDecay}, with its optional linear warmup. Without warmup:
 * {@code initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha)}. With
 * {@link #warmup}: the rate goes linearly from {@code initial} to {@code target} over {@code warmupSteps}, then
 * decays from {@code target} as above over {@code decaySteps}.
 *
 * <pre>{@code
 * new AdamW(new CosineDecay(0.0, 10_000).alpha(0.1).warmup(1e-3, 500));
 * }</pre>
 */
public final class CosineDecay implements LearningRateSchedule {
    private final double initial;
    private final double decaySteps;
    private double alpha;
    private Double warmupTarget;
    private double warmupSteps;

    /** {@code initialLearningRate} may be 0 when a warmup follows. */
    public CosineDecay(double initialLearningRate, double decaySteps) {
        if (!(initialLearningRate >= 0) || !Double.isFinite(initialLearningRate)) {
            throw new IllegalArgumentException("CosineDecay: initialLearningRate must be >= 0 and finite, got " + initialLearningRate);
        }
        this.initial = initialLearningRate;
        this.decaySteps = Schedules.positive("CosineDecay", "decaySteps", decaySteps);
    }

    /** The final rate as a fraction of the decayed-from rate (Keras {@code alpha}, default 0). */
    public CosineDecay alpha(double a) {
        if (!(a >= 0 && a <= 1)) throw new IllegalArgumentException("CosineDecay: alpha must be in [0, 1], got " + a);
        this.alpha = a;
        return this;
    }

    /** A linear warmup to {@code target} over {@code steps} updates (Keras {@code warmup_target}, {@code warmup_steps}). */
    public CosineDecay warmup(double target, double steps) {
        this.warmupTarget = Schedules.positive("CosineDecay", "warmup target", target);
        if (!(steps >= 0) || !Double.isFinite(steps)) {
            throw new IllegalArgumentException("CosineDecay: warmup steps must be >= 0 and finite, got " + steps);
        }
        this.warmupSteps = steps;
        return this;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initial);
        c.put("decay_steps", decaySteps);
        c.put("alpha", alpha);
        c.put("warmup_target", warmupTarget);
        c.put("warmup_steps", warmupSteps);
        return Schedules.serialized("CosineDecay", c);
    }

    @Override
    public double at(long step) {
        if (warmupTarget == null) return decayed(Math.min(step, decaySteps), initial);
        double s = Math.min(step, decaySteps + warmupSteps);
        if (s < warmupSteps) return (warmupTarget - initial) * (s / warmupSteps) + initial;
        return decayed(s - warmupSteps, warmupTarget);
    }

    private double decayed(double s, double from) {
        double cosine = 0.5 * (1 + Math.cos(Math.PI * (s / decaySteps)));
        return from * ((1 - alpha) * cosine + alpha);
    }
}
