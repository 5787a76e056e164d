package dev.jrnn.backend;

/**
 * A buffer larger than the CPU backend holds (one Java {@code float[]}: {@code 2^31 - 9} floats). Inside a model the
 * message names the layer whose pass asked for it and the batch it ran on, since such a buffer is mostly the layer's
 * own (a recurrent layer's gates hold batch x timesteps x 4 x units floats), which a smaller batch size shrinks, e.g.
 * {@code "lstm: its forward pass needs a buffer of 4294967296 floats at batch size 16384, more than the CPU backend's
 * 2147483639 per buffer (one Java float[]); use a smaller batch size"}. A recurrent wavefront (stacked layers run
 * together on two CPU threads) names its layers together.
 *
 * <pre>{@code
 * try { model.predict(x, 256); }
 * catch (BufferTooLargeException e) { model.predict(x, 8); }   // smaller batches: each buffer 32x smaller
 * }</pre>
 */
public class BufferTooLargeException extends IllegalArgumentException implements BackendFailure {
    private final long floats, limit;
    private final boolean named;

    /** {@code what} asked for {@code floats} floats, more than {@code limit}. */
    public BufferTooLargeException(String what, long floats, long limit) {
        this(what + ": " + floats + " floats exceed the CPU backend's limit of " + limit
                + " floats per buffer (one Java float[]); split the tensor", floats, limit, false);
    }

    private BufferTooLargeException(String message, long floats, long limit, boolean named) {
        super(message);
        this.floats = floats;
        this.limit = limit;
        this.named = named;
    }

    /** The floats asked for. */
    public long floats() { return floats; }

    /** The most floats one buffer holds. */
    public long limit() { return limit; }

    /**
     * This refusal as met by {@code layer}'s {@code pass} ("forward", "backward") at {@code batch} rows (0: unknown): the
     * message names them and says to use a smaller batch size (at batch size 1, that one sample alone needs it). One
     * already named (an inner layer's) is returned as it is.
     */
    public BufferTooLargeException in(String layer, String pass, long batch) {
        if (named) return this;
        String what = layer + ": its " + pass + " pass needs a buffer of " + floats + " floats"
                + (batch > 0 ? " at batch size " + batch : "") + ", more than the CPU backend's " + limit + " per buffer (one Java float[]); ";
        // at batch size 1 one sample alone needs it: a smaller batch cannot help
        what += batch == 1 ? "one sample alone needs it (use shorter sequences or a smaller layer)" : "use a smaller batch size";
        BufferTooLargeException e = new BufferTooLargeException(what, floats, limit, true);
        e.initCause(this);
        return e;
    }
}
