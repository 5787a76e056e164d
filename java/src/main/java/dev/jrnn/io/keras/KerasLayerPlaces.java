package dev.jrnn.io.keras;

import dev.jrnn.layers.Layer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each layer {@link KerasGraph} builds from a model config lies: its jrnn name, its name in the file and its
 * Keras 3 weight group ({@link #order}, {@link #byName}), the model it lies in ({@link Scope}). A name met in two or more
 * models (nesting levels, sibling nested models) is a layer per place, each copy renamed apart from every name the file
 * holds ({@link #recordAt}).
 */
final class KerasLayerPlaces {
    /**
     * (config name, class name, Keras 3 group below {@code layers/}) of every layer in model order, for Keras 3 weight
     * lookup; a nested model's layers lie below its group ({@code sequential/layers/dense}).
     */
    final List<String[]> order = new ArrayList<>();
    /** Config name to the jrnn layer built for it (a nested model's layers too: they are spliced into the model). */
    final Map<String, Layer> byName = new LinkedHashMap<>();
    /** Each recorded layer by its jrnn name: where it lies, for a layer of that name at another nesting level. */
    private final Map<String, Place> owner = new HashMap<>();
    /** Every name the file's config holds: a copy's jrnn name is none of them. */
    private final java.util.Set<String> fileNames = new java.util.HashSet<>();
    /**
     * Per config name met in two or more models (two nesting levels, or sibling nested models at one depth): its places,
     * each its own layer (see {@link #recordAt}).
     */
    private final Map<String, List<Place>> levels = new LinkedHashMap<>();

    /** A recorded layer: its scope, its file name, its {@link #order} entry (whose first element is its jrnn name). */
    private record Place(Scope scope, String fileName, Layer layer, String[] entry) {
        String describe() { return scope.chain == null ? "the top model" : "nested model '" + scope.chain + "'"; }

        int depth() { return scope.chain == null ? 0 : scope.chain.split(" > ", -1).length; }
    }

    /**
     * Where a model's layers go: the Keras 3 group path of its {@code layers} list ("" at the top,
     * {@code sequential/layers/} in a nested Sequential), numbered per model as Keras' saving does.
     */
    static final class Scope {
        final String path;
        final String model;
        /** The top model's nested model this scope lies in (its legacy HDF5 group), null at the top. */
        final String topNested;
        /** The nested models down to this scope's ("A > B"), null at the top. */
        final String chain;
        private final Map<String, Integer> used = new HashMap<>();

        Scope(String path, String model, String topNested, String chain) {
            this.path = path;
            this.model = model;
            this.topNested = topNested;
            this.chain = chain;
        }

        String group(String cls) {
            return path + Keras3Weights.group(used, cls);
        }

        /** The scope of a nested model {@code name} of class {@code cls} among this model's layers. */
        Scope inner(String cls, String name) {
            return new Scope(group(cls) + "/layers/", name, topNested != null ? topNested : name, chain != null ? chain + " > " + name : name);
        }
    }

    /** Takes every name {@code modelConfig} (the file's model config) holds: a copy's jrnn name is none of them. */
    void fileConfig(Object modelConfig) {
        names(modelConfig, fileNames);
    }

    /** Records a built layer; a name used twice in one model is refused (see {@link #recordAt}). */
    void record(String name, String cls, Layer l, Scope scope, String where) {
        recordAt(name, cls, l, scope, scope.group(cls), where);
    }

    /**
     * As {@link #record}, the layer's Keras 3 group at {@code group} (a path below {@code layers/}). A name that a layer
     * of another model has (another nesting level or a sibling nested model at the same depth: a layer or nested model
     * shared between the top model and a nested model when saved, or two layers so named) is two layers, as Keras'
     * load_model builds them: each place from its own config entry, with its own group's weights, trained apart
     * afterwards. jrnn's model is flat, so the first recorded at the smallest depth keeps the file's name (a top-level
     * layer its group's) and every other copy takes {@code name_k}, the first k that no entry of the file and no earlier
     * copy uses ({@code shared_d_1}).
     */
    void recordAt(String name, String cls, Layer l, Scope scope, String group, String where) {
        Place other = owner.get(name);
        String key = name;
        String[] entry = {name, cls, group};
        if (other != null) {
            if (other.scope() == scope) throw new KerasFormatException(where + ": layer name '" + name + "' is used twice");
            String fresh = fresh(name);
            Place mine = new Place(scope, name, l, entry);
            List<Place> places = levels.computeIfAbsent(name, k -> new ArrayList<>());
            if (places.isEmpty()) places.add(other);
            places.add(mine);
            if (other.depth() > mine.depth()) {
                rename(other, fresh);
            } else {
                key = fresh;
                l.name(fresh);
                entry[0] = fresh;
            }
        }
        owner.put(key, new Place(scope, name, l, entry));
        byName.put(key, l);
        order.add(entry);
    }

    /** Gives the recorded {@code p} the jrnn name {@code fresh}, in its place in {@link #byName} and {@link #order}. */
    private void rename(Place p, String fresh) {
        String old = p.entry()[0];
        p.layer().name(fresh);
        p.entry()[0] = fresh;
        List<Map.Entry<String, Layer>> all = new ArrayList<>(byName.entrySet());
        byName.clear();
        for (var e : all) byName.put(e.getKey().equals(old) ? fresh : e.getKey(), e.getValue());
        owner.remove(old);
        owner.put(fresh, p);
    }

    /** {@code name_k}, the first k from 1 that no entry of the file and no recorded layer is named. */
    private String fresh(String name) {
        for (int k = 1; ; k++) {
            String n = name + "_" + k;
            if (!fileNames.contains(n) && !owner.containsKey(n)) return n;
        }
    }

    /** Every string under a "name" key in {@code o}, any depth down. */
    private static void names(Object o, java.util.Set<String> out) {
        if (o instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                if ("name".equals(e.getKey()) && e.getValue() instanceof String s) out.add(s);
                names(e.getValue(), out);
            }
        } else if (o instanceof List<?> l) {
            for (Object x : l) names(x, out);
        }
    }

    /** Each recorded layer's name in the file's config (a renamed copy's is not its jrnn name), by layer. */
    Map<Layer, String> fileNames() {
        Map<Layer, String> r = new java.util.IdentityHashMap<>();
        for (Place p : owner.values()) r.put(p.layer(), p.fileName());
        return r;
    }

    /**
     * Why layer {@code jrnnName} can have no weights in a Keras 3 file: its file name is a layer's at other nesting
     * levels too (a layer shared between them when saved, whose weights Keras 3 saves once); null when it is not.
     */
    String sharedNote(String jrnnName) {
        Place p = owner.get(jrnnName);
        List<Place> places = p == null ? null : levels.get(p.fileName());
        if (places == null) return null;
        List<String> others = new ArrayList<>();
        for (Place o : places) if (o.layer() != p.layer()) others.add(o.describe());
        return "layer '" + p.fileName() + "' of " + p.describe() + " has no weights in the file, and a layer of that name is in "
                + String.join(" and in ", others) + ": a layer (or nested model) shared between the top model and a nested model, whose "
                + "weights Keras 3 saves once, at its first place. Keras 3.15.1's load_model refuses this file too (\"Layer '"
                + p.fileName() + "' expected " + p.layer().params().size() + " variables, but received 0\"); save the model as .h5"
                + " in Keras: Keras and jrnn load that with each place its own copy of the layer (equal weights, trained apart"
                + " afterwards)";
    }
}
