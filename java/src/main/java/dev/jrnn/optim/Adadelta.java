package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;

/**
 * Adadelta as Keras 3, with its defaults: learning rate 0.001, rho 0.95, epsilon 1e-7:
 * {@code acc_g = rho acc_g + (1 - rho) g^2}, {@code d = -sqrt(acc_d + eps) g / sqrt(acc_g + eps)},
 * {@code acc_d = rho acc_d + (1 - rho) d^2}, {@code p += lr d}. Keras names its state "accumulated_grad" and
 * "accumulated_delta_var". (Keras' learning rate 0.001 is not the paper's 1.0: set it as in the Keras code ported.)
 *
 * <pre>{@code
 * model.compile(new Adadelta(1.0), "mse");   // or compile("adadelta", "mse") for Keras' default 0.001
 * }</pre>
 */
public final class Adadelta extends FusedOptimizer {
    private float rho = 0.95f;
    private float epsilon = 1e-7f;

    /** Adadelta at Keras' defaults (the class comment): learning rate 0.001. */
    public Adadelta() { this(0.001); }

    /** Adadelta at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); the rest at Keras' defaults. */
    public Adadelta(double learningRate) { super(OptimizerArgs.Kind.ADADELTA, learningRate, "Adadelta"); }

    /** Adadelta whose learning rate follows {@code schedule} (Keras' {@code learning_rate=schedule}). */
    public Adadelta(LearningRateSchedule schedule) { super(OptimizerArgs.Kind.ADADELTA, schedule); }

    @Override
    public String name() { return "Adadelta"; }

    // Optimizer's setters, returning Adadelta so that a chain keeps its type (docs/ARCHITECTURE.md)
    @Override public Adadelta learningRate(double lr) { super.learningRate(lr); return this; }
    @Override public Adadelta learningRate(LearningRateSchedule schedule) { super.learningRate(schedule); return this; }
    @Override public Adadelta clearSchedule() { super.clearSchedule(); return this; }
    @Override public Adadelta clipnorm(double c) { super.clipnorm(c); return this; }
    @Override public Adadelta globalClipnorm(double c) { super.globalClipnorm(c); return this; }
    @Override public Adadelta clipvalue(double c) { super.clipvalue(c); return this; }
    @Override public Adadelta weightDecay(double wd) { super.weightDecay(wd); return this; }
    @Override public Adadelta excludeFromWeightDecay(String... varNames) { super.excludeFromWeightDecay(varNames); return this; }
    @Override public Adadelta gradientAccumulationSteps(int n) { super.gradientAccumulationSteps(n); return this; }
    @Override public Adadelta useEma(boolean on) { super.useEma(on); return this; }
    @Override public Adadelta emaMomentum(double m) { super.emaMomentum(m); return this; }
    @Override public Adadelta emaOverwriteFrequency(int f) { super.emaOverwriteFrequency(f); return this; }
    @Override public Adadelta iterations(long n) { super.iterations(n); return this; }

    /** The decay of both accumulators (Keras {@code rho}), in [0, 1). */
    public Adadelta rho(double r) {
        this.rho = unitInterval("rho", r);
        changed();
        return this;
    }

    /** Keras' {@code epsilon}, positive; default 1e-7. */
    public Adadelta epsilon(double e) {
        this.epsilon = positiveEps(e);
        changed();
        return this;
    }

    /** Keras' {@code rho}; default 0.95. */
    public float rho() { return rho; }

    /** Keras' {@code epsilon}; default 1e-7. */
    public float epsilon() { return epsilon; }

    @Override
    protected void putConfig(java.util.Map<String, Object> c) {
        c.put("rho", decimal(rho));
        c.put("epsilon", decimal(epsilon));
    }

    @Override boolean usesS2() { return true; }
    @Override boolean usesS3() { return false; }
    @Override float h1() { return rho; }
    @Override float h2() { return 0f; }
    @Override float eps() { return epsilon; }
}
