package dev.jrnn.layers;

/**
 * A layer that draws random masks or noise in training from a stream of its own (a seed and a count of draws): Dropout
 * and the other noise layers, the recurrent layers' dropouts, the attention layers' dropout. A saved model keeps each
 * stream, so a resumed fit draws what the uninterrupted one would have drawn.
 *
 * <pre>{@code
 * long[] s = ((RandomDraws) layer).maskStream();   // {seed, draws so far}
 * ((RandomDraws) again).maskStream(s[0], s[1]);
 * }</pre>
 */
public interface RandomDraws {
    /** The stream: {seed, draws so far}. */
    long[] maskStream();

    /** Sets the stream {@link #maskStream()} gave; the layer must be built (its backend known). */
    Layer maskStream(long seed, long drawn);
}
