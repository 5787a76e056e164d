package dev.jrnn.model;

/**
 * Keras 3's {@code LossScaleOptimizer} around a model's compiled optimizer: its settings and its own four variables
 * (iteration, learning_rate, step_counter, dynamic_scale), part of the model's compile ({@link Model#lossScale}).
 * jrnn trains in float32, where scaling the loss up and the gradients back down changes no step; the wrapper is kept so
 * that a save writes it back for Keras, whose float16 layers need it, with its counter and scale where Keras' would be:
 * each train step counts up the counter, which wraps to 0 at {@code dynamicGrowthSteps} and doubles the scale (every jrnn
 * step is finite: a non-finite one stops fit and is not counted). Keras' wrapper, on non-finite gradients, resets the
 * counter to 0, halves the scale and trains on; jrnn stops fit instead and restores the model as before the step (an
 * update whose gradients were finite but whose weights overflow counts its step, as Keras' wrapper saw finite gradients).
 * With {@code checkFinite(false)} jrnn does not look at the gradients, and every step counts as a finite one. A fixed
 * scale (Keras 3's {@code loss_scale_factor},
 * tf.keras 2's {@code dynamic=False}) has no counter. Immutable: a step gives the model a new one; equal settings and
 * variables are equal ({@link #equals}). Not a record: its constructor would be a third public way to build one, past the
 * checks of {@link #dynamic} and {@link #fixed}.
 * <pre>{@code
 * model.compile(new Adam(1e-3), "mse");
 * model.lossScale(LossScale.dynamic("loss_scale_optimizer", 32768, 2000));   // Keras' LossScaleOptimizer(Adam(1e-3))
 * model.fit(x, y, new FitOptions().epochs(3));
 * System.out.println(model.lossScale().stepCounter() + " " + model.lossScale().dynamicScale());
 * }</pre>
 */
public final class LossScale {
    private final String name;
    private final double initialScale;
    /** Keras' dynamic_growth_steps as given: a file's may be 0, negative or fractional (the scale then never doubles). */
    private final double growthSteps;
    private final boolean dynamic;
    private final long iteration;
    private final float learningRate;
    private final long counter;
    private final float scale;

    private LossScale(String name, double initialScale, double growthSteps, boolean dynamic, long iteration, float learningRate,
                      long counter, float scale) {
        this.name = name;
        this.initialScale = initialScale;
        this.growthSteps = growthSteps;
        this.dynamic = dynamic;
        this.iteration = iteration;
        this.learningRate = learningRate;
        this.counter = counter;
        this.scale = scale;
    }

    /**
     * Keras 3's {@code LossScaleOptimizer(inner, initial_scale, dynamic_growth_steps, name=name)}, fresh: counter 0, the
     * scale {@code initialScale} (as float32). {@code initialScale} a finite number > 0, {@code dynamicGrowthSteps} >= 1.
     */
    public static LossScale dynamic(String name, double initialScale, long dynamicGrowthSteps) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("LossScale.dynamic: name must be a non-blank string, got " + (name == null ? "null" : "'" + name + "'"));
        }
        checkScale("LossScale.dynamic: initialScale", initialScale);
        if (dynamicGrowthSteps < 1) {
            throw new IllegalArgumentException("LossScale.dynamic: dynamicGrowthSteps must be >= 1, got " + dynamicGrowthSteps);
        }
        return new LossScale(name, initialScale, dynamicGrowthSteps, true, 0, 0, 0, (float) initialScale);
    }

    /**
     * Keras 3's {@code loss_scale_factor} on the optimizer: a fixed scale, a finite number > 0. Its {@link #name} and
     * {@link #dynamicGrowthSteps} are Keras' defaults and mean nothing (a save writes the inner optimizer alone).
     */
    public static LossScale fixed(double lossScaleFactor) {
        checkScale("LossScale.fixed: lossScaleFactor", lossScaleFactor);
        return new LossScale("loss_scale_optimizer", lossScaleFactor, 2000, false, 0, 0, 0, (float) lossScaleFactor);
    }

    /**
     * A file's wrapper, for round trips: what Keras 3.15.1 takes, which checks neither the scale nor the growth steps
     * ({@code LossScaleOptimizer.__init__}, {@code loss_scale_factor}). A {@code dynamicGrowthSteps} that is not a whole
     * number >= 1 (0, -3, 2.5) never doubles the scale and the counter only counts, as Keras' wrapper, which doubles when
     * the counter equals {@code dynamicGrowthSteps - 1}; a scale that is not > 0 is kept and never doubled. Use
     * {@link #dynamic} and {@link #fixed}, which refuse such values, for a wrapper of your own.
     * <pre>{@code
     * LossScale ls = LossScale.saved(true, "loss_scale_optimizer", 1024, 0);   // a file's dynamic_growth_steps: 0
     * }</pre>
     */
    public static LossScale saved(boolean dynamic, String name, double initialScale, double dynamicGrowthSteps) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("LossScale.saved: name must be a non-blank string, got " + (name == null ? "null" : "'" + name + "'"));
        }
        return new LossScale(name, initialScale, dynamicGrowthSteps, dynamic, 0, 0, 0, (float) initialScale);
    }

    private static void checkScale(String what, double s) {
        if (!(s > 0) || !Double.isFinite(s) || (float) s == 0f || Float.isInfinite((float) s)) {
            throw new IllegalArgumentException(what + " must be a finite number > 0 (in float32), got " + s);
        }
    }

    /**
     * This wrapper with its own variables as a file kept them: {@code iteration} and {@code stepCounter} whole numbers >= 0,
     * {@code learningRate} and {@code dynamicScale} as read (a file's non-finite scale is kept, and not doubled).
     */
    public LossScale withVariables(long iteration, float learningRate, long stepCounter, float dynamicScale) {
        if (iteration < 0) throw new IllegalArgumentException("LossScale.withVariables: iteration must be >= 0, got " + iteration);
        if (stepCounter < 0) throw new IllegalArgumentException("LossScale.withVariables: stepCounter must be >= 0, got " + stepCounter);
        return new LossScale(name, initialScale, growthSteps, dynamic, iteration, learningRate, stepCounter, dynamicScale);
    }

    /** The wrapper's name (Keras' {@code name}); a fixed wrapper's means nothing (a save writes the inner optimizer alone). */
    public String name() { return name; }

    /** Keras' {@code initial_scale}; a fixed wrapper's scale ({@code loss_scale_factor}). */
    public double initialScale() { return initialScale; }

    /** Keras' {@code dynamic_growth_steps} (a whole number but in a file's wrapper: {@link #saved}); a fixed wrapper's means nothing. */
    public double dynamicGrowthSteps() { return growthSteps; }

    /** Whether the scale is dynamic (Keras 3's LossScaleOptimizer), else fixed ({@code loss_scale_factor}). */
    public boolean isDynamic() { return dynamic; }

    /** The wrapper's own {@code iteration} variable as the file had it (Keras' wrapper never advances it: its inner's counts). */
    public long iteration() { return iteration; }

    /** The wrapper's own {@code learning_rate} variable as the file had it (Keras' wrapper has 0). */
    public float learningRate() { return learningRate; }

    /** Keras' {@code step_counter}: the train steps since the scale last changed. */
    public long stepCounter() { return counter; }

    /** Keras' {@code dynamic_scale} (float32). */
    public float dynamicScale() { return scale; }

    /**
     * After {@code steps} more finite train steps, as Keras' wrapper: the counter counts up and, on the step it would reach
     * {@code dynamicGrowthSteps}, wraps to 0 and doubles the scale (float32). A file's counter at or past the growth steps,
     * or growth steps that are not a whole number >= 1, only count (Keras compares for equality with growth - 1).
     */
    LossScale advanced(long steps) {
        if (!dynamic || steps <= 0) return this;
        long c = counter;
        float s = scale;
        boolean wraps = growthSteps >= 1 && growthSteps == Math.rint(growthSteps) && growthSteps < 0x1p62;
        if (wraps && c < (long) growthSteps) {
            long growth = (long) growthSteps;
            long total = c + steps;
            c = total % growth;
            s = doubled(s, total / growth);
        } else {
            c += steps;
        }
        return new LossScale(name, initialScale, growthSteps, dynamic, iteration, learningRate, c, s);
    }

    /**
     * {@code scale} doubled {@code times} times (exact, as each of Keras' float32 doublings is), but never past the largest
     * float32 it reaches by doubling (2^127 for a power of two): Keras' float32 scale doubled past it is +Inf, which a
     * step's loss times the scale makes non-finite, halved to +Inf again, so Keras could never train the model. Its steps
     * would not all be finite that far (the scaled float16 gradients overflow first and halve the scale); jrnn, which
     * trains in float32 and counts every step finite, stops at the largest finite scale instead. A non-finite or
     * non-positive scale (a file's) is not doubled.
     */
    static float doubled(float scale, long times) {
        if (times <= 0 || !(scale > 0) || Float.isInfinite(scale)) return scale;
        int room = Float.MAX_EXPONENT - Math.getExponent(scale);   // a subnormal's exponent reads as MIN_EXPONENT - 1
        float r = Math.scalb(scale, (int) Math.min(times, room));
        return Float.isFinite(r) ? r : scale;
    }

    /**
     * Equal settings and variables (a float or double compared as {@link Double#compare} does: NaN equals NaN). A fixed
     * wrapper's {@link #name} and {@link #dynamicGrowthSteps} are not compared: they mean nothing there.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof LossScale l && dynamic == l.dynamic && Double.compare(initialScale, l.initialScale) == 0
                && iteration == l.iteration && Float.compare(learningRate, l.learningRate) == 0 && counter == l.counter
                && Float.compare(scale, l.scale) == 0
                && (!dynamic || name.equals(l.name) && Double.compare(growthSteps, l.growthSteps) == 0);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(dynamic, initialScale, iteration, learningRate, counter, scale,
                dynamic ? name : null, dynamic ? growthSteps : 0.0);
    }

    @Override
    public String toString() {
        return dynamic ? "LossScale[" + name + ", initial_scale " + initialScale + ", dynamic_growth_steps "
                + (growthSteps == Math.rint(growthSteps) && Math.abs(growthSteps) < 0x1p62 ? Long.toString((long) growthSteps) : Double.toString(growthSteps))
                + ", step_counter " + counter + ", dynamic_scale " + scale + "]" : "LossScale[fixed " + initialScale + "]";
    }
}
