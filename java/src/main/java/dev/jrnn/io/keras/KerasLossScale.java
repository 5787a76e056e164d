package dev.jrnn.io.keras;

import dev.jrnn.model.LossScale;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.Group;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private static final double GROWTH_STEPS = 2000;

    /**
     * The wrapper a file's optimizer config {@code opt} compiles its inner optimizer in: Keras 3's LossScaleOptimizer, or
     * tf.keras 2.4-2.10's, whose {@code dynamic} false (a fixed scale) is kept; Keras 3's fixed {@code loss_scale_factor}
     * on any optimizer, which a save writes back as tf.keras 2's fixed wrapper; null for none.
     */
    static LossScale of(KerasConfig opt) {
        String cls = opt.string("class_name");
        if (cls.startsWith("Custom>")) cls = cls.substring("Custom>".length());   // tf.keras 2.11-2.15's registered name
        KerasConfig c = opt.object("config");
        // LossScale.saved: Keras 3.15.1 checks neither the scale nor the growth steps (0 or 2.5 never doubles)
        if (cls.equals("LossScaleOptimizer")) {
            String name = c.raw("name") instanceof String n && !n.isBlank() ? n : "loss_scale_optimizer";
            if (c.hasKey("dynamic") && !(c.raw("dynamic") instanceof Boolean)) {
                throw new KerasFormatException(c.where() + ": LossScaleOptimizer's 'dynamic' should be true or false, got "
                        + KerasConfig.describe(c.raw("dynamic")));
            }
            double initial = c.number("initial_scale", INITIAL_SCALE);
            boolean dynamic = !Boolean.FALSE.equals(c.raw("dynamic"));
            return LossScale.saved(dynamic, name, initial, dynamic ? c.number("dynamic_growth_steps", GROWTH_STEPS) : GROWTH_STEPS);
        }
        if (cls.equals("LossScaleOptimizerV3")) return null;
        return c.raw("loss_scale_factor") instanceof Number f ? LossScale.saved(false, "loss_scale_optimizer", f.doubleValue(), GROWTH_STEPS) : null;
    }

    /**
     * Gives {@code model}'s wrapper (the one its compile from the file set) the own variables a file kept ({@code own}:
     * iteration, learning_rate, step_counter, dynamic_scale as Keras 3 writes them; null where the file has none, as jrnn's
     * older .h5 and tf.keras 2's: the compile's fresh wrapper stays, whatever update count the inner optimizer restored).
     */
    static void resume(Model model, List<KerasOptimizerState.Var> own) {
        LossScale ls = model.lossScale();
        if (ls == null || own == null || own.size() != OWN_VARS) return;
        model.lossScale(resumed(ls, own));
    }

    /** {@code ls} with the own variables {@code own} (four, checked as {@link #resume} reads them). */
    static LossScale resumed(LossScale ls, List<KerasOptimizerState.Var> own) {
        try {
            return ls.withVariables(whole(own.get(0)), scalar(own.get(1)), whole(own.get(2)), scalar(own.get(3)));
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException("LossScaleOptimizer variables: " + e.getMessage());
        }
    }

    /** A copy of {@code own} (null: none), refused unless it holds the wrapper's four variables (StoredState's check). */
    static List<KerasOptimizerState.Var> ownCopy(List<KerasOptimizerState.Var> own) {
        if (own == null) return null;
        if (own.size() != OWN_VARS) {
            throw new IllegalArgumentException("StoredState: lossScaleVars must hold the wrapper's " + OWN_VARS
                    + " variables (iteration, learning_rate, step_counter, dynamic_scale), got " + own.size());
        }
        return List.copyOf(own);   // refuses null elements
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

    /**
     * The inner optimizer's variables of an .h5's optimizer_weights ({@code names}, {@code vars}): Keras 3 writes a
     * LossScaleOptimizer's flat list, its own four then the inner's (jrnn's .h5 too, since session 33), or, never trained,
     * its iteration and learning_rate then the inner's two; any other list is the optimizer's own.
     */
    static List<KerasOptimizerState.Var> innerVars(List<String> names, List<KerasOptimizerState.Var> vars) {
        if (ownVarsFirst(names, vars.size())) return new ArrayList<>(vars.subList(OWN_VARS, vars.size()));
        if (unbuiltFirst(names)) return new ArrayList<>(vars.subList(2, vars.size()));
        return vars;
    }

    /**
     * Whether an .h5's optimizer weight names are a never-built LossScaleOptimizer's (compiled, not trained): the wrapper's
     * iteration and learning_rate, then the inner optimizer's, as Keras 3.15.1 writes them (keras3_real/make_lso_unbuilt.py);
     * the wrapper starts fresh from its config, as from the .keras of the same model ({@link #ownVars}).
     */
    static boolean unbuiltFirst(List<String> names) {
        return names.size() == 4 && names.get(0).endsWith("/iteration") && names.get(1).endsWith("/learning_rate")
                && names.get(2).endsWith("/iteration") && names.get(3).endsWith("/learning_rate");
    }

    /** Whether an .h5's optimizer weight names begin with a LossScaleOptimizer's own four, as Keras 3 writes its flat list. */
    static boolean ownVarsFirst(List<String> names, int count) {
        return count > OWN_VARS && names.get(2).endsWith("/step_counter") && names.get(3).endsWith("/dynamic_scale");
    }

    /**
     * A LossScaleOptimizer's own variables (iteration, learning_rate, step_counter, dynamic_scale) where Keras 3 keeps them:
     * the first four of a .keras's {@code optimizer/vars} beside {@link #INNER_VARS}, of a Keras 3 .h5's
     * {@code optimizer_weights}, of jrnn's .h5's {@code jrnn_state/optimizer_weights}; null when the file has none.
     */
    static List<KerasOptimizerState.Var> ownVars(KerasFile kf) {
        List<KerasOptimizerState.Var> own = new ArrayList<>();
        if (KerasWeightFit.keras3Layout(kf)) {
            if (!(KerasImport.find(kf.hdf, INNER_VARS) instanceof Group inner) || !(KerasImport.find(kf.hdf, "optimizer/vars") instanceof Group g)) return null;
            // a never-built wrapper (compiled, not trained) writes only its iteration and learning_rate before the inner
            // optimizer's: no counter or scale to take (its fresh ones are the config's), and the 4th is the inner lr
            if (g.getChildren().size() == 2 + inner.getChildren().size()) return null;
            for (int i = 0; i < OWN_VARS; i++) {
                io.jhdf.api.Node n = g.getChild(Integer.toString(i));
                if (n == null) return null;
                own.add(KerasImport.var(n, "optimizer/vars/" + i, kf));
            }
            return own;
        }
        Group g = kf.hdf.getChild(KerasLegacyOptimizerWeights.GROUP) instanceof Group k ? k   // Keras'; jrnn's below jrnn_state/
                : kf.hdf.getChild(KerasExport.STATE_GROUP) instanceof Group j && j.getChild(KerasLegacyOptimizerWeights.GROUP) instanceof Group jg
                ? jg : null;
        if (g == null) return null;
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
        LossScale ls = model.lossScale();
        return ls != null && ls.isDynamic();
    }

    /**
     * Whether {@code model}'s optimizer came from a file's LossScaleOptimizer, dynamic or fixed, or had a
     * {@code loss_scale_factor}: its config is Keras 3's (see {@link #serialized}).
     */
    static boolean has(Model model) {
        return model.lossScale() != null;
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
        LossScale w = model.lossScale();
        if (w == null) return inner;
        if (!w.isDynamic()) {
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
        double g = w.dynamicGrowthSteps();   // as the file had it: 2000 stays an int in the JSON, 2.5 a float
        c.put("dynamic_growth_steps", g == Math.rint(g) && Math.abs(g) < 0x1p62 ? (Object) (long) g : (Object) g);
        return KerasExport.serialized("keras.optimizers", "LossScaleOptimizer", c);
    }

    /**
     * The wrapper's flat variable list for {@code innerVars} (Keras 3's order): its own four as {@code model}'s wrapper
     * holds them now (as the file had them, the counter and scale advanced by each train step since: {@link LossScale}),
     * then the inner optimizer's.
     */
    static List<KerasOptimizerState.Var> flat(Model model, List<KerasOptimizerState.Var> innerVars) {
        LossScale c = model.lossScale();
        long counter = c.stepCounter();
        List<KerasOptimizerState.Var> r = new ArrayList<>();
        r.add(new KerasOptimizerState.Var("iteration", Tensor.wrap(new float[] {c.iteration()}, 1), true, c.iteration()));
        r.add(new KerasOptimizerState.Var("learning_rate", Tensor.wrap(new float[] {c.learningRate()}, 1), true));
        r.add(new KerasOptimizerState.Var("step_counter", Tensor.wrap(new float[] {counter}, 1), true, counter));
        r.add(new KerasOptimizerState.Var("dynamic_scale", Tensor.wrap(new float[] {c.dynamicScale()}, 1), true));
        r.addAll(innerVars);
        return r;
    }

    /**
     * {@link #flat} as a {@code .keras} holds it: a wrapper never stepped (its inner optimizer's variables only iteration
     * and learning_rate, its counter 0 and scale the initial one) writes only its own iteration and learning_rate, as
     * Keras 3.15.1 writes an optimizer it has not built; {@link #ownVars} reads that layout back as a fresh wrapper.
     */
    static List<KerasOptimizerState.Var> flatForZip(Model model, List<KerasOptimizerState.Var> innerVars) {
        List<KerasOptimizerState.Var> flat = flat(model, innerVars);
        LossScale c = model.lossScale();
        boolean fresh = c.stepCounter() == 0 && c.dynamicScale() == (float) c.initialScale()
                && innerVars.stream().allMatch(v -> v.name().equals("iteration") || v.name().equals("learning_rate"));
        if (!fresh) return flat;
        List<KerasOptimizerState.Var> r = new ArrayList<>(flat.subList(0, 2));
        r.addAll(innerVars);
        return r;
    }
}
