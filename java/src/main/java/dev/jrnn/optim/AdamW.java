package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;

/**
 * AdamW with Keras' defaults: learning rate 0.001, weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7.
 * Each update first decays the weights, {@code p -= p * weightDecay * lr}, then applies Adam.
 *
 * <pre>{@code
 * model.compile(new AdamW(1e-3).weightDecay(0.01), "mse");
 * }</pre>
 */
public final class AdamW extends FusedOptimizer {
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-7f;

    public AdamW() { this(0.001); }

    public AdamW(double learningRate) {
        super(OptimizerArgs.Kind.ADAMW, learningRate, "AdamW");
        weightDecay(0.004);
    }

    public AdamW(LearningRateSchedule schedule) {
        super(OptimizerArgs.Kind.ADAMW, schedule);
        weightDecay(0.004);
    }

    @Override
    public String name() { return "AdamW"; }

    public AdamW beta1(double b) {
        this.beta1 = unitInterval("beta1", b);
        changed();
        return this;
    }

    public AdamW beta2(double b) {
        this.beta2 = unitInterval("beta2", b);
        changed();
        return this;
    }

    public AdamW epsilon(double e) {
        this.epsilon = positiveEps(e);
        changed();
        return this;
    }

    public float beta1() { return beta1; }
    public float beta2() { return beta2; }
    public float epsilon() { return epsilon; }

    @Override boolean usesS2() { return true; }
    @Override boolean usesS3() { return false; }
    @Override float h1() { return beta1; }
    @Override float h2() { return beta2; }
    @Override float eps() { return epsilon; }
}
