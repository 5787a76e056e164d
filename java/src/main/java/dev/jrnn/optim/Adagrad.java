package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;
import dev.jrnn.tensor.Float32;

/**
 * Adagrad with Keras' defaults: learning rate 0.001, initial accumulator value 0.1, epsilon 1e-7.
 * {@code acc += g^2; p -= lr g / sqrt(acc + eps)}.
 *
 * <pre>{@code
 * model.compile(new Adagrad(0.01), "mse");
 * }</pre>
 */
public final class Adagrad extends FusedOptimizer {
    private float initialAccumulator = 0.1f;
    private float epsilon = 1e-7f;

    /** Adagrad at Keras' defaults (the class comment): learning rate 0.001. */
    public Adagrad() { this(0.001); }

    /** Adagrad at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); the rest at Keras' defaults. */
    public Adagrad(double learningRate) { super(OptimizerArgs.Kind.ADAGRAD, learningRate, "Adagrad"); }

    /** Adagrad whose learning rate follows {@code schedule} (Keras' {@code learning_rate=schedule}). */
    public Adagrad(LearningRateSchedule schedule) { super(OptimizerArgs.Kind.ADAGRAD, schedule); }

    @Override
    public String name() { return "Adagrad"; }

    // Optimizer's setters, returning Adagrad so that a chain keeps its type (docs/ARCHITECTURE.md)
    @Override public Adagrad learningRate(double lr) { super.learningRate(lr); return this; }
    @Override public Adagrad learningRate(LearningRateSchedule schedule) { super.learningRate(schedule); return this; }
    @Override public Adagrad clearSchedule() { super.clearSchedule(); return this; }
    @Override public Adagrad clipnorm(double c) { super.clipnorm(c); return this; }
    @Override public Adagrad globalClipnorm(double c) { super.globalClipnorm(c); return this; }
    @Override public Adagrad clipvalue(double c) { super.clipvalue(c); return this; }
    @Override public Adagrad weightDecay(double wd) { super.weightDecay(wd); return this; }
    @Override public Adagrad excludeFromWeightDecay(String... varNames) { super.excludeFromWeightDecay(varNames); return this; }
    @Override public Adagrad gradientAccumulationSteps(int n) { super.gradientAccumulationSteps(n); return this; }
    @Override public Adagrad useEma(boolean on) { super.useEma(on); return this; }
    @Override public Adagrad emaMomentum(double m) { super.emaMomentum(m); return this; }
    @Override public Adagrad emaOverwriteFrequency(int f) { super.emaOverwriteFrequency(f); return this; }
    @Override public Adagrad iterations(long n) { super.iterations(n); return this; }

    /** The accumulator's starting value (Keras {@code initial_accumulator_value}); read when the state is created. */
    public Adagrad initialAccumulatorValue(double v) {
        this.initialAccumulator = Float32.check("Adagrad: initialAccumulatorValue", v, x -> x >= 0 && Double.isFinite(x),
                ">= 0 and finite");
        changed();
        return this;
    }

    /** Keras' {@code epsilon} added to the denominator, positive; default 1e-7. */
    public Adagrad epsilon(double e) {
        this.epsilon = positiveEps(e);
        changed();
        return this;
    }

    /** Keras' {@code initial_accumulator_value}; default 0.1. */
    public float initialAccumulatorValue() { return initialAccumulator; }

    /** Keras' {@code epsilon}; default 1e-7. */
    public float epsilon() { return epsilon; }

    @Override
    protected void putConfig(java.util.Map<String, Object> c) {
        c.put("initial_accumulator_value", decimal(initialAccumulator));
        c.put("epsilon", decimal(epsilon));
    }

    @Override float s1Initial() { return initialAccumulator; }
    @Override boolean usesS2() { return false; }
    @Override boolean usesS3() { return false; }
    @Override float h1() { return 0f; }
    @Override float h2() { return 0f; }
    @Override float eps() { return epsilon; }
}
