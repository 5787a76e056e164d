package dev.jrnn.io.keras;

import dev.jrnn.layers.ELU;
import dev.jrnn.layers.Identity;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.LeakyReLU;
import dev.jrnn.layers.PReLU;
import dev.jrnn.layers.ReLU;
import dev.jrnn.layers.Softmax;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Keras configs of the activation layers (ReLU, LeakyReLU, ELU, PReLU, Softmax, Identity), read as Keras 3 and
 * tf.keras 2 write them (LeakyReLU's slope is Keras 3's {@code negative_slope}, tf.keras' {@code alpha}; ELU's
 * {@code alpha}, which Keras 3's get_config holds among its constructor's arguments, 1 where missing, Keras' default) and
 * written as Keras 3's get_config. Keras 2's ThresholdedReLU reads as the ReLU it equals. PReLU's initializer, regularizer and constraint are read by
 * {@link KerasInitializers} and {@link KerasPenalties}.
 */
final class KerasActivationLayers {
    /** The Keras classes built here. */
    static final List<String> CLASSES = List.of("ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax", "Identity", "ThresholdedReLU");

    private KerasActivationLayers() {}

    /** The layer of Keras class {@code cls} (one of {@link #CLASSES}); what its setters refuse names the layer. */
    static Layer build(String cls, KerasConfig c, String where) {
        try {
            return switch (cls) {
                case "ReLU" -> new ReLU().maxValue(c.has("max_value") ? c.number("max_value", 0) : null)
                        .negativeSlope(c.number("negative_slope", 0)).threshold(c.number("threshold", 0));
                case "LeakyReLU" -> new LeakyReLU(c.has("negative_slope") ? c.number("negative_slope", 0.3) : c.number("alpha", 0.3));
                case "ELU" -> new ELU(c.number("alpha", 1.0));
                case "PReLU" -> new PReLU().sharedAxes(sharedAxes(c, where));
                case "Softmax" -> softmax(c, where);
                case "Identity" -> new Identity();
                case "ThresholdedReLU" -> thresholded(c, where);
                default -> throw new IllegalStateException("not a class of " + CLASSES + ": " + cls);
            };
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(where + ": " + e.getMessage());
        }
    }

    /**
     * Keras 2's ThresholdedReLU ({@code x > theta ? x : 0}, theta default 1, refused when negative), which Keras 3 dropped: it
     * is Keras 3's ReLU with that threshold, and saves as one.
     */
    private static ReLU thresholded(KerasConfig c, String where) {
        double theta = c.number("theta", 1.0);
        if (!(theta >= 0) || Double.isInfinite(theta)) {
            throw new KerasFormatException(where + ": theta of a ThresholdedReLU layer must be a finite number >= 0, got " + theta);
        }
        return new ReLU().threshold(theta);
    }

    /** Keras' shared_axes: null, an integer or a list of them. */
    private static int[] sharedAxes(KerasConfig c, String where) {
        Object v = c.raw("shared_axes");
        if (v == null) return new int[0];
        List<?> l = v instanceof List<?> x ? x : List.of(v);
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) r[i] = KerasLayers.signed(l.get(i), "shared_axes", where);
        return r;
    }

    /** Keras' axis: an integer (default -1) or a list of them. */
    private static Softmax softmax(KerasConfig c, String where) {
        Object v = c.raw("axis");
        if (v == null) return new Softmax();
        if (!(v instanceof List<?> l)) return new Softmax(KerasLayers.signed(v, "axis", where));
        int[] axes = new int[l.size()];
        for (int i = 0; i < axes.length; i++) axes[i] = KerasLayers.signed(l.get(i), "axis", where);
        return new Softmax(axes);
    }

    /** Whether {@link #write} knows {@code l}'s class. */
    static boolean writes(Layer l) {
        return l instanceof ReLU || l instanceof LeakyReLU || l instanceof ELU || l instanceof PReLU || l instanceof Softmax
                || l instanceof Identity;
    }

    /** Puts {@code l}'s options into its Keras 3 config {@code c}, as Keras' get_config names them. */
    static void write(Layer l, Map<String, Object> c) {
        switch (l) {
            case ReLU r -> {
                c.put("max_value", r.maxValue());
                c.put("negative_slope", r.negativeSlope());
                c.put("threshold", r.threshold());
            }
            case LeakyReLU r -> c.put("negative_slope", r.negativeSlope());
            case ELU e -> c.put("alpha", e.alpha());
            case PReLU p -> c.put("shared_axes", p.sharedAxes().length == 0 ? null : list(p.sharedAxes()));
            case Softmax s -> c.put("axis", s.axisList() ? list(s.axes()) : (Object) (long) s.axes()[0]);
            case Identity i -> { }
            default -> throw new IllegalStateException("not a layer of " + CLASSES + ": " + l.kerasClass());
        }
    }

    private static List<Long> list(int[] v) {
        List<Long> r = new ArrayList<>();
        for (int x : v) r.add((long) x);
        return r;
    }
}
