package dev.jrnn.io.keras;

import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The order of a Keras model's {@code trainable_variables}, which the optimizer's slots follow (Keras 3's
 * {@code optimizer.build(model.trainable_variables)}): Layer.weights walks a model's layers in order ({@code _layers}:
 * a Sequential's list, a functional model's operations as its config lists them) and a nested model's layers at its
 * place, depth first, each weight once at its first layer. jrnn flattens a nested model into its parent, whose layer
 * order may put the nested layers elsewhere, so a Keras file's state is mapped by the config's order instead.
 */
final class KerasVariableOrder {
    private KerasVariableOrder() {}

    /**
     * {@code trainable} (the model's trainable weights) reordered as {@code layers} (Keras' depth-first order) hold them;
     * {@code trainable} itself where the layers do not hold exactly those weights (then the model's order is Keras').
     */
    static List<Param> trainable(List<Layer> layers, List<Param> trainable) {
        Set<Param> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
        wanted.addAll(trainable);
        Set<Param> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Param> r = new ArrayList<>(trainable.size());
        for (Layer l : layers) {
            for (Param p : l.params()) if (wanted.contains(p) && taken.add(p)) r.add(p);
        }
        return r.size() == trainable.size() ? r : trainable;
    }

    /**
     * As {@link #trainable}, with the trainable weights of the trainable layers among {@code layers} that hold none of
     * {@code trainable} (a nested model's layer only its unused outputs need, which Keras' model still trains and builds
     * slots for) at their place, each added to {@code unused}; {@code trainable} itself where the layers do not hold it.
     */
    static List<Param> withUnused(List<Layer> layers, List<Param> trainable, Set<Param> unused) {
        Set<Param> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
        wanted.addAll(trainable);
        Set<Param> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Param> r = new ArrayList<>();
        Set<Param> extra = Collections.newSetFromMap(new IdentityHashMap<>());
        int found = 0;
        for (Layer l : layers) {
            boolean outside = l.trainable() && l.params().stream().noneMatch(wanted::contains);
            for (Param p : l.params()) {
                if (wanted.contains(p) ? taken.add(p) : outside && p.trainable() && taken.add(p)) {
                    r.add(p);
                    if (wanted.contains(p)) found++;
                    else extra.add(p);
                }
            }
        }
        if (found != trainable.size()) return trainable;
        unused.addAll(extra);
        return r;
    }

    /**
     * As {@link #withUnused} for a file jrnn writes nested ({@code layers}: {@link KerasNesting#leaves}): there the layers
     * must hold every trainable weight, else its slots would follow another order than its nested config and weights
     * (Keras would read moments onto the wrong variables where the shapes match); an IllegalStateException naming
     * {@code model} then.
     */
    static List<Param> written(String model, List<Layer> layers, List<Param> trainable) {
        Set<Param> held = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Layer l : layers) held.addAll(l.params());
        for (Param p : trainable) {
            if (!held.contains(p)) {
                throw new IllegalStateException(model + ": trainable weight '" + p.name() + "' is in none of the layers of its nested "
                        + "Keras order, so the optimizer's slots cannot be written in it");
            }
        }
        return withUnused(layers, trainable, Collections.newSetFromMap(new IdentityHashMap<>()));
    }
}
