package dev.jrnn.layers;

import dev.jrnn.initializers.Initializer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A layer's initializers per weight, as Keras' {@code kernel_initializer}, {@code recurrent_initializer},
 * {@code bias_initializer} and {@code embeddings_initializer}: Keras' defaults until set, drawn once at the build. As
 * in Keras, one set after the build would change nothing (the weights are drawn already): refused, naming the layer
 * and the option. A rank the initializer cannot fill (Orthogonal for a bias) is refused when set, or at the build
 * where the rank depends on other options (GRU's resetAfter bias).
 */
final class WeightInitializers {
    /** One weight's option (the setter's name), its rank (0: decided at the build) and its initializer. */
    private record Slot(String option, int rank, Initializer init) {}

    private final Layer owner;
    private final Map<String, Slot> slots = new LinkedHashMap<>();

    WeightInitializers(Layer owner) { this.owner = owner; }

    /** Declares weight {@code weight} with its setter {@code option}, rank and Keras' default. */
    WeightInitializers with(String weight, String option, int rank, Initializer dflt) {
        slots.put(weight, new Slot(option, rank, dflt));
        return this;
    }

    Initializer get(String weight) { return slot(weight).init(); }

    /** Sets {@code weight}'s initializer; refused after the build, null, or for a rank it cannot fill. */
    void set(String weight, Initializer init) {
        Slot s = slot(weight);
        if (owner.isBuilt()) {
            throw new IllegalStateException(owner.name() + ": cannot change " + s.option() + " after the layer is built (its weights"
                    + " were drawn at the build, as in Keras); set it before, or give the weights with setWeights");
        }
        if (init == null) throw new IllegalArgumentException(owner.name() + ": " + s.option() + " must be an Initializer or a Keras name, got null");
        if (s.rank() > 0) {
            try {
                init.checkRank(s.rank());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(owner.name() + ": " + s.option() + " " + init.kerasClass() + " cannot fill its "
                        + weight + ": " + e.getMessage(), e);
            }
        }
        slots.put(weight, new Slot(s.option(), s.rank(), init));
    }

    /** Keras' initializer of {@code name} for {@code weight}; an unknown name is refused naming the layer and the option. */
    Initializer named(String weight, String name) {
        try {
            return Initializer.of(name);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage().substring(e.getMessage().indexOf(" must be "));
            throw new IllegalArgumentException(owner.name() + ": " + slot(weight).option() + why, e);
        }
    }

    /** The initial values of {@code weight} of {@code shape}; what the initializer refuses names the layer and the option. */
    float[] draw(String weight, int[] shape, SplittableRandom rng) {
        Slot s = slot(weight);
        try {
            return s.init().values(shape, rng);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(owner.name() + ": " + s.option() + " " + s.init().kerasClass() + " cannot fill its "
                    + weight + " of shape " + dev.jrnn.tensor.Tensor.shapeString(shape) + ": " + e.getMessage(), e);
        }
    }

    /** Copies the initializers into {@code other} (a layer of the same class: its backward copy). */
    void copyTo(WeightInitializers other) {
        slots.forEach((w, s) -> other.slots.put(w, s));
    }

    private Slot slot(String weight) {
        Slot s = slots.get(weight);
        if (s == null) throw new IllegalStateException(owner.kerasClass() + " has no weight " + weight + " with an initializer");
        return s;
    }
}
