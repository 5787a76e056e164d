package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.SgdArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.tensor.Float32;

/**
 * Stochastic gradient descent as Keras: learning rate (default 0.01), optional momentum and
 * Nesterov momentum, optional weight decay. One fused {@link Backend#sgdUpdate} over all trainable parameters per step
 * (with weight decay one more before it, from a copy of the weights).
 *
 * <pre>{@code
 * model.compile(new SGD(0.1).momentum(0.9).nesterov(true), "mse");
 * }</pre>
 */
public final class SGD extends Optimizer {
    private float momentum;
    private boolean nesterov;
    private Buf velocity;
    /** The weights before the decay (weight decay only): the decay reads them while it writes the weights. */
    private Buf decayFrom;

    /** SGD at Keras' defaults (the class comment): learning rate 0.01. */
    public SGD() { this(0.01f); }

    /** SGD at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); the rest at Keras' defaults. */
    public SGD(double learningRate) { super(lr("SGD", learningRate)); }

    /** An optimizer whose learning rate follows {@code schedule}. */
    public SGD(dev.jrnn.optim.schedules.LearningRateSchedule schedule) { super(schedule); }

    @Override
    public String name() { return "SGD"; }

    // Optimizer's setters, returning SGD so that a chain keeps its type (docs/ARCHITECTURE.md)
    @Override public SGD learningRate(double lr) { super.learningRate(lr); return this; }
    @Override public SGD learningRate(dev.jrnn.optim.schedules.LearningRateSchedule schedule) { super.learningRate(schedule); return this; }
    @Override public SGD clearSchedule() { super.clearSchedule(); return this; }
    @Override public SGD clipnorm(double c) { super.clipnorm(c); return this; }
    @Override public SGD globalClipnorm(double c) { super.globalClipnorm(c); return this; }
    @Override public SGD clipvalue(double c) { super.clipvalue(c); return this; }
    @Override public SGD weightDecay(double wd) { super.weightDecay(wd); return this; }
    @Override public SGD excludeFromWeightDecay(String... varNames) { super.excludeFromWeightDecay(varNames); return this; }
    @Override public SGD gradientAccumulationSteps(int n) { super.gradientAccumulationSteps(n); return this; }
    @Override public SGD useEma(boolean on) { super.useEma(on); return this; }
    @Override public SGD emaMomentum(double m) { super.emaMomentum(m); return this; }
    @Override public SGD emaOverwriteFrequency(int f) { super.emaOverwriteFrequency(f); return this; }
    @Override public SGD iterations(long n) { super.iterations(n); return this; }

    /** Keras' {@code momentum}, in [0, 1] as Keras takes it (1: the velocity never decays); 0, the default, is plain SGD. */
    public SGD momentum(double m) {
        this.momentum = Float32.check("SGD: momentum", m, x -> x >= 0 && x <= 1, "in [0, 1]");
        changed();
        return this;
    }

    /** Keras' {@code nesterov}: Nesterov momentum (with a momentum above 0); default false. */
    public SGD nesterov(boolean n) {
        this.nesterov = n;
        changed();
        return this;
    }

    /** Keras' {@code momentum}; default 0. */
    public float momentum() { return momentum; }

    /** Keras' {@code nesterov}; default false. */
    public boolean nesterov() { return nesterov; }

    @Override
    protected void putConfig(java.util.Map<String, Object> c) {
        c.put("momentum", decimal(momentum));
        c.put("nesterov", nesterov);
    }

    @Override
    protected java.util.Set<String> toggledSlots() { return java.util.Set.of("velocity"); }

    @Override
    protected java.util.Set<String> stateNames() {
        return momentum > 0 ? java.util.Set.of("velocity") : java.util.Set.of();
    }

    @Override
    protected java.util.Map<String, Buf> stateBuffers() {
        return velocity == null ? new java.util.LinkedHashMap<>() : new java.util.LinkedHashMap<>(java.util.Map.of("velocity", velocity));
    }

    @Override
    protected void createState(Backend be, long n) {
        velocity = momentum > 0 ? be.alloc(n) : null;
        decayFrom = fusedWeightDecay() > 0 ? be.alloc(n) : null;
    }

    @Override
    protected void releaseState() {
        if (velocity != null) velocity.close();
        if (decayFrom != null) decayFrom.close();
        velocity = null;
        decayFrom = null;
    }

    @Override
    protected void update(Backend be, Buf p, Buf g, long n, long t, Buf guard) {
        if (momentum > 0 && velocity == null) velocity = be.alloc(n);   // momentum set after the first step
        float lr = learningRate();
        if (fusedWeightDecay() > 0) {   // Keras' decay as a plain guarded SGD step along the weights themselves
            if (decayFrom == null) decayFrom = be.alloc(n);
            be.copy(p, 0, decayFrom, 0, n);
            be.sgdUpdate(new SgdArgs(n, Span.of(p), Span.of(decayFrom), null, Span.ofNullable(guard), lr * fusedWeightDecay(), 0, false));
        }
        be.sgdUpdate(new SgdArgs(n, Span.of(p), Span.of(g), momentum > 0 ? Span.of(velocity) : null, Span.ofNullable(guard),
                lr, momentum, nesterov));
    }
}
