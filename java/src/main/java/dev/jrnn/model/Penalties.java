package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.WeightRules;
import dev.jrnn.regularizers.Constraint;
import dev.jrnn.regularizers.Regularizer;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keras' regularizers and constraints in a step: the penalty that Keras' {@code compute_loss} adds to the loss (the
 * trainable weights' regularizers, Keras' {@code Layer._get_regularization_losses}, and each layer's activity
 * regularizer on its outputs divided by their batch size), the weight penalties' gradients, and the constraints after
 * the optimizer's update. The penalty and its gradients are device operations inside the (captured) step; the
 * constraints run on the host, so a model with any runs its train steps eagerly on CUDA.
 *
 * <p>One plan per model's parameters, graph and {@link WeightRules#version()}, built (and checked) once and rebuilt
 * only when one of those changes; a model without rules gets the empty plan, whose step hooks do nothing.
 */
final class Penalties {
    private record Weight(Param param, Regularizer rule) {}

    private record Projection(Param param, Constraint rule) {}

    private record Activity(Call call, Regularizer rule) {}

    private final Parameters params;
    private final Graph graph;
    private long version;
    /** The trainable weights' regularizers (the store's partition, current in a train step: it regroups first). */
    private final List<Weight> weights = new ArrayList<>();
    /**
     * Every weight's regularizer, trainable or not: evaluating reads the flags as they are (a freeze after the last step
     * counts at once, as Keras asks the layers at each call), without regrouping the store.
     */
    private final List<Weight> ruled = new ArrayList<>();
    private final List<Projection> projections = new ArrayList<>();
    private final List<Activity> activities = new ArrayList<>();

    /** Checks the rules of {@code graph}'s layers and gathers those of {@code params}' trainable weights and the calls. */
    private Penalties(String model, Parameters params, Graph graph, long version) {
        check(model, graph);
        this.params = params;
        this.graph = graph;
        this.version = version;
        for (int i = 0; i < params.all.size(); i++) {   // the trainable weights first, in the same order (the store's layout)
            Param q = params.all.get(i);
            // a layer only a nested call's unused branch runs too (Graph#added): Keras' model.losses holds every trainable weight's
            Layer owner = params.owners.get(q);
            Regularizer r = WeightRules.regularizer(owner, q);
            if (r != null) ruled.add(new Weight(q, r));
            if (i >= params.trainable.size()) continue;   // Keras penalises and constrains the trainable weights only
            if (r != null) weights.add(new Weight(q, r));
            Constraint c = WeightRules.constraint(owner, q);
            if (c != null) projections.add(new Projection(q, c));
        }
        for (Call c : graph.calls) {
            // a nested call's added call too: Keras runs the nested call whole and adds its penalty (its gradient reaches
            // the call's own weights, unlisted but trained, and flows back through it)
            Regularizer r = c.layer().weightRules().activity();
            if (r != null) activities.add(new Activity(c, r));
        }
    }

    /** {@code s}'s plan: {@code last} when still current, else a new one (checked; refused settings throw). */
    static Penalties plan(Setup s, Penalties last) {
        Graph g = s.graph();   // first: building a stale graph (a Sequential after pop or add) replaces the parameters
        Parameters ps = s.params();
        long v = WeightRules.version();
        if (last != null && last.params == ps && last.graph == g && last.version == v) return last;
        Penalties next = new Penalties(s.name(), ps, g, v);
        // the version is global: a rule set on another model's layer leaves this plan (and its captured graphs) as they were
        if (last != null && last.params == ps && last.graph == g && next.weights.equals(last.weights) && next.ruled.equals(last.ruled)
                && next.projections.equals(last.projections) && next.activities.equals(last.activities)) {
            last.version = v;
            return last;
        }
        return next;
    }

    /**
     * Refuses what jrnn cannot apply before anything runs (compile, and the top of fit, evaluate and the batch calls): a
     * constraint whose axes its weight lacks, an activity regularizer inside a Bidirectional.
     */
    static void check(String model, Graph graph) {
        for (Layer l : graph.runLayers) WeightRules.check(model, l);
    }

    /** Whether nothing is set: no penalty, no gradient, no projection. */
    boolean isEmpty() { return weights.isEmpty() && projections.isEmpty() && activities.isEmpty(); }

    /** Whether any loss term is set (weights' or activity regularizers; a frozen weight's counts: it may train again). */
    boolean penalises() { return !ruled.isEmpty() || !activities.isEmpty(); }

    /** Whether a trainable weight has a constraint (the train step then runs eagerly). */
    boolean hasConstraints() { return !projections.isEmpty(); }

    /**
     * Writes the penalty of pass {@code p} to {@code out[off]}: the activity penalties, and without {@code dOut}
     * (evaluating) the trainable weights' too (none while the model is frozen, {@code modelTrains} false, as in training), with its non-finiteness to {@code guard} (nullable) as a non-finite loss. With
     * {@code dOut} (training) it adds the activity penalties' gradients into it, and {@link #gradients} adds the weights'
     * penalty with their gradients after the backward pass. Without regularizers it queues nothing: the loss logs keep
     * that column at 0.
     */
    void loss(Backend be, Pass p, Map<Node, DTensor> dOut, Buf out, long off, Buf guard, boolean modelTrains) {
        if (!penalises()) return;
        be.fill(out, off, 1, 0f);
        if (dOut == null) {
            for (Weight w : ruled) {
                Param q = w.param();
                if (!modelTrains || !params.owners.get(q).trains(q)) continue;   // as training's: a frozen model's train none
                w.rule().apply(be, q.size(), q.value(), q.offset(), 1f, out, off, null, 0);
            }
        }
        for (Activity a : activities) {
            for (Node o : a.call().outputs()) {
                DTensor y = p.value(o);
                DTensor g = null;
                if (dOut != null) {
                    g = dOut.get(o);
                    if (g == null) dOut.put(o, g = p.own(DTensor.zeros(be, y.shape())));
                }
                a.rule().apply(be, y.size(), y.buf(), 0, 1f / y.dim(0), out, off, g == null ? null : g.buf(), 0);
            }
        }
        if (dOut == null && guard != null) be.finiteGuard(1, out, off, LossLog.GUARD_LOSS, guard, 0);
    }

    /**
     * In a train step after {@link #loss}: adds the trainable weights' penalty to {@code out[off]} and its gradients to
     * their gradients in one pass (after a data-parallel average: once per rank), and sets {@code guard} (nullable) when
     * the whole penalty is not finite, before the update.
     */
    void gradients(Backend be, Buf out, long off, Buf guard) {
        for (Weight w : weights) {
            Param q = w.param();
            w.rule().apply(be, q.size(), q.value(), q.offset(), 1f, out, off, q.grad(), q.offset());
        }
        if (penalises() && guard != null) be.finiteGuard(1, out, off, LossLog.GUARD_LOSS, guard, 0);
    }

    /** Projects every trainable weight that has a constraint, as Keras' optimizer after its update (on the host). */
    void constrain() {
        for (Projection c : projections) {
            Param q = c.param();
            Tensor w = q.get();
            c.rule().apply(w.data(), q.shape());
            q.set(w);
        }
    }
}
