package dev.jrnn.layers;

import java.util.Set;

/**
 * Which calls Keras 3 gives their mask explicitly. Its {@code Layer.__call__} fills the {@code mask} argument of a layer
 * whose {@code call} takes one for a call of one tensor, and the functional node keeps it (keras/src/layers/layer.py,
 * "6. Populate mask argument(s)"): saved files list the mask's ops, and at run time the node recomputes the mask from
 * them, whatever happened to the runtime tensor's mask since (MultiHeadAttention clears it: {@link MaskClearing}).
 */
public final class MaskArgument {
    /** The Keras 3 layers whose {@code call} takes {@code mask} among those jrnn has. */
    public static final Set<String> LAYERS = Set.of("LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "TimeDistributed",
            "GlobalAveragePooling1D", "Softmax", "BatchNormalization");

    private MaskArgument() {}

    /** Whether Keras 3 records {@code call}'s mask in its node: a masked call of one input to a layer of {@link #LAYERS}. */
    public static boolean recorded(Call call) {
        return call.usesInputMask() && call.inputs().size() == 1 && LAYERS.contains(call.layer().kerasClass());
    }
}
