package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.layers.Param;

import java.util.List;

/**
 * An optimizer's gradient clipping as Keras 3's: {@code clipnorm} (each weight's gradient to an L2 norm), {@code
 * global_clipnorm} (all gradients together) or {@code clipvalue} (every element), 0 for off, at most one of them set.
 */
final class GradientClipping {
    float clipnorm;
    float globalClipnorm;
    float clipvalue;

    /**
     * {@code value} as option {@code what} ("clipnorm", "clipvalue" or "globalClipnorm") of optimizer class {@code who}
     * takes it: finite and >= 0 in float32, and 0 while another of the three is set.
     */
    float checked(String who, String what, double value) {
        float c = Optimizer.nonNegative(who + ": " + what, value, ">= 0 and finite (0 disables)");
        if (c > 0) {
            // Keras 3 (BaseOptimizer.__init__) rejects more than one of clipnorm, clipvalue, global_clipnorm.
            String[] names = {"clipnorm", "clipvalue", "globalClipnorm"};
            float[] values = {clipnorm, clipvalue, globalClipnorm};
            for (int i = 0; i < names.length; i++) {
                if (!names[i].equals(what) && values[i] > 0) {
                    throw new IllegalArgumentException(who + ": only one of clipnorm, clipvalue and "
                            + "globalClipnorm can be set (as in Keras); got " + what + "=" + c + " while " + names[i] + "="
                            + values[i] + " is set (set " + names[i] + "(0) first)");
                }
            }
        }
        return c;
    }

    /** Clips the gradients {@code g[0, n)} of {@code trainable} in place, on the device. */
    void apply(Backend be, List<Param> trainable, Buf g, long n) {
        // At most one is set (the setters see to it); Keras' _clip_gradients checks them in this order.
        if (clipnorm > 0) {
            for (Param p : trainable) be.clipNorm(p.size(), clipnorm, g, p.offset());
        } else if (globalClipnorm > 0) {
            be.clipNorm(n, globalClipnorm, g, 0);
        } else if (clipvalue > 0) {
            be.clip(n, -clipvalue, clipvalue, g, 0);
        }
    }
}
