package dev.jrnn.backend;

/**
 * A data-parallel job failed: a rank failed or was lost, a collective or the rendezvous timed out, or a collective
 * library call failed. The message names the rank and the cause, e.g.
 * {@code "rank 1 failed: NonFiniteException: ..."} or {@code "rendezvous at 10.0.0.1:29500: rank 3 never arrived within 60.0 s (2 of 3 other ranks came)"}.
 *
 * <pre>{@code
 * try { model.fit(x, y, opts.distributed(group)); }
 * catch (DistributedException e) { System.err.println(e.getMessage()); System.exit(1); }
 * }</pre>
 */
public class DistributedException extends RuntimeException {
    public DistributedException(String message) { super(message); }

    public DistributedException(String message, Throwable cause) { super(message, cause); }
}
