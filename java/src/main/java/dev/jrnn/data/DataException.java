package dev.jrnn.data;

/**
 * A bad value in the data (NaN or Inf under {@link Dataset#checkFinite}, mismatched shapes from a
 * generator, a failing {@link Dataset#map} function), naming the file and sample it came from.
 * Thrown from {@link BatchStream#next()} even when the batch was assembled on the prefetch thread.
 *
 * <pre>{@code
 * try (BatchStream s = ds.checkFinite(true).epoch(0)) {
 *     while (s.hasNext()) try (Batch b = s.next()) { step(b); }
 * } catch (DataException e) {
 *     log.warn("bad sample at " + e.where());   // "x.npy sample 13"
 * }
 * }</pre>
 */
public final class DataException extends RuntimeException {
    /** Where it happened ({@link #where()}). */
    private final String where;

    DataException(String where, String problem, Throwable cause) {
        super(where + ": " + problem, cause);
        this.where = where;
    }

    /** The file (or generator) and sample index, e.g. {@code "x.npy sample 17"}. */
    public String where() { return where; }
}
