package dev.jrnn.io.keras;

import dev.jrnn.model.Model;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.Group;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Keras 3's mixed-precision wrapper {@code LossScaleOptimizer}: jrnn compiles its inner optimizer (it trains in float32,
 * where scaling the loss up and the gradients back down changes nothing) and keeps the wrapper beside the model's compile,
 * so a save writes the wrapper back for Keras, whose float16 layers need it (tf.keras 2.4-2.10's too: a fixed one,
 * {@code dynamic=False}, as Keras 3's {@code loss_scale_factor}). Also where the wrapper keeps its variables: Keras 3
 * saves the wrapper's flat list (its own iteration, learning_rate, step_counter and dynamic_scale, then the inner
 * optimizer's) at {@code optimizer/vars} and the inner optimizer's alone at {@code INNER_VARS}; the own four are carried
 * from the file and advanced by the steps jrnn trains, as Keras' wrapper advances them.
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

    /** A wrapper's settings: its name, initial_scale, dynamic_growth_steps and whether it is dynamic (else a fixed scale). */
    record Wrapper(String name, double initialScale, long growthSteps, boolean dynamic) {}

    /**
     * The wrapper of one model's compile: {@code inner} the optimizer it wraps (the model's, while it is compiled with
     * it); its own variables as the file had them ({@code iteration}, {@code learningRate}, {@code counter}, {@code scale})
     * when {@code inner} had made {@code innerAtRead} updates.
     */
    private record Compiled(Optimizer inner, Wrapper wrapper, long iteration, float learningRate, long counter, float scale,
                            long innerAtRead) {}

    /**
     * Each model's wrapper, by the model (weakly: a closed, dropped model drops it). It counts only while the model's
     * optimizer is the one compiled from the file: a compile with another optimizer ends it, and the optimizer object used
     * in another model is a plain optimizer there.
     */
    private static final Map<Model, Compiled> COMPILED = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The wrapper a file's optimizer config {@code opt} compiles {@code inner} in: Keras 3's LossScaleOptimizer, or
     * tf.keras 2.4-2.10's, whose {@code dynamic} false (a fixed scale) is kept; Keras 3's fixed {@code loss_scale_factor}
     * on any optimizer, which a save writes back as tf.keras 2's fixed wrapper; null for none.
     */
    static Wrapper of(KerasConfig opt) {
        String cls = opt.string("class_name");
        if (cls.startsWith("Custom>")) cls = cls.substring("Custom>".length());   // tf.keras 2.11-2.15's registered name
        KerasConfig c = opt.object("config");
        if (cls.equals("LossScaleOptimizer")) {
            String name = c.raw("name") instanceof String n ? n : "loss_scale_optimizer";
            if (c.hasKey("dynamic") && !(c.raw("dynamic") instanceof Boolean)) {
                throw new KerasFormatException(c.where() + ": LossScaleOptimizer's 'dynamic' should be true or false, got "
                        + KerasConfig.describe(c.raw("dynamic")));
            }
            return new Wrapper(name, c.number("initial_scale", INITIAL_SCALE), (long) c.number("dynamic_growth_steps", GROWTH_STEPS),
                    !Boolean.FALSE.equals(c.raw("dynamic")));
        }
        if (cls.equals("LossScaleOptimizerV3")) return null;
        return c.raw("loss_scale_factor") instanceof Number f ? new Wrapper("loss_scale_optimizer", f.doubleValue(), GROWTH_STEPS, false) : null;
    }

    /**
     * Notes that {@code model} was just compiled with {@code inner} from a file config whose wrapper is {@code w} (null:
     * none, which drops a wrapper the model had); a fresh wrapper's own variables (counter 0, the initial scale).
     */
    static void compiled(Model model, Optimizer inner, Wrapper w) {
        if (w == null) COMPILED.remove(model);
        else COMPILED.put(model, new Compiled(inner, w, 0, 0, 0, (float) w.initialScale(), inner.iterations()));
    }

    /**
     * Gives {@code model}'s wrapper the own variables a file kept ({@code own}: iteration, learning_rate, step_counter,
     * dynamic_scale as Keras 3 writes them; null where the file has none, as jrnn's .h5 and tf.keras 2's: a fresh
     * wrapper's), counted from the model's optimizer's update count now, after its restore: the updates the file's
     * optimizer had made are not jrnn's, so the counter and scale advance only by those jrnn makes from here.
     */
    static void resume(Model model, List<KerasOptimizerState.Var> own) {
        Compiled c = current(model);
        if (c == null) return;
        if (own == null || own.size() != OWN_VARS) {
            COMPILED.put(model, new Compiled(c.inner(), c.wrapper(), 0, 0, 0, (float) c.wrapper().initialScale(), c.inner().iterations()));
            return;
        }
        COMPILED.put(model, new Compiled(c.inner(), c.wrapper(), whole(own.get(0)), scalar(own.get(1)), whole(own.get(2)),
                scalar(own.get(3)), c.inner().iterations()));
    }

    private static long whole(KerasOptimizerState.Var v) {
        if (v.whole() != null) {   // an int64 variable: the same rule as a float one's
            if (v.whole() < 0) {
                throw new KerasFormatException("LossScaleOptimizer variable '" + v.name() + "' should be a whole number >= 0, got " + v.whole());
            }
            return v.whole();
        }
        float f = scalar(v);
        if (f != Math.rint(f) || f < 0) {
            throw new KerasFormatException("LossScaleOptimizer variable '" + v.name() + "' should be a whole number >= 0, got " + f);
        }
        return (long) f;
    }

    private static float scalar(KerasOptimizerState.Var v) {
        if (v.value().size() != 1) {
            throw new KerasFormatException("LossScaleOptimizer variable '" + v.name() + "' should be a scalar, got shape "
                    + java.util.Arrays.toString(v.value().shape()));
        }
        return v.value().data()[0];
    }

    private static Compiled current(Model model) {
        Compiled c = model == null ? null : COMPILED.get(model);
        return c != null && c.inner() == model.optimizer() ? c : null;
    }

    /** Whether an .h5's optimizer weight names begin with a LossScaleOptimizer's own four, as Keras 3 writes its flat list. */
    static boolean ownVarsFirst(List<String> names, int count) {
        return count > OWN_VARS && names.get(2).endsWith("/step_counter") && names.get(3).endsWith("/dynamic_scale");
    }

    /**
     * A LossScaleOptimizer's own variables (iteration, learning_rate, step_counter, dynamic_scale) where Keras 3 keeps them:
     * the first four of a .keras's {@code optimizer/vars} beside {@link #INNER_VARS}, of a Keras 3 .h5's
     * {@code optimizer_weights}; null when the file has none.
     */
    static List<KerasOptimizerState.Var> ownVars(KerasFile kf) {
        List<KerasOptimizerState.Var> own = new ArrayList<>();
        if (kf.layout == KerasFile.Layout.KERAS3_ZIP) {
            if (!(KerasImport.find(kf.hdf, INNER_VARS) instanceof Group) || !(KerasImport.find(kf.hdf, "optimizer/vars") instanceof Group g)) return null;
            for (int i = 0; i < OWN_VARS; i++) {
                io.jhdf.api.Node n = g.getChild(Integer.toString(i));
                if (n == null) return null;
                own.add(KerasImport.var(n, "optimizer/vars/" + i, kf));
            }
            return own;
        }
        if (!(kf.hdf.getChild(KerasLegacyOptimizerWeights.GROUP) instanceof Group g)) return null;
        List<String> names = Hdf5Arrays.stringList(g, "weight_names");
        if (names == null || !ownVarsFirst(names, names.size())) return null;
        for (String name : names.subList(0, OWN_VARS)) {
            io.jhdf.api.Node n = KerasImport.find(g, name);
            if (n == null) throw new KerasFormatException("optimizer weight '" + name + "' named by optimizer_weights/weight_names is not in the file");
            own.add(KerasImport.var(n, name, kf));
        }
        return own;
    }

    /** Whether {@code model}'s optimizer came from a file's dynamic LossScaleOptimizer, which a save writes back with its variables. */
    static boolean isWrapped(Model model) {
        Compiled c = current(model);
        return c != null && c.wrapper().dynamic();
    }

    /**
     * Whether {@code model}'s optimizer came from a file's LossScaleOptimizer, dynamic or fixed, or had a
     * {@code loss_scale_factor}: its config is Keras 3's (see {@link #serialized}).
     */
    static boolean has(Model model) {
        return current(model) != null;
    }

    /**
     * {@code inner}, the serialized inner optimizer, wrapped as Keras 3 serializes a LossScaleOptimizer when {@code model}'s
     * optimizer came from a dynamic one (its name, initial_scale and dynamic_growth_steps as the file had them); from a fixed
     * one (tf.keras 2's {@code dynamic=False}, which Keras 3.15.1 refuses: "set `loss_scale_factor` directly on the
     * `inner_optimizer`") or from an optimizer with Keras 3's {@code loss_scale_factor}, {@code inner} with
     * {@code loss_scale_factor} its scale, Keras 3's fixed scale; else {@code inner}.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> serialized(Model model, Map<String, Object> inner) {
        Compiled compiled = current(model);
        if (compiled == null) return inner;
        Wrapper w = compiled.wrapper();
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
     * The wrapper's flat variable list for {@code innerVars} (Keras 3's order): its own four, then the inner optimizer's.
     * Its own as the file had them (a fresh wrapper's: 0, 0, 0 and the initial scale), the counter and scale advanced by
     * the updates the optimizer made since, as Keras' wrapper advances them on finite steps (jrnn's are: a non-finite one
     * stops fit): the counter counts up and wraps to 0 at dynamic_growth_steps, doubling the scale (float32, as Keras').
     */
    static List<KerasOptimizerState.Var> flat(Model model, List<KerasOptimizerState.Var> innerVars) {
        Compiled c = current(model);
        long steps = Math.max(0, c.inner().iterations() - c.innerAtRead());
        long growth = c.wrapper().growthSteps();
        long counter = c.counter();
        float scale = c.scale();
        if (counter < growth) {   // Keras doubles when the counter reaches growth - 1; past it (a file's), it only counts
            long total = counter + steps;
            counter = total % growth;
            scale = doubled(scale, total / growth);
        } else {
            counter += steps;
        }
        List<KerasOptimizerState.Var> r = new ArrayList<>();
        r.add(new KerasOptimizerState.Var("iteration", Tensor.wrap(new float[] {c.iteration()}, 1), true, c.iteration()));
        r.add(new KerasOptimizerState.Var("learning_rate", Tensor.wrap(new float[] {c.learningRate()}, 1), true));
        r.add(new KerasOptimizerState.Var("step_counter", Tensor.wrap(new float[] {counter}, 1), true, counter));
        r.add(new KerasOptimizerState.Var("dynamic_scale", Tensor.wrap(new float[] {scale}, 1), true));
        r.addAll(innerVars);
        return r;
    }

    /**
     * {@code scale} doubled {@code times} times (exact, as each of Keras' float32 doublings is), but never past the largest
     * float32 it reaches by doubling (2^127 for a power of two): Keras' float32 scale doubled past it is +Inf, which a
     * step's loss times the scale makes non-finite, halved to +Inf again, so Keras could never train the model. Its steps
     * would not all be finite that far (the scaled float16 gradients overflow first and halve the scale); jrnn, which
     * trains in float32 and counts every step finite, stops at the largest finite scale instead. A file's own
     * non-finite or non-positive scale is not doubled: it is written back as read.
     */
    static float doubled(float scale, long times) {
        if (times <= 0 || !(scale > 0) || Float.isInfinite(scale)) return scale;
        int room = Float.MAX_EXPONENT - Math.getExponent(scale);   // a subnormal's exponent reads as MIN_EXPONENT - 1
        float r = Math.scalb(scale, (int) Math.min(times, room));
        return Float.isFinite(r) ? r : scale;
    }
}
