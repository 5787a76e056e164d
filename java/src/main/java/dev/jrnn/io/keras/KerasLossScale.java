package dev.jrnn.io.keras;

import dev.jrnn.optim.Optimizer;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Keras 3's mixed-precision wrapper {@code LossScaleOptimizer}: jrnn compiles its inner optimizer (it trains in float32,
 * where scaling the loss up and the gradients back down changes nothing) and keeps the wrapper's settings beside that
 * optimizer, so a save writes the wrapper back for Keras, whose float16 layers need it (tf.keras 2.4-2.10's too: a fixed
 * one, {@code dynamic=False}, as Keras 3's {@code loss_scale_factor}). Also where the wrapper keeps its
 * variables: Keras 3 saves the wrapper's flat list (its own iteration, learning_rate, step_counter and dynamic_scale,
 * then the inner optimizer's) at {@code optimizer/vars} and the inner optimizer's alone at {@code INNER_VARS}.
 */
final class KerasLossScale {
    private KerasLossScale() {}

    /** Where a .keras keeps the inner optimizer's variables. */
    static final String INNER_VARS = "optimizer/inner_optimizer/vars";

    /** How many variables of the wrapper's flat list are its own, before the inner optimizer's. */
    static final int OWN_VARS = 4;

    /** Keras 3's defaults (loss_scale_optimizer.py). */
    private static final double INITIAL_SCALE = 32768.0;
    private static final long GROWTH_STEPS = 2000;

    private record Wrapper(String name, double initialScale, long growthSteps, boolean dynamic) {}

    /** The wrapper a file compiled each optimizer in, by the optimizer object (weakly: a recompiled model drops it). */
    private static final Map<Optimizer, Wrapper> WRAPPED = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Notes that {@code inner} was compiled from a LossScaleOptimizer of config {@code c}: Keras 3's, or tf.keras 2.4-2.10's,
     * whose {@code dynamic} false (a fixed scale) is kept.
     */
    static void wrapped(Optimizer inner, KerasConfig c) {
        String name = c.raw("name") instanceof String n ? n : "loss_scale_optimizer";
        if (c.hasKey("dynamic") && !(c.raw("dynamic") instanceof Boolean)) {
            throw new KerasFormatException(c.where() + ": LossScaleOptimizer's 'dynamic' should be true or false, got "
                    + KerasConfig.describe(c.raw("dynamic")));
        }
        WRAPPED.put(inner, new Wrapper(name, c.number("initial_scale", INITIAL_SCALE),
                (long) c.number("dynamic_growth_steps", GROWTH_STEPS), !Boolean.FALSE.equals(c.raw("dynamic"))));
    }

    /**
     * Notes that {@code o} has Keras 3's fixed loss scale {@code factor} (its config's {@code loss_scale_factor}), which a
     * save writes back as it does tf.keras 2's fixed LossScaleOptimizer: as {@code o}'s {@code loss_scale_factor}.
     */
    static void fixed(Optimizer o, double factor) {
        WRAPPED.put(o, new Wrapper("loss_scale_optimizer", factor, GROWTH_STEPS, false));
    }

    /** Whether {@code o} came from a file's dynamic LossScaleOptimizer, which a save writes back with its variables. */
    static boolean isWrapped(Optimizer o) {
        Wrapper w = o == null ? null : WRAPPED.get(o);
        return w != null && w.dynamic();
    }

    /**
     * Whether {@code o} came from a file's LossScaleOptimizer, dynamic or fixed, or had a {@code loss_scale_factor}: its
     * config is Keras 3's (see {@link #serialized}).
     */
    static boolean has(Optimizer o) {
        return o != null && WRAPPED.containsKey(o);
    }

    /**
     * {@code inner}, the serialized inner optimizer, wrapped as Keras 3 serializes a LossScaleOptimizer when {@code o}
     * came from a dynamic one (its name, initial_scale and dynamic_growth_steps as the file had them); from a fixed one
     * (tf.keras 2's {@code dynamic=False}, which Keras 3.15.1 refuses: "set `loss_scale_factor` directly on the
     * `inner_optimizer`") or from an optimizer with Keras 3's {@code loss_scale_factor} ({@link #fixed}), {@code inner} with
     * {@code loss_scale_factor} its scale, Keras 3's fixed scale; else {@code inner}.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> serialized(Optimizer o, Map<String, Object> inner) {
        Wrapper w = o == null ? null : WRAPPED.get(o);
        if (w == null) return inner;
        if (!w.dynamic()) {
            Map<String, Object> fixed = new LinkedHashMap<>(inner);
            Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) inner.get("config"));
            config.put("loss_scale_factor", w.initialScale());
            fixed.put("config", config);
            return fixed;
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", w.name());
        c.put("inner_optimizer", inner);
        c.put("initial_scale", w.initialScale());
        c.put("dynamic_growth_steps", w.growthSteps());
        return KerasExport.serialized("keras.optimizers", "LossScaleOptimizer", c);
    }

    /**
     * The wrapper's flat variable list for {@code innerVars} (Keras 3's order): its own four as a fresh wrapper holds
     * them (iteration 0, learning_rate 0, step_counter 0, dynamic_scale the initial scale: jrnn does not scale, so it
     * has no scale of its own to save), then the inner optimizer's.
     */
    static List<KerasOptimizerState.Var> flat(Optimizer o, List<KerasOptimizerState.Var> innerVars) {
        Wrapper w = WRAPPED.get(o);
        List<KerasOptimizerState.Var> r = new ArrayList<>();
        r.add(new KerasOptimizerState.Var("iteration", Tensor.wrap(new float[] {0}, 1), true, 0L));
        r.add(new KerasOptimizerState.Var("learning_rate", Tensor.wrap(new float[] {0}, 1), true));
        r.add(new KerasOptimizerState.Var("step_counter", Tensor.wrap(new float[] {0}, 1), true, 0L));
        r.add(new KerasOptimizerState.Var("dynamic_scale", Tensor.wrap(new float[] {(float) w.initialScale()}, 1), true));
        r.addAll(innerVars);
        return r;
    }
}
