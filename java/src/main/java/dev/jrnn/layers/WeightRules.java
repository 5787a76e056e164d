package dev.jrnn.layers;

import dev.jrnn.regularizers.Constraint;
import dev.jrnn.regularizers.Regularizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The regularizers and constraints set on one layer (Keras' {@code kernel_regularizer}, {@code recurrent_constraint},
 * {@code activity_regularizer}, ...), by the name of the weight they act on ("kernel", "recurrent_kernel", "bias",
 * "embeddings"). The layers' builders fill it; training reads it through {@link #regularizer(Layer, Param)} and
 * {@link #constraint(Layer, Param)}, which look into the layer a wrapper holds a weight of.
 *
 * <pre>{@code
 * Regularizer r = WeightRules.regularizer(bidirectional, p);   // the wrapped LSTM's kernel_regularizer for its kernel p
 * }</pre>
 */
public final class WeightRules {
    private final Map<String, Regularizer> regularizers = new LinkedHashMap<>();
    private final Map<String, Constraint> constraints = new LinkedHashMap<>();
    private Regularizer activity;

    WeightRules() {}

    /** The regularizers by weight name, in the order they were set. */
    public Map<String, Regularizer> regularizers() { return Collections.unmodifiableMap(regularizers); }

    /** The constraints by weight name, in the order they were set. */
    public Map<String, Constraint> constraints() { return Collections.unmodifiableMap(constraints); }

    /** The activity regularizer (null: none). */
    public Regularizer activity() { return activity; }

    void regularizer(String weight, Regularizer r) {
        if (r == null) regularizers.remove(weight);
        else regularizers.put(weight, r);
    }

    void constraint(String weight, Constraint c) {
        if (c == null) constraints.remove(weight);
        else constraints.put(weight, c);
    }

    /**
     * Keras' {@code activity_regularizer}: a penalty on the layer's outputs (each divided by its batch size) added to the
     * loss; null removes it. The layers that have builders for it (Dense, Embedding, the recurrent layers, the wrappers)
     * call this; on any other layer: {@code dropout.weightRules().activity(Regularizers.l1(1e-5))}.
     */
    public void activity(Regularizer r) { this.activity = r; }

    /** Whether anything is set. */
    public boolean isEmpty() { return regularizers.isEmpty() && constraints.isEmpty() && activity == null; }

    /** Sets {@code to}'s rules to these (Bidirectional's backward copy of its layer). */
    void copyTo(WeightRules to) {
        to.regularizers.clear();
        to.regularizers.putAll(regularizers);
        to.constraints.clear();
        to.constraints.putAll(constraints);
        to.activity = activity;
    }

    /** The regularizer of {@code p}, one of {@code layer}'s params, set on the (wrapped) layer that holds it; null when none. */
    public static Regularizer regularizer(Layer layer, Param p) {
        Layer h = holder(layer, p);
        return h == null ? null : h.weightRules().regularizers.get(p.name());
    }

    /** The constraint of {@code p}, one of {@code layer}'s params, set on the (wrapped) layer that holds it; null when none. */
    public static Constraint constraint(Layer layer, Param p) {
        Layer h = holder(layer, p);
        return h == null ? null : h.weightRules().constraints.get(p.name());
    }

    /** Whether {@code layer} or a layer it wraps has any constraint (a fit with one runs eagerly on CUDA). */
    public static boolean hasConstraints(Layer layer) {
        if (!layer.weightRules().constraints.isEmpty()) return true;
        for (Layer w : layer.wrapped()) if (hasConstraints(w)) return true;
        return false;
    }

    /**
     * Refuses what jrnn does not apply: an activity regularizer on a layer inside a Bidirectional (Keras applies it to
     * that layer's own outputs; set one on the Bidirectional instead). Inside a TimeDistributed Keras 3 calls the layer's
     * {@code call}, which skips its activity regularizer, and so does jrnn.
     */
    public static void checkSupported(Layer layer) {
        if (!(layer instanceof Bidirectional)) return;
        for (Layer w : layer.wrapped()) {
            if (w.weightRules().activity != null) {
                throw new IllegalArgumentException(layer.name() + ": activityRegularizer of the wrapped layer " + w.name()
                        + " is not supported, expected none (set it on the Bidirectional), got " + w.weightRules().activity);
            }
        }
    }

    /** The layer among {@code layer} and the layers it wraps whose own param {@code p} is; null when none. */
    private static Layer holder(Layer layer, Param p) {
        for (Layer w : layer.wrapped()) {
            Layer h = holder(w, p);
            if (h != null) return h;
        }
        for (Param q : layer.params) if (q == p) return layer;
        return null;
    }
}
