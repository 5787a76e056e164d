package dev.jrnn.layers;

import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras 3's MultiHeadAttention clears its inputs' masks at run time. Its {@code call} runs
 * {@code backend.set_keras_mask(query, None)} (and value, key: keras/src/layers/attention/multi_head_attention.py), on the
 * very tensors the functional model passes on to every other layer that takes them. A layer that runs after it in Keras'
 * order ({@code Function._run_through_graph}: by depth, deepest first, then in {@code map_graph}'s order) and reads such a
 * tensor's mask from the tensor sees none: a residual {@code Add}, a second MultiHeadAttention on the same tensor, and
 * what follows them (the loss of an output reads its tensor's mask). A call whose node keeps its mask
 * ({@link MaskArgument#recorded}: LSTM, GlobalAveragePooling1D, ... on one input) recomputes it from the mask's ops and
 * still gets it. A layer that returns its input itself (Dropout at inference, Identity: {@link #tensor}) outputs the same
 * object, which loses its mask with it. This class gives, per call of a model, which inputs' masks are cleared when it runs, and the mask the
 * symbolic graph kept for an output whose runtime mask was computed from a cleared one.
 */
public final class MaskClearing {
    /** Per call, per input: cleared by a MultiHeadAttention that ran before it, at inference and in training. */
    private final Map<Call, boolean[]> cleared = new IdentityHashMap<>(), clearedTraining = new IdentityHashMap<>();

    /**
     * The clearing of the calls {@code calls} (inputs excluded) of a model that Keras runs in the order
     * {@code kerasPosition} (a position per call).
     */
    public MaskClearing(Map<Call, Integer> kerasPosition, List<Call> calls) {
        List<Call> mhas = new ArrayList<>();
        for (Call c : calls) if (c.layer() instanceof MultiHeadAttention) mhas.add(c);
        if (mhas.isEmpty()) return;
        table(mhas, calls, kerasPosition, false, cleared);
        table(mhas, calls, kerasPosition, true, clearedTraining);
    }

    private static void table(List<Call> mhas, List<Call> calls, Map<Call, Integer> position, boolean training, Map<Call, boolean[]> into) {
        for (Call c : calls) {
            boolean[] off = null;
            for (Call m : mhas) {
                if (m == c || position.get(m) >= position.get(c)) continue;
                int t = ((MultiHeadAttention) m.layer()).tensorInputs(m.inputs().size());
                for (int k = 0; k < c.inputs().size(); k++) {
                    for (int j = 0; j < t; j++) {
                        if (tensor(m.inputs().get(j), training) == tensor(c.inputs().get(k), training)) {
                            if (off == null) off = new boolean[c.inputs().size()];
                            off[k] = true;
                        }
                    }
                }
            }
            if (off != null) into.put(c, off);
        }
    }

    /**
     * The runtime tensor {@code n} is: a layer whose call returns its input itself (Keras' Dropout, SpatialDropout1D,
     * GaussianNoise, GaussianDropout at inference or at rate 0, Identity, a linear Activation) outputs the very object,
     * whose mask a MultiHeadAttention on either clears.
     */
    static Node tensor(Node n, boolean training) {
        for (int hops = 0; hops < 10_000; hops++) {
            Call c = n.call();
            if (c.isInput() || c.inputs().size() != 1 || !returnsInput(c.layer(), training)) return n;
            n = c.inputs().get(0);
        }
        return n;
    }

    private static boolean returnsInput(Layer l, boolean training) {
        if (l instanceof Dropout d) return !training || d.rate() == 0;   // SpatialDropout1D too
        if (l instanceof GaussianNoise g) return !training || g.stddev() == 0;
        if (l instanceof GaussianDropout g) return !training || g.rate() == 0;
        if (l instanceof Activation a) return a.activation().equals("linear");
        return l.getClass() == Identity.class;
    }

    /** Whether any call of the model has an input mask cleared. */
    public boolean any() { return !cleared.isEmpty() || !clearedTraining.isEmpty(); }

    /**
     * Whether input {@code k}'s mask is cleared when {@code c} runs, in training or at inference (a call that keeps its
     * mask in its node reads it anyway).
     */
    public boolean cleared(Call c, int k, boolean training) {
        boolean[] off = (training ? clearedTraining : cleared).get(c);
        return off != null && off[k] && !MaskArgument.recorded(c);
    }

    /**
     * The mask Keras' symbolic graph gives output {@code k} of {@code c} (what a later call that keeps its mask in its
     * node reads), given its inputs {@code xs}, their symbolic masks {@code masks} and the call's trace {@code t} (run on
     * the cleared masks). New masks go to {@code owned}.
     */
    public static DTensor symbolicMask(Call c, Trace t, int k, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) {
        Layer l = c.layer();
        if (l instanceof Masking || l instanceof Embedding) return t.outputMask(k);   // from the values
        DTensor out = t.outputs().get(k), m0 = masks.isEmpty() ? null : masks.get(0);
        if (l instanceof Dot) return null;
        if (l instanceof Merge mg) return k == 0 ? mg.outputMask(out.backend(), xs, masks, owned) : null;
        if (l instanceof MultiHeadAttention || l instanceof BaseDenseAttention || l instanceof RecurrentLayer
                || l instanceof Bidirectional || l.passesMask()) {
            return k == 0 && m0 != null && out.rank() >= 3 && out.dim(0) == m0.dim(0) && out.dim(1) == m0.dim(1) ? m0 : null;
        }
        return null;
    }
}
