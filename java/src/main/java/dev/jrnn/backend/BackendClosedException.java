package dev.jrnn.backend;

/**
 * A backend used after {@link Backend#close()}: an IllegalStateException, as before, and a {@link BackendFailure}, so
 * that {@code Models.load} and {@code loadWeights} throw it as it is instead of reporting the file as not readable.
 */
public class BackendClosedException extends IllegalStateException implements BackendFailure {
    private static final long serialVersionUID = 1L;

    public BackendClosedException(String message) {
        super(message);
    }
}
