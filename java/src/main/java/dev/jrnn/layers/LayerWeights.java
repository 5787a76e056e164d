package dev.jrnn.layers;

import dev.jrnn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A layer's weights as its user sees them: the checks of {@link Layer#setWeights} (count, shapes, finite values, each
 * weight named), jrnn's name of a weight within its layer ({@link Layer#weightName}), and the size limits a build
 * checks before it allocates.
 */
final class LayerWeights {
    private LayerWeights() {}

    /** Refuses parameters that no buffer can hold, before anything is allocated, naming layer and parameter. */
    static void checkFit(Layer l, List<Param> params) {
        long total = 0;
        for (Param p : params) {
            long n = p.size();
            if (n > Tensor.MAX_SIZE) {
                throw new IllegalArgumentException(l.name() + ": parameter " + p.name() + " of shape " + Tensor.shapeString(p.shape())
                        + " holds " + n + " values, more than the " + Tensor.MAX_SIZE + " one weight can hold; use fewer units");
            }
            total += n;
        }
        if (total > Tensor.MAX_SIZE) {
            throw new IllegalArgumentException(l.name() + ": its parameters hold " + total + " values together, more than the "
                    + Tensor.MAX_SIZE + " one layer can hold; use fewer units");
        }
    }

    /** What {@link Layer#setWeights} checks before it sets any: {@code weights} fit {@code ps} (the layer's params()). */
    static void checkSettable(Layer l, List<Param> ps, List<Tensor> weights) {
        if (weights == null) throw new IllegalArgumentException(l.name() + ": setWeights got null");
        if (weights.size() != ps.size() && !l.isBuilt()) {   // an unbuilt layer has no weights yet: say so, not "expected 0"
            throw new IllegalArgumentException(l.name() + ": setWeights got " + weights.size() + " weight arrays, but the layer is not"
                    + " built yet: it has no weights until it is built (called on an input, or in a model with an input shape),"
                    + " and some layers (Dropout, Flatten) have none then either");
        }
        if (weights.size() != ps.size()) {
            throw new IllegalArgumentException(l.name() + ": expected " + ps.size() + " weight arrays "
                    + describe(l, ps) + ", got " + weights.size());
        }
        for (int i = 0; i < ps.size(); i++) {
            Tensor w = weights.get(i);
            if (w == null) throw new IllegalArgumentException(l.name() + ": weight " + i + " (" + nameOf(l, ps.get(i)) + ") is null");
            if (!Arrays.equals(w.shape(), ps.get(i).shape())) {
                throw new IllegalArgumentException(l.name() + ": weight " + i + " (" + nameOf(l, ps.get(i)) + ") expected shape "
                        + Tensor.shapeString(ps.get(i).shape()) + ", got " + Tensor.shapeString(w.shape()));
            }
            if (!w.isFinite()) {
                throw new IllegalArgumentException(l.name() + ": weight " + i + " (" + nameOf(l, ps.get(i)) + ") holds NaN or Inf");
            }
        }
    }

    private static String describe(Layer l, List<Param> ps) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < ps.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(nameOf(l, ps.get(i))).append(Tensor.shapeString(ps.get(i).shape()));
        }
        return b.append(']').toString();
    }

    /** {@link Layer#weightName}: {@code p}'s name within {@code l}, whose own weights are {@code own}; p must be one. */
    static String weightName(Layer l, List<Param> own, Param p) {
        if (p == null) throw new IllegalArgumentException(l.name() + ".weightName: p is null, expected one of this layer's weights " + weightNames(l, own));
        if (own.stream().noneMatch(q -> q == p)) {
            throw new IllegalArgumentException(l.name() + ".weightName: " + p.name() + " " + Tensor.shapeString(p.shape())
                    + " is not a weight of this layer, expected one of " + weightNames(l, own));
        }
        return nameOf(l, p);
    }

    /** The layer's weight names, for messages (none: whether it is not built yet or has no weights). */
    private static String weightNames(Layer l, List<Param> own) {
        if (own.isEmpty()) return l.isBuilt() ? "[] (it has no weights)" : "[] (it is not built yet)";
        return own.stream().map(p -> nameOf(l, p)).toList().toString();
    }

    /** The layer's variable scope of {@code p} less the layer's own name, then the param's name. */
    private static String nameOf(Layer l, Param p) {
        String scope = l.variableScope(p), own = l.name() + "/";
        return (scope.startsWith(own) ? scope.substring(own.length()) : scope) + p.name();
    }
}
