package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;

/**
 * The settings AdamW, Nadam and Adamax share with Adam, Keras' defaults: beta1 0.9, beta2 0.999, epsilon 1e-7. The
 * setters return the concrete optimizer, so they chain.
 *
 * <pre>{@code
 * AdamW opt = new AdamW(1e-3).beta2(0.99).epsilon(1e-6);
 * }</pre>
 */
public abstract class AdamFamily<T extends AdamFamily<T>> extends FusedOptimizer {
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-7f;

    AdamFamily(OptimizerArgs.Kind kind, double learningRate, String name) { super(kind, learningRate, name); }

    AdamFamily(OptimizerArgs.Kind kind, LearningRateSchedule schedule) { super(kind, schedule); }

    @SuppressWarnings("unchecked")
    private T self() { return (T) this; }

    // Optimizer's setters, returning the concrete optimizer so that a chain keeps its type (docs/ARCHITECTURE.md)
    @Override public T learningRate(double lr) { super.learningRate(lr); return self(); }
    @Override public T learningRate(LearningRateSchedule schedule) { super.learningRate(schedule); return self(); }
    @Override public T clearSchedule() { super.clearSchedule(); return self(); }
    @Override public T clipnorm(double c) { super.clipnorm(c); return self(); }
    @Override public T globalClipnorm(double c) { super.globalClipnorm(c); return self(); }
    @Override public T clipvalue(double c) { super.clipvalue(c); return self(); }
    @Override public T weightDecay(double wd) { super.weightDecay(wd); return self(); }
    @Override public T excludeFromWeightDecay(String... varNames) { super.excludeFromWeightDecay(varNames); return self(); }
    @Override public T gradientAccumulationSteps(int n) { super.gradientAccumulationSteps(n); return self(); }
    @Override public T useEma(boolean on) { super.useEma(on); return self(); }
    @Override public T emaMomentum(double m) { super.emaMomentum(m); return self(); }
    @Override public T emaOverwriteFrequency(int f) { super.emaOverwriteFrequency(f); return self(); }
    @Override public T iterations(long n) { super.iterations(n); return self(); }

    /** Keras' {@code beta_1}: the decay of the first moment, in [0, 1); default 0.9. */
    public T beta1(double b) {
        this.beta1 = unitInterval("beta1", b);
        changed();
        return self();
    }

    /** Keras' {@code beta_2}: the decay of the second moment (Adamax: of the norm), in [0, 1); default 0.999. */
    public T beta2(double b) {
        this.beta2 = unitInterval("beta2", b);
        changed();
        return self();
    }

    /** Keras' {@code epsilon} added to the denominator, positive; default 1e-7. */
    public T epsilon(double e) {
        this.epsilon = positiveEps(e);
        changed();
        return self();
    }

    /** Keras' {@code beta_1}; default 0.9. */
    public float beta1() { return beta1; }

    /** Keras' {@code beta_2}; default 0.999. */
    public float beta2() { return beta2; }

    /** Keras' {@code epsilon}; default 1e-7. */
    public float epsilon() { return epsilon; }

    @Override
    protected void putConfig(java.util.Map<String, Object> c) {
        c.put("beta_1", decimal(beta1));
        c.put("beta_2", decimal(beta2));
        c.put("epsilon", decimal(epsilon));
    }

    @Override boolean usesS2() { return true; }
    @Override boolean usesS3() { return false; }
    @Override float h1() { return beta1; }
    @Override float h2() { return beta2; }
    @Override float eps() { return epsilon; }
}
