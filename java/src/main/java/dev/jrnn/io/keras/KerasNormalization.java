package dev.jrnn.io.keras;

import dev.jrnn.layers.Normalization;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keras' preprocessing Normalization config, read into the layer and written back as Keras 3's {@code get_config}
 * writes it: {@code axis} as a tuple (a list; [] for None), {@code invert}, and the constant {@code mean} /
 * {@code variance} as {@code np.array(...).tolist()} writes them (a number, nested lists, or None when adapted).
 */
final class KerasNormalization {
    private KerasNormalization() {}

    static Normalization read(KerasConfig c, String where) {
        try {
            Normalization n = new Normalization().invert(c.bool("invert", false));
            if (c.raw("name") instanceof String name) n.name(name);   // the layer's own messages name it as the file does
            if (c.hasKey("axis")) {   // null is Keras' axis=None; absent, the default -1
                Object a = c.raw("axis");
                if (a == null) {
                    n.axisNone();
                } else {
                    List<?> l = a instanceof List<?> list ? list : List.of(a);
                    int[] axes = new int[l.size()];
                    for (int i = 0; i < axes.length; i++) axes[i] = KerasLayers.signed(l.get(i), "axis", where);
                    if (axes.length == 0) n.axisNone();
                    else n.axis(axes);
                }
            }
            Object mean = c.raw("mean"), variance = c.raw("variance");
            if ((mean == null) != (variance == null)) {
                throw new KerasFormatException(where + ": mean and variance must both be set or both be None, got mean="
                        + KerasConfig.describe(mean) + " and variance=" + KerasConfig.describe(variance));
            }
            if (mean instanceof Number != variance instanceof Number) {   // Keras: the same shape, a scalar is of shape ()
                throw new KerasFormatException(where + ": mean and variance must have the same shape (Keras' check), got mean="
                        + KerasConfig.describe(mean) + " and variance=" + KerasConfig.describe(variance));
            }
            if (mean instanceof Number m && variance instanceof Number v) {
                n.meanAndVariance(m.doubleValue(), v.doubleValue());
            } else if (mean != null) {
                n.meanAndVariance(array(mean, "mean", where), array(variance, "variance", where));
            }
            return n;
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    static void write(Normalization n, Map<String, Object> c) {
        List<Long> axes = new ArrayList<>();
        for (int a : n.axis()) axes.add((long) a);
        c.put("axis", axes);
        c.put("invert", n.invert());
        Tensor m = n.constantMean(), v = n.constantVariance();
        c.put("mean", m == null ? null : n.constantsAreScalars() ? (Object) (double) m.data()[0] : nested(m));
        c.put("variance", v == null ? null : n.constantsAreScalars() ? (Object) (double) v.data()[0] : nested(v));
    }

    /** A rectangular nested list of numbers as a tensor of its shape. */
    private static Tensor array(Object o, String key, String where) {
        List<Integer> shape = new ArrayList<>();
        Object at = o;
        while (at instanceof List<?> l) {
            shape.add(l.size());
            if (l.isEmpty()) break;
            at = l.get(0);
        }
        if (shape.isEmpty() || shape.contains(0)) {
            throw new KerasFormatException(where + ": option " + key + " should be a number or a non-empty (nested) list of numbers, got "
                    + KerasConfig.describe(o));
        }
        int[] s = shape.stream().mapToInt(Integer::intValue).toArray();
        float[] out = new float[(int) Tensor.size(s)];
        int[] k = {0};
        fill(o, 0, s, out, k, key, where);
        return Tensor.wrap(out, s);
    }

    private static void fill(Object o, int depth, int[] shape, float[] out, int[] k, String key, String where) {
        if (depth == shape.length) {
            if (!(o instanceof Number num)) {
                throw new KerasFormatException(where + ": option " + key + " holds " + KerasConfig.describe(o) + ", expected numbers");
            }
            out[k[0]++] = num.floatValue();
            return;
        }
        if (!(o instanceof List<?> l) || l.size() != shape[depth]) {
            throw new KerasFormatException(where + ": option " + key + " is not rectangular: expected " + shape[depth] + " entries at depth "
                    + depth + ", got " + KerasConfig.describe(o));
        }
        for (Object e : l) fill(e, depth + 1, shape, out, k, key, where);
    }

    /** A tensor as nested lists of doubles, as {@code np.array(...).tolist()}. */
    private static Object nested(Tensor t) {
        return nested(t.data(), t.shape(), 0, 0);
    }

    private static Object nested(float[] d, int[] shape, int depth, int off) {
        List<Object> l = new ArrayList<>(shape[depth]);
        int stride = 1;
        for (int i = depth + 1; i < shape.length; i++) stride *= shape[i];
        for (int i = 0; i < shape[depth]; i++) {
            l.add(depth == shape.length - 1 ? (Object) (double) d[off + i] : nested(d, shape, depth + 1, off + i * stride));
        }
        return l;
    }
}
