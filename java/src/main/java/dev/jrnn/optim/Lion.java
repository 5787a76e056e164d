package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;
import dev.jrnn.tensor.Float32;

/**
 * Lion (the sign of an interpolated momentum) as Keras 3, with its defaults: learning rate 0.001, beta1 0.9, beta2 0.99:
 * {@code p -= lr sign(beta1 m + (1 - beta1) g)}, then {@code m = beta2 m + (1 - beta2) g}. Keras names its state
 * "momentum". Its steps are lr in size whatever the gradient's: Lion's authors take a rate 3-10x below Adam's.
 *
 * <pre>{@code
 * model.compile(new Lion(1e-4).weightDecay(0.01), "mse");
 * }</pre>
 */
public final class Lion extends FusedOptimizer {
    private float beta1 = 0.9f;
    private float beta2 = 0.99f;

    /** Lion at Keras' defaults (the class comment): learning rate 0.001. */
    public Lion() { this(0.001); }

    /** Lion at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); the rest at Keras' defaults. */
    public Lion(double learningRate) { super(OptimizerArgs.Kind.LION, learningRate, "Lion"); }

    /** Lion whose learning rate follows {@code schedule} (Keras' {@code learning_rate=schedule}). */
    public Lion(LearningRateSchedule schedule) { super(OptimizerArgs.Kind.LION, schedule); }

    @Override
    public String name() { return "Lion"; }

    // Optimizer's setters, returning Lion so that a chain keeps its type (docs/ARCHITECTURE.md)
    @Override public Lion learningRate(double lr) { super.learningRate(lr); return this; }
    @Override public Lion learningRate(LearningRateSchedule schedule) { super.learningRate(schedule); return this; }
    @Override public Lion clearSchedule() { super.clearSchedule(); return this; }
    @Override public Lion clipnorm(double c) { super.clipnorm(c); return this; }
    @Override public Lion globalClipnorm(double c) { super.globalClipnorm(c); return this; }
    @Override public Lion clipvalue(double c) { super.clipvalue(c); return this; }
    @Override public Lion weightDecay(double wd) { super.weightDecay(wd); return this; }
    @Override public Lion excludeFromWeightDecay(String... varNames) { super.excludeFromWeightDecay(varNames); return this; }
    @Override public Lion gradientAccumulationSteps(int n) { super.gradientAccumulationSteps(n); return this; }
    @Override public Lion useEma(boolean on) { super.useEma(on); return this; }
    @Override public Lion emaMomentum(double m) { super.emaMomentum(m); return this; }
    @Override public Lion emaOverwriteFrequency(int f) { super.emaOverwriteFrequency(f); return this; }
    @Override public Lion iterations(long n) { super.iterations(n); return this; }

    /** The interpolation of the update's direction, in (0, 1] as Keras requires (0 would make it SignSGD). */
    public Lion beta1(double b) {
        this.beta1 = Float32.check("Lion: beta1", b, x -> x > 0 && x <= 1, "in (0, 1] (0 makes Lion SignSGD, as Keras refuses)");
        changed();
        return this;
    }

    /** The momentum's decay, in [0, 1). */
    public Lion beta2(double b) {
        this.beta2 = unitInterval("beta2", b);
        changed();
        return this;
    }

    /** Keras' {@code beta_1}; default 0.9. */
    public float beta1() { return beta1; }

    /** Keras' {@code beta_2}; default 0.99. */
    public float beta2() { return beta2; }

    @Override
    protected void putConfig(java.util.Map<String, Object> c) {
        c.put("beta_1", decimal(beta1));
        c.put("beta_2", decimal(beta2));
    }

    @Override boolean usesS2() { return false; }
    @Override boolean usesS3() { return false; }
    @Override float h1() { return beta1; }
    @Override float h2() { return beta2; }
    @Override float eps() { return 0f; }
}
