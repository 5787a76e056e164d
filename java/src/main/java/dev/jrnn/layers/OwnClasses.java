package dev.jrnn.layers;

import java.lang.reflect.Modifier;
import java.security.CodeSource;

/**
 * Which classes are the user's own, one rule for every place that asks (Models' clone, toJson and save refusals,
 * {@link WeightRules}' weight names): a class outside jrnn whose nearest jrnn superclass is abstract (Layer,
 * RecurrentLayer, Optimizer, ...), Keras' custom layer. A subclass of a concrete jrnn class ({@code class MyDense extends
 * Dense}) is that class: Keras' config describes it, and its weights go by that class's names. Public only for jrnn's
 * model package; not part of the user API.
 */
public final class OwnClasses {
    private OwnClasses() {}

    /** jrnn's root package ("dev.jrnn"), from this class's, so a shaded jar's relocation moves it too. */
    private static final String ROOT = OwnClasses.class.getPackageName().substring(0, OwnClasses.class.getPackageName().lastIndexOf('.'));

    /** The abstract jrnn class {@code c} extends where {@code c} is a class of the user's own; null where it is not. */
    public static Class<?> ownBase(Class<?> c) {
        Class<?> s = c;
        while (!jrnnClass(s)) s = s.getSuperclass();
        return s != c && Modifier.isAbstract(s.getModifiers()) ? s : null;
    }

    /**
     * The first layer of the user's own among {@code layer} and the layers it wraps, at any depth (TimeDistributed's
     * layer, Bidirectional's forward and backward); null where there is none.
     */
    public static Layer ownLayerIn(Layer layer) {
        if (ownBase(layer.getClass()) != null) return layer;
        for (Layer w : layer.wrapped()) {
            Layer own = ownLayerIn(w);
            if (own != null) return own;
        }
        return null;
    }

    /**
     * Whether {@code c} is one of jrnn's classes: in jrnn's packages, and, where both code sources are known, from the
     * one jrnn's classes come from, so a user's class in a package named as jrnn's is still theirs where it comes from
     * elsewhere (tests, an IDE's folders). The package alone decides within one jar (a fat or shaded jar holding jrnn and
     * the user's classes) and where no code source is known (a runtime image: there by class loader too).
     */
    private static boolean jrnnClass(Class<?> c) {
        if (c == Object.class) return true;
        String pkg = c.getPackageName(), root = ROOT;   // jrnn's root package, also where a shaded jar relocated it
        if (!pkg.equals(root) && !pkg.startsWith(root + ".")) return false;
        CodeSource own = Layer.class.getProtectionDomain().getCodeSource(), cs = c.getProtectionDomain().getCodeSource();
        if (own != null && cs != null) return own.getLocation().equals(cs.getLocation());
        return c.getClassLoader() == Layer.class.getClassLoader();
    }
}
