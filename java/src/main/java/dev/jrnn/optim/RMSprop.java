package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;

/**
 * RMSprop with Keras' defaults: learning rate 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered.
 * {@code v = rho v + (1 - rho) g^2}; {@code inc = lr g / sqrt(v + eps)} (centered: {@code v - avg(g)^2 + eps});
 * with momentum {@code m = momentum m + inc, p -= m}, else {@code p -= inc}.
 *
 * <pre>{@code
 * model.compile(new RMSprop(1e-3).momentum(0.9), "mse");
 * }</pre>
 */
public final class RMSprop extends FusedOptimizer {
    private float rho = 0.9f;
    private float momentum;
    private float epsilon = 1e-7f;
    private boolean centered;

    /** RMSprop at Keras' defaults (the class comment): learning rate 0.001. */
    public RMSprop() { this(0.001); }

    /** RMSprop at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); the rest at Keras' defaults. */
    public RMSprop(double learningRate) { super(OptimizerArgs.Kind.RMSPROP, learningRate, "RMSprop"); }

    /** RMSprop whose learning rate follows {@code schedule} (Keras' {@code learning_rate=schedule}). */
    public RMSprop(LearningRateSchedule schedule) { super(OptimizerArgs.Kind.RMSPROP, schedule); }

    @Override
    public String name() { return "RMSprop"; }

    // Optimizer's setters, returning RMSprop so that a chain keeps its type (docs/ARCHITECTURE.md)
    @Override public RMSprop learningRate(double lr) { super.learningRate(lr); return this; }
    @Override public RMSprop learningRate(LearningRateSchedule schedule) { super.learningRate(schedule); return this; }
    @Override public RMSprop clearSchedule() { super.clearSchedule(); return this; }
    @Override public RMSprop clipnorm(double c) { super.clipnorm(c); return this; }
    @Override public RMSprop globalClipnorm(double c) { super.globalClipnorm(c); return this; }
    @Override public RMSprop clipvalue(double c) { super.clipvalue(c); return this; }
    @Override public RMSprop weightDecay(double wd) { super.weightDecay(wd); return this; }
    @Override public RMSprop excludeFromWeightDecay(String... varNames) { super.excludeFromWeightDecay(varNames); return this; }
    @Override public RMSprop gradientAccumulationSteps(int n) { super.gradientAccumulationSteps(n); return this; }
    @Override public RMSprop useEma(boolean on) { super.useEma(on); return this; }
    @Override public RMSprop emaMomentum(double m) { super.emaMomentum(m); return this; }
    @Override public RMSprop emaOverwriteFrequency(int f) { super.emaOverwriteFrequency(f); return this; }
    @Override public RMSprop iterations(long n) { super.iterations(n); return this; }

    /** Keras' {@code rho}: the decay of the squared gradients' average, in [0, 1); default 0.9. */
    public RMSprop rho(double r) {
        this.rho = unitInterval("rho", r);
        changed();
        return this;
    }

    /** Keras' {@code momentum}, in [0, 1); default 0 (none). */
    public RMSprop momentum(double m) {
        this.momentum = unitInterval("momentum", m);
        changed();
        return this;
    }

    /** Keras' {@code epsilon} added to the denominator, positive; default 1e-7. */
    public RMSprop epsilon(double e) {
        this.epsilon = positiveEps(e);
        changed();
        return this;
    }

    /** Normalizes by the gradient's estimated variance instead of its second moment (Keras {@code centered}). */
    public RMSprop centered(boolean c) {
        this.centered = c;
        changed();
        return this;
    }

    /** Keras' {@code rho}; default 0.9. */
    public float rho() { return rho; }

    /** Keras' {@code momentum}; default 0. */
    public float momentum() { return momentum; }

    /** Keras' {@code epsilon}; default 1e-7. */
    public float epsilon() { return epsilon; }

    /** Keras' {@code centered}; default false. */
    public boolean centered() { return centered; }

    @Override
    protected void putConfig(java.util.Map<String, Object> c) {
        c.put("rho", decimal(rho));
        c.put("momentum", decimal(momentum));
        c.put("epsilon", decimal(epsilon));
        c.put("centered", centered);
    }

    @Override boolean usesS2() { return momentum > 0; }
    @Override boolean usesS3() { return centered; }
    @Override float h1() { return rho; }
    @Override float h2() { return momentum; }
    @Override float eps() { return epsilon; }
}
