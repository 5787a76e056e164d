package dev.jrnn.optim.schedules;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras' {@code CosineDecayRestarts} (SGDR, Loshchilov and Hutter): cosine decays from {@code initial} to
 * {@code alpha * initial}, the first over {@code firstDecaySteps}, each next one {@code tMul} times as long and starting
 * {@code mMul} times as high.
 *
 * <pre>{@code
 * new SGD(new CosineDecayRestarts(0.1, 1000).tMul(2).mMul(0.9).alpha(0.01));
 * }</pre>
 */
public final class CosineDecayRestarts implements LearningRateSchedule {
    private final double initial;
    private final double firstDecaySteps;
    private double tMul = 2, mMul = 1, alpha;

    /** Keras' {@code CosineDecayRestarts(initial_learning_rate, first_decay_steps)}, both positive; tMul 2, mMul 1, alpha 0. */
    public CosineDecayRestarts(double initialLearningRate, double firstDecaySteps) {
        this.initial = Schedules.positive("CosineDecayRestarts", "initialLearningRate", initialLearningRate);
        this.firstDecaySteps = Schedules.positive("CosineDecayRestarts", "firstDecaySteps", firstDecaySteps);
    }

    /** Each period's length over the one before (Keras {@code t_mul}, default 2). */
    public CosineDecayRestarts tMul(double t) {
        this.tMul = Schedules.positive("CosineDecayRestarts", "tMul", t);
        return this;
    }

    /** Each period's starting rate over the one before (Keras {@code m_mul}, default 1). */
    public CosineDecayRestarts mMul(double m) {
        this.mMul = Schedules.positive("CosineDecayRestarts", "mMul", m);
        return this;
    }

    /** The lowest rate as a fraction of the period's starting rate (Keras {@code alpha}, default 0). */
    public CosineDecayRestarts alpha(double a) {
        this.alpha = Schedules.nonNegative("CosineDecayRestarts", "alpha", a);
        return this;
    }

    @Override
    public double at(long step) {
        double done = step / firstDecaySteps, restart;
        if (tMul == 1) {
            restart = Math.floor(done);
            done -= restart;
        } else {   // periods 1, t, t^2, ...: the one that holds `done` and how far into it
            restart = Math.floor(Math.log(1 - done * (1 - tMul)) / Math.log(tMul));
            // the logarithms can land an ulp short of (or past) a restart's exact step: settle on the period by its sums
            while (periodsBefore(restart + 1) <= done) restart++;
            while (restart > 0 && periodsBefore(restart) > done) restart--;
            done = (done - periodsBefore(restart)) / Math.pow(tMul, restart);
        }
        double cosine = 0.5 * Math.pow(mMul, restart) * (1 + Math.cos(Math.PI * done));
        return initial * ((1 - alpha) * cosine + alpha);
    }

    /** The length of the first {@code k} periods, in units of the first: 1 + t + ... + t^(k-1). */
    private double periodsBefore(double k) { return (1 - Math.pow(tMul, k)) / (1 - tMul); }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initial);
        c.put("first_decay_steps", firstDecaySteps);
        c.put("t_mul", tMul);
        c.put("m_mul", mMul);
        c.put("alpha", alpha);
        return Schedules.serialized("CosineDecayRestarts", "SGDRDecay", c);
    }
}
