package dev.jrnn.model;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;

/**
 * The batch size of a model with stateful layers: the one its input fixes ({@code batchInputShape} on the first
 * layer, {@code Input.batchShape}), which every batch of fit, evaluate and predict must have, as in Keras. A call
 * without a batch size takes it (Keras infers it from the input layer); another one, or a sample count that is not
 * a multiple of it (a last, smaller batch), is refused before anything runs, with Keras' messages.
 */
final class StatefulBatch {
    /** The batch size fit, evaluate and predict use when none is given and the model fixes none (Keras' 32). */
    static final int DEFAULT = 32;

    private StatefulBatch() {}

    /** The first call of a stateful layer in {@code g}, or null when the model has none. */
    static Call firstStateful(Graph g) {
        for (Call c : g.calls) if (c.layer().stateful()) return c;
        return null;
    }

    /** The batch size of calls that give none: the one {@code g}'s stateful layers need, else {@link #DEFAULT}. */
    static int defaultSize(Graph g) {
        Call c = firstStateful(g);
        return c == null ? DEFAULT : c.inputs().get(0).batchSize();
    }

    /**
     * The batch size for call {@code what} of model {@code model}: {@code requested} (0: none given, then
     * {@link #DEFAULT}) for a model without stateful layers; for one with them the size its input fixes, which
     * a given {@code requested} must equal and every count in {@code samples} must be a multiple of.
     */
    static int resolve(String model, Graph g, String what, int requested, int... samples) {
        Call c = firstStateful(g);
        if (c == null) return requested > 0 ? requested : DEFAULT;
        Layer l = c.layer();
        int fixed = c.inputs().get(0).batchSize();   // Layer.apply refused a stateful layer without one
        String where = model + "." + what + ": ";
        if (requested > 0 && requested != fixed) {
            throw new IllegalArgumentException(where + "the batch size " + requested + " is incompatible with the batch size "
                    + fixed + " that the model's input fixes for its stateful layer " + l.name() + " (batchInputShape / "
                    + "Input.batchShape); use batchSize " + fixed + " or leave it out");
        }
        for (int n : samples) {
            if (n % fixed != 0) {
                throw new IllegalArgumentException(where + "in a stateful network the number of samples must be a multiple of"
                        + " the batch size " + fixed + ", found " + n + " samples (stateful layer " + l.name() + "; a smaller last"
                        + " batch would not fit its states)");
            }
        }
        return fixed;
    }
}
