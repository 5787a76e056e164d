package dev.jrnn.backend;

/**
 * Work queued by {@link Backend#fork}: until {@link #join()}, it may run on the device alongside the
 * calls made after the fork; after {@code join()}, calls wait for it. Joining twice does nothing; close
 * joins, so a fork can be a try-with-resources resource.
 *
 * <pre>{@code
 * try (Fork f = be.fork(() -> be.gemm(...))) {   // weight gradients of finished steps, on a second stream
 *     ...                                          // meanwhile: the next steps, on the main stream
 * }                                                // joined here
 * }</pre>
 */
public interface Fork extends AutoCloseable {
    /** An already finished fork (what backends without a second queue return). */
    Fork DONE = () -> {};

    /** Makes calls queued from now on wait for the forked work (the host does not wait). */
    void join();

    @Override
    default void close() {
        join();
    }

    /**
     * Joins every fork, also after one failed (the caller frees the buffers they work on next), then throws the
     * first failure with the others suppressed.
     */
    static void joinAll(Iterable<Fork> forks) {
        RuntimeException first = null;
        Error error = null;
        for (Fork f : forks) {
            try {
                f.join();
            } catch (RuntimeException e) {
                if (first == null && error == null) first = e;
                else (error != null ? error : first).addSuppressed(e);
            } catch (Error e) {
                if (error == null) {
                    error = e;
                    if (first != null) e.addSuppressed(first);
                } else {
                    error.addSuppressed(e);
                }
            }
        }
        if (error != null) throw error;
        if (first != null) throw first;
    }
}
