package dev.jrnn.io.keras;

import dev.jrnn.layers.Cropping1D;
import dev.jrnn.layers.Dot;
import dev.jrnn.layers.GaussianDropout;
import dev.jrnn.layers.GaussianNoise;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Maximum;
import dev.jrnn.layers.Minimum;
import dev.jrnn.layers.Permute;
import dev.jrnn.layers.Reshape;
import dev.jrnn.layers.SpatialDropout1D;
import dev.jrnn.layers.Subtract;
import dev.jrnn.layers.UpSampling1D;
import dev.jrnn.layers.ZeroPadding1D;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Keras configs of jrnn's weightless reshaping layers (Reshape, Permute, ZeroPadding1D, Cropping1D, UpSampling1D)
 * merge layers (Subtract, Maximum, Minimum, Dot) and noise layers (SpatialDropout1D, GaussianNoise, GaussianDropout;
 * KerasLayers reads and writes their seed, as Dropout's; SpatialDropout1D is a Dropout, whose config KerasLayers writes), read and written apart from
 * {@link KerasLayers}' switch, which hands these classes here.
 */
final class KerasWeightlessLayers {
    /** The Keras classes built here. */
    static final List<String> CLASSES = List.of("Reshape", "Permute", "ZeroPadding1D", "Cropping1D", "UpSampling1D", "Subtract",
            "Maximum", "Minimum", "Dot", "SpatialDropout1D", "GaussianNoise", "GaussianDropout");

    private KerasWeightlessLayers() {}

    /** The layer of Keras class {@code cls} (one of {@link #CLASSES}); what its constructor refuses names the layer. */
    static Layer build(String cls, KerasConfig c, String where) {
        try {
            return switch (cls) {
                case "Reshape" -> new Reshape(ints(c, "target_shape", where));
                case "Permute" -> new Permute(ints(c, "dims", where));
                case "ZeroPadding1D" -> {
                    KerasLayers.channelsLast(c, where);
                    int[] p = pair(c, "padding", where);
                    yield new ZeroPadding1D(p[0], p[1]);
                }
                case "Cropping1D" -> {
                    int[] p = pair(c, "cropping", where);
                    yield new Cropping1D(p[0], p[1]);
                }
                case "UpSampling1D" -> new UpSampling1D(c.has("size") ? c.integer("size") : 2);
                case "Subtract" -> new Subtract();
                case "SpatialDropout1D" -> new SpatialDropout1D(c.number("rate", 0.0));
                case "GaussianNoise" -> new GaussianNoise(c.number("stddev", 0.0));
                case "GaussianDropout" -> new GaussianDropout(c.number("rate", 0.0));
                case "Maximum" -> new Maximum();
                case "Minimum" -> new Minimum();
                case "Dot" -> new Dot(c.raw("axes") instanceof List<?> ? ints(c, "axes", where) : new int[] {signed(c, "axes", where)})
                        .normalize(c.bool("normalize", false));
                default -> throw new IllegalStateException("not a class of " + CLASSES + ": " + cls);
            };
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /** Whether {@link #write} knows {@code l}'s class. */
    static boolean writes(Layer l) {
        return l instanceof Reshape || l instanceof Permute || l instanceof ZeroPadding1D || l instanceof Cropping1D
                || l instanceof UpSampling1D || l instanceof Subtract || l instanceof Maximum
                || l instanceof Minimum || l instanceof Dot || l instanceof GaussianNoise
                || l instanceof GaussianDropout;
    }

    /** Puts {@code l}'s options into its Keras 3 config {@code c}, as Keras' get_config names them. */
    static void write(Layer l, Map<String, Object> c) {
        switch (l) {
            case Reshape r -> c.put("target_shape", list(r.targetShape()));
            case Permute p -> c.put("dims", list(p.dims()));
            case ZeroPadding1D z -> {
                c.put("padding", list(z.padding()));
                c.put("data_format", "channels_last");
            }
            case Cropping1D z -> c.put("cropping", list(z.cropping()));
            case UpSampling1D u -> c.put("size", (long) u.size());
            case Subtract m -> { }
            case GaussianNoise n -> c.put("stddev", n.stddev());
            case GaussianDropout d -> c.put("rate", d.rate());
            case Maximum m -> { }
            case Minimum m -> { }
            case Dot d -> {
                int[] axes = d.axes();
                c.put("axes", axes.length == 1 ? (Object) (long) axes[0] : list(axes));
                c.put("normalize", d.normalize());
            }
            default -> throw new IllegalStateException("not a layer of " + CLASSES + ": " + l.kerasClass());
        }
    }

    /** A list of integers (negative ones allowed: Reshape's -1), as Keras writes a tuple. */
    private static int[] ints(KerasConfig c, String key, String where) {
        List<?> l = c.list(key);
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) {
            if (!(l.get(i) instanceof Long v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new KerasFormatException(where + ": '" + key + "' should be a list of integers, got " + l);
            }
            r[i] = (int) (long) v;
        }
        return r;
    }

    /** Keras' int-or-pair option (standardize_tuple): n for both ends, or (left, right); absent: 1 at each end. */
    private static int[] pair(KerasConfig c, String key, String where) {
        if (!c.has(key)) return new int[] {1, 1};
        if (!(c.raw(key) instanceof List<?>)) {
            int v = signed(c, key, where);
            return new int[] {v, v};
        }
        int[] p = ints(c, key, where);
        if (p.length != 2) throw new KerasFormatException(where + ": '" + key + "' should be an integer or a list of two, got " + c.raw(key));
        return p;
    }

    private static int signed(KerasConfig c, String key, String where) {
        if (!(c.raw(key) instanceof Long v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new KerasFormatException(where + ": '" + key + "' should be an integer or a list of two, got "
                    + KerasConfig.describe(c.raw(key)));
        }
        return (int) (long) v;
    }

    private static List<Long> list(int[] v) {
        List<Long> r = new ArrayList<>();
        for (int x : v) r.add((long) x);
        return r;
    }
}
