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

import java.util.Map;

/**
 * Keras' regularizers and constraints in a step: the penalty that Keras' {@code compute_loss} adds to the loss (the
 * trainable weights' regularizers, Keras' {@code Layer._get_regularization_losses}, and each layer's activity
 * regularizer on its outputs divided by their batch size), the weight penalties' gradients, and the constraints after
 * the optimizer's update. The penalty and its gradients are device operations inside the (captured) step; the
 * constraints run on the host, so a model with any runs its train steps eagerly on CUDA.
 */
final class Penalties {
    private Penalties() {}

    /**
     * Writes the total penalty of pass {@code p} to {@code out[off]} (0 without regularizers), its non-finiteness to
     * {@code guard} (nullable) as a non-finite loss, and with {@code dOut} the activity penalties' gradients into it.
     */
    static void loss(Setup s, Pass p, Map<Node, DTensor> dOut, Buf out, long off, Buf guard) {
        check(s);
        Backend be = s.backend();
        be.fill(out, off, 1, 0f);
        Parameters ps = s.params();
        boolean any = false;
        for (Param q : ps.trainable) {
            Regularizer r = WeightRules.regularizer(ps.owners.get(q), q);
            if (r == null) continue;
            r.apply(be, q.size(), q.value(), q.offset(), 1f, out, off, null, 0);
            any = true;
        }
        for (Call c : s.graph().calls) {
            Regularizer r = c.layer().weightRules().activity();
            if (r == null) continue;
            for (Node o : c.outputs()) {
                DTensor y = p.value(o);
                DTensor g = null;
                if (dOut != null) {
                    g = dOut.get(o);
                    if (g == null) dOut.put(o, g = p.own(DTensor.zeros(be, y.shape())));
                }
                r.apply(be, y.size(), y.buf(), 0, 1f / y.dim(0), out, off, g == null ? null : g.buf(), 0);
                any = true;
            }
        }
        if (any && guard != null) be.finiteGuard(1, out, off, LossLog.GUARD_LOSS, guard, 0);
    }

    /** Adds the trainable weights' penalty gradients to their gradients (after a data-parallel average: once per rank). */
    static void gradients(Setup s) {
        Parameters ps = s.params();
        for (Param q : ps.trainable) {
            Regularizer r = WeightRules.regularizer(ps.owners.get(q), q);
            if (r != null) r.apply(s.backend(), q.size(), q.value(), q.offset(), 1f, null, 0, q.grad(), q.offset());
        }
    }

    /** Projects every trainable weight that has a constraint, as Keras' optimizer after its update (on the host). */
    static void constrain(Setup s) {
        Parameters ps = s.params();
        for (Param q : ps.trainable) {
            Constraint c = WeightRules.constraint(ps.owners.get(q), q);
            if (c == null) continue;
            Tensor w = q.get();
            c.apply(w.data(), q.shape());
            q.set(w);
        }
    }

    /** Whether a trainable weight has a constraint (the train step then runs eagerly). */
    static boolean hasConstraints(Setup s) {
        Parameters ps = s.params();
        for (Param q : ps.trainable) if (WeightRules.constraint(ps.owners.get(q), q) != null) return true;
        return false;
    }

    /** Refuses, before any update, a constraint whose axes do not fit its weight and what jrnn cannot apply. */
    private static void check(Setup s) {
        Parameters ps = s.params();
        for (Param q : ps.all) {
            Layer l = ps.owners.get(q);
            Constraint c = WeightRules.constraint(l, q);
            if (c != null) c.check(s.name() + ": layer " + l.name() + "'s " + q.name() + " constraint", q.shape());
        }
        for (Call c : s.graph().calls) WeightRules.checkSupported(c.layer());
    }
}
