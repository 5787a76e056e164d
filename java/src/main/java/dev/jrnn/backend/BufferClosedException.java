package dev.jrnn.backend;

/**
 * A buffer (or a model's parameter store) used after it was freed: an IllegalStateException, as before, of its own type
 * so that a model's call can tell a model closed under it by another thread from any other failure it passes on as it is.
 */
public class BufferClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public BufferClosedException(String message) {
        super(message);
    }
}
