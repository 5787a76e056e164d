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
}
