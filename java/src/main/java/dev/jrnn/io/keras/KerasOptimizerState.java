package dev.jrnn.io.keras;

import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.AdamW;
import dev.jrnn.optim.Nadam;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.RMSprop;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where Keras keeps an optimizer's variables in its files and which of jrnn's state buffers each one is: the one place
 * this layout knowledge lives. Read by {@code Models.load} (Keras' state resumes in jrnn) and written by
 * {@code model.save} (jrnn's resumes in Keras).
 *
 * <ul>
 *   <li>Keras 3 ({@code .keras}: {@code optimizer/vars/0..N} of model.weights.h5; a Keras 3 {@code .h5}: the
 *   {@code optimizer_weights} group) keeps {@code optimizer.variables} in build order, unnamed: {@code iteration},
 *   {@code learning_rate} (not with a schedule), then BaseOptimizer.build's {@code average} (use_ema) and
 *   {@code gradient_accumulator} (gradient_accumulation_steps), then the class' slots over the model's
 *   {@code trainable_variables}. Slots a class adds in one call ({@code add_optimizer_variables(vars, ["momentum",
 *   "velocity"])}, or one loop before 3.10) alternate per variable; separate calls follow each other (RMSprop's velocity,
 *   momentum, average_gradient; Adam's velocity_hat). Two things moved in Keras 3.10 (commit c0017df, "Don't create unused
 *   optimizer variables"): average and gradient_accumulator alternated per variable before, each is grouped since; Nadam's
 *   u_product came before its slots, after since. The file's {@code keras_version} picks the order; where it is missing
 *   and the two differ, the state is refused.</li>
 *   <li>tf.keras 2 and Keras 2 {@code .h5} ({@code optimizer_weights}, named): optimizer_v2's
 *   {@code Adam/dense/kernel/m:0}, 2.11-2.15's {@code m/dense/kernel:0}, each slot's entries in the variables' order, so
 *   the name's slot part suffices; Keras 2.0-2.3's unnamed {@code Variable_k:0} are each slot's list in turn
 *   ({@code ms + vs}). A scalar named {@code iter}, {@code iteration} or {@code iterations} is the update count.</li>
 * </ul>
 *
 * <pre>{@code
 * KerasOptimizerState.Restored r = KerasOptimizerState.read(optimizer, trainableParams, saved);
 * optimizer.restoreState(store, trainableSize, r.iterations(), r.state());
 * }</pre>
 */
public final class KerasOptimizerState {
    /** Where the file kept the variables. */
    public enum Layout {
        /** Keras 3's {@code optimizer/vars}, in build order. */
        KERAS3,
        /** tf.keras 2 / Keras 2's {@code optimizer_weights} of an {@code .h5}, named or positional. */
        LEGACY_H5
    }

    /**
     * One saved variable: its name (a legacy file's, else its path), value, whether it was a scalar dataset, and an integer
     * scalar's exact value (Keras' int64 iteration; else null).
     */
    public record Var(String name, Tensor value, boolean scalar, Long whole) {
        /** A variable without an exact integer value. */
        public Var(String name, Tensor value, boolean scalar) { this(name, value, scalar, null); }
    }

    /**
     * What a file holds of an optimizer: its variables in file order, the Keras version that wrote them (nullable), and
     * the model's layers in the order Keras takes their weights ({@code trainable_variables}: a nested model's layers at
     * its place, depth first), null where that is the model's own layer order.
     */
    public record Saved(Layout layout, String kerasVersion, List<Var> vars, List<Layer> kerasLayerOrder) {
        /** A state whose slots follow the model's own layer order. */
        public Saved(Layout layout, String kerasVersion, List<Var> vars) { this(layout, kerasVersion, vars, null); }

        /** This state, its slots taken in {@code layers}' order. */
        public Saved inLayerOrder(List<Layer> layers) { return new Saved(layout, kerasVersion, vars, List.copyOf(layers)); }
    }

    /** jrnn's optimizer state from a file: the call count, the rate variable (null: none saved) and the buffers by slot. */
    public record Restored(long iterations, Float learningRate, Map<String, float[]> state) {}

    /**
     * A Keras variable: a scalar ("iteration", "learning_rate", "u_product") or slot {@code jrnn} of trainable variable
     * {@code var}.
     */
    private record Entry(String keras, String jrnn, int var) {
        boolean scalar() { return var < 0; }
    }

    /** The Keras version whose order {@link #keras3Vars} writes (read back as such from a jrnn file, which names 3.0.0). */
    public static final String WRITTEN_AS = "3.10.0";

    /** The Keras 3 release from which the base slots are grouped and Nadam's u_product follows the slots. */
    private static final int[] GROUPED_FROM = {3, 10};

    private KerasOptimizerState() {}

    /**
     * The state {@code saved} holds for {@code opt} over {@code trainable} (the model's trainable weights, its flat state
     * laid out by their {@link Param#offset()}s from 0), taken in Keras' {@code trainable_variables} order: the
     * model's own order, or the layer order {@code saved} names (a file's nested models). An
     * IllegalArgumentException names what does not fit (count, a shape, a missing slot, an unknown layout); nothing is changed.
     */
    public static Restored read(Optimizer opt, List<Param> trainable, Saved saved) {
        if (opt == null || trainable == null || saved == null) throw new IllegalArgumentException("KerasOptimizerState.read: optimizer, trainable or saved is null");
        // a nested model's layer the model does not call (only its unused outputs need it): Keras keeps its slots, jrnn skips them
        Set<Param> unused = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean keras3 = saved.layout() == Layout.KERAS3 || keras3(saved.kerasVersion());
        if (saved.kerasLayerOrder() != null) {
            trainable = keras3 ? KerasVariableOrder.withUnused(saved.kerasLayerOrder(), trainable, unused)
                    : KerasVariableOrder.trainable(saved.kerasLayerOrder(), trainable);
        }
        return keras3 ? readKeras3(opt, trainable, saved, unused) : readLegacy(opt, trainable, saved);
    }

    /**
     * Whether a {@code .keras} of {@code model} keeps its nested models (Keras' nested form), whose slots cover the layers
     * only a nested call's unused branch runs; false where the file is flat (no nested call, a nested Sequential or dict
     * model, a call whose inside the outer model reaches into): that file holds the listed layers alone, so their slots alone.
     */
    public static boolean writesNested(dev.jrnn.model.Model model) {
        return KerasNesting.of(model) != null;
    }

    /**
     * {@code trainable} (the model's trainable weights) in the order of Keras 3's {@code trainable_variables} of the model
     * a {@code .keras} of it loads as (a nested model's at its place, depth first; those of its layers only its unused
     * outputs need too, Keras builds their slots), which the optimizer's variables follow; an IllegalStateException where
     * that order cannot hold them all (the file's slots would not match its nested config).
     */
    public static List<Param> kerasTrainableOrder(dev.jrnn.model.Model model, List<Param> trainable) {
        return KerasVariableOrder.written(model.name(), KerasNesting.leaves(model), trainable);
    }

    /**
     * {@code opt}'s state as the variables current Keras 3 builds ({@code optimizer/vars/i}), in their order: the call
     * count, the rate, then every slot of every trainable weight from {@code state} (jrnn's slot names; a slot missing
     * there starts as a fresh build starts it: zeros, Adagrad's initial value, the weights for the average).
     */
    public static List<Var> keras3Vars(Optimizer opt, List<Param> trainable, Map<String, float[]> state) {
        return keras3Vars(opt, trainable, state, p -> false);
    }

    /**
     * As {@link #keras3Vars(Optimizer, List, Map)}; the slots of the weights {@code kerasScalar} names (Attention's scale
     * and concat_score_weight, of Keras shape ()) are written as scalars, the shape Keras assigns them to.
     */
    public static List<Var> keras3Vars(Optimizer opt, List<Param> trainable, Map<String, float[]> state,
                                       java.util.function.Predicate<Param> kerasScalar) {
        return keras3Vars(opt, trainable, state, kerasScalar, p -> false);
    }

    /**
     * As {@link #keras3Vars(Optimizer, List, Map, java.util.function.Predicate)}; the weights {@code unstated} names are
     * not in {@code state} (a nested model's layer the model does not call, which Keras' optimizer builds slots for):
     * their slots start as a fresh build's.
     */
    public static List<Var> keras3Vars(Optimizer opt, List<Param> trainable, Map<String, float[]> state,
                                       java.util.function.Predicate<Param> kerasScalar, java.util.function.Predicate<Param> unstated) {
        List<Var> r = new ArrayList<>();
        for (Entry e : layout(opt, trainable.size(), true)) {
            switch (e.keras()) {
                case "iteration" -> r.add(new Var("iteration", Tensor.of(new float[] {(float) opt.iterations()}), true, opt.iterations()));
                case "learning_rate" -> r.add(new Var("learning_rate", Tensor.of(new float[] {opt.learningRate()}), true));
                case "u_product" -> r.add(new Var("u_product", Tensor.of(new float[] {(float) nadamProduct(((Nadam) opt).beta1(),
                        opt.iterations() / Math.max(1, opt.gradientAccumulationSteps()))}), true));
                default -> {
                    Param p = trainable.get(e.var());
                    float[] flat = unstated.test(p) ? null : state.get(e.jrnn());
                    float[] v;
                    if (flat != null) v = Arrays.copyOfRange(flat, (int) p.offset(), (int) (p.offset() + p.size()));
                    else if (e.jrnn().equals("average")) v = p.get().data();
                    else {
                        v = new float[(int) p.size()];
                        Arrays.fill(v, opt.stateStart(e.jrnn()));
                    }
                    r.add(new Var(e.keras(), Tensor.wrap(v, p.shape()), kerasScalar.test(p) && v.length == 1));
                }
            }
        }
        return r;
    }

    /**
     * For each variable {@link #keras3Vars} returns, in that order, the index in {@code trainable} of the weight it is a
     * slot of, or -1 for a scalar (iteration, learning_rate, u_product).
     */
    public static int[] keras3VarWeights(Optimizer opt, int trainable) {
        if (opt == null || trainable < 0) {
            throw new IllegalArgumentException("KerasOptimizerState.keras3VarWeights: optimizer should not be null and trainable >= 0, got "
                    + (opt == null ? "null" : opt.name()) + " and " + trainable);
        }
        return layout(opt, trainable, true).stream().mapToInt(Entry::var).toArray();
    }

    private static Restored readKeras3(Optimizer opt, List<Param> trainable, Saved saved, Set<Param> unused) {
        int n = trainable.size();
        Integer[] v = version(saved.kerasVersion());
        List<Entry> grouped = layout(opt, n, true), interleaved = layout(opt, n, false);
        List<Entry> order;
        if (v != null) order = before(v, GROUPED_FROM) ? interleaved : grouped;
        else if (grouped.equals(interleaved)) order = grouped;
        else {
            throw new IllegalArgumentException("the file does not say which Keras version saved its optimizer state (no keras_version), "
                    + "and Keras 3.10 changed the order of " + describe(opt) + "'s variables: the state cannot be read");
        }
        List<Var> vars = saved.vars();
        // compiled, never fitted: Keras builds the slots at the first step, so its file holds the scalars alone (iteration,
        // learning_rate without a schedule); Keras 3.15.1 skips loading them (a warning) and gets the same values from the
        // compile config and a count of 0: restored here, the slots start fresh
        int unbuilt = opt.schedule() == null ? 2 : 1;
        if (vars.size() == unbuilt && order.size() > unbuilt) order = order.subList(0, unbuilt);
        if (vars.size() != order.size()) {
            throw new IllegalArgumentException("the optimizer state holds " + vars.size() + " variables, " + describe(opt) + " over "
                    + n + " trainable weights has " + order.size() + " in Keras " + (saved.kerasVersion() == null ? "3" : saved.kerasVersion())
                    + "'s order (" + summary(order) + ")");
        }
        Map<String, float[]> state = new LinkedHashMap<>();
        long iterations = 0;
        Float rate = null;
        for (int i = 0; i < vars.size(); i++) {
            Entry e = order.get(i);
            Var var = vars.get(i);
            if (e.scalar()) {
                if (var.value().size() != 1) {
                    throw new IllegalArgumentException(var.name() + " should be the scalar " + e.keras() + ", got shape "
                            + Arrays.toString(var.value().shape()));
                }
                float x = var.value().data()[0];
                if (e.keras().equals("iteration")) iterations = count(var);
                else if (e.keras().equals("learning_rate")) rate = rate(var, x);
                continue;   // u_product follows from the update count (jrnn computes it from t)
            }
            put(state, e.jrnn(), trainable, e.var(), var, unused);
        }
        return new Restored(iterations, rate, state);
    }

    private static Restored readLegacy(Optimizer opt, List<Param> trainable, Saved saved) {
        long iterations = 0;
        List<Var> slots = new ArrayList<>();
        for (Var v : saved.vars()) {
            String last = lastPart(v.name());
            if (v.scalar()) {
                if (last.equals("iter") || last.equals("iteration") || last.startsWith("iterations")) iterations = count(v);
                continue;   // Nadam's momentum_cache / m_schedule: a product jrnn computes from the count
            }
            slots.add(v);
        }
        int n = trainable.size();
        Map<String, List<Var>> bySlot = new LinkedHashMap<>();
        Map<String, String> names = legacyNames(opt);
        boolean named = false;
        for (Var v : slots) {
            String slot = legacySlot(v.name(), names);
            if (slot != null) named = true;
            bySlot.computeIfAbsent(slot == null ? "" : names.get(slot), k -> new ArrayList<>()).add(v);
        }
        if (named && bySlot.containsKey("")) {
            throw new IllegalArgumentException("optimizer weight '" + bySlot.get("").get(0).name() + "' is none of " + opt.name()
                    + "'s slots " + names.keySet());
        }
        if (!named) bySlot = positional(opt, n, slots);
        List<String> expected = new ArrayList<>(jrnnSlots(opt));
        if (named && opt.useEma()) expected.add(0, "average");   // tf.keras 2.11-2.15's use_ema: average/<var>:0 first
        if (!bySlot.keySet().containsAll(expected) || !expected.containsAll(bySlot.keySet())) {
            throw new IllegalArgumentException("the optimizer state holds slots " + bySlot.keySet() + ", " + describe(opt) + " keeps " + expected);
        }
        Map<String, float[]> state = new LinkedHashMap<>();
        for (var e : bySlot.entrySet()) {
            if (e.getValue().size() != n) {
                throw new IllegalArgumentException("the optimizer state holds " + e.getValue().size() + " '" + e.getKey() + "' arrays, the model has "
                        + n + " trainable weights");
            }
            for (int i = 0; i < n; i++) put(state, e.getKey(), trainable, i, e.getValue().get(i), Set.of());
        }
        return new Restored(iterations, null, state);
    }

    /**
     * Keras 2.0-2.3's unnamed slots: each slot's list in turn ({@code [iterations] + ms + vs}); Keras 2.1-2.3's Adam adds a
     * vhat of shape (1) per weight without amsgrad, and SGD without momentum its moments, both left out.
     */
    private static Map<String, List<Var>> positional(Optimizer opt, int n, List<Var> slots) {
        List<String> expected = jrnnSlots(opt);
        List<Var> s = slots;
        // Keras 2's SGD keeps its moments without momentum too (-lr g, read by no later update): nothing to restore
        if (opt instanceof SGD g && g.momentum() == 0 && s.size() == n) return new LinkedHashMap<>();
        if (opt instanceof Adam a && !a.amsgrad() && s.size() == 3 * n && s.subList(2 * n, 3 * n).stream().allMatch(v -> v.value().size() == 1)) {
            s = s.subList(0, 2 * n);
        }
        if (s.size() != expected.size() * n) {
            throw new IllegalArgumentException("the optimizer state holds " + s.size() + " unnamed arrays, " + describe(opt) + " over " + n
                    + " trainable weights keeps " + expected.size() * n + " (" + expected + " each)");
        }
        Map<String, List<Var>> r = new LinkedHashMap<>();
        for (int k = 0; k < expected.size(); k++) r.put(expected.get(k), new ArrayList<>(s.subList(k * n, (k + 1) * n)));
        return r;
    }

    /** Slot {@code var} of weight {@code i} into {@code state}; checked, and then dropped for an {@code unused} weight. */
    private static void put(Map<String, float[]> state, String slot, List<Param> trainable, int i, Var var, Set<Param> unused) {
        Param p = trainable.get(i);
        int[] want = p.shape(), got = var.value().shape();
        if (!Arrays.equals(want, got) && !(var.value().size() == p.size() && (want.length == 0 || var.scalar()))) {
            throw new IllegalArgumentException("optimizer " + slot + " " + var.name() + " has shape " + Arrays.toString(got) + ", trainable weight "
                    + i + " ('" + p.name() + "') has " + Arrays.toString(want));
        }
        if (unused.contains(p)) return;
        float[] flat = state.get(slot);
        if (flat == null) {   // the trainable weights are the store's first floats, each at its offset
            long total = 0;
            for (Param q : trainable) if (!unused.contains(q)) total = Math.max(total, q.offset() + q.size());
            state.put(slot, flat = new float[Math.toIntExact(total)]);
        }
        System.arraycopy(var.value().data(), 0, flat, (int) p.offset(), (int) p.size());
    }

    /**
     * Whether Keras 3.0-3.9 order {@code opt}'s variables otherwise than 3.10 and later (Nadam's u_product; the EMA
     * average beside gradient accumulators): a Keras before 3.10 would assign such a file's state in its own order and
     * fail (or, shapes alike, swap the slots), so jrnn keeps that state where Keras does not look.
     */
    public static boolean orderChangedIn310(Optimizer opt) {
        return opt instanceof Nadam || opt.useEma() && opt.gradientAccumulationSteps() > 1;
    }

    /** The variables Keras 3 builds for {@code opt} over {@code n} weights; {@code grouped}: 3.10 and later. */
    private static List<Entry> layout(Optimizer opt, int n, boolean grouped) {
        List<Entry> r = new ArrayList<>();
        r.add(new Entry("iteration", null, -1));
        if (opt.schedule() == null) r.add(new Entry("learning_rate", null, -1));
        List<String> base = new ArrayList<>();
        if (opt.useEma()) base.add("average");
        if (opt.gradientAccumulationSteps() > 1) base.add("gradient_accumulator");
        if (grouped) for (String b : base) addGroup(r, n, b, b);
        else addInterleaved(r, n, base, base);
        boolean nadam = opt instanceof Nadam;
        if (nadam && !grouped) r.add(new Entry("u_product", null, -1));
        for (String[][] g : slotGroups(opt)) addInterleaved(r, n, Arrays.asList(g[0]), Arrays.asList(g[1]));
        if (nadam && grouped) r.add(new Entry("u_product", null, -1));
        return r;
    }

    private static void addGroup(List<Entry> r, int n, String keras, String jrnn) {
        for (int i = 0; i < n; i++) r.add(new Entry(keras, jrnn, i));
    }

    private static void addInterleaved(List<Entry> r, int n, List<String> keras, List<String> jrnn) {
        for (int i = 0; i < n; i++) for (int k = 0; k < keras.size(); k++) r.add(new Entry(keras.get(k), jrnn.get(k), i));
    }

    /** The class' slot groups as Keras 3 adds them: {Keras names, jrnn names} per call, in call order. */
    private static List<String[][]> slotGroups(Optimizer opt) {
        List<String[][]> g = new ArrayList<>();
        switch (opt.name()) {
            case "SGD" -> { if (((SGD) opt).momentum() > 0) g.add(group(new String[] {"momentum"}, "velocity")); }
            case "Adam", "AdamW" -> {
                g.add(group(new String[] {"momentum", "velocity"}, "m", "v"));
                if (opt instanceof Adam a ? a.amsgrad() : ((AdamW) opt).amsgrad()) g.add(group(new String[] {"velocity_hat"}, "velocity_hat"));
            }
            case "Nadam" -> g.add(group(new String[] {"momentum", "velocity"}, "m", "v"));
            case "RMSprop" -> {
                RMSprop r = (RMSprop) opt;
                g.add(group(new String[] {"velocity"}, "velocity"));
                if (r.momentum() > 0) g.add(group(new String[] {"momentum"}, "momentum"));
                if (r.centered()) g.add(group(new String[] {"average_gradient"}, "average_gradient"));
            }
            case "Adagrad" -> g.add(group(new String[] {"accumulator"}, "accumulator"));
            case "Adadelta" -> g.add(group(new String[] {"accumulated_grad", "accumulated_delta_var"}, "accumulated_grad", "accumulated_delta_var"));
            case "Adamax" -> g.add(group(new String[] {"momentum", "norm"}, "momentum", "norm"));
            case "Lion" -> g.add(group(new String[] {"momentum"}, "momentum"));
            default -> throw new IllegalArgumentException("no Keras layout for the optimizer " + opt.name());
        }
        return g;
    }

    private static String[][] group(String[] keras, String... jrnn) { return new String[][] {keras, jrnn}; }

    /**
     * jrnn's slots for {@code opt}'s settings, in Keras' order (without the average and the accumulator, which legacy
     * files lack).
     */
    private static List<String> jrnnSlots(Optimizer opt) {
        List<String> r = new ArrayList<>();
        for (String[][] g : slotGroups(opt)) r.addAll(Arrays.asList(g[1]));
        return r;
    }

    /** A legacy file's slot names (optimizer_v2's and 2.11-2.15's) to jrnn's, for {@code opt}'s class. */
    private static Map<String, String> legacyNames(Optimizer opt) {
        Map<String, String> m = new LinkedHashMap<>();
        switch (opt.name()) {
            case "SGD" -> { m.put("momentum", "velocity"); m.put("m", "velocity"); }
            case "Adam", "AdamW", "Nadam" -> { m.put("m", "m"); m.put("v", "v"); m.put("vhat", "velocity_hat"); }
            case "RMSprop" -> {
                m.put("rms", "velocity"); m.put("velocity", "velocity"); m.put("momentum", "momentum");
                m.put("mg", "average_gradient"); m.put("average_gradient", "average_gradient");
            }
            case "Adagrad" -> m.put("accumulator", "accumulator");
            case "Adadelta" -> {
                m.put("accum_grad", "accumulated_grad"); m.put("accumulated_grad", "accumulated_grad");
                m.put("accum_var", "accumulated_delta_var"); m.put("accumulated_delta_var", "accumulated_delta_var");
            }
            case "Adamax" -> { m.put("m", "momentum"); m.put("v", "norm"); m.put("u", "norm"); }
            case "Lion" -> m.put("m", "momentum");
            default -> throw new IllegalArgumentException("no Keras layout for the optimizer " + opt.name());
        }
        if (opt.useEma()) m.put("average", "average");
        return m;
    }

    /**
     * The slot part of a legacy weight name: optimizer_v2's last part ({@code Adam/dense/kernel/m:0}), else 2.11-2.15's
     * first, after an optional optimizer scope ({@code m/dense/kernel:0}, {@code Adam/m/dense/kernel:0}); null when none.
     */
    private static String legacySlot(String name, Map<String, String> slots) {
        String[] parts = stripIndex(name).split("/");
        if (parts.length > 1 && slots.containsKey(parts[parts.length - 1])) return parts[parts.length - 1];
        if (parts.length > 1 && slots.containsKey(parts[0])) return parts[0];
        if (parts.length > 2 && slots.containsKey(parts[1])) return parts[1];
        return null;
    }

    private static String lastPart(String name) {
        String s = stripIndex(name);
        return s.substring(s.lastIndexOf('/') + 1);
    }

    private static String stripIndex(String name) {
        int colon = name.lastIndexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    private static long count(Var v) {
        if (v.whole() != null && v.whole() >= 0 && v.whole() <= Optimizer.MAX_ITERATIONS) return v.whole();
        double x = v.whole() != null ? v.whole() : v.value().data()[0];
        if (!(x >= 0 && x <= Optimizer.MAX_ITERATIONS && x == Math.rint(x))) {
            throw new IllegalArgumentException(v.name() + ": the update count should be a whole number in [0, " + Optimizer.MAX_ITERATIONS + "], got " + x);
        }
        return (long) x;
    }

    private static Float rate(Var v, float x) {
        if (!(x >= 0 && Float.isFinite(x))) throw new IllegalArgumentException(v.name() + ": the learning rate should be finite and >= 0, got " + x);
        return x;
    }

    /** Nadam's u_product after {@code t} updates, prod beta1 (1 - 0.5 * 0.96^s) (what Keras keeps as a variable). */
    private static double nadamProduct(double beta1, long t) {
        double u = 1, d = 1;
        long k = Math.min(t, 1100);   // past that the factor is beta1 in double
        for (long s = 1; s <= k; s++) {
            d *= 0.96;
            u *= beta1 * (1 - 0.5 * d);
        }
        return t > k ? u * Math.pow(beta1, t - k) : u;
    }

    private static String describe(Optimizer opt) {
        List<String> s = new ArrayList<>();
        if (opt instanceof SGD g && g.momentum() > 0) s.add("momentum");
        if (opt instanceof Adam a && a.amsgrad() || opt instanceof AdamW w && w.amsgrad()) s.add("amsgrad");
        if (opt instanceof RMSprop r && r.momentum() > 0) s.add("momentum");
        if (opt instanceof RMSprop r && r.centered()) s.add("centered");
        if (opt.useEma()) s.add("use_ema");
        if (opt.gradientAccumulationSteps() > 1) s.add("gradient_accumulation_steps");
        if (opt.schedule() != null) s.add("a schedule");
        return opt.name() + (s.isEmpty() ? "" : " (" + String.join(", ", s) + ")");
    }

    /** "iteration, learning_rate, momentum/velocity x 4": what a layout holds, for messages. */
    private static String summary(List<Entry> order) {
        List<String> parts = new ArrayList<>();
        for (Entry e : order) {
            String k = e.scalar() ? e.keras() : e.keras() + " x";
            if (!parts.contains(k)) parts.add(k);
        }
        return String.join(", ", parts).replace(" x", " per weight");
    }

    /** Whether a file's keras_version is Keras 3 or later. */
    static boolean keras3(String version) { return major(version) >= 3; }

    private static int major(String version) {
        Integer[] v = version(version);
        return v == null ? 2 : v[0];
    }

    /** "3.9.2" as {3, 9}; null when absent or not a version. */
    private static Integer[] version(String s) {
        if (s == null) return null;
        String[] p = s.toLowerCase(Locale.ROOT).split("[^0-9]+");
        try {
            return new Integer[] {Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 0};
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    private static boolean before(Integer[] v, int[] from) {
        return v[0] < from[0] || (v[0] == from[0] && v[1] < from[1]);
    }
}
