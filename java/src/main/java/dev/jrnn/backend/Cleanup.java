package dev.jrnn.backend;

import java.util.function.Consumer;

/**
 * Freeing many things so that one failure (a RuntimeException or an Error such as OutOfMemoryError)
 * does not leave the rest live.
 */
public final class Cleanup {
    private Cleanup() {}

    /**
     * Calls {@code close} on every item, also after one throws; then rethrows the first failure with
     * the later ones suppressed.
     * Example: {@code Cleanup.each(traces.reversed(), Trace::close)}.
     */
    public static <T> void each(Iterable<T> items, Consumer<? super T> close) {
        Throwable first = null;
        for (T t : items) {
            try {
                close.accept(t);
            } catch (RuntimeException | Error e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first instanceof RuntimeException r) throw r;
        if (first instanceof Error e) throw e;
    }
}
