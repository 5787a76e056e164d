package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.SgdArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.tensor.Float32;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras 3's {@code gradient_accumulation_steps} and {@code use_ema} for {@link Optimizer#step} (BaseOptimizer's
 * _backend_apply_gradients, _update_model_variables_moving_average, finalize_variable_values): the settings, the two
 * per-float buffers (Keras' optimizer variables "gradient_accumulator" and "average") and which call does what. A call
 * {@code c} (Keras' raw {@code _iterations}, counted on every call) updates when {@code (c + 1) % steps == 0}, from
 * {@code (g + accumulator) / steps}; the EMA moves on every call after it, with momentum 0 while
 * {@code c / steps == 0} (Keras' {@code iterations}), and overwrites the weights when
 * {@code (c / steps + 1) % overwriteFrequency == 0}.
 *
 * <p>Every write to state is guarded (the NaN guard's {@link Backend#sgdUpdate}: p - lr * g, lr -1 adds; or a write undone by
 * {@link Backend#copyIfGuard} from a copy in the spent gradients), so a step the guard skips leaves the accumulator, the
 * average and the weights as they were, on both backends, with no new kernel (and no buffer passed twice to one kernel,
 * whose CUDA arguments are {@code __restrict__}). Which of these ops a call queues is decided on the host from the call count; a captured CUDA graph
 * replays one fixed sequence, so {@link #phase} tells {@code StepGraphCache} which sequence a call runs and it keeps one
 * graph per phase (an update step's graph is never replayed for an accumulating one; the rest is on the device: Adam's t
 * advances only inside the update's kernel).
 */
final class AccumulationAndEma {
    static final String ACCUMULATOR = "gradient_accumulator";
    static final String AVERAGE = "average";

    int steps = 1;
    boolean useEma;
    float momentum = 0.99f;
    int overwriteFrequency;
    private Buf acc;
    private Buf avg;

    static int checkSteps(String who, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(who + ": gradientAccumulationSteps must be an integer >= 1 (1: update every batch, "
                    + "Keras' None), got " + n);
        }
        return n;
    }

    static float checkMomentum(String who, double m) {
        return Float32.check(who + ": emaMomentum", m, x -> x >= 0 && x <= 1, "in [0, 1]");
    }

    static int checkFrequency(String who, int f) {
        if (f < 0) {
            throw new IllegalArgumentException(who + ": emaOverwriteFrequency must be an integer >= 1, or 0 for none (Keras' None), got " + f);
        }
        return f;
    }

    /** Whether call {@code calls} (the count before it) applies an update. */
    boolean updates(long calls) { return steps == 1 || (calls + 1) % steps == 0; }

    /** Keras' {@code optimizer.iterations}: the updates before call {@code calls} (its raw count floor-divided by the steps). */
    long updatesBefore(long calls) { return calls / steps; }

    private boolean overwrites(long calls) {
        return useEma && overwriteFrequency > 0 && (updatesBefore(calls) + 1) % overwriteFrequency == 0;
    }

    /**
     * The ops call {@code calls} queues: accumulate or update, overwrite or not; -1 for the calls before the first update
     * with EMA (the average takes the weights themselves), a phase of at most {@code steps} calls in a fit, whose graph
     * would hold its memory for the whole fit for one or two replays: they run eagerly.
     */
    int phase(long calls) {
        if (useEma && updatesBefore(calls) == 0) return -1;
        return (updates(calls) ? 1 : 0) | (overwrites(calls) ? 4 : 0);
    }

    /**
     * The buffers the settings need for {@code n} floats: allocated (zeros, as Keras builds them) or dropped when switched. An
     * average switched on between steps starts at the weights {@code p} (nullable: zeros), not at 0, which the EMA would
     * carry on (Keras cannot switch it after its build).
     */
    void fit(Backend be, Buf p, long n) {
        if (steps > 1 && acc == null) acc = zeros(be, n);
        if (steps == 1 && acc != null) {
            acc.close();
            acc = null;
        }
        if (useEma && avg == null) {
            avg = zeros(be, n);
            if (p != null) be.copy(p, 0, avg, 0, n);
        }
        if (!useEma && avg != null) {
            avg.close();
            avg = null;
        }
    }

    private static Buf zeros(Backend be, long n) {
        Buf b = be.alloc(n);
        be.fill(b, 0, n, 0f);
        return b;
    }

    Map<String, Buf> buffers() {
        Map<String, Buf> m = new LinkedHashMap<>();
        if (acc != null) m.put(ACCUMULATOR, acc);
        if (avg != null) m.put(AVERAGE, avg);
        return m;
    }

    void release() {
        if (acc != null) acc.close();
        if (avg != null) avg.close();
        acc = avg = null;
    }

    /**
     * Adds {@code g} to the accumulator; on an update call leaves {@code (g + accumulator) / steps} in {@code g} and zeroes the
     * accumulator. Returns whether the call updates. Keras divides by the steps, here {@code g} is scaled by their inverse
     * (the same for 2, 4, 8...; within a float32 rounding for other counts).
     */
    boolean accumulate(Backend be, Buf g, long n, long calls, Buf guard) {
        if (steps == 1) return true;
        sgd(be, acc, g, n, -1f, guard);
        if (!updates(calls)) return false;
        be.copy(acc, 0, g, 0, n);
        be.fill(acc, 0, n, 0f);
        if (guard != null) be.copyIfGuard(n, guard, 0, g, 0, acc, 0);   // skipped: the sum was not added, g holds the old one
        be.scale(n, 1f / steps, g, 0);
        return true;
    }

    /**
     * Keras' moving average of the weights {@code p} after call {@code calls}: {@code avg = m * avg + (1 - m) * p} as
     * {@code avg - (1 - m) * (avg - p)} ({@code scratch}: n spent floats), m 0 (the weights themselves) before the first
     * update; then the overwrite of the weights when its frequency says so.
     */
    void average(Backend be, Buf p, Buf scratch, long n, long calls, Buf guard) {
        if (!useEma) return;
        if (updatesBefore(calls) == 0) {
            assign(be, avg, p, scratch, n, guard);
        } else {
            be.copy(avg, 0, scratch, 0, n);
            be.axpy(n, -1f, p, 0, scratch, 0);
            sgd(be, avg, scratch, n, 1f - momentum, guard);
        }
        if (overwrites(calls)) assign(be, p, avg, scratch, n, guard);
    }

    /** Keras' finalize_variable_values: the weights take their moving average (with use_ema, once there is one). */
    void finalizeInto(Backend be, Buf p, long n) {
        if (useEma && avg != null) be.copy(avg, 0, p, 0, n);
    }

    /**
     * Keras' SwapEMAWeights: the weights {@code p} and their average trade places through {@code scratch} (n spent floats);
     * false when there is no average.
     */
    boolean swap(Backend be, Buf p, Buf scratch, long n) {
        if (!useEma || avg == null) return false;
        be.copy(p, 0, scratch, 0, n);
        be.copy(avg, 0, p, 0, n);
        be.copy(scratch, 0, avg, 0, n);
        return true;
    }

    /** {@code dst = src} unless the guard is set (then {@code dst} comes back from its copy in {@code scratch}). */
    private static void assign(Backend be, Buf dst, Buf src, Buf scratch, long n, Buf guard) {
        if (guard != null) be.copy(dst, 0, scratch, 0, n);
        be.copy(src, 0, dst, 0, n);
        if (guard != null) be.copyIfGuard(n, guard, 0, scratch, 0, dst, 0);
    }

    /** {@code p -= lr * g}, skipped on the device when the guard is set. */
    private static void sgd(Backend be, Buf p, Buf g, long n, float lr, Buf guard) {
        be.sgdUpdate(new SgdArgs(n, Span.of(p), Span.of(g), null, Span.ofNullable(guard), lr, 0, false));
    }
}
