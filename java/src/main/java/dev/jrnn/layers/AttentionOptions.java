package dev.jrnn.layers;

import dev.jrnn.tensor.Float32;

/**
 * The options every attention layer takes alike ({@link BaseDenseAttention}'s and {@link MultiHeadAttention}'s): Keras'
 * {@code dropout} on the attention weights with the layer's {@link MaskStream}, and the call arguments
 * {@code use_causal_mask} and {@code return_attention_scores}, which are layer settings in jrnn.
 */
final class AttentionOptions {
    double dropout;
    float dropout32;
    boolean causal, returnScores;
    final MaskStream masks = new MaskStream();

    /** Checks and sets the dropout rate for {@code l}: in [0, 1). */
    void dropout(Layer l, double rate) {
        dropout32 = Float32.check(l.name() + ": dropout", rate, r -> r >= 0 && r < 1, "in [0, 1)");
        dropout = rate;
    }

    /** Sets whether {@code l} gives the weights as a second output; refused once it has been applied (its outputs are fixed). */
    void returnScores(Layer l, boolean r) {
        if (r != returnScores) l.requireUncalled("returnAttentionScores");
        returnScores = r;
    }

    /** The mask stream to draw from in this call, or null when nothing is dropped. */
    MaskStream drops(boolean training) { return training && dropout > 0 ? masks : null; }
}
