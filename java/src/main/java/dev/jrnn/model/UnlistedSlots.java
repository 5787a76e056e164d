package dev.jrnn.model;

import dev.jrnn.io.keras.KerasOptimizerState;
import dev.jrnn.layers.Param;
import dev.jrnn.optim.Optimizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Optimizer state for a model whose trainable block holds unlisted weights (layers only a nested call's unused branch
 * runs, {@link Parameters#unlisted}), read from a file that holds slots for the listed weights alone: a flat {@code
 * .keras} (the same layers without the nested model, as jrnn before session 34 wrote every nested model), or a jrnn file
 * saved before they trained (before session 35; its trainable_size counts the listed weights). Their slots then start
 * as a fresh build's, as those weights had never trained.
 */
final class UnlistedSlots {
    private UnlistedSlots() {}

    /**
     * {@code saved}'s state over all of {@code ps}'s trainable weights in Keras' order or, where that does not fit and the
     * model has unlisted trainable weights, over its listed ones with the others' slots fresh; an
     * IllegalArgumentException (the first read's) where neither fits.
     */
    static KerasOptimizerState.Restored read(Optimizer opt, Parameters ps, KerasOptimizerState.Saved saved) {
        try {
            return KerasOptimizerState.read(opt, ps.trainable, saved);
        } catch (IllegalArgumentException e) {
            if (ps.listedTrainable.size() == ps.trainable.size()) throw e;
            KerasOptimizerState.Restored r;
            try {
                r = KerasOptimizerState.read(opt, ps.listedTrainable, saved);
            } catch (IllegalArgumentException again) {
                throw e;
            }
            return new KerasOptimizerState.Restored(r.iterations(), r.learningRate(), padded(opt, ps, r.state()));
        }
    }

    /** Whether a file's trainable_size {@code n} is the model's: its whole block, or its listed part (an earlier jrnn's file). */
    static boolean fits(Parameters ps, long n) {
        return n == ps.trainableSize || n == ps.listedTrainableSize;
    }

    /**
     * {@code state} (each slot over the listed trainable weights, the block's start) over the whole trainable block, the
     * unlisted weights' slots as a fresh build starts them (the weights themselves for use_ema's average); as it is where
     * it already covers the block.
     */
    static Map<String, float[]> padded(Optimizer opt, Parameters ps, Map<String, float[]> state) {
        Map<String, float[]> r = new LinkedHashMap<>();
        int n = Math.toIntExact(ps.trainableSize);
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            float[] v = e.getValue();
            if (v.length >= n) {
                r.put(e.getKey(), v);
                continue;
            }
            float[] to = Arrays.copyOf(v, n);
            Arrays.fill(to, v.length, n, opt.stateStart(e.getKey()));
            if (e.getKey().equals("average")) {
                for (Param p : ps.trainable) {
                    if (!ps.unlisted.contains(p)) continue;
                    float[] w = p.get().data();
                    System.arraycopy(w, 0, to, Math.toIntExact(p.offset()), w.length);
                }
            }
            r.put(e.getKey(), to);
        }
        return r;
    }
}
