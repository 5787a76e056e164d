package dev.jrnn.layers;

import dev.jrnn.regularizers.Constraint;
import dev.jrnn.regularizers.Regularizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

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
    /** Counts every change to any layer's rules: training rebuilds its penalty plan (and re-captures its step) when it moves. */
    private static final AtomicLong VERSION = new AtomicLong();

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

    /** The count of rule changes so far, over every layer: a plan built at one version is stale at another. */
    public static long version() { return VERSION.get(); }

    void regularizer(String weight, Regularizer r) {
        if (r == null) regularizers.remove(weight);
        else regularizers.put(weight, r);
        VERSION.incrementAndGet();
    }

    void constraint(String weight, Constraint c) {
        if (c == null) constraints.remove(weight);
        else constraints.put(weight, c);
        VERSION.incrementAndGet();
    }

    /**
     * Keras' {@code activity_regularizer}: a penalty on the layer's outputs (each divided by its batch size) added to the
     * loss; null removes it. The layers that have builders for it (Dense, Embedding, the recurrent layers, the wrappers)
     * call this; on any other layer: {@code dropout.weightRules().activity(Regularizers.l1(1e-5))}.
     */
    public void activity(Regularizer r) {
        this.activity = r;
        VERSION.incrementAndGet();
    }

    /** Sets {@code to}'s rules to these (Bidirectional's backward copy of its layer). */
    void copyTo(WeightRules to) {
        to.regularizers.clear();
        to.regularizers.putAll(regularizers);
        to.constraints.clear();
        to.constraints.putAll(constraints);
        to.activity = activity;
        VERSION.incrementAndGet();
    }

    /** The weight names the layers' builders set rules for. */
    private static final List<String> WEIGHTS = List.of("kernel", "recurrent_kernel", "bias", "embeddings", "alpha");

    /**
     * Sets the regularizer of {@code layer}'s weight {@code weight} ("kernel", "recurrent_kernel", "bias", "embeddings" or PReLU's "alpha")
     * as that layer's builder does (null removes it): one path for every layer, as the Keras importer reads them.
     * {@code WeightRules.setRegularizer(dense, "kernel", Regularizers.l2(1e-4))} is {@code dense.kernelRegularizer(...)}.
     * A layer of your own (a class outside jrnn's layers) takes any of its weights by the name its
     * {@link Layer#addParam} gave, as Keras' {@code add_weight(regularizer=...)}: {@code setRegularizer(scale, "w", ...)};
     * a name it has no weight of is refused at compile or fit, once the layer is built.
     */
    public static void setRegularizer(Layer layer, String weight, Regularizer r) { open(layer, weight).regularizer(weight, r); }

    /** Sets the constraint of {@code layer}'s weight {@code weight} as {@link #setRegularizer} sets a regularizer. */
    public static void setConstraint(Layer layer, String weight, Constraint c) { open(layer, weight).constraint(weight, c); }

    /** {@code layer}'s rules for a weight name its builders take, refused where its builders refuse (a wrapped recurrent layer). */
    private static WeightRules open(Layer layer, String weight) {
        if (layer == null) throw new IllegalArgumentException("WeightRules: layer must be a layer, got null");
        if (weight == null || weight.isBlank()) {
            throw new IllegalArgumentException(layer.name() + ": weight must be a weight's name ("
                    + (ownLayer(layer) ? "one its addParam gave" : String.join(", ", WEIGHTS)) + "), got "
                    + (weight == null ? "null" : "'" + weight + "'"));
        }
        if (!WEIGHTS.contains(weight) && !ownLayer(layer)) {
            throw new IllegalArgumentException(layer.name() + ": weight must be one of " + String.join(", ", WEIGHTS) + ", got "
                    + "'" + weight + "'");
        }
        if (layer instanceof RecurrentLayer r && Bidirectional.wraps(r)) {
            throw new IllegalStateException(layer.name() + ": cannot set the " + weight + " rules of a layer a Bidirectional wraps"
                    + " (its backward copy was made from it); set them before wrapping");
        }
        return layer.weightRules();
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

    /**
     * Refuses, before anything runs, what does not fit {@code layer} or a layer it wraps: a constraint whose axes its weight
     * lacks, and an activity regularizer on a layer inside a Bidirectional (Keras applies it to that layer's own outputs;
     * set one on the Bidirectional instead), also where the Bidirectional sits in a TimeDistributed (whose
     * {@code layer.call} reaches the Bidirectional's inner layers through their {@code __call__}). Inside a TimeDistributed
     * alone Keras 3 calls the layer's {@code call}, which skips its activity regularizer, and so does jrnn.
     * {@code model} names the model in messages.
     */
    public static void check(String model, Layer layer) {
        if (ownLayer(layer) && layer.isBuilt()) {   // a weightless layer of the user's has no name to give
            List<String> names = layer.params.stream().map(Param::name).toList();
            for (String w : layer.weightRules().regularizers.keySet()) requireWeight(model, layer, "regularizer", w, names);
            for (String w : layer.weightRules().constraints.keySet()) requireWeight(model, layer, "constraint", w, names);
        }
        for (Param q : layer.params) {
            Constraint c = layer.weightRules().constraints.get(q.name());
            if (c != null) c.check(model + ": layer " + layer.name() + "'s " + q.name() + " constraint", q.shape());
        }
        for (Layer w : layer.wrapped()) {
            if (layer instanceof Bidirectional && w.weightRules().activity != null) {
                throw new IllegalArgumentException(layer.name() + ": activityRegularizer of the wrapped layer " + w.name()
                        + " is not supported, expected none (set it on the Bidirectional), got " + w.weightRules().activity);
            }
            check(model, w);
        }
    }

    /**
     * Whether {@code layer} is a class of the user's own, whose rules go by its own weights' names ({@link OwnClasses}: a
     * subclass of a concrete layer, as {@code MyDense extends Dense}, takes that layer's names).
     */
    private static boolean ownLayer(Layer layer) { return OwnClasses.ownBase(layer.getClass()) != null; }

    /** Refuses a rule set on a weight name the built layer of the user's own does not have. */
    private static void requireWeight(String model, Layer layer, String what, String weight, List<String> names) {
        if (!names.contains(weight)) {
            throw new IllegalArgumentException(model + ": layer " + layer.name() + " has a " + what + " on weight '" + weight
                    + "', " + (names.isEmpty() ? "but it has no weights" : "expected one of its weights " + String.join(", ", names)));
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
