package dev.jrnn.model;

import dev.jrnn.backend.Loss;
import dev.jrnn.backend.NameUids;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.losses.Losses;
import dev.jrnn.losses.MeanMetric;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compile's {@code metrics} and {@code weighted_metrics} resolved to one {@link Slot} per metric and output, each with the
 * key fit and evaluate log it under, as Keras 3's {@code CompileMetrics} (trainers/compile_utils.py) names them: on a model
 * of several outputs "out_name" ("kind_auc"), a repeat "kind_auc_1"; a weighted metric whose key a metric already took
 * "weighted_name" ("kind_weighted_auc"), then "weighted_name_1". Each argument takes one of three forms: metrics (names,
 * {@link EpochMetric}s, Lists of them) for every output; one Map by output name (an output not named gets none); one List
 * of Lists, one per output (null or empty: none).
 */
final class CompileMetrics {
    /**
     * One metric on one output: the key it is logged under, whether the sample and class weights weigh it, and its name as
     * given (Keras' metric.name: no output prefix, no renaming), which orders evaluate's list ({@link EvaluateOrder}).
     */
    record Slot(int output, EpochMetric metric, String key, boolean weighted, String name) {}

    static final CompileMetrics NONE = new CompileMetrics(List.of(), List.of(), List.of(), List.of(), null, Map.of(), Set.of(), List.of());

    final List<Slot> slots;
    /** The names of {@code metrics} (an output's prefix left off), each once for the every-output form; one config each. */
    final List<String> names;
    final List<Object> configs;
    /** The two arguments as a Keras 3 compile config holds them (null: not given). */
    final Object metricsConfig;
    final Object weightedConfig;
    /** For each output compiled without a loss that has metrics: the loss whose targets its metrics read. */
    private final Map<Integer, Loss> forms;
    /** The outputs among those whose metrics all resolve from the shapes ("accuracy"): their targets' form is read from the data. */
    private final Set<Integer> byShape;
    /** The default names Keras draws for the metric names given ("auc"), in its order, when the metrics are first built. */
    private final List<String> draws;
    private boolean built;

    private CompileMetrics(List<Slot> slots, List<String> names, List<Object> configs, Object metricsConfig, Object weightedConfig,
                           Map<Integer, Loss> forms, Set<Integer> byShape, List<String> draws) {
        this.forms = forms;
        this.byShape = byShape;
        this.draws = draws;
        this.slots = slots;
        this.names = names;
        this.configs = configs;
        this.metricsConfig = metricsConfig;
        this.weightedConfig = weightedConfig;
    }

    boolean isEmpty() { return slots.isEmpty(); }

    /**
     * Keras' CompileMetrics.build at the first fit, evaluate, trainOnBatch or testOnBatch after compile: each metric name
     * whose class has no default name ("auc", "precision", ...) draws one ({@link EpochMetric#drawnAtBuild}), so a metric
     * object made afterwards is "auc_1", as in Keras 3.15.1. Once per compile.
     */
    synchronized void build() {
        if (built) return;
        built = true;
        for (String base : draws) NameUids.unique(base);
    }

    /**
     * What the metrics of output {@code o}, compiled without a loss, read its targets as, before the targets are seen:
     * class indices (sparse categorical cross-entropy's) when one of them takes class indices, else dense targets (mean
     * squared error's); null when the output has no metrics (its targets are not read).
     */
    Loss targetForm(int o) { return forms.get(o); }

    /**
     * {@link #targetForm} for targets of batch shape {@code y} against the output's per-sample shape {@code out}: where
     * every metric of the output resolves from the shapes ("accuracy"), Keras 3's get_metric decides, as it does without a
     * loss to look at: class indices when the targets have a lower rank than the output, or a last axis of 1 against
     * several columns (a one-column output reads them either way).
     */
    Loss targetForm(int o, int[] y, int[] out) {
        Loss f = forms.get(o);
        if (f == null || !byShape.contains(o) || y == null || out == null || out.length == 0) return f;
        int cols = out[out.length - 1];
        boolean indices = cols > 1 && (y.length < out.length + 1 || y[y.length - 1] == 1);
        return indices ? Loss.SPARSE_CATEGORICAL_CROSSENTROPY : f;
    }

    /**
     * Whether output {@code o}, compiled without a loss, reads its targets by their shape (all its metrics are "accuracy"
     * / "acc"): class indices or dense targets, decided per batch by {@link #targetForm(int, int[], int[])}.
     */
    boolean byShape(int o) { return byShape.contains(o); }

    /** The keys the metrics are logged under (val_ left off), in Keras' order: the metrics output by output, then the weighted ones. */
    List<String> keys() { return slots.stream().map(Slot::key).toList(); }

    /** The metric logged under {@code key} (val_ left off; an F-score's per-class "f1_score_2" too), or null. */
    EpochMetric loggedAs(String key) {
        for (String k : List.of(key, key.replaceFirst("_\\d+$", ""))) {
            for (Slot s : slots) if (s.key().equals(k)) return s.metric();
        }
        return null;
    }

    /** The first metric named {@code name} (an output's prefix left off: Keras' lookup by the metric's own name), or null. */
    EpochMetric named(String name) {
        for (Slot s : slots) if (s.metric().key().equals(name)) return s.metric();
        return null;
    }

    /**
     * Resolves compile's metric arguments: {@code args} as compile got them, a {@link WeightedMetrics} among them giving
     * {@code weighted_metrics}. {@code outputs}: the output names; {@code losses}: each output's loss; {@code shapes}: each
     * output's per-sample shape, null when the model is not built yet (fit checks the shapes then).
     */
    static CompileMetrics of(String model, List<String> outputs, List<Loss> losses, List<int[]> shapes, Object[] args) {
        if (args == null) throw new IllegalArgumentException(model + ".compile: metrics is null (pass none for no metrics)");
        List<Object> plain = new ArrayList<>();
        WeightedMetrics weighted = null;
        for (Object a : args) {
            if (!(a instanceof WeightedMetrics w)) plain.add(a);
            else if (weighted != null) throw new IllegalArgumentException(model + ".compile: two WeightedMetrics given; give every weighted metric in one");
            else weighted = w;
        }
        Resolver r = new Resolver(model, outputs, losses, shapes);
        Object mc = r.add("metrics", plain.toArray(), false);
        Object wc = weighted == null ? null : r.add("weightedMetrics", weighted.metrics().toArray(), true);
        Map<Integer, Loss> forms = new HashMap<>();
        Set<Integer> byShape = new HashSet<>();
        for (Slot sl : r.slots) {
            if (losses.get(sl.output()) != null) continue;
            forms.put(sl.output(), r.forms.getOrDefault(sl.output(), Loss.MSE));
            if (!r.forms.containsKey(sl.output())) byShape.add(sl.output());
        }
        return new CompileMetrics(List.copyOf(r.slots), List.copyOf(r.names), Collections.unmodifiableList(r.configs),
                mc == null ? List.of() : mc, wc, Map.copyOf(forms), Set.copyOf(byShape), List.copyOf(r.draws));
    }

    /** Builds the slots of both arguments, numbering the keys across them as Keras' result() does. */
    private static final class Resolver {
        final String model;
        final List<String> outputs;
        final List<Loss> losses;
        final List<int[]> shapes;
        final List<Slot> slots = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<Object> configs = new ArrayList<>();
        /** The bases the metric names given draw at build ({@link #build}), in the order Keras builds them. */
        final List<String> draws = new ArrayList<>();
        /** Keras' unique_name_counters: each key's next number. */
        final Map<String, Integer> counters = new HashMap<>();
        /** An output without a loss: the targets its first metric that cares reads (and its name), which the others must take too. */
        final Map<Integer, Loss> forms = new HashMap<>();
        final Map<Integer, String> formBy = new HashMap<>();

        Resolver(String model, List<String> outputs, List<Loss> losses, List<int[]> shapes) {
            this.model = model;
            this.outputs = outputs;
            this.losses = losses;
            this.shapes = shapes;
        }

        /** Adds the slots of one argument ({@code param} names it in messages); returns its Keras config form. */
        Object add(String param, Object[] args, boolean weighted) {
            int n = outputs.size();
            boolean byName = args.length == 1 && args[0] instanceof Map<?, ?>;
            boolean nested = args.length == 1 && args[0] instanceof List<?> l && !l.isEmpty()
                    && l.stream().allMatch(x -> x == null || x instanceof Collection<?>);
            if (n == 1 && (byName || nested)) {   // Keras 3: one output takes every metric, whatever the structure
                if (byName) checkNames(param, (Map<?, ?>) args[0]);
                List<Object> all = new ArrayList<>();
                for (Object v : byName ? ((Map<?, ?>) args[0]).values() : (List<?>) args[0]) all.addAll(entry(param, v));
                return flat(param, all, weighted, false);
            }
            if (byName) {
                Map<?, ?> m = (Map<?, ?>) args[0];
                checkNames(param, m);
                Map<String, Object> config = new LinkedHashMap<>();
                List<List<Object>> per = new ArrayList<>();
                for (String o : outputs) per.add(m.containsKey(o) ? entry(param + "[\"" + o + "\"]", m.get(o)) : List.of());
                for (int k = 0; k < n; k++) if (m.containsKey(outputs.get(k))) config.put(outputs.get(k), perOutput(param, k, per.get(k), weighted));
                return config;
            }
            if (nested) {
                List<?> l = (List<?>) args[0];
                if (l.size() != n) {
                    throw new IllegalArgumentException(model + ".compile: " + param + " as a List of Lists needs one List per output (" + n
                            + ": " + outputs + "), got " + l.size() + ": " + l);
                }
                List<Object> config = new ArrayList<>();
                for (int k = 0; k < n; k++) config.add(perOutput(param, k, entry(param + "[" + k + "]", l.get(k)), weighted));
                return config;
            }
            List<Object> all = new ArrayList<>();
            for (Object a : args) {
                if (a instanceof Map<?, ?> || a instanceof Collection<?> c && c.stream().anyMatch(x -> x instanceof Collection<?> || x instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException(model + ".compile: " + param + " holds " + a + " among its metrics: metrics per"
                            + " output are one Map by output name or one List with a List per output, given as the only " + param);
                }
                if (a instanceof Collection<?> c && c.stream().anyMatch(x -> x instanceof Number)) {
                    throw new IllegalArgumentException(model + ".compile: the metrics hold the numbers " + c + ", which look like loss"
                            + " weights: give them right after the losses, as a List after a List of losses or a Map after a Map of losses"
                            + " by output name, e.g. compile(\"adam\", List.of(\"mse\", \"mae\"), List.of(1.0, 0.2))");
                }
                if (a instanceof Collection<?> c) all.addAll(c);
                else all.add(a);
            }
            return flat(param, all, weighted, n > 1);
        }

        /** The every-output form: the same metrics on each output; in a config a List of Lists where there are several (Keras 3 reads a flat one by position). */
        private Object flat(String param, List<Object> ms, boolean weighted, boolean several) {
            List<Object> config = perOutput(param, -1, ms, weighted);
            return several && !ms.isEmpty() ? Collections.nCopies(outputs.size(), config) : config;
        }

        /** The metrics {@code ms} on output {@code k} (-1: every output); returns their configs. */
        private List<Object> perOutput(String param, int k, List<Object> ms, boolean weighted) {
            List<Object> config = new ArrayList<>();
            List<String> given = new ArrayList<>();
            List<EpochMetric> resolved = new ArrayList<>();
            for (int i = 0; i < ms.size(); i++) {
                Object m = ms.get(i);
                String where = model + ".compile: " + param + (k < 0 ? "" : "[\"" + outputs.get(k) + "\"]");
                EpochMetric mm;
                try {
                    mm = EpochMetric.of(m).copy();   // a setter called on the caller's object later changes nothing here
                } catch (IllegalArgumentException e) {
                    if (k < 0 && !weighted) throw e;   // as compile always said it (the guide quotes it)
                    throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                }
                String name = m instanceof String s ? s.trim() : mm.key();
                if (m instanceof String s && EpochMetric.drawnAtBuild(s) != null) draws.add(EpochMetric.drawnAtBuild(s));
                for (int o = k < 0 ? 0 : k; o < (k < 0 ? outputs.size() : k + 1); o++) check(mm, name, o, k < 0);
                resolved.add(mm);
                given.add(name);
                config.add(m instanceof String ? name : mm.serialize());
            }
            int first = k < 0 ? 0 : k;
            for (int o = first; o < (k < 0 ? outputs.size() : k + 1); o++) {
                for (int i = 0; i < resolved.size(); i++) {
                    Slot s = new Slot(o, resolved.get(i), key(o, given.get(i), weighted), weighted, given.get(i));
                    slots.add(s);
                    if (o == first && !weighted) {   // the name as numbered in the key, the output's prefix left off
                        names.add(outputs.size() > 1 ? s.key().substring(outputs.get(o).length() + 1) : s.key());
                        configs.add(config.get(i));
                    }
                }
            }
            return config;
        }

        /**
         * Refuses a metric that cannot go on output {@code o}: targets its loss does not take, or (built, given for that
         * output, not {@code every} output) a shape it cannot measure.
         */
        private void check(EpochMetric m, String name, int o, boolean every) {
            Loss l = losses.get(o);
            String on = outputs.size() > 1 ? " of output " + outputs.get(o) : "";
            if (l == null) {   // no loss: the metrics decide what its targets are, and must agree
                Loss have = forms.get(o);
                boolean either = m.suits(Loss.MSE) && m.suits(Loss.SPARSE_CATEGORICAL_CROSSENTROPY);   // "accuracy"
                if (have == null && !either) {
                    forms.put(o, m.suits(Loss.MSE) ? Loss.MSE : Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
                    formBy.put(o, name);
                } else if (have != null && !m.suits(have)) {
                    throw new IllegalArgumentException(model + ".compile: metric " + name + " needs " + (m.sparse() ? "class-index" : "dense")
                            + " targets but metric " + formBy.get(o) + on + ", which has no loss, reads " + (have.sparse() ? "class indices" : "dense targets"));
                }
            } else if (!m.suits(l)) {
                throw new IllegalArgumentException(model + ".compile: metric " + name + " needs " + (m.sparse() ? "class-index" : "dense")
                        + " targets but the loss " + Losses.kerasName(l) + on + " takes " + (l.sparse() ? "class indices" : "dense targets"));
            }
            if (shapes != null && !every) {   // metrics for every output: fit checks the outputs it has targets for
                try {
                    m.checkOutput(outputs.get(o), shapes.get(o));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(model + ".compile: metric " + name + " on output " + outputs.get(o) + ": " + e.getMessage(), e);
                }
            }
        }

        /** Keras 3's result() key of a metric named {@code name} on output {@code o}; never one already taken. */
        private String key(int o, String name, boolean weighted) {
            String prefix = outputs.size() > 1 ? outputs.get(o) + "_" : "";
            String k = prefix + name;
            if (!counters.containsKey(k)) {
                counters.put(k, 1);
                return k;
            }
            if (weighted) {
                k = prefix + "weighted_" + name;
                if (!counters.containsKey(k)) {
                    counters.put(k, 1);
                    return k;
                }
            }
            String r;
            do {
                int i = counters.get(k);   // Keras: the count so far, then one more
                counters.put(k, i + 1);
                r = k + "_" + i;
            } while (counters.containsKey(r));
            counters.put(r, 1);
            return r;
        }

        /** The metrics one output's entry holds: none (null), one metric, or a List of them. */
        private List<Object> entry(String where, Object v) {
            if (v == null) return List.of();
            if (v instanceof Map<?, ?>) throw new IllegalArgumentException(model + ".compile: " + where + " is a Map " + v + ": expected a metric or a List of metrics");
            if (!(v instanceof Collection<?> c)) return List.of(v);
            for (Object x : c) {
                if (x instanceof Collection<?> || x instanceof Map<?, ?>) {
                    throw new IllegalArgumentException(model + ".compile: " + where + " holds " + x + ": expected metric names or metric objects");
                }
            }
            return new ArrayList<>(c);
        }

        /** The keys of a Map by output name: output names, each at most once. */
        private void checkNames(String param, Map<?, ?> m) {
            boolean unbuilt = shapes == null && outputs.size() == 1;   // a Sequential built at fit: its output's name is not known yet
            for (Object key : m.keySet()) {
                if (!(key instanceof String s) || !outputs.contains(s) && !(unbuilt && m.size() == 1)) {
                    throw new IllegalArgumentException(model + ".compile: " + param + " names output " + (key instanceof String ? "'" + key + "'" : key)
                            + ", expected output names " + outputs + " (an output not named gets no metrics)");
                }
            }
        }
    }
}
