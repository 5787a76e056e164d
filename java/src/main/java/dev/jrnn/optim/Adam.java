package dev.jrnn.optim;

import dev.jrnn.backend.AdamArgs;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.tensor.Float32;

/**
 * Adam with Keras' defaults: learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, no weight decay, no amsgrad.
 * One fused {@link Backend#adamUpdate} over all trainable parameters per step, with the step count t
 * kept in device memory (so a replayed CUDA graph of a train step uses the right t every time). With
 * {@link #weightDecay} (Keras' {@code weight_decay}) or {@link #amsgrad} the step is AdamW's fused update, which is
 * Adam after the decay.
 *
 * <pre>{@code
 * model.compile(new Adam(0.01), "mse");
 * model.compile(new Adam(1e-3).amsgrad(true), "mse");
 * }</pre>
 */
public final class Adam extends Optimizer {
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-7f;
    private boolean amsgrad;
    private Buf m;
    private Buf v;
    /** Keras' velocity_hat, the largest v so far (amsgrad only). */
    private Buf vHat;
    /** t (lo, hi) and scratch, on the device. */
    private DeviceStep step;

    /** Adam at Keras' defaults (the class comment): learning rate 0.001. */
    public Adam() { this(0.001f); }

    /** Adam at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); the rest at Keras' defaults. */
    public Adam(double learningRate) { super(lr("Adam", learningRate)); }

    /** An optimizer whose learning rate follows {@code schedule}. */
    public Adam(dev.jrnn.optim.schedules.LearningRateSchedule schedule) { super(schedule); }

    @Override
    public String name() { return "Adam"; }

    // Optimizer's setters, returning Adam so that a chain keeps its type (docs/ARCHITECTURE.md)
    @Override public Adam learningRate(double lr) { super.learningRate(lr); return this; }
    @Override public Adam learningRate(dev.jrnn.optim.schedules.LearningRateSchedule schedule) { super.learningRate(schedule); return this; }
    @Override public Adam clearSchedule() { super.clearSchedule(); return this; }
    @Override public Adam clipnorm(double c) { super.clipnorm(c); return this; }
    @Override public Adam globalClipnorm(double c) { super.globalClipnorm(c); return this; }
    @Override public Adam clipvalue(double c) { super.clipvalue(c); return this; }
    @Override public Adam weightDecay(double wd) { super.weightDecay(wd); return this; }
    @Override public Adam excludeFromWeightDecay(String... varNames) { super.excludeFromWeightDecay(varNames); return this; }
    @Override public Adam gradientAccumulationSteps(int n) { super.gradientAccumulationSteps(n); return this; }
    @Override public Adam useEma(boolean on) { super.useEma(on); return this; }
    @Override public Adam emaMomentum(double m) { super.emaMomentum(m); return this; }
    @Override public Adam emaOverwriteFrequency(int f) { super.emaOverwriteFrequency(f); return this; }
    @Override public Adam iterations(long n) { super.iterations(n); return this; }

    /** Keras' {@code beta_1}: the decay of the first moment, in [0, 1); default 0.9. */
    public Adam beta1(double b) {
        this.beta1 = checkBeta("beta1", b);
        changed();
        return this;
    }

    /** Keras' {@code beta_2}: the decay of the second moment, in [0, 1); default 0.999. */
    public Adam beta2(double b) {
        this.beta2 = checkBeta("beta2", b);
        changed();
        return this;
    }

    /** Keras' {@code epsilon} added to the denominator, positive and finite; default 1e-7. */
    public Adam epsilon(double e) {
        this.epsilon = Float32.check("Adam: epsilon", e, x -> x > 0 && Double.isFinite(x), "positive and finite");
        changed();
        return this;
    }

    /**
     * Keras' {@code amsgrad}: divides by the square root of the largest second moment seen so far (Reddi et al., 2018)
     * instead of the current one; its state "velocity_hat" starts at zero when switched on.
     */
    public Adam amsgrad(boolean a) {
        this.amsgrad = a;
        changed();
        return this;
    }

    /** Keras' {@code amsgrad}; default false. */
    public boolean amsgrad() { return amsgrad; }

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
        c.put("amsgrad", amsgrad);
    }

    @Override
    protected java.util.Set<String> toggledSlots() { return java.util.Set.of("velocity_hat"); }

    @Override
    protected java.util.Set<String> stateNames() {
        return amsgrad ? new java.util.LinkedHashSet<>(java.util.List.of("m", "v", "velocity_hat")) : new java.util.LinkedHashSet<>(java.util.List.of("m", "v"));
    }

    @Override
    protected java.util.Map<String, Buf> stateBuffers() {
        // in Keras' order: state() and the files list them so, and Map.of's order changes from one JVM run to the next
        java.util.Map<String, Buf> s = new java.util.LinkedHashMap<>();
        if (m == null) return s;
        s.put("m", m);
        s.put("v", v);
        if (vHat != null) s.put("velocity_hat", vHat);
        return s;
    }

    @Override
    protected void createState(Backend be, long n) {
        m = be.alloc(n);
        v = be.alloc(n);
        vHat = amsgrad ? be.alloc(n) : null;
        step = new DeviceStep(be, OptimizerArgs.STEP_FLOATS);   // room for AdamW's update too (t lo, hi at the same place)
    }

    @Override
    protected void releaseState() {
        if (m != null) m.close();
        if (v != null) v.close();
        if (vHat != null) vHat.close();
        if (step != null) step.close();
        m = null;
        v = null;
        vHat = null;
        step = null;
    }

    @Override
    protected void update(Backend be, Buf p, Buf g, long n, long t, Buf guard) {
        if (amsgrad && vHat == null) vHat = be.alloc(n);   // switched on after the first step: from zero, as a fresh Keras build
        if (!amsgrad && vHat != null) {   // switched off: no stale state saved or picked up later
            vHat.close();
            vHat = null;
        }
        if (fusedWeightDecay() > 0 || amsgrad) {
            be.optimizerUpdate(new OptimizerArgs(OptimizerArgs.Kind.ADAMW, n, Span.of(p), Span.of(g), Span.of(m), Span.of(v),
                    amsgrad ? Span.of(vHat) : null,
                    Span.of(step.before(be, t)), Span.ofNullable(guard), learningRate(), beta1, beta2, epsilon, fusedWeightDecay()));
            step.after(t);
            return;
        }
        be.adamUpdate(new AdamArgs(n, Span.of(p), Span.of(g), Span.of(m), Span.of(v), Span.of(step.before(be, t)),
                Span.ofNullable(guard), learningRate(), beta1, beta2, epsilon));
        step.after(t);
    }

    @Override
    DeviceStep deviceStep() { return step; }

    private static float checkBeta(String what, double b) {
        return Float32.check("Adam: " + what, b, x -> x >= 0 && x < 1, "in [0, 1)");
    }
}
