package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.optim.schedules.LearningRateSchedule;
import dev.jrnn.tensor.Float32;

/**
 * The optimizers of {@link Backend#optimizerUpdate} (RMSprop, Adagrad, AdamW, Nadam, Adamax, Adadelta, Lion): their state buffers, Keras'
 * {@code weight_decay}, and for the counted kinds the step count in device memory with a host mirror, as
 * {@link Adam} keeps it (so replayed captured steps use the right t).
 */
public abstract class FusedOptimizer extends Optimizer {
    private final OptimizerArgs.Kind kind;
    private Buf s1, s2, s3;
    private DeviceStep step;

    FusedOptimizer(OptimizerArgs.Kind kind, double learningRate, String name) {
        super(lr(name, learningRate));
        this.kind = kind;
    }

    FusedOptimizer(OptimizerArgs.Kind kind, LearningRateSchedule schedule) {
        super(schedule);
        this.kind = kind;
    }

    /** Whether the state buffer s2 / s3 is needed with the current settings. */
    abstract boolean usesS2();

    abstract boolean usesS3();

    /** The value s1 starts from (Adagrad's initial accumulator). */
    float s1Initial() { return 0f; }

    /** The two hyper-parameters h1, h2 of {@link OptimizerArgs}. */
    abstract float h1();

    abstract float h2();

    abstract float eps();

    @Override
    protected void createState(Backend be, long n) {
        s1 = be.alloc(n);
        if (s1Initial() != 0f) be.fill(s1, 0, n, s1Initial());
        s2 = usesS2() ? be.alloc(n) : null;
        s3 = usesS3() ? be.alloc(n) : null;
        step = kind.counted() ? new DeviceStep(be, OptimizerArgs.STEP_FLOATS) : null;
    }

    /** RMSprop's momentum and average_gradient (momentum, centered), AdamW's velocity_hat (amsgrad). */
    @Override
    protected java.util.Set<String> toggledSlots() {
        return switch (kind) {
            case RMSPROP -> java.util.Set.of("momentum", "average_gradient");
            case ADAMW -> java.util.Set.of("velocity_hat");
            default -> java.util.Set.of();
        };
    }

    /**
     * The state buffers under Keras' variable names (RMSprop: velocity, momentum, average_gradient; Adagrad: accumulator;
     * AdamW, Nadam: m, v, AdamW's amsgrad velocity_hat; Adamax: momentum, norm; Adadelta: accumulated_grad, accumulated_delta_var; Lion: momentum).
     */
    @Override
    protected java.util.Map<String, Buf> stateBuffers() {
        java.util.Map<String, Buf> m = new java.util.LinkedHashMap<>();
        if (s1 == null) return m;
        String[] names = slotNames();
        m.put(names[0], s1);
        if (s2 != null) m.put(names[1], s2);
        if (s3 != null) m.put(names[2], s3);
        return m;
    }

    @Override
    protected java.util.Set<String> stateNames() {
        String[] names = slotNames();
        java.util.Set<String> r = new java.util.LinkedHashSet<>();
        r.add(names[0]);
        if (usesS2()) r.add(names[1]);
        if (usesS3()) r.add(names[2]);
        return r;
    }

    private String[] slotNames() {
        return switch (kind) {
            case RMSPROP -> new String[] {"velocity", "momentum", "average_gradient"};
            case ADAGRAD -> new String[] {"accumulator", "s2", "s3"};
            case ADAMW -> new String[] {"m", "v", "velocity_hat"};
            case NADAM -> new String[] {"m", "v", "s3"};
            case ADAMAX -> new String[] {"momentum", "norm", "s3"};
            case ADADELTA -> new String[] {"accumulated_grad", "accumulated_delta_var", "s3"};
            case LION -> new String[] {"momentum", "s2", "s3"};
        };
    }

    @Override
    public float stateStart(String slot) { return slot.equals(slotNames()[0]) ? s1Initial() : 0f; }

    @Override
    protected void releaseState() {
        for (Buf b : new Buf[] {s1, s2, s3}) if (b != null) b.close();
        if (step != null) step.close();
        s1 = s2 = s3 = null;
        step = null;
    }

    @Override
    protected void update(Backend be, Buf p, Buf g, long n, long t, Buf guard) {
        // momentum or centered switched on after the first step: their buffers start at zero, as in a fresh Keras build
        if (usesS2() && s2 == null) s2 = be.alloc(n);
        if (usesS3() && s3 == null) s3 = be.alloc(n);
        // switched off: dropped, so the state saved is the state the settings use (and a later switch-on starts at zero)
        if (!usesS2() && s2 != null && !kind.needsS2()) {
            s2.close();
            s2 = null;
        }
        if (!usesS3() && s3 != null) {
            s3.close();
            s3 = null;
        }
        be.optimizerUpdate(new OptimizerArgs(kind, n, Span.of(p), Span.of(g), Span.of(s1), usesS2() ? Span.of(s2) : null,
                usesS3() ? Span.of(s3) : null, step == null ? null : Span.of(step.before(be, t)), Span.ofNullable(guard),
                learningRate(), h1(), h2(), eps(), fusedWeightDecay()));
        if (step != null) step.after(t);
    }

    @Override
    DeviceStep deviceStep() { return step; }

    /** A hyper-parameter in [0, 1). */
    float unitInterval(String what, double v) {
        return Float32.check(name() + ": " + what, v, x -> x >= 0 && x < 1, "in [0, 1)");
    }

    float positiveEps(double e) {
        return Float32.check(name() + ": epsilon", e, x -> x > 0 && Double.isFinite(x), "positive and finite");
    }
}
