package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.optim.schedules.LearningRateSchedule;
import dev.jrnn.tensor.Float32;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates all trainable parameters of a model in one fused call over the model's flat
 * {@link ParamStore} (the trainable parameters are its first {@code n} floats), after optional
 * gradient clipping as Keras does it, with at most one of these set (Keras 3 raises on more than one;
 * here the setter that would make a second one non-zero throws, set the other to 0 first):
 * <ul>
 *   <li>{@link #clipnorm}: each variable's gradient is scaled so its L2 norm is at most the value;</li>
 *   <li>{@link #globalClipnorm}: all gradients together are scaled so their global L2 norm is at most the value;</li>
 *   <li>{@link #clipvalue}: every gradient element is clipped to [-value, value].</li>
 * </ul>
 *
 * <p>Everything runs on the device without a host round trip (clipping through {@link Backend#clipNorm},
 * Adam's step count in device memory), so a model can capture whole train steps into a CUDA graph.
 * {@link #version()} changes whenever a setting changes, which tells such a graph to re-capture.
 *
 * <p>Keras' {@code gradient_accumulation_steps} ({@link #gradientAccumulationSteps}) and {@code use_ema} ({@link #useEma},
 * {@link #emaMomentum}, {@link #emaOverwriteFrequency}) work on every optimizer as in Keras 3.
 *
 * <pre>{@code
 * model.compile(new Adam(0.01).globalClipnorm(1.0), "mse");
 * model.compile(new Adam(0.01).gradientAccumulationSteps(4).useEma(true), "mse");   // fit ends on the averaged weights
 * model.compile(new Adam(0.01).clipnorm(1.0).amsgrad(true), "mse");
 * }</pre>
 * Every optimizer overrides these setters to return its own type, so a chain sets them and the class' own settings
 * (Adam's {@code amsgrad}, SGD's {@code momentum}) in any order ({@code OptimizerSettersTest} checks each).
 */
public abstract class Optimizer {
    /** Largest update count {@link #iterations(long)} accepts: t = n + 1 must fit the device's 48-bit counter. */
    public static final long MAX_ITERATIONS = (1L << 48) - 2;

    private float learningRate;
    /** Nullable: a schedule replaces the fixed rate (Keras {@code learning_rate=schedule}). */
    private LearningRateSchedule schedule;
    /** The scheduled rate {@link #version()} last saw. */
    private float versionRate = Float.NaN;
    private final GradientClipping clipping = new GradientClipping();
    private final WeightDecay decay = new WeightDecay();
    private long iterations;
    private long version;
    private ParamStore boundTo;
    private long boundSize = -1;
    /** The weights the state was last bound to, kept after close: another model's weights are refused (see step). */
    private List<Param> lastParams;
    private final AccumulationAndEma extra = new AccumulationAndEma();

    /** An optimizer with the fixed learning rate {@code learningRate} (finite, >= 0). */
    protected Optimizer(float learningRate) {
        this.learningRate = checkLr(learningRate);
    }

    /** An optimizer whose learning rate follows {@code schedule} (Keras {@code learning_rate=schedule}). */
    protected Optimizer(LearningRateSchedule schedule) {
        this.learningRate = 1f;
        learningRate(schedule);
    }

    /** Keras' name of the optimizer, e.g. "Adam". */
    public abstract String name();

    /**
     * The learning rate of the next update: the fixed rate, or the schedule's value at {@link #iterations()}
     * (Keras' {@code optimizer.learning_rate}).
     */
    public float learningRate() {
        if (schedule == null) return learningRate;
        double lr = schedule.at(iterations);
        if (!(lr >= 0) || !Double.isFinite(lr)) {
            throw new IllegalStateException(name() + ": the learning-rate schedule gave " + lr + " at step " + iterations
                    + ", expected a finite number >= 0");
        }
        return (float) lr;
    }

    /**
     * Sets the learning rate (takes effect at the next step; e.g. from a callback). Throws IllegalStateException
     * when the rate follows a schedule, as Keras does (set another schedule or a fixed rate with
     * {@link #learningRate(LearningRateSchedule)} / {@link #clearSchedule()} first).
     */
    public Optimizer learningRate(double lr) {
        if (schedule != null) {
            throw new IllegalStateException(name() + ": the learning rate follows a LearningRateSchedule, so it is not settable "
                    + "(as in Keras); call clearSchedule() first to use a fixed rate");
        }
        float next = checkLr(lr);
        if (Float.floatToIntBits(next) != Float.floatToIntBits(learningRate)) changed();   // the same rate keeps captured steps
        this.learningRate = next;
        return this;
    }

    /** Makes the learning rate follow {@code schedule}, evaluated at the call count (Keras' _iterations) before every update. */
    public Optimizer learningRate(LearningRateSchedule schedule) {
        if (schedule == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": schedule is null");
        this.schedule = schedule;
        changed();
        return this;
    }

    /** Drops the schedule; the rate stays fixed at the schedule's current value (the smallest positive float when that is 0). */
    public Optimizer clearSchedule() {
        if (schedule != null) {
            float now = learningRate();
            schedule = null;
            learningRate = now > 0 ? now : Float.MIN_VALUE;   // a fixed rate is positive: the nearest one to a schedule at 0
            changed();
        }
        return this;
    }

    /** The schedule the learning rate follows, or null. */
    public LearningRateSchedule schedule() { return schedule; }

    /**
     * Clips each variable's gradient to L2 norm {@code c} (Keras {@code clipnorm}); 0 disables.
     * Throws when clipvalue or globalClipnorm is already set (non-zero), as Keras allows only one.
     */
    public Optimizer clipnorm(double c) {
        clipping.clipnorm = clipping.checked(getClass().getSimpleName(), "clipnorm", c);
        changed();
        return this;
    }

    /**
     * Clips the global L2 norm of all gradients to {@code c} (Keras {@code global_clipnorm}); 0 disables.
     * Throws when clipnorm or clipvalue is already set (non-zero), as Keras allows only one.
     */
    public Optimizer globalClipnorm(double c) {
        clipping.globalClipnorm = clipping.checked(getClass().getSimpleName(), "globalClipnorm", c);
        changed();
        return this;
    }

    /**
     * Clips every gradient element to [-c, c] (Keras {@code clipvalue}); 0 disables.
     * Throws when clipnorm or globalClipnorm is already set (non-zero), as Keras allows only one.
     */
    public Optimizer clipvalue(double c) {
        clipping.clipvalue = clipping.checked(getClass().getSimpleName(), "clipvalue", c);
        changed();
        return this;
    }

    /**
     * Keras' {@code weight_decay} (every Keras 3 optimizer has it): before each update {@code p -= p * weightDecay * lr},
     * decoupled from the gradients; 0 disables (the default, but AdamW's 0.004). Every trainable weight but those
     * {@link #excludeFromWeightDecay} names.
     */
    public Optimizer weightDecay(double wd) {
        decay.rate = Float32.check(name() + ": weightDecay", wd, x -> x >= 0 && Double.isFinite(x), ">= 0 and finite");
        changed();
        return this;
    }

    /** Keras' {@code weight_decay}; default 0 (AdamW: 0.004). */
    public float weightDecay() { return decay.rate; }

    /**
     * Keras' {@code exclude_from_weight_decay(var_names=[...])}: weights whose name ("kernel", "bias", "gamma", ...)
     * contains a match of any of {@code varNames} (regular expressions, as Keras searches them) are not decayed; no
     * names: every trainable weight is decayed again (the default). Keras' {@code var_list} form (given variables) is not
     * offered: name them.
     *
     * <pre>{@code
     * model.compile(new AdamW(1e-3).weightDecay(0.01).excludeFromWeightDecay("bias", "gamma", "beta"), "mse");
     * }</pre>
     */
    public Optimizer excludeFromWeightDecay(String... varNames) {
        decay.exclude(this, varNames);
        changed();
        return this;
    }

    /** The names (patterns) given to {@link #excludeFromWeightDecay}; empty: every trainable weight is decayed. */
    public List<String> excludedFromWeightDecay() { return decay.excludedNames(); }

    /**
     * The weight decay the subclass' fused update applies to all {@code n} floats itself: {@link #weightDecay()}, or 0 when
     * some weights are excluded ({@link #step} has then decayed the others, before the update, as Keras does).
     */
    protected final float fusedWeightDecay() { return decay.fused(); }

    /** Keras' {@code clipnorm}; 0 (the default): off. */
    public float clipnorm() { return clipping.clipnorm; }

    /** Keras' {@code global_clipnorm}; 0 (the default): off. */
    public float globalClipnorm() { return clipping.globalClipnorm; }

    /** Keras' {@code clipvalue}; 0 (the default): off. */
    public float clipvalue() { return clipping.clipvalue; }

    /**
     * Keras' {@code gradient_accumulation_steps}: the weights and moments change every {@code n}-th batch only, from the mean
     * of the {@code n} batches' gradients (clipped and decayed as one); schedules see every batch's count, Adam's bias correction
     * and the EMA the updates' (iterations / n). 1, the default, is Keras' None (Keras refuses 1). One float per weight.
     * <pre>{@code model.compile(new SGD(0.1).gradientAccumulationSteps(8), "mse");   // 8 batches of 16 train as one of 128 }</pre>
     */
    public Optimizer gradientAccumulationSteps(int n) {
        extra.steps = AccumulationAndEma.checkSteps(name(), n);
        return changedThis();
    }

    /** Keras' {@code gradient_accumulation_steps}; default 1 (Keras' None: every batch updates). */
    public int gradientAccumulationSteps() { return extra.steps; }

    /**
     * Keras' {@code use_ema}: a moving average of the trainable weights, {@code emaMomentum * average + (1 - emaMomentum) *
     * weights} after every batch (the weights themselves until the first update is done), which the weights become at the end
     * of {@code fit} (Keras' finalize_variable_values) and every {@link #emaOverwriteFrequency} updates. One float per weight.
     * <pre>{@code model.compile(new Adam(1e-3).useEma(true).emaMomentum(0.999), "mse"); }</pre>
     */
    public Optimizer useEma(boolean on) {
        extra.useEma = on;
        return changedThis();
    }

    /** Keras' {@code use_ema}; default false. */
    public boolean useEma() { return extra.useEma; }

    /** Keras' {@code ema_momentum}, in [0, 1] (default 0.99): the average's weight on its old value. */
    public Optimizer emaMomentum(double m) {
        extra.momentum = AccumulationAndEma.checkMomentum(name(), m);
        return changedThis();
    }

    /** Keras' {@code ema_momentum}; default 0.99. */
    public float emaMomentum() { return extra.momentum; }

    /**
     * Keras' {@code ema_overwrite_frequency}: with useEma the weights take their average every {@code f} updates; 0
     * (None): at fit's end.
     */
    public Optimizer emaOverwriteFrequency(int f) {
        extra.overwriteFrequency = AccumulationAndEma.checkFrequency(name(), f);
        return changedThis();
    }

    private Optimizer changedThis() {
        changed();
        return this;
    }

    /** Keras' {@code ema_overwrite_frequency}; default 0 (None: at fit's end). */
    public int emaOverwriteFrequency() { return extra.overwriteFrequency; }

    /**
     * Keras' {@code finalize_variable_values} (fit calls it at its end): with useEma the weights {@link #step} updates
     * take their average.
     */
    public void finalizeVariableValues(ParamStore store, long n) {
        if (boundTo(store, n)) extra.finalizeInto(store.backend(), store.values(), n);
    }

    /**
     * Which device work the next {@link #step} queues (a captured step replays only in its own phase); negative: run it
     * eagerly.
     */
    public int capturePhase() { return extra.phase(iterations); }

    /**
     * {@link #step} calls so far (Keras' {@code _iterations}; its {@code optimizer.iterations} is this /
     * gradientAccumulationSteps).
     */
    public long iterations() { return iterations; }

    /**
     * Sets the call count (Keras' {@code _iterations}; the updates are it over the accumulation steps); the next update
     * runs with t = n / steps + 1 (Adam's bias correction). Models also use it to undo the count of a step that did not run.
     */
    public Optimizer iterations(long n) {
        if (n < 0 || n > MAX_ITERATIONS) {
            throw new IllegalArgumentException(name() + ": iterations must be in [0, " + MAX_ITERATIONS + "] (the step count "
                    + "lives on the device as two 24-bit limbs), got " + n);
        }
        if (n != iterations) changed();   // a captured step's device counter runs on from the old count: re-capture
        this.iterations = n;
        DeviceStep s = deviceStep();
        if (s != null) s.invalidate();   // the device counter no longer holds what its mirror says: reload it
        return this;
    }

    /** The device-side step counter of a counted optimizer (null: none); kept in step with iterations here. */
    DeviceStep deviceStep() { return null; }

    /**
     * Counts one call that was applied without calling {@link #step}: a replay of a captured train step
     * (the replayed kernels advance any device-side step counter themselves).
     */
    public void countReplayedStep() {
        DeviceStep s = deviceStep();
        if (s != null && extra.updates(iterations)) s.replayed();   // an accumulating call runs no update kernel
        iterations++;
    }

    /**
     * Changes whenever a setting (learning rate, clipping, betas, ...) changes, and under a schedule whenever the
     * next update's rate differs from the one seen last; captured steps compare it (a step captured with one rate
     * is not replayed with another).
     */
    public long version() {
        if (schedule != null) {
            float lr = learningRate();
            if (Float.floatToIntBits(lr) != Float.floatToIntBits(versionRate)) {
                versionRate = lr;
                changed();
            }
        }
        return version;
    }

    /** Subclasses call this from their setters so captured train steps are re-captured. */
    protected final void changed() {
        version++;
    }

    /**
     * One call (an update, or every n-th with accumulation) on the first {@code n} floats of {@code store} (the trainable parameters,
     * listed in {@code trainable}) from the gradients in {@code store.grads()}. Optimizer state is
     * allocated on first use and reset when the store changes.
     */
    public final void step(ParamStore store, List<Param> trainable, long n) {
        step(store, trainable, n, null, null);
    }

    /**
     * As {@link #step(ParamStore, List, long)}, skipped on the device when {@code guard[0] != 0} (see
     * {@link Backend#finiteGuard}; nullable: never skipped), {@code afterUpdate} (nullable) run between the update and
     * the moving average of the weights: a check there that sets the guard keeps the average from taking them. The
     * update count still advances: a caller that learns later that the update was skipped corrects it with {@link #iterations(long)}.
     */
    public final void step(ParamStore store, List<Param> trainable, long n, Buf guard, Runnable afterUpdate) {
        if (n <= 0) return;
        if (n > store.size()) {
            throw new IllegalArgumentException(name() + ": asked to update " + n + " floats, store holds " + store.size());
        }
        Backend be = store.backend();
        requireUsableFor(store, trainable);
        if (store != boundTo || n != boundSize) bind(store, n);
        extra.fit(be, store.values(), n);
        Buf g = store.grads();
        long calls = iterations;
        if (extra.accumulate(be, g, n, calls, guard)) update(be, store, trainable, g, n, calls, guard);
        if (afterUpdate != null) afterUpdate.run();
        extra.average(be, store.values(), g, n, calls, guard);   // the gradients are spent: their buffer is the scratch
        iterations = calls + 1;
    }

    /**
     * Refuses the weights of another model once this optimizer has stepped on some: its state is a slot per weight, so
     * a second model would restart the first one's moments at a late step count (Keras on TensorFlow raises "Unknown
     * variable"). A model regrouping its own weights (a recompile, a frozen layer) shares some of them and goes on. The
     * train step calls this before its forward pass, so that a refused step leaves the model as it was.
     */
    public final void requireUsableFor(ParamStore store, List<Param> trainable) {
        if (iterations == 0 || store == boundTo || lastParams == null || trainable.isEmpty()) return;
        java.util.Set<Param> mine = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        mine.addAll(lastParams);
        for (Param p : trainable) if (mine.contains(p)) return;
        throw new IllegalStateException(name() + ": this optimizer has updated the weights of another model " + iterations
                + " times and keeps their state (a slot per weight); it cannot update this model's weights too: give each model "
                + "its own optimizer (as Keras on TensorFlow requires), or start this one over with iterations(0)");
    }

    /**
     * Fresh state for the first {@code n} floats of {@code store} (Keras' {@code optimizer.build}, which loading a
     * compiled model runs), unless the state is bound to them already; the step count stays.
     */
    public final void build(ParamStore store, long n) {
        if (store == null || n <= 0 || n > store.size()) {
            throw new IllegalArgumentException(name() + ".build: n must be in [1, store size], got " + n
                    + (store == null ? " and no store" : " for " + store.size()));
        }
        if (boundTo(store, n)) return;
        bind(store, n);
        extra.fit(store.backend(), store.values(), n);
    }

    private void bind(ParamStore store, long n) {
        releaseState();
        decay.release();
        extra.release();
        createState(store.backend(), n);
        boundTo = store;
        boundSize = n;
        lastParams = store.params();
        changed();
    }

    /** Clipping, weight decay and the subclass' update, as Keras' update step (with accumulation every n-th call only). */
    private void update(Backend be, ParamStore store, List<Param> trainable, Buf g, long n, long calls, Buf guard) {
        clipping.apply(be, trainable, g, n);
        if (decay.decaysHere()) decay.apply(be, store, trainable, n, guard, learningRate());
        // the update reads learningRate() at the call count before it (Keras evaluates a schedule at _iterations, from 0);
        // t counts the updates, from 1 (Adam's bias correction: Keras' iterations + 1)
        update(be, store.values(), g, n, extra.updatesBefore(calls) + 1, guard);
    }

    /**
     * The optimizer's settings as Keras 3's {@code get_config} writes them in a saved model's compile config: its keys in
     * its order ({@code learning_rate}: the rate or the schedule's {@link LearningRateSchedule#config}; the clipping options
     * and {@code weight_decay} null when unset, as Keras' None, as are {@code ema_overwrite_frequency} 0 and
     * {@code gradient_accumulation_steps} 1; {@code loss_scale_factor} None), then what subclasses add through {@link #putConfig}. An IllegalArgumentException when the schedule has no Keras config
     * (a lambda).
     */
    public final Map<String, Object> config() {
        return OptimizerConfig.of(this);
    }

    /**
     * A setting as the float32 jrnn holds, in its shortest decimal (0.9 for 0.9f, not the widened 0.8999999761581421): what
     * the user gave for settings of up to ~7 significant digits (0.123456789 is written 0.12345679); Keras writes the Python float.
     */
    protected static Double decimal(float f) {
        return Double.valueOf(Float.toString(f));
    }

    /** Adds the subclass' own settings to {@link #config()} (Keras keys: beta_1, momentum, ...). */
    protected void putConfig(Map<String, Object> config) {}

    /**
     * The per-parameter state buffers by name (Adam: "m", "v"; SGD with momentum: "velocity"), each of the
     * bound size; empty before the first step. What {@link #state()} saves and {@link #restoreState} fills.
     */
    protected abstract Map<String, Buf> stateBuffers();

    /**
     * Whether the state is bound to the first {@code n} floats of {@code store}, so the next {@link #step} on them
     * continues it (otherwise it starts fresh state: after a recompile changed which weights train).
     */
    public final boolean boundTo(ParamStore store, long n) {
        return store != null && store == boundTo && n == boundSize;
    }

    /** The value state buffer {@code slot} of a weight starts from (Adagrad's accumulator: its initial value; else 0). */
    public float stateStart(String slot) { return 0f; }

    /**
     * A copy of the state buffers by name ({@link #stateBuffers}, then "gradient_accumulator", "average"); empty before
     * the first step.
     */
    public final Map<String, float[]> state() {
        if (boundTo == null) return new LinkedHashMap<>();
        return OptimizerState.download(boundTo.backend(), buffers(), boundSize);
    }

    /**
     * Binds the optimizer to the first {@code n} floats of {@code store} with the given state (as {@link #state()}
     * returned it) and call count, so the next step continues a saved run. Every buffer must be given with {@code n} values
     * (a slot a setting adds may be missing: it starts afresh; one it drops is ignored); else an IllegalArgumentException, nothing changed.
     */
    public final void restoreState(ParamStore store, long n, long iterations, Map<String, float[]> state) {
        if (store == null || state == null) throw new IllegalArgumentException(name() + ".restoreState: store or state is null");
        if (n <= 0 || n > store.size()) {
            throw new IllegalArgumentException(name() + ".restoreState: n must be in [1, " + store.size() + "], got " + n);
        }
        OptimizerState.check(this, name() + ".restoreState", n, iterations, state);   // before bind: a refused state leaves the old one
        Backend be = store.backend();
        bind(store, n);
        extra.fit(be, null, n);
        Map<String, Buf> bufs = buffers();
        // a slot a setting adds or drops (amsgrad's velocity_hat, SGD's velocity) may be missing or left over: a setting
        // switched since the state was taken; the missing one starts at stateStart, as when switched on between steps.
        // checkState held the names to stateNames before bind; this is the backstop should the two part ways
        if (!OptimizerState.slotsFit(this, bufs.keySet(), state.keySet())) {
            close();
            throw new IllegalArgumentException(name() + ".restoreState: expected state " + bufs.keySet() + ", got " + state.keySet());
        }
        OptimizerState.upload(this, be, store, bufs, state, n);
        iterations(iterations);
    }

    /**
     * What {@link #restoreState} checks before it binds anything, for a caller that reads the state before it sets it (a
     * model file's restore): {@code iterations} in [0, {@link #MAX_ITERATIONS}], each slot of {@code state} {@code n}
     * values, and its slot names those this optimizer's settings keep ({@link #stateNames}; a slot a setting adds or
     * drops may be missing or left over, as may the accumulator and the average). An IllegalArgumentException naming
     * what differs; nothing changes either way.
     */
    public final void checkState(long n, long iterations, Map<String, float[]> state) {
        if (state == null) throw new IllegalArgumentException(name() + ".checkState: state is null");
        if (n <= 0) throw new IllegalArgumentException(name() + ".checkState: n must be >= 1, got " + n);
        OptimizerState.check(this, name() + ".checkState", n, iterations, state);
    }

    /**
     * The names of the state buffers {@link #createState} makes with the current settings ({@link #stateBuffers}' keys
     * once bound): what {@link #checkState} holds a saved state to before anything is bound.
     */
    protected abstract java.util.Set<String> stateNames();

    /**
     * The state slots this optimizer's own update keeps with its current settings ("m" and "v" for Adam, with
     * "velocity_hat" under amsgrad; RMSprop's "velocity", with "momentum" and "average_gradient" under momentum and
     * centered), without gradient accumulation's accumulator and use_ema's average: what a state saved under the same
     * settings holds ({@link #state()}'s names once bound), and what a file's restore holds a saved state to.
     */
    public final java.util.Set<String> stateSlots() {
        return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(stateNames()));
    }

    /** The subclass' state buffers, then the accumulator and the moving average of the weights (when their settings use them). */
    private Map<String, Buf> buffers() {
        Map<String, Buf> m = new LinkedHashMap<>(stateBuffers());
        m.putAll(extra.buffers());
        return m;
    }

    /** State slots a setting adds or drops (amsgrad, momentum, centered): {@link #restoreState} lets them differ. */
    protected java.util.Set<String> toggledSlots() { return java.util.Set.of(); }

    /** Allocates per-parameter state (moments, velocity) for {@code n} floats. */
    protected abstract void createState(Backend be, long n);

    /** Frees the state; called before re-binding and by {@link #close()}. */
    protected abstract void releaseState();

    /**
     * One fused update of {@code p[0, n)} from {@code g[0, n)}; {@code t} counts from 1. Skipped on the
     * device when {@code guard} (nullable) holds a non-zero value.
     */
    protected abstract void update(Backend be, Buf p, Buf g, long n, long t, Buf guard);

    /** Frees the optimizer state (a later step allocates it again, starting from zero moments). */
    public void close() {
        releaseState();
        decay.release();
        extra.release();
        boundTo = null;
        boundSize = -1;
        changed();
    }

    /**
     * A learning rate given as a double, checked on the float32 it is stored as: 0 too (a warm-up's first epoch, a rate
     * reduced to 0, a model saved then), as Keras takes it.
     */
    protected static float lr(String optimizer, double lr) {
        return nonNegative(optimizer + ": learning rate", lr, "a finite number >= 0");
    }

    private float checkLr(double lr) {
        return lr(getClass().getSimpleName(), lr);
    }

    /**
     * A finite value >= 0 as the float32 it is stored as; a positive one that float32 rounds to 0 is refused (it would
     * turn the option off).
     */
    static float nonNegative(String what, double v, String expected) {
        float f = Float32.check(what, v, x -> x >= 0 && Double.isFinite(x), expected);
        if (f == 0 && v != 0) {
            throw new IllegalArgumentException(what + " must be " + expected + ", got " + v + " (float32, which jrnn computes with, rounds it to 0.0)");
        }
        return f;
    }

    /**
     * Keras' SwapEMAWeights' swap: the weights {@link #step} updates ({@code n} floats of {@code store}) and their EMA
     * average trade places, in place, through the store's gradient buffer (its gradients are overwritten; on a model
     * never trained here, loaded with its optimizer state, that buffer is allocated then and kept until close). False,
     * nothing changed, when there is no average of them (useEma off, or no step yet).
     */
    public boolean swapEmaWeights(ParamStore store, long n) {
        // between steps the gradients are spent (a step zeroes them before its backward pass): their buffer is the scratch
        return boundTo(store, n) && extra.swap(store.backend(), store.values(), store.grads(), n);
    }
}
